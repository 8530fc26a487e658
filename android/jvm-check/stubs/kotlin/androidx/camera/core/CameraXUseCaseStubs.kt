// Compile-only mirror of androidx.camera:camera-core 1.4 signatures (see ../../../../README.md).
package androidx.camera.core

private fun stub(): Nothing = throw UnsupportedOperationException("compile-only CameraX stub")

class CameraSelector private constructor() {
    companion object {
        @JvmField
        val DEFAULT_BACK_CAMERA: CameraSelector = stub()
    }
}

interface Camera

class ViewPort private constructor()

class UseCaseGroup private constructor() {
    class Builder {
        fun setViewPort(viewPort: ViewPort): Builder = stub()

        fun addUseCase(useCase: UseCase): Builder = stub()

        fun build(): UseCaseGroup = stub()
    }
}

class Preview private constructor() : UseCase() {
    fun interface SurfaceProvider {
        fun onSurfaceRequested(request: Any)
    }

    fun setSurfaceProvider(provider: SurfaceProvider?): Unit = stub()

    class Builder {
        fun build(): Preview = stub()
    }
}
