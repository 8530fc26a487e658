package org.hutong.camera

import java.nio.file.Files
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals

class FrameSnapshotTest {
    private fun snapshot(decoded: List<String>, crop: PixelRect?) =
        FrameSnapshot(4, 2, 90, crop, ByteArray(12) { it.toByte() }, decoded, "Pixel 8", 123456789L)

    @Test
    fun `metadata names layout, geometry and what was read`() {
        val json = snapshot(listOf("hello"), PixelRect(1, 0, 2, 2)).metadataJson()
        assertEquals(
            """{"format":"nv21","width":4,"height":2,"row_stride":4,"rotation":90,""" +
                """"crop":{"x":1,"y":0,"width":2,"height":2},"decoded":["hello"],""" +
                """"device":"Pixel 8","timestamp_ns":123456789}""" + "\n",
            json,
        )
    }

    @Test
    fun `payload text with quotes and control characters stays valid JSON`() {
        val json = snapshot(listOf("a\"b\\c\u0001\n"), null).metadataJson()
        assertEquals(true, json.contains(""""decoded":["a\"b\\c\u0001\n"]"""))
        assertEquals(true, json.contains(""""crop":null"""))
    }

    @Test
    fun `writes the pixels and the sidecar next to each other`() {
        val dir = Files.createTempDirectory("hutong-snap").toFile()
        val (pixels, meta) = snapshot(emptyList(), null).writeTo(dir, "frame-1")
        assertContentEquals(ByteArray(12) { it.toByte() }, pixels.readBytes())
        assertEquals("frame-1.json", meta.name)
        dir.deleteRecursively()
    }
}
