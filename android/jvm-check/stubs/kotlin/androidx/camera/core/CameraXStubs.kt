// Compile-only mirror of androidx.camera:camera-core 1.4 signatures (see ../../../../README.md).
package androidx.camera.core

import android.graphics.Rect
import java.nio.ByteBuffer
import java.util.concurrent.Executor

private fun stub(): Nothing = throw UnsupportedOperationException("compile-only CameraX stub")

interface ImageInfo {
    val rotationDegrees: Int
    val timestamp: Long
}

interface ImageProxy : AutoCloseable {
    val width: Int
    val height: Int
    val format: Int
    var cropRect: Rect
    val planes: Array<PlaneProxy>
    val imageInfo: ImageInfo

    interface PlaneProxy {
        val rowStride: Int
        val pixelStride: Int
        val buffer: ByteBuffer
    }
}

abstract class UseCase

class ImageAnalysis private constructor() : UseCase() {
    fun interface Analyzer {
        fun analyze(image: ImageProxy)
    }

    fun setAnalyzer(executor: Executor, analyzer: Analyzer): Unit = stub()

    fun clearAnalyzer(): Unit = stub()

    class Builder {
        fun setBackpressureStrategy(strategy: Int): Builder = stub()

        fun setOutputImageFormat(format: Int): Builder = stub()

        fun build(): ImageAnalysis = stub()
    }

    companion object {
        const val STRATEGY_KEEP_ONLY_LATEST: Int = 0
        const val OUTPUT_IMAGE_FORMAT_YUV_420_888: Int = 1
    }
}
