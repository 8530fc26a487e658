package org.hutong.graphics

import java.nio.ByteBuffer

/**
 * Colour to 8-bit grey and back, as the library converts inside `decodeImage`: BT.601 luma in
 * fixed point, composited over white (a code on a transparent background is dark on light).
 * Plain Kotlin (no android.*), so it is unit-tested on a desktop JVM; [Pictures] uses it.
 */
object GrayPixels {
    /**
     * Writes the grey of each colour in [argb] (`Bitmap.getPixels`' packed, unpremultiplied
     * `0xAARRGGBB`) into [out], starting at byte [at].
     */
    fun lumaOfArgb(argb: IntArray, count: Int, out: ByteBuffer, at: Int) {
        for (i in 0 until count) {
            val c = argb[i]
            val l = (77 * ((c ushr 16) and 0xFF) + 150 * ((c ushr 8) and 0xFF) + 29 * (c and 0xFF) + 128) ushr 8
            val a = c ushr 24
            out.put(at + i, ((l * a + 255 * (255 - a) + 127) / 255).toByte())
        }
    }

    /** Opaque `0xFFgggggg` colours of 8-bit grey pixels (`RenderedCode.pixels`), for `Bitmap.createBitmap`. */
    fun argbOfGray(gray: ByteArray): IntArray =
        IntArray(gray.size) {
            val g = gray[it].toInt() and 0xFF
            (0xFF shl 24) or (g shl 16) or (g shl 8) or g
        }
}
