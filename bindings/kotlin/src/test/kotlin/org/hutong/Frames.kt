package org.hutong

import java.nio.ByteBuffer

/**
 * Camera-like frames built in Kotlin the way a camera hands them over: an upright scene with a
 * rendered code in it, turned against the display by the sensor rotation, packed into direct
 * buffers with padded rows. Only luma matters for scanning; chroma is neutral grey.
 */
class Scene(val width: Int, val height: Int, background: Int = 200) {
    val pixels = IntArray(width * height) { background }

    /** Draws a rendered code (0 ink, 255 paper) at (x, y) with printed-paper contrast. */
    fun draw(code: RenderedCode, x: Int, y: Int) {
        val w = code.width.toInt()
        for (row in 0 until code.height.toInt()) {
            for (col in 0 until w) {
                val v = code.pixels[row * w + col].toInt() and 0xff
                pixels[(y + row) * width + x + col] = if (v < 128) 35 else 215
            }
        }
    }

    /** Sensor size for a clockwise sensor-to-display rotation. */
    fun sensorSize(rotation: Int): Pair<Int, Int> =
        if (rotation == 90 || rotation == 270) height to width else width to height

    /** The luma a sensor with this rotation delivers, rows `rowStride` bytes apart (last row unpadded). */
    fun sensorLuma(rotation: Int, rowStride: Int): ByteBuffer {
        val (sw, sh) = sensorSize(rotation)
        val buf = ByteBuffer.allocateDirect((sh - 1) * rowStride + sw)
        for (y in 0 until height) {
            for (x in 0 until width) {
                val (sx, sy) = when (rotation) {
                    90 -> y to (width - 1 - x)
                    180 -> (width - 1 - x) to (height - 1 - y)
                    270 -> (height - 1 - y) to x
                    else -> x to y
                }
                buf.put(sy * rowStride + sx, pixels[y * width + x].toByte())
            }
        }
        return buf
    }
}

/** An interleaved chroma plane (NV21 VU or NV12 UV) of neutral grey for a `sw` x `sh` sensor. */
fun chromaPlane(sw: Int, sh: Int, rowStride: Int): ByteBuffer {
    val cw = (sw + 1) / 2
    val ch = (sh + 1) / 2
    val buf = ByteBuffer.allocateDirect((ch - 1) * rowStride + 2 * cw)
    for (i in 0 until buf.capacity()) buf.put(i, 128.toByte())
    return buf
}

/** The U and V planes of a YUV_420_888 image over NV21 memory: V at offset 0, U at 1, pixel stride 2. */
fun yuv420888Chroma(sw: Int, sh: Int, rowStride: Int): Pair<ByteBuffer, ByteBuffer> {
    val vu = chromaPlane(sw, sh, rowStride)
    val v = vu.duplicate().slice()
    val u = vu.duplicate().position(1).slice()
    return u to v
}

fun qr(text: String, modulePx: Int = 4): RenderedCode = renderCode(text, Symbology.QR, modulePx.toUInt())
