// Compile-only mirror of androidx.lifecycle signatures (see ../../README.md).
package androidx.lifecycle

abstract class Lifecycle

interface LifecycleOwner {
    val lifecycle: Lifecycle
}
