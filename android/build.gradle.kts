// Plugin versions for both modules. Android Gradle Plugin 8.7 needs Gradle 8.9+ and JDK 17.
plugins {
    id("com.android.library") version "8.7.3" apply false
    id("com.android.application") version "8.7.3" apply false
    id("org.jetbrains.kotlin.android") version "2.1.21" apply false
}
