package org.hutong

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource
import java.nio.ByteBuffer
import java.util.zip.CRC32

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScanTest {
    private val text = "https://qr.alipay.com/fkx18437scan"
    private val scanner = HutongScanner(ScanOptions(budgetMs = 2000u))

    // A 480x360 upright scene with the code's top-left at (150, 60).
    private val code = qr(text, 4)
    private val scene = Scene(480, 360).apply { draw(code, 150, 60) }
    private val codeBox = Triple(150f, 60f, code.width.toFloat())

    @AfterAll
    fun close() = scanner.close()

    /** Every corner lies on the drawn code (finder centres sit inside its quiet zone). */
    private fun assertCornersOnCode(found: ScannedCode, crop: CropRect? = null) {
        val (x0, y0, side) = codeBox
        assertEquals(4, found.corners.size)
        for (p in found.corners) {
            assertTrue(p.x in x0..(x0 + side) && p.y in y0..(y0 + side), "corner $p outside the code at $codeBox")
        }
        if (crop != null) {
            assertTrue(found.corners.all { it.x >= crop.x.toFloat() && it.y >= crop.y.toFloat() })
        }
    }

    @ParameterizedTest
    @ValueSource(ints = [0, 90, 180, 270])
    fun `scans an NV21 frame with padded rows at every rotation`(rotation: Int) {
        val (sw, sh) = scene.sensorSize(rotation)
        val stride = sw + 32
        val y = scene.sensorLuma(rotation, stride)
        val vu = chromaPlane(sw, sh, stride)
        val found = scanner.scanNv21(y, vu, sw.toUInt(), sh.toUInt(), stride.toUInt(), stride.toUInt(), rotation.toUInt(), null)
        assertEquals(listOf(text), found.map { it.text })
        assertEquals(CodeFormat.QR_CODE, found[0].format)
        assertCornersOnCode(found[0])
    }

    @ParameterizedTest
    @ValueSource(ints = [0, 90, 270])
    fun `scans a YUV_420_888 frame whose chroma planes overlap with pixel stride 2`(rotation: Int) {
        val (sw, sh) = scene.sensorSize(rotation)
        val yStride = sw + 64
        val uvStride = sw + 16
        val y = scene.sensorLuma(rotation, yStride)
        val (u, v) = yuv420888Chroma(sw, sh, uvStride)
        val found = scanner.scanYuv420888(
            y, u, v, sw.toUInt(), sh.toUInt(), yStride.toUInt(), uvStride.toUInt(), 2u, rotation.toUInt(), null,
        )
        assertEquals(listOf(text), found.map { it.text })
        assertCornersOnCode(found[0])
    }

    @Test
    fun `scans an NV12 frame and a grey frame`() {
        val y = scene.sensorLuma(0, 480)
        val uv = chromaPlane(480, 360, 480)
        assertEquals(text, scanner.scanNv12(y, uv, 480u, 360u, 480u, 480u, 0u, null).single().text)
        assertEquals(text, scanner.scanGray8(y, 480u, 360u, 480u, 0u, null).single().text)
    }

    @Test
    fun `scans a BGRA frame`() {
        val stride = 480 * 4 + 32
        val buf = ByteBuffer.allocateDirect(359 * stride + 480 * 4)
        for (y in 0 until 360) for (x in 0 until 480) {
            val l = scene.pixels[y * 480 + x].toByte()
            val at = y * stride + 4 * x
            buf.put(at, l); buf.put(at + 1, l); buf.put(at + 2, l); buf.put(at + 3, 255.toByte())
        }
        assertEquals(text, scanner.scanBgra(buf, 480u, 360u, stride.toUInt(), 0u, null).single().text)
    }

    @Test
    fun `a crop around the code finds it with whole-frame corners, a crop beside it finds nothing`() {
        val y = scene.sensorLuma(90, 360)
        val vu = chromaPlane(360, 480, 360)
        // Display is 480x360 (the sensor is 360x480 turned 90 degrees).
        val around = CropRect(120u, 40u, 240u, 240u)
        val found = scanner.scanNv21(y, vu, 360u, 480u, 360u, 360u, 90u, around)
        assertEquals(listOf(text), found.map { it.text })
        assertCornersOnCode(found[0], around)
        val beside = CropRect(0u, 0u, 120u, 360u)
        assertEquals(emptyList<ScannedCode>(), scanner.scanNv21(y, vu, 360u, 480u, 360u, 360u, 90u, beside))
    }

    @Test
    fun `a frame without a code is an empty list, not an error`() {
        val blank = Scene(320, 240).sensorLuma(0, 320)
        assertEquals(emptyList<ScannedCode>(), scanner.scanGray8(blank, 320u, 240u, 320u, 0u, null))
    }

    @Test
    fun `decodes an image file`() {
        val found = scanner.decodeImage(encodeLumaPng(scene.sensorLuma(0, 480), 480u, 360u, 480u))
        assertEquals(text, found.single().text)
        assertCornersOnCode(found[0])
    }

    @Test
    fun `a Y plane shorter than its rows is a bad frame saying which plane and how short`() {
        val e = assertThrows<ScanException.BadFrame> {
            scanner.scanNv21(ByteBuffer.allocateDirect(1000), chromaPlane(64, 48, 64), 64u, 48u, 64u, 64u, 0u, null)
        }
        assertEquals("bad frame: Y plane holds 1000 bytes but its rows need 3072", e.message)
    }

    @Test
    fun `a chroma plane too short, a bad pixel stride, a bad rotation and an outside crop are bad frames`() {
        val y = ByteBuffer.allocateDirect(64 * 48)
        assertThrows<ScanException.BadFrame> {
            scanner.scanNv21(y, ByteBuffer.allocateDirect(10), 64u, 48u, 64u, 64u, 0u, null)
        }.also { assertTrue(it.message!!.contains("chroma plane"), it.message) }
        val (u, v) = yuv420888Chroma(64, 48, 64)
        assertThrows<ScanException.BadFrame> {
            scanner.scanYuv420888(y, u, v, 64u, 48u, 64u, 64u, 3u, 0u, null)
        }.also { assertTrue(it.message!!.contains("pixel stride 3"), it.message) }
        assertThrows<ScanException.BadFrame> { scanner.scanGray8(y, 64u, 48u, 64u, 45u, null) }
        assertThrows<ScanException.BadFrame> {
            scanner.scanGray8(y, 64u, 48u, 64u, 90u, CropRect(0u, 0u, 64u, 48u))
        }.also { assertTrue(it.message!!.contains("outside the 48x64 display frame"), it.message) }
    }

    @Test
    fun `an unreadable image file is a typed error`() {
        assertThrows<ScanException.UnsupportedImage> { scanner.decodeImage("not an image".toByteArray()) }
    }

    @Test
    fun `a decompression bomb is refused from its header and a cut-off file is corrupt, not empty`() {
        val png = encodeLumaPng(scene.sensorLuma(0, 480), 480u, 360u, 480u)
        // The same file claiming 16000 x 16000 pixels (IHDR rewritten, its CRC too).
        val bomb = png.copyOf()
        ByteBuffer.wrap(bomb, 16, 8).putInt(16000).putInt(16000)
        val crc = CRC32().apply { update(bomb, 12, 17) }.value
        ByteBuffer.wrap(bomb, 29, 4).putInt(crc.toInt())
        assertThrows<ScanException.ImageTooLarge> { scanner.decodeImage(bomb) }
            .also { assertTrue(it.message!!.contains("16000x16000"), it.message) }
        assertThrows<ScanException.CorruptImage> { scanner.decodeImage(png.copyOf(png.size / 2)) }
            .also { assertTrue(it.message!!.contains("truncated"), it.message) }
    }

    @Test
    fun `options it cannot honour are refused when the scanner is built`() {
        assertThrows<ScanException.InvalidOptions> { HutongScanner(ScanOptions(maxCodes = 0u)) }
        assertThrows<ScanException.InvalidOptions> { HutongScanner(ScanOptions(budgetMs = 0u)) }
    }

    @Test
    fun `stats count frames and codes`() {
        HutongScanner(ScanOptions(formats = listOf(CodeFormat.QR_CODE), budgetMs = 2000u)).use { s ->
            s.scanGray8(scene.sensorLuma(0, 480), 480u, 360u, 480u, 0u, null)
            s.scanGray8(Scene(64, 48).sensorLuma(0, 64), 64u, 48u, 64u, 0u, null)
            val st = s.stats()
            assertEquals(2uL, st.frames)
            assertEquals(1uL, st.framesWithCodes)
            assertEquals(1uL, st.codes)
        }
    }
}
