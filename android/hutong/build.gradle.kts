import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

// The Rust workspace is the parent of android/.
val repoRoot: File = rootDir.parentFile
val rustJniLibs = layout.buildDirectory.dir("rustJniLibs")
val uniffiKotlin = layout.buildDirectory.dir("generated/source/uniffi/kotlin")

// cargo-ndk builds libhutong.so for arm64-v8a, armeabi-v7a and x86_64 (16 KB page alignment,
// checked after linking), then UniFFI generates the Kotlin from the arm64 library. The logic
// lives in `cargo xtask android-native` so Gradle and the command line share it.
val buildRust by tasks.registering(Exec::class) {
    group = "rust"
    description = "Builds libhutong.so for every ABI with cargo-ndk and generates its Kotlin bindings"
    workingDir = repoRoot
    // `-Phutong.profile=platform` (or gradle.properties): the 4 MB library without image decoding
    // and HTTPS, for apps that use BitmapFactory and OkHttpTransport (README "Library size").
    commandLine(
        "cargo", "xtask", "android-native",
        "--jni-libs", rustJniLibs.get().asFile.absolutePath,
        "--kotlin", uniffiKotlin.get().asFile.absolutePath,
        "--profile", (findProperty("hutong.profile") as String?) ?: "full",
    )
    inputs.dir(repoRoot.resolve("src"))
    inputs.dir(repoRoot.resolve("bindings/hutong-ffi/src"))
    inputs.files(
        repoRoot.resolve("Cargo.toml"),
        repoRoot.resolve("Cargo.lock"),
        repoRoot.resolve("bindings/hutong-ffi/Cargo.toml"),
        repoRoot.resolve("bindings/hutong-ffi/uniffi.toml"),
        repoRoot.resolve("bindings/hutong-ffi/uniffi-android.toml"),
    )
    outputs.dir(rustJniLibs)
    outputs.dir(uniffiKotlin)
}

android {
    namespace = "org.hutong"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets["main"].apply {
        jniLibs.srcDir(rustJniLibs)
        java.srcDir(uniffiKotlin)
    }

    buildTypes {
        release {
            isMinifyEnabled = false
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    packaging {
        // Keep .so files uncompressed and page-aligned in the APK so they load in place.
        jniLibs.useLegacyPackaging = false
    }

    publishing {
        singleVariant("release") {
            withSourcesJar()
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

tasks.named("preBuild") { dependsOn(buildRust) }

dependencies {
    // The generated bindings call into libhutong.so through JNA; the AAR flavour carries
    // libjnidispatch.so for every ABI.
    api("net.java.dev.jna:jna:5.17.0@aar")
    // Payments' suspend functions.
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    // The Android flavour of the bindings (uniffi-android.toml: system cleaner) uses @RequiresApi.
    implementation("androidx.annotation:annotation:1.9.1")
    // HutongAnalyzer is an ImageAnalysis.Analyzer: an app that uses it needs camera-core to
    // resolve its supertype, so it is part of the published API (README: an app that adds the
    // AAR as a local file lists it itself, with the two above).
    api("androidx.camera:camera-core:1.4.2")
    // org.hutong.http.OkHttpTransport, for Payments.withHttpTransport: most wallets already ship
    // OkHttp, so the AAR does not bring it; an app that uses the class lists it (README).
    compileOnly("com.squareup.okhttp3:okhttp:5.5.1")

    // The plain-Kotlin frame logic is tested on the desktop JVM (also run from
    // android/jvm-check by `cargo xtask test`); the desktop JNA jar has the host dispatcher.
    testImplementation("net.java.dev.jna:jna:5.17.0")
    testImplementation("org.jetbrains.kotlin:kotlin-test-junit:2.1.21")
    testImplementation("junit:junit:4.13.2")
}
