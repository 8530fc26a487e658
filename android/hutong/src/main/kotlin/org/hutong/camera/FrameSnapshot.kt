package org.hutong.camera

import java.io.File

/**
 * A camera frame saved for the regression corpus: tightly packed NV21 (`width` bytes per luma
 * row, then interleaved V/U rows) plus a JSON sidecar with everything needed to scan it again.
 */
class FrameSnapshot(
    val width: Int,
    val height: Int,
    val rotationDegrees: Int,
    val crop: PixelRect?,
    val nv21: ByteArray,
    /** What the scanner read on this frame (empty for a miss, which is what a corpus wants most). */
    val decoded: List<String>,
    val device: String,
    val timestampNanos: Long,
) {
    /** Writes `<base>.nv21` and `<base>.json`; returns both files. */
    fun writeTo(dir: File, base: String): Pair<File, File> {
        dir.mkdirs()
        val pixels = File(dir, "$base.nv21").also { it.writeBytes(nv21) }
        val meta = File(dir, "$base.json").also { it.writeText(metadataJson()) }
        return pixels to meta
    }

    fun metadataJson(): String {
        val cropJson = crop?.let { """{"x":${it.x},"y":${it.y},"width":${it.width},"height":${it.height}}""" } ?: "null"
        val texts = decoded.joinToString(",") { jsonString(it) }
        return """{"format":"nv21","width":$width,"height":$height,"row_stride":$width,""" +
            """"rotation":$rotationDegrees,"crop":$cropJson,"decoded":[$texts],""" +
            """"device":${jsonString(device)},"timestamp_ns":$timestampNanos}""" + "\n"
    }

    companion object {
        /**
         * Packs any YUV_420_888 layout into NV21. This copies (once, when the user asks to save),
         * reading each sample through its row and pixel stride.
         */
        fun packNv21(frame: YuvPlanes): ByteArray {
            val w = frame.width
            val h = frame.height
            val cw = (w + 1) / 2
            val ch = (h + 1) / 2
            val out = ByteArray(w * h + 2 * cw * ch)
            val y = frame.y.buffer.duplicate().also { it.rewind() }
            for (row in 0 until h) {
                val from = row * frame.y.rowStride
                for (col in 0 until w) out[row * w + col] = y.get(from + col * frame.y.pixelStride)
            }
            val u = frame.u.buffer.duplicate().also { it.rewind() }
            val v = frame.v.buffer.duplicate().also { it.rewind() }
            var at = w * h
            for (row in 0 until ch) {
                for (col in 0 until cw) {
                    out[at++] = v.get(row * frame.v.rowStride + col * frame.v.pixelStride)
                    out[at++] = u.get(row * frame.u.rowStride + col * frame.u.pixelStride)
                }
            }
            return out
        }

        internal fun jsonString(s: String): String {
            val b = StringBuilder("\"")
            for (c in s) {
                when {
                    c == '"' -> b.append("\\\"")
                    c == '\\' -> b.append("\\\\")
                    c == '\n' -> b.append("\\n")
                    c == '\r' -> b.append("\\r")
                    c == '\t' -> b.append("\\t")
                    c < ' ' -> b.append(String.format("\\u%04x", c.code))
                    else -> b.append(c)
                }
            }
            return b.append('"').toString()
        }
    }
}
