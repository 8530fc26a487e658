package org.hutong.sample

import android.graphics.Bitmap
import android.graphics.BitmapFactory

/**
 * Photos through Android's decoder: formats Hutong does not read (HEIC from recent phones), and
 * every photo when the library is the platform profile (built without image decoding, where
 * `decodeImage` answers `UnsupportedImage`). Decoded at a bounded size, then scanned with
 * `scanBitmap`, which tries every quarter turn as `decodeImage` does.
 */
object PlatformPhoto {
    /** Longest side after decoding: a 12-48 MP photo's code survives, memory stays bounded. */
    const val MAX_SIDE = 4096

    fun bitmap(bytes: ByteArray): Bitmap? {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        BitmapFactory.decodeByteArray(bytes, 0, bytes.size, bounds)
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) return null
        var sample = 1
        while (maxOf(bounds.outWidth, bounds.outHeight) / sample > MAX_SIDE) sample *= 2
        return BitmapFactory.decodeByteArray(bytes, 0, bytes.size, BitmapFactory.Options().apply { inSampleSize = sample })
    }
}
