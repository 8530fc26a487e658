package org.hutong

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScanSessionTest {
    private val text = "wxp://f2f0kotlin-session"
    private val scanner = HutongScanner(ScanOptions(budgetMs = 2000u))
    private val scene = Scene(480, 360).apply { draw(qr(text, 4), 150, 60) }

    @AfterAll
    fun close() = scanner.close()

    @Test
    fun `a session reads a stream of frames and never a code the frame does not hold`() {
        ScanSession(scanner).use { session ->
            val y = scene.sensorLuma(90, 360)
            val vu = chromaPlane(360, 480, 360)
            repeat(3) {
                assertEquals(listOf(text), session.scanNv21(y, vu, 360u, 480u, 360u, 360u, 90u, null).map { it.text })
            }
            val blank = Scene(480, 360).sensorLuma(90, 360)
            assertEquals(emptyList<ScannedCode>(), session.scanNv21(blank, vu, 360u, 480u, 360u, 360u, 90u, null))
            session.reset()
            assertEquals(listOf(text), session.scanGray8(scene.sensorLuma(0, 480), 480u, 360u, 480u, 0u, null).map { it.text })
        }
    }
}
