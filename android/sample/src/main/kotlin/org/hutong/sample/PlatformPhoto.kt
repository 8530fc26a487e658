package org.hutong.sample

import android.graphics.Bitmap
import android.graphics.BitmapFactory
import java.io.ByteArrayOutputStream

/**
 * Photos in formats Hutong does not read (HEIC from recent phones), decoded by Android at a
 * bounded size and handed on as JPEG. Orientation does not matter: `decodeImage` tries every
 * quarter turn.
 */
object PlatformPhoto {
    /** Longest side after decoding: a 12-48 MP photo's code survives, memory stays bounded. */
    const val MAX_SIDE = 4096

    fun jpeg(bytes: ByteArray): ByteArray? {
        val bounds = BitmapFactory.Options().apply { inJustDecodeBounds = true }
        BitmapFactory.decodeByteArray(bytes, 0, bytes.size, bounds)
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) return null
        var sample = 1
        while (maxOf(bounds.outWidth, bounds.outHeight) / sample > MAX_SIDE) sample *= 2
        val bitmap = BitmapFactory.decodeByteArray(bytes, 0, bytes.size, BitmapFactory.Options().apply { inSampleSize = sample })
            ?: return null
        return try {
            ByteArrayOutputStream().also { bitmap.compress(Bitmap.CompressFormat.JPEG, 95, it) }.toByteArray()
        } finally {
            bitmap.recycle()
        }
    }
}
