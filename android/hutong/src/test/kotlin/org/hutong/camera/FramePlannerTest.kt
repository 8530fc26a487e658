package org.hutong.camera

import java.nio.ByteBuffer
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertTrue

/** Planes laid out the way Android camera HALs deliver them, over real direct memory. */
class FramePlannerTest {
    private val planner = FramePlanner()

    /** One NV21 allocation (Y rows, then V U V U ... rows), cut into the three planes Android reports. */
    private fun nv21Planes(width: Int, height: Int, stride: Int): YuvPlanes {
        val ySize = stride * height
        val chromaRows = (height + 1) / 2
        val memory = ByteBuffer.allocateDirect(ySize + stride * chromaRows)
        for (i in 0 until memory.capacity()) memory.put(i, (i % 251).toByte())
        val y = slice(memory, 0, ySize)
        // V starts the chroma block; U starts one byte later; both end one byte short of each other.
        val vLength = stride * (chromaRows - 1) + 2 * ((width + 1) / 2) - 1
        val v = slice(memory, ySize, vLength)
        val u = slice(memory, ySize + 1, vLength)
        return YuvPlanes(width, height, PlaneBuffer(y, stride, 1), PlaneBuffer(u, stride, 2), PlaneBuffer(v, stride, 2))
    }

    private fun slice(memory: ByteBuffer, at: Int, length: Int): ByteBuffer {
        val d = memory.duplicate()
        d.position(at)
        d.limit(at + length)
        return d.slice()
    }

    @Test
    fun `interleaved planes with V first go as one NV21 chroma view spanning both planes`() {
        val frame = nv21Planes(640, 480, 704)
        val call = assertIs<FrameCall.Nv21>(planner.plan(frame))
        assertEquals(704, call.yRowStride)
        assertEquals(704, call.uvRowStride)
        // The view starts at V and reaches the last U byte, so a full last VU row is present.
        assertEquals(frame.v.buffer.remaining() + 1, call.vu.remaining())
        assertEquals(frame.v.buffer.get(0), call.vu.get(0))
        assertEquals(frame.u.buffer.get(0), call.vu.get(1))
        assertEquals(frame.u.buffer.get(frame.u.buffer.remaining() - 1), call.vu.get(call.vu.remaining() - 1))
    }

    @Test
    fun `the NV21 view is the camera memory itself, not a copy`() {
        val frame = nv21Planes(64, 48, 64)
        val call = assertIs<FrameCall.Nv21>(planner.plan(frame))
        frame.v.buffer.put(10, 77)
        assertEquals(77, call.vu.get(10).toInt())
        assertEquals(NativeMemory.Jna.address(frame.y.buffer), NativeMemory.Jna.address(call.y))
    }

    @Test
    fun `interleaved planes with U first go as NV12`() {
        val nv21 = nv21Planes(64, 48, 64)
        // Swap the names: now U is the earlier plane.
        val frame = YuvPlanes(64, 48, nv21.y, nv21.v, nv21.u)
        val call = assertIs<FrameCall.Nv12>(planner.plan(frame))
        assertEquals(frame.u.buffer.remaining() + 1, call.uv.remaining())
    }

    @Test
    fun `separate chroma planes go as YUV_420_888 with their strides`() {
        val y = ByteBuffer.allocateDirect(64 * 48)
        val u = ByteBuffer.allocateDirect(32 * 24)
        val v = ByteBuffer.allocateDirect(32 * 24)
        val frame = YuvPlanes(64, 48, PlaneBuffer(y, 64, 1), PlaneBuffer(u, 32, 1), PlaneBuffer(v, 32, 1))
        val call = assertIs<FrameCall.Yuv420888>(planner.plan(frame))
        assertEquals(32, call.uvRowStride)
        assertEquals(1, call.uvPixelStride)
    }

