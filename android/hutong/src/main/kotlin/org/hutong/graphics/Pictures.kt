package org.hutong.graphics

import android.graphics.Bitmap
import android.os.Build
import org.hutong.HutongScanner
import org.hutong.RenderedCode
import org.hutong.ScannedCode
import java.nio.ByteBuffer

/*
 * Pictures through Android's own codecs: what an app on the platform profile (ADR 0011, 0012)
 * uses instead of the library's image decoding and PNG encoding. They work with the full
 * library as well.
 */

/**
 * Scans a picture the app decoded (`BitmapFactory`, `ImageDecoder`, a photo picker's result) as
 * `decodeImage` scans a file: turned every quarter and inverted until a code is found. Decode
 * large photos with `inSampleSize` first: over 50 M pixels or 16384 px a side throws
 * `ScanException.BadFrame`. Holds one grey copy of the picture (1 byte a pixel) and one row of
 * colours. Blocking and CPU-heavy: call it on a background thread.
 */
fun HutongScanner.scanBitmap(bitmap: Bitmap): List<ScannedCode> {
    val (width, height) = bitmap.width to bitmap.height
    if (width.toLong() * height > MAX_PICTURE_PIXELS) {
        // The library names the limit in its error; an empty buffer is never read past the
        // size check, so nothing large is allocated for a picture it refuses.
        return scanPictureGray8(ByteBuffer.allocateDirect(0), width.toUInt(), height.toUInt(), width.toUInt())
    }
    val software =
        if (Build.VERSION.SDK_INT >= 26 && bitmap.config == Bitmap.Config.HARDWARE) {
            bitmap.copy(Bitmap.Config.ARGB_8888, false)
        } else {
            bitmap
        }
    val luma = ByteBuffer.allocateDirect(width * height)
    try {
        val row = IntArray(width)
        for (y in 0 until height) {
            software.getPixels(row, 0, width, 0, y, width, 1)
            GrayPixels.lumaOfArgb(row, width, luma, y * width)
        }
    } finally {
        if (software !== bitmap) software.recycle()
    }
    return scanPictureGray8(luma, width.toUInt(), height.toUInt(), width.toUInt())
}

/** A rendered code as an opaque `ARGB_8888` bitmap, for an `ImageView` or for `compress(PNG, ...)`. */
fun RenderedCode.toBitmap(): Bitmap =
    Bitmap.createBitmap(GrayPixels.argbOfGray(pixels), width.toInt(), height.toInt(), Bitmap.Config.ARGB_8888)

/** The library's picture limit (`frame::MAX_PIXELS`): checked here only to avoid allocating for a refusal. */
private const val MAX_PICTURE_PIXELS = 50_000_000L
