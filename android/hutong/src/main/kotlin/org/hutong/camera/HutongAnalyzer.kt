package org.hutong.camera

import androidx.camera.core.ImageAnalysis
import androidx.camera.core.ImageProxy
import org.hutong.CropRect
import org.hutong.ScannedCode
import org.hutong.HutongScanner
import org.hutong.ScanSession
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.atomic.AtomicReference

/** What one analysed frame produced, delivered on the analyzer's thread. */
class FrameResult(
    /** Codes found; corners are in upright image coordinates (map them with [mapping]). */
    val codes: List<ScannedCode>,
    /** How long the scan call took on this frame. */
    val scanMillis: Double,
    /** Median scan time and analysed frames per second over the last frames. */
    val medianScanMillis: Double,
    val framesPerSecond: Double,
    /** Maps image coordinates to the preview view, or null when no view size is known yet. */
    val mapping: ViewportMapping?,
    /** The crop scanned, in upright image coordinates (null: the whole frame). */
    val crop: PixelRect?,
    /** Set when this frame failed to scan (bad planes); the camera keeps running. */
    val error: Exception? = null,
)

/**
 * Where the viewfinder is: the preview view's size and the rectangle drawn on it, read on every
 * frame (the user may rotate the phone or resize the window). Null scans the whole frame.
 */
fun interface ViewfinderSource {
    fun viewfinder(): Viewfinder?
}

class Viewfinder(
    val viewWidth: Int,
    val viewHeight: Int,
    /** The scanning window drawn over the preview, in view pixels; null scans all that is visible. */
    val window: ViewRect?,
    val mode: ScaleMode = ScaleMode.FILL_CENTER,
)

/**
 * A CameraX analyzer that hands each YUV_420_888 frame to Hutong without copying: the planes'
 * direct buffers cross as they are (rewound, with their row and pixel strides), the rotation is
 * the frame's `rotationDegrees`, and the viewfinder window becomes the crop in upright image
 * coordinates. Frames go through one [ScanSession] over [scanner]: the stream is scanned with
 * what the previous frames found (a full-resolution look around the last code, the costly
 * passes spread over consecutive frames), and never reports a code a frame does not hold.
 *
 * It owns one background thread; use [useCase] for an `ImageAnalysis` that keeps only the latest
 * frame, so a slow scan drops frames instead of queueing them. Call [close] when done.
 */
class HutongAnalyzer(
    private val scanner: HutongScanner,
    private val viewfinder: ViewfinderSource,
    /** Recorded in saved frames' metadata. */
    private val deviceName: () -> String = { android.os.Build.MODEL },
    /** Last, so a trailing lambda binds to it: `HutongAnalyzer(scanner, finder) { frame -> ... }`. */
    private val onResult: (FrameResult) -> Unit,
) : ImageAnalysis.Analyzer, AutoCloseable {
    /** The single thread frames are analysed on (the scanner is called from here only). */
    val executor: ExecutorService = Executors.newSingleThreadExecutor { r -> Thread(r, "hutong-analyzer") }

    /** This analyzer's stream; used on [executor] only. */
    private val session = ScanSession(scanner)
    private val planner = FramePlanner()
    private val timing = FrameTiming()
    private val snapshotRequest = AtomicReference<((FrameSnapshot) -> Unit)?>(null)

    /** An `ImageAnalysis` use case wired to this analyzer: YUV_420_888, latest frame only. */
    fun useCase(configure: ImageAnalysis.Builder.() -> Unit = {}): ImageAnalysis {
        val analysis = ImageAnalysis.Builder()
            .setBackpressureStrategy(ImageAnalysis.STRATEGY_KEEP_ONLY_LATEST)
            .setOutputImageFormat(ImageAnalysis.OUTPUT_IMAGE_FORMAT_YUV_420_888)
            .apply(configure)
            .build()
        analysis.setAnalyzer(executor, this)
        return analysis
    }

    /** Saves the next frame (packed NV21 + metadata) and hands it to [done] on the analyzer thread. */
    fun saveNextFrame(done: (FrameSnapshot) -> Unit) {
        snapshotRequest.set(done)
    }

    override fun analyze(image: ImageProxy) {
        image.use { analyzeOpen(it) }
    }

    private fun analyzeOpen(image: ImageProxy) {
        val rotation = image.imageInfo.rotationDegrees
        val planes = image.planes
        val frame = YuvPlanes(
            image.width,
            image.height,
            PlaneBuffer(planes[0].buffer, planes[0].rowStride, planes[0].pixelStride),
            PlaneBuffer(planes[1].buffer, planes[1].rowStride, planes[1].pixelStride),
            PlaneBuffer(planes[2].buffer, planes[2].rowStride, planes[2].pixelStride),
        )
        val r = image.cropRect
        val visible = PixelRect(r.left, r.top, r.width(), r.height())
        val finder = viewfinder.viewfinder()
        val mapping = finder?.let {
            ViewportMapping(it.viewWidth, it.viewHeight, image.width, image.height, rotation, visible, it.mode)
        }
        // No window: scan what the preview shows (the whole frame when no viewport crops it).
        val crop = when {
            mapping == null -> null
            finder.window == null -> mapping.content
            else -> mapping.viewRectToCrop(finder.window) ?: mapping.content
        }

        val started = System.nanoTime()
        val codes = try {
            scan(planner.plan(frame), image.width, image.height, rotation, crop)
        } catch (e: Exception) {
            // A typed FrameException / FramePlaneException: report it, keep the camera running.
            onResult(FrameResult(emptyList(), 0.0, timing.medianScanMillis(), timing.framesPerSecond(), mapping, crop, e))
            return
        }
        val millis = (System.nanoTime() - started) / 1e6
        timing.record(image.imageInfo.timestamp, millis)

        snapshotRequest.getAndSet(null)?.let { done ->
            done(
                FrameSnapshot(
                    image.width, image.height, rotation, crop, FrameSnapshot.packNv21(frame),
                    codes.map { it.text }, deviceName(), image.imageInfo.timestamp,
                ),
            )
        }
        onResult(FrameResult(codes, millis, timing.medianScanMillis(), timing.framesPerSecond(), mapping, crop))
    }

    private fun scan(call: FrameCall, width: Int, height: Int, rotation: Int, crop: PixelRect?): List<ScannedCode> {
        val w = width.toUInt()
        val h = height.toUInt()
        val r = rotation.toUInt()
        val c = crop?.let { CropRect(it.x.toUInt(), it.y.toUInt(), it.width.toUInt(), it.height.toUInt()) }
        return when (call) {
            is FrameCall.Nv21 ->
                session.scanNv21(call.y, call.vu, w, h, call.yRowStride.toUInt(), call.uvRowStride.toUInt(), r, c)
            is FrameCall.Nv12 ->
                session.scanNv12(call.y, call.uv, w, h, call.yRowStride.toUInt(), call.uvRowStride.toUInt(), r, c)
            is FrameCall.Yuv420888 -> session.scanYuv420888(
                call.y, call.u, call.v, w, h, call.yRowStride.toUInt(), call.uvRowStride.toUInt(),
                call.uvPixelStride.toUInt(), r, c,
            )
        }
    }

    /** Starts the next frame's search afresh (the camera moved to another scene or code). */
    fun restartStream() {
        executor.execute { session.reset() }
    }

    /** Stops the analyzer thread and frees its session. The scanner stays the caller's to close. */
    override fun close() {
        executor.shutdown()
        // Safe while a frame is still being scanned: UniFFI frees the session after that call.
        session.close()
    }
}
