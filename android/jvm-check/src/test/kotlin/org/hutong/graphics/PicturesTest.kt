package org.hutong.graphics

import org.hutong.CodeFormat
import org.hutong.HutongScanner
import org.hutong.ScanException
import org.hutong.ScanOptions
import org.hutong.Symbology
import org.hutong.renderCode
import java.nio.ByteBuffer
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * The platform profile's gallery path with the real library: a code drawn by the library, turned
 * to colours as `RenderedCode.toBitmap` does, back to grey as `scanBitmap` does, scanned as a
 * gallery pick. (`Bitmap` itself needs Android's native code; its two calls are the only part
 * not run here.)
 */
class PicturesTest {
    private val scanner = HutongScanner(ScanOptions(formats = listOf(CodeFormat.CODE128), tryHarder = false, budgetMs = 2000u))

    @Test
    fun `a sideways barcode decoded by the app is found by turning it, as decodeImage would`() {
        val text = "134567890123456789"
        val code = renderCode(text, Symbology.CODE128, 2u)
        val (w, h) = code.width.toInt() to code.height.toInt()
        // Turned a quarter: the bars now run along the rows.
        val argb = GrayPixels.argbOfGray(code.pixels)
        val turned = IntArray(w * h) { i -> argb[(h - 1 - i % h) * w + i / h] }
        val luma = ByteBuffer.allocateDirect(w * h)
        for (y in 0 until w) GrayPixels.lumaOfArgb(turned.copyOfRange(y * h, y * h + h), h, luma, y * h)

        assertTrue(scanner.scanGray8(luma, h.toUInt(), w.toUInt(), h.toUInt(), 0u, null).isEmpty())
        val found = scanner.scanPictureGray8(luma, h.toUInt(), w.toUInt(), h.toUInt()).single()
        assertEquals(text, found.text)
    }

    @Test
    fun `a picture over the library's limit is refused without a buffer`() {
        val e = assertFailsWith<ScanException.BadFrame> {
            scanner.scanPictureGray8(ByteBuffer.allocateDirect(0), 10_000u, 10_000u, 10_000u)
        }
        assertTrue(e.message!!.contains("10000"), e.message)
    }
}
