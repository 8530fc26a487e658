// Compile-only mirror of androidx.activity 1.10 signatures (see ../../README.md).
package androidx.activity

import android.app.Activity
import androidx.lifecycle.Lifecycle
import androidx.lifecycle.LifecycleOwner

open class ComponentActivity : Activity(), LifecycleOwner {
    override val lifecycle: Lifecycle
        get() = throw UnsupportedOperationException("compile-only AndroidX stub")
}
