package org.hutong.camera

/**
 * Scan time per frame and frames per second over the last `window` frames, for the QA overlay.
 * Fed with timestamps by the caller (the camera's `imageInfo.timestamp`, nanoseconds), so it is
 * deterministic under test and needs no clock of its own.
 */
class FrameTiming(private val window: Int = 30) {
    private val scanMs = DoubleArray(window)
    private val stamps = LongArray(window)
    private var count = 0L

    init {
        require(window >= 2) { "window must hold at least two frames, got $window" }
    }

    /** Records one analysed frame: its camera timestamp and how long the scan call took. */
    fun record(timestampNanos: Long, scanMillis: Double) {
        val at = (count % window).toInt()
        scanMs[at] = scanMillis
        stamps[at] = timestampNanos
        count++
    }

    /** Frames recorded so far. */
    val frames: Long get() = count

    /** Median scan time of the frames in the window, in milliseconds (0 before the first frame). */
    fun medianScanMillis(): Double {
        val n = minOf(count, window.toLong()).toInt()
        if (n == 0) return 0.0
        val sorted = scanMs.copyOfRange(0, n).also { it.sort() }
        return if (n % 2 == 1) sorted[n / 2] else (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /** Analysed frames per second over the window (0 until two frames with distinct times). */
    fun framesPerSecond(): Double {
        val n = minOf(count, window.toLong()).toInt()
        if (n < 2) return 0.0
        val newest = stamps[((count - 1) % window).toInt()]
        val oldest = stamps[((count - n) % window).toInt()]
        val span = newest - oldest
        return if (span <= 0) 0.0 else (n - 1) * 1e9 / span
    }
}
