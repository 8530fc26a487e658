package org.hutong.sample

import java.io.ByteArrayOutputStream
import java.io.InputStream

/** Reading a picked photo without trusting its size. */
object PhotoInput {
    /** The SDK's own file cap (`HutongScanner.decodeImage`: 32 MiB); a bigger file is refused unread. */
    const val MAX_BYTES = 32 shl 20

    /** The whole stream, or null as soon as it passes [max] bytes. */
    fun readAtMost(input: InputStream, max: Int = MAX_BYTES): ByteArray? {
        val out = ByteArrayOutputStream()
        val buffer = ByteArray(64 * 1024)
        while (true) {
            val n = input.read(buffer)
            if (n < 0) return out.toByteArray()
            if (out.size() + n > max) return null
            out.write(buffer, 0, n)
        }
    }
}
