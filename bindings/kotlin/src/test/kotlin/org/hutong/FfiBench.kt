package org.hutong

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.double
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.condition.EnabledIfSystemProperty
import java.io.File
import java.nio.ByteBuffer

/**
 * The Kotlin half of the FFI cost measurement, run by `cargo xtask bench-ffi` (never by the
 * normal test run: timings are measured, not asserted). Scans the exact frame the Rust bench
 * (`benches/ffi_calls.rs`) scanned and identifies the same payload, then prints both medians
 * and the overhead the Kotlin path adds.
 */
@EnabledIfSystemProperty(named = "hutong.bench", matches = "true")
class FfiBench {
    private val root = File(System.getProperty("user.dir"), "../..").canonicalFile
    private val target = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: File(root, "target")
    private val out = File(target, "ffi-bench")

    private fun median(samples: LongArray): Double = samples.sorted().let { s ->
        if (s.size % 2 == 1) s[s.size / 2].toDouble() else (s[s.size / 2 - 1] + s[s.size / 2]) / 2.0
    }

    /** Median ns per call of `body`, timing `perSample` calls per sample after a warm-up. */
    private fun measure(samples: Int, perSample: Int, warmup: Int, body: () -> Unit): Double {
        repeat(warmup) { body() }
        val times = LongArray(samples) {
            val t0 = System.nanoTime()
            repeat(perSample) { body() }
            (System.nanoTime() - t0) / perSample
        }
        return median(times)
    }

    /** Criterion's median (ns) for a bench id, from target/criterion/<id>/new/estimates.json. */
    private fun rustMedian(id: String): Double =
        Json.parseToJsonElement(File(target, "criterion/$id/new/estimates.json").readText())
            .jsonObject["median"]!!.jsonObject["point_estimate"]!!.jsonPrimitive.double

    @Test
    fun `kotlin versus rust medians`() {
        val manifest = Json.parseToJsonElement(File(out, "frame.json").readText()).jsonObject
        val w = manifest["width"]!!.jsonPrimitive.int
        val h = manifest["height"]!!.jsonPrimitive.int
        val stride = manifest["stride"]!!.jsonPrimitive.int
        val rotation = manifest["rotation"]!!.jsonPrimitive.int
        val yLen = manifest["y_len"]!!.jsonPrimitive.int
        val payload = manifest["payload"]!!.jsonPrimitive.content
        val bytes = File(out, "frame_nv21.bin").readBytes()
        // The planes a camera hands over: two direct buffers, filled once outside the timing.
        val y = ByteBuffer.allocateDirect(yLen).put(bytes, 0, yLen).rewind() as ByteBuffer
        val vu = ByteBuffer.allocateDirect(bytes.size - yLen).put(bytes, yLen, bytes.size - yLen).rewind() as ByteBuffer

        HutongScanner(ScanOptions(budgetMs = 5000u)).use { scanner ->
            val scan = { scanner.scanNv21(y, vu, w.toUInt(), h.toUInt(), stride.toUInt(), stride.toUInt(), rotation.toUInt(), null) }
            assertEquals(manifest["expect"]!!.jsonPrimitive.content, scan().single().text)
            val kotlinScan = measure(samples = 200, perSample = 1, warmup = 30) { scan() }
            val kotlinIdentify = measure(samples = 300, perSample = 50, warmup = 2000) { identify(payload, null) }
            val kotlinVersion = measure(samples = 300, perSample = 200, warmup = 20000) { hutongVersion() }
            val rustScan = rustMedian("ffi_scan_nv21_1280x720")
            val rustIdentify = rustMedian("ffi_identify_emv")
            val table = buildString {
                appendLine("| call | Rust median | Kotlin median | Kotlin adds |")
                appendLine("|---|---:|---:|---:|")
                row("scan_nv21 1280x720 (QR found)", rustScan, kotlinScan)
                row("identify (EMV MPM sample)", rustIdentify, kotlinIdentify)
                row("hutong_version (call floor)", rustMedian("ffi_version"), kotlinVersion)
            }
            print(table)
            File(out, "table.md").writeText(table)
        }
    }

    private fun StringBuilder.row(name: String, rust: Double, kotlin: Double) {
        fun fmt(ns: Double) = when {
            ns >= 1e6 -> "%.3f ms".format(ns / 1e6)
            ns >= 1e3 || ns <= -1e3 -> "%.1f µs".format(ns / 1e3)
            else -> "%.0f ns".format(ns)
        }
        val overhead = (kotlin - rust) / rust * 100
        appendLine("| $name | ${fmt(rust)} | ${fmt(kotlin)} | ${"%+.1f".format(overhead)} % (${fmt(kotlin - rust)}) |")
    }
}
