package org.hutong.camera

import com.sun.jna.Native
import com.sun.jna.Pointer
import java.nio.ByteBuffer

/**
 * One plane of a YUV_420_888 image as `ImageProxy.PlaneProxy` / `Image.Plane` describe it.
 * Plain Kotlin (no android.*), so the planning below is unit-tested on a desktop JVM.
 */
class PlaneBuffer(val buffer: ByteBuffer, val rowStride: Int, val pixelStride: Int)

/** A camera frame in sensor orientation: three planes and the sensor size. */
class YuvPlanes(
    val width: Int,
    val height: Int,
    val y: PlaneBuffer,
    val u: PlaneBuffer,
    val v: PlaneBuffer,
)

/** A frame the Kotlin side cannot hand over as it is; the message names the plane and value. */
sealed class FramePlaneException(message: String) : IllegalArgumentException(message) {
    class NotDirect(plane: String) :
        FramePlaneException("plane $plane is a heap buffer; only direct buffers cross without a copy")

    class LumaPixelStride(pixelStride: Int) :
        FramePlaneException("Y plane pixel stride is $pixelStride, Hutong needs 1")

    class ChromaMismatch(uRow: Int, uPixel: Int, vRow: Int, vPixel: Int) :
        FramePlaneException(
            "U plane (row stride $uRow, pixel stride $uPixel) and V plane " +
                "(row stride $vRow, pixel stride $vPixel) differ; YUV_420_888 chroma planes share strides",
        )
}

/**
 * Which scanner entry point a frame goes to, with buffers positioned at 0 (the generated
 * UniFFI converter sends a buffer's base address, ignoring `position`, see ADR 0005).
 */
sealed class FrameCall {
    abstract val y: ByteBuffer
    abstract val yRowStride: Int

    /** V and U interleaved in one run of memory starting with V (most Android devices). */
    class Nv21(override val y: ByteBuffer, override val yRowStride: Int, val vu: ByteBuffer, val uvRowStride: Int) :
        FrameCall()

    /** U and V interleaved starting with U. */
    class Nv12(override val y: ByteBuffer, override val yRowStride: Int, val uv: ByteBuffer, val uvRowStride: Int) :
        FrameCall()

    /** Separate chroma planes (pixel stride 1), or interleaved ones we cannot prove adjacent. */
    class Yuv420888(
        override val y: ByteBuffer,
        override val yRowStride: Int,
        val u: ByteBuffer,
        val v: ByteBuffer,
        val uvRowStride: Int,
        val uvPixelStride: Int,
    ) : FrameCall()
}

/** Native memory access the planner needs; JNA in the app, the same JNA in the JVM tests. */
interface NativeMemory {
    /** Address of the buffer's first byte (its base, whatever its position). */
    fun address(buffer: ByteBuffer): Long

    /** A direct buffer over `length` bytes at `address`, no copy. */
    fun view(address: Long, length: Int): ByteBuffer

    object Jna : NativeMemory {
        override fun address(buffer: ByteBuffer): Long = Pointer.nativeValue(Native.getDirectBufferPointer(buffer))

        override fun view(address: Long, length: Int): ByteBuffer = Pointer(address).getByteBuffer(0, length.toLong())
    }
}

/**
 * Decides how a YUV_420_888 frame crosses to Rust without copying a byte.
 *
 * When the two chroma planes are the same memory interleaved (pixel stride 2, V one byte before
 * U), the frame is really NV21 and goes as one VU view spanning both planes: one chroma slice to
 * validate instead of two. Otherwise the three planes go as they are with their strides. Sizes
 * and strides against the image size are checked by Rust, which returns a typed `FrameException`.
 */
class FramePlanner(private val memory: NativeMemory = NativeMemory.Jna) {
    fun plan(frame: YuvPlanes): FrameCall {
        val y = atStart(frame.y, "Y")
        val u = atStart(frame.u, "U")
        val v = atStart(frame.v, "V")
        if (frame.y.pixelStride != 1) throw FramePlaneException.LumaPixelStride(frame.y.pixelStride)
        val (uRow, uPixel) = frame.u.rowStride to frame.u.pixelStride
        val (vRow, vPixel) = frame.v.rowStride to frame.v.pixelStride
        if (uRow != vRow || uPixel != vPixel) throw FramePlaneException.ChromaMismatch(uRow, uPixel, vRow, vPixel)

        if (uPixel == 2) {
            val uAt = memory.address(u)
            val vAt = memory.address(v)
            if (uAt == vAt + 1) {
                // Android's V plane usually stops one byte short of the last U; the view runs to U's end.
                val length = maxOf(v.remaining(), 1 + u.remaining())
                return FrameCall.Nv21(y, frame.y.rowStride, memory.view(vAt, length), uRow)
            }
            if (vAt == uAt + 1) {
                val length = maxOf(u.remaining(), 1 + v.remaining())
                return FrameCall.Nv12(y, frame.y.rowStride, memory.view(uAt, length), uRow)
            }
        }
        return FrameCall.Yuv420888(y, frame.y.rowStride, u, v, uRow, uPixel)
    }

    /** A view of the plane from byte 0 to its limit, leaving the caller's buffer untouched. */
    private fun atStart(plane: PlaneBuffer, name: String): ByteBuffer {
        if (!plane.buffer.isDirect) throw FramePlaneException.NotDirect(name)
        val view = plane.buffer.duplicate()
        view.rewind()
        return view.slice()
    }
}
