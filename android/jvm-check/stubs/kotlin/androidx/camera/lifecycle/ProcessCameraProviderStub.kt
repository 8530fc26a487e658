// Compile-only mirror of androidx.camera:camera-lifecycle 1.4 signatures (see ../../../../README.md).
package androidx.camera.lifecycle

import android.content.Context
import androidx.camera.core.Camera
import androidx.camera.core.CameraSelector
import androidx.camera.core.UseCaseGroup
import androidx.lifecycle.LifecycleOwner
import com.google.common.util.concurrent.ListenableFuture

class ProcessCameraProvider private constructor() {
    fun bindToLifecycle(owner: LifecycleOwner, selector: CameraSelector, group: UseCaseGroup): Camera =
        throw UnsupportedOperationException("compile-only CameraX stub")

    fun unbindAll(): Unit = throw UnsupportedOperationException("compile-only CameraX stub")

    companion object {
        @JvmStatic
        fun getInstance(context: Context): ListenableFuture<ProcessCameraProvider> =
            throw UnsupportedOperationException("compile-only CameraX stub")
    }
}