    @Test
    fun `pixel stride 2 planes that are not adjacent stay YUV_420_888`() {
        val y = ByteBuffer.allocateDirect(64 * 48)
        val u = ByteBuffer.allocateDirect(64 * 24)
        val v = ByteBuffer.allocateDirect(64 * 24)
        val frame = YuvPlanes(64, 48, PlaneBuffer(y, 64, 1), PlaneBuffer(u, 64, 2), PlaneBuffer(v, 64, 2))
        val call = assertIs<FrameCall.Yuv420888>(planner.plan(frame))
        assertEquals(2, call.uvPixelStride)
    }

    @Test
    fun `buffers are handed over from byte 0 whatever their position`() {
        val frame = nv21Planes(64, 48, 64)
        frame.y.buffer.position(100)
        val call = planner.plan(frame)
        assertEquals(0, call.y.position())
        assertEquals(64 * 48, call.y.remaining())
        // The caller's buffer is left as it was.
        assertEquals(100, frame.y.buffer.position())
    }

    @Test
    fun `rejects a heap buffer naming the plane`() {
        val frame = nv21Planes(64, 48, 64)
        val heap = YuvPlanes(64, 48, frame.y, PlaneBuffer(ByteBuffer.allocate(2000), 64, 2), frame.v)
        val e = assertFailsWith<FramePlaneException.NotDirect> { planner.plan(heap) }
        assertTrue(e.message!!.startsWith("plane U is a heap buffer"))
    }

    @Test
    fun `rejects a luma plane with pixel stride other than 1`() {
        val frame = nv21Planes(64, 48, 64)
        val bad = YuvPlanes(64, 48, PlaneBuffer(frame.y.buffer, 64, 2), frame.u, frame.v)
        assertFailsWith<FramePlaneException.LumaPixelStride> { planner.plan(bad) }
    }

    @Test
    fun `rejects chroma planes whose strides differ`() {
        val frame = nv21Planes(64, 48, 64)
        val bad = YuvPlanes(64, 48, frame.y, PlaneBuffer(frame.u.buffer, 64, 2), PlaneBuffer(frame.v.buffer, 72, 2))
        val e = assertFailsWith<FramePlaneException.ChromaMismatch> { planner.plan(bad) }
        assertEquals(
            "U plane (row stride 64, pixel stride 2) and V plane (row stride 72, pixel stride 2) differ; " +
                "YUV_420_888 chroma planes share strides",
            e.message,
        )
    }

    @Test
    fun `packs a padded interleaved frame into tight NV21`() {
        val frame = nv21Planes(6, 4, 8)
        val packed = FrameSnapshot.packNv21(frame)
        assertEquals(6 * 4 + 2 * 3 * 2, packed.size)
        val whole = frame.y.buffer
        // Luma row 1, column 5 comes from offset 1*8+5 of the padded plane.
        assertEquals(whole.get(13), packed[6 + 5])
        // First chroma pair: V then U, from the chroma block's first two bytes.
        assertEquals(frame.v.buffer.get(0), packed[24])
        assertEquals(frame.u.buffer.get(0), packed[25])
        // Second chroma row, last pair: offset stride + 2*2 in V.
        assertEquals(frame.v.buffer.get(8 + 4), packed[24 + 6 + 4])
        assertEquals(frame.u.buffer.get(8 + 4), packed[24 + 6 + 5])
    }

    @Test
    fun `packs planar chroma into NV21 order`() {
        val y = ByteBuffer.allocateDirect(4 * 2)
        val u = ByteBuffer.allocateDirect(2).put(0, 10).put(1, 11)
        val v = ByteBuffer.allocateDirect(2).put(0, 20).put(1, 21)
        val frame = YuvPlanes(4, 2, PlaneBuffer(y, 4, 1), PlaneBuffer(u, 2, 1), PlaneBuffer(v, 2, 1))
        val packed = FrameSnapshot.packNv21(frame)
        assertEquals(listOf<Byte>(20, 10, 21, 11), packed.copyOfRange(8, 12).toList())
    }
}
