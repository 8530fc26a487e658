package org.hutong

import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.ByteArrayInputStream
import java.nio.ByteBuffer
import javax.imageio.ImageIO

/** A camera-like Y plane in a direct buffer: `rowStride` bytes per row, the last row unpadded. */
fun paddedPlane(width: Int, height: Int, rowStride: Int, pixel: (Int, Int) -> Int): ByteBuffer {
    val buf = ByteBuffer.allocateDirect((height - 1) * rowStride + width)
    for (y in 0 until height) {
        for (x in 0 until rowStride) {
            val at = y * rowStride + x
            if (at < buf.capacity()) buf.put(at, if (x < width) pixel(x, y).toByte() else 7)
        }
    }
    return buf
}

class LumaPngTest {
    @Test
    fun `encodes a padded direct-buffer plane as a PNG of the visible pixels`() {
        val plane = paddedPlane(6, 4, 8) { x, y -> 40 * y + x }
        val png = encodeLumaPng(plane, 6u, 4u, 8u)
        assertArrayEquals(PNG_MAGIC, png.copyOfRange(0, 8))
        val image = ImageIO.read(ByteArrayInputStream(png))
        assertEquals(6, image.width)
        assertEquals(4, image.height)
        assertEquals(3 * 40 + 5, image.raster.getSample(5, 3, 0))
    }

    @Test
    fun `throws a typed exception with the sizes for a plane shorter than its rows`() {
        val e = assertThrows<LumaPngException.PlaneTooShort> {
            encodeLumaPng(ByteBuffer.allocateDirect(7), 3u, 2u, 5u)
        }
        assertEquals("plane holds 7 bytes but 3x2 with row stride 5 needs 8", e.message)
    }

    @Test
    fun `throws a typed exception for a stride smaller than the width`() {
        val e = assertThrows<LumaPngException.StrideTooSmall> {
            encodeLumaPng(ByteBuffer.allocateDirect(64), 8u, 2u, 7u)
        }
        assertEquals("row stride 7 is smaller than the width 8", e.message)
    }

    private fun firstRow(png: ByteArray, width: Int): List<Int> {
        val image = ImageIO.read(ByteArrayInputStream(png))
        return (0 until width).map { image.raster.getSample(it, 0, 0) }
    }

    /** Bytes 0, 10, 20, ... 70 in a direct buffer, positioned at 4. */
    private fun bufferAtPosition4(): ByteBuffer {
        val buf = ByteBuffer.allocateDirect(8)
        for (i in 0 until 8) buf.put(i, (10 * i).toByte())
        buf.position(4)
        return buf
    }

    @Test
    fun `a sliced view of a larger direct buffer crosses as exactly its own bytes`() {
        val view = bufferAtPosition4().slice()
        assertEquals(listOf(40, 50, 60, 70), firstRow(encodeLumaPng(view, 4u, 1u, 4u), 4))
    }

    /**
     * UniFFI 0.32's generated converter passes the buffer's base address with `remaining()` as
     * the length, ignoring `position`: callers must `slice()` (see ADR 0005). If this starts
     * failing, UniFFI fixed it and the rule can go.
     */
    @Test
    fun `the generated converter ignores the buffer position so callers slice`() {
        assertEquals(listOf(0, 10, 20, 30), firstRow(encodeLumaPng(bufferAtPosition4(), 4u, 1u, 4u), 4))
    }

    @Test
    fun `refuses a heap buffer because only direct buffers can cross without a copy`() {
        assertThrows<IllegalArgumentException> { encodeLumaPng(ByteBuffer.allocate(16), 4u, 4u, 4u) }
    }
}
