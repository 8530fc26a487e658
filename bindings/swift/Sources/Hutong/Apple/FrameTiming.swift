import Foundation

/// Scan time per frame (median) and analysed frames per second over the last `window` frames,
/// fed with the camera's presentation timestamps so it needs no clock of its own.
public struct FrameTiming {
    private var scanMillis: [Double]
    private var stamps: [UInt64]
    private let window: Int
    public private(set) var frames = 0

    public init(window: Int = 30) {
        precondition(window >= 2, "window must hold at least two frames")
        self.window = window
        scanMillis = Array(repeating: 0, count: window)
        stamps = Array(repeating: 0, count: window)
    }

    public mutating func record(timestampNanos: UInt64, scanMillis ms: Double) {
        scanMillis[frames % window] = ms
        stamps[frames % window] = timestampNanos
        frames += 1
    }

    public var medianScanMillis: Double {
        let n = min(frames, window)
        guard n > 0 else { return 0 }
        let sorted = scanMillis[0..<n].sorted()
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    public var framesPerSecond: Double {
        let n = min(frames, window)
        guard n >= 2 else { return 0 }
        let newest = stamps[(frames - 1) % window]
        let oldest = stamps[(frames - n) % window]
        guard newest > oldest else { return 0 }
        return Double(n - 1) * 1e9 / Double(newest - oldest)
    }
}
