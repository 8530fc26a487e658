package org.hutong.camera

import kotlin.test.Test
import kotlin.test.assertEquals

class FrameTimingTest {
    @Test
    fun `reports zero before enough frames`() {
        val t = FrameTiming()
        assertEquals(0.0, t.medianScanMillis())
        assertEquals(0.0, t.framesPerSecond())
        t.record(1_000_000_000, 4.0)
        assertEquals(4.0, t.medianScanMillis())
        assertEquals(0.0, t.framesPerSecond())
    }

    @Test
    fun `fps counts intervals between camera timestamps`() {
        val t = FrameTiming(window = 10)
        // 30 fps camera: 33.3 ms apart.
        for (i in 0 until 10) t.record(i * 33_333_333L, 5.0)
        assertEquals(30.0, t.framesPerSecond(), 0.01)
    }

    @Test
    fun `median ignores one slow frame and forgets frames that left the window`() {
        val t = FrameTiming(window = 5)
        listOf(100.0, 3.0, 4.0, 5.0, 6.0, 7.0).forEachIndexed { i, ms -> t.record(i * 50_000_000L, ms) }
        // The 100 ms frame dropped out: window holds 3, 4, 5, 6, 7.
        assertEquals(5.0, t.medianScanMillis())
        assertEquals(20.0, t.framesPerSecond(), 1e-9)
        assertEquals(6, t.frames)
    }

    @Test
    fun `median of an even count is the mean of the middle two`() {
        val t = FrameTiming(window = 4)
        listOf(8.0, 2.0, 4.0, 6.0).forEachIndexed { i, ms -> t.record(i.toLong(), ms) }
        assertEquals(5.0, t.medianScanMillis())
    }
}
