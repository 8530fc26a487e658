package org.hutong.camera

import android.graphics.Rect
import androidx.camera.core.ImageInfo
import androidx.camera.core.ImageProxy
import org.hutong.ScanOptions
import org.hutong.HutongScanner
import org.hutong.Symbology
import org.hutong.renderCode
import java.nio.ByteBuffer
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The CameraX analyzer end to end on the JVM: an `ImageProxy` over NV21 memory cut into the three
 * planes Android reports, analysed by the real libhutong through the generated bindings.
 */
class HutongAnalyzerTest {
    // The JVM tests load the debug library, several times slower than release: a roomy budget.
    private val scanner = HutongScanner(ScanOptions(budgetMs = 2000u))
    private val results = mutableListOf<FrameResult>()

    @AfterTest
    fun closeScanner() {
        scanner.close()
    }

    /** A `width` x `height` NV21 frame (rows `stride` apart) with a QR code drawn in its Y plane. */
    private class Nv21Frame(
        val width: Int,
        val height: Int,
        val stride: Int,
        text: String,
        atX: Int,
        atY: Int,
    ) {
        val memory: ByteBuffer = ByteBuffer.allocateDirect(stride * height + stride * (height / 2))

        init {
            for (i in 0 until memory.capacity()) memory.put(i, if (i < stride * height) 200.toByte() else 128.toByte())
            val code = renderCode(text, Symbology.QR, 4u)
            for (y in 0 until code.height.toInt()) {
                for (x in 0 until code.width.toInt()) {
                    memory.put((atY + y) * stride + atX + x, code.pixels[y * code.width.toInt() + x])
                }
            }
        }

        fun plane(at: Int, length: Int): ByteBuffer {
            val d = memory.duplicate()
            d.position(at)
            d.limit(at + length)
            return d.slice()
        }
    }

    private class FakeProxy(private val f: Nv21Frame, private val rotation: Int, private val stamp: Long) : ImageProxy {
        var closed = false
        override val width = f.width
        override val height = f.height
        override val format = 35 // ImageFormat.YUV_420_888
        override var cropRect = Rect(0, 0, f.width, f.height)
        override val planes: Array<ImageProxy.PlaneProxy> = run {
            val ySize = f.stride * f.height
            val chroma = f.stride * (f.height / 2 - 1) + f.width - 1
            arrayOf(
                plane(f.plane(0, ySize), f.stride, 1),
                plane(f.plane(ySize + 1, chroma), f.stride, 2), // U
                plane(f.plane(ySize, chroma), f.stride, 2), // V, one byte before U
            )
        }
        override val imageInfo = object : ImageInfo {
            override val rotationDegrees = rotation
            override val timestamp = stamp
        }

        override fun close() {
            closed = true
        }

        private fun plane(b: ByteBuffer, row: Int, pixel: Int) = object : ImageProxy.PlaneProxy {
            override val rowStride = row
            override val pixelStride = pixel
            override val buffer = b
        }
    }

    private fun analyzer(finder: Viewfinder?) =
        HutongAnalyzer(scanner, { finder }, deviceName = { "jvm" }) { results.add(it) }

    @Test
    fun `finds a code in a sideways NV21 frame and closes the image`() {
        val frame = Nv21Frame(640, 480, 704, "hutong analyzer", 300, 150)
        val proxy = FakeProxy(frame, 90, 1_000_000)
        analyzer(null).use { it.analyze(proxy) }
        assertTrue(proxy.closed)
        val result = results.single()
        assertNull(result.error)
        assertEquals(listOf("hutong analyzer"), result.codes.map { it.text })
        // Sensor x 300.. lies at upright y 300.. once turned 90 degrees (upright is 480 wide).
        val ys = result.codes.single().corners.map { it.y }
        assertTrue(ys.all { it >= 290f }, "corners $ys")
    }

    @Test
    fun `scans only the viewfinder window and maps corners into the view`() {
        val frame = Nv21Frame(640, 480, 640, "inside", 40, 40)
        // A view the size of the image (scale 1): the window is the bottom-right quarter.
        val missFinder = Viewfinder(640, 480, ViewRect(320f, 240f, 640f, 480f))
        analyzer(missFinder).use { it.analyze(FakeProxy(frame, 0, 1)) }
        assertTrue(results.single().codes.isEmpty())
        assertEquals(PixelRect(320, 240, 320, 240), results.single().crop)

        results.clear()
        val hitFinder = Viewfinder(640, 480, ViewRect(0f, 0f, 320f, 240f))
        analyzer(hitFinder).use { it.analyze(FakeProxy(frame, 0, 2)) }
        val hit = results.single()
        assertEquals(listOf("inside"), hit.codes.map { it.text })
        val mapping = assertNotNull(hit.mapping)
        val corner = hit.codes.single().corners.first()
        val inView = mapping.imageToView(XY(corner.x, corner.y))
        assertTrue(inView.x in 30f..200f && inView.y in 30f..200f, "corner at $inView")
    }

    @Test
    fun `a stream of frames reads each frame's code and never one the frame lacks`() {
        val first = Nv21Frame(640, 480, 640, "stream one", 100, 100)
        val blank = Nv21Frame(640, 480, 640, "blank", 0, 0).also {
            for (i in 0 until 640 * 480) it.memory.put(i, 200.toByte())
        }
        val moved = Nv21Frame(640, 480, 640, "stream two", 380, 250)
        analyzer(null).use { a ->
            listOf(first, first, blank, moved, moved).forEachIndexed { i, f -> a.analyze(FakeProxy(f, 0, i.toLong())) }
        }
        assertEquals(
            listOf(listOf("stream one"), listOf("stream one"), emptyList(), listOf("stream two"), listOf("stream two")),
            results.map { r -> r.codes.map { it.text } },
        )
        assertTrue(results.all { it.error == null })
    }

    @Test
    fun `a bad frame is reported and the image still closed`() {
        val frame = Nv21Frame(160, 120, 160, "x", 0, 0)
        val proxy = object : ImageProxy by FakeProxy(frame, 0, 1) {
            var closedHere = false
            override val planes: Array<ImageProxy.PlaneProxy> = FakeProxy(frame, 0, 1).planes.also {
                it[0] = object : ImageProxy.PlaneProxy {
                    override val rowStride = 160
                    override val pixelStride = 1
                    override val buffer: ByteBuffer = ByteBuffer.allocate(160 * 120) // heap: refused
                }
            }

            override fun close() {
                closedHere = true
            }
        }
        analyzer(null).use { it.analyze(proxy) }
        assertTrue(proxy.closedHere)
        assertIs<FramePlaneException.NotDirect>(results.single().error)
    }
}
