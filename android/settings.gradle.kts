// Hutong for Android: the `hutong` library (AAR) and the `sample` QA app.
// Build the AAR with `cargo xtask android` from the repository root (see README.md here).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "hutong-android"
include(":hutong", ":sample")
