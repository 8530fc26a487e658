// Compile-only mirror of androidx.camera:camera-view 1.4 signatures (see ../../../../README.md).
package androidx.camera.view

import android.content.Context
import android.widget.FrameLayout
import androidx.camera.core.Preview
import androidx.camera.core.ViewPort

class PreviewView(context: Context) : FrameLayout(context) {
    enum class ScaleType { FILL_START, FILL_CENTER, FILL_END, FIT_START, FIT_CENTER, FIT_END }

    var scaleType: ScaleType
        get() = throw UnsupportedOperationException("compile-only CameraX stub")
        set(@Suppress("UNUSED_PARAMETER") value) = throw UnsupportedOperationException("compile-only CameraX stub")

    val surfaceProvider: Preview.SurfaceProvider
        get() = throw UnsupportedOperationException("compile-only CameraX stub")

    val viewPort: ViewPort?
        get() = throw UnsupportedOperationException("compile-only CameraX stub")
}
