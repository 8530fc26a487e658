package org.hutong

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import java.io.File

/**
 * Native memory must not grow with the number of calls. The JVM heap is fixed and pre-touched
 * (surefire argLine: -Xms = -Xmx, AlwaysPreTouch), so resident-set growth after a warm-up is
 * native growth: a leaked frame copy, result buffer or scanner thread per call shows up as
 * megabytes over thousands of calls.
 */
class LeakTest {
    private fun rssKb(): Long =
        File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
            .split(Regex("\\s+"))[1].toLong()

    /** Runs `rounds` batches after `warmUp` batches and returns RSS (kB) after each. */
    private fun rssOver(rounds: Int, warmUp: Int = 1, batch: () -> Unit): List<Long> {
        repeat(warmUp) { batch() }
        System.gc()
        return (0 until rounds).map {
            batch()
            System.gc()
            rssKb()
        }
    }

    /** Bounded growth only: a linear leak over the measured rounds fails. */
    private fun assertFlat(what: String, series: List<Long>, allowedKb: Long) {
        val growth = series.last() - series.first()
        println("$what: RSS kB after each round $series (growth $growth kB)")
        assertTrue(growth <= allowedKb, "$what: RSS grew $growth kB over ${series.size - 1} rounds: $series")
    }

    @Test
    fun `ten thousand scans keep native memory flat`() {
        val text = "https://qr.alipay.com/leak-check"
        val scene = Scene(160, 120).apply { draw(qr(text, 2), 40, 20) }
        val y = scene.sensorLuma(90, 128)
        val vu = chromaPlane(120, 160, 128)
        HutongScanner(ScanOptions(budgetMs = 2000u)).use { scanner ->
            var found = 0
            // 1 warm-up batch + 5 measured batches of 2000 = 12,000 scans.
            val series = rssOver(5) {
                repeat(2000) {
                    found += scanner.scanNv21(y, vu, 120u, 160u, 128u, 128u, 90u, null).size
                }
            }
            assertEquals(12_000, found)
            // A leaked 20 kB frame copy per scan would be 160 MB; one 1 kB result, 8 MB.
            assertFlat("scan", series, 6 * 1024)
        }
    }

    @Test
    fun `building and closing scanners leaks neither threads nor buffers`() {
        val y = Scene(64, 48).sensorLuma(0, 64)
        // Three warm-up batches: with one, RSS stepped up once by 4-14 MB inside the measured
        // rounds in some runs, flat after, and read as a leak. The source is not traced (one
        // malloc arena did not remove it; the JVM's JIT warming up is the likely one). A leak
        // grows every round.
        val series = rssOver(4, warmUp = 3) {
            repeat(100) {
                HutongScanner(ScanOptions()).use { s -> s.scanGray8(y, 64u, 48u, 64u, 0u, null) }
            }
        }
        assertFlat("scanner lifecycle", series, 6 * 1024)
    }

    @Test
    fun `a thousand identifications keep native memory flat`() {
        val payloads = Vectors.checkable.map { it.str("payload")!! }
        var valid = 0
        // Warm-up + 4 rounds of 250 = 1,250 identifications over the vector payloads.
        val series = rssOver(4) {
            repeat(250) { i -> if (identify(payloads[i % payloads.size], IdentifyContext(walletProfileId = "qa_sample")).valid) valid++ }
        }
        assertTrue(valid > 0)
        assertFlat("identify", series, 4 * 1024)
    }
}
