#if os(iOS)
import AVFoundation
import UIKit

/// What one analysed frame produced, delivered on the scanner's frame queue.
///
/// `@unchecked`: every field is an immutable value; `error` is the `ScanError` the scan threw
/// (a generated enum of strings), typed `Error` only for the caller's convenience.
public struct CameraFrameResult: @unchecked Sendable {
    /// Codes found; corners are upright image coordinates (see `geometry`).
    public let codes: [ScannedCode]
    public let scanMillis: Double
    public let medianScanMillis: Double
    public let framesPerSecond: Double
    /// Maps corners to the preview layer.
    public let geometry: FrameGeometry
    /// The crop scanned (upright), nil for the whole frame.
    public let crop: CropRect?
    /// Set when the frame could not be scanned; the session keeps running.
    public let error: Error?
}

/// A frame saved for the regression corpus: tight NV12 plus the metadata to scan it again.
public struct SavedFrame: Sendable {
    public let nv12: Data
    public let metadataJSON: Data
}

public enum CameraScannerError: Error {
    case noBackCamera
    case cannotAdd(String)
}

/// Scans the back camera's frames with Hutong, without copying them.
///
/// An `AVCaptureVideoDataOutput` delivers bi-planar 420 full-range buffers
/// (`kCVPixelFormatType_420YpCbCr8BiPlanarFullRange`) on one serial queue, dropping late frames
/// (`alwaysDiscardsLateVideoFrames`). Each buffer is locked and its planes handed as borrowed
/// memory to one `ScanSession` over the scanner (`ScanSession.scan(pixelBuffer:rotation:crop:)`),
/// so the stream is scanned with what the previous frames found.
///
/// Callbacks run on the frame queue, so they are `@Sendable`: they must not capture a view or
/// other main-actor state directly (hop with `Task { @MainActor in ... }`).
///
/// `@unchecked Sendable`: the mutable state shared with the app (`rectOfInterest`, the rotation
/// fallback, the snapshot request) sits behind `lock`; `timing`, the scanner and its stream are
/// touched only on the frame queue; the session is configured before `start()`.
public final class CameraScanner: NSObject, AVCaptureVideoDataOutputSampleBufferDelegate, @unchecked Sendable {
    public let session = AVCaptureSession()
    private let output = AVCaptureVideoDataOutput()
    private let frameQueue = DispatchQueue(label: "org.hutong.camera.frames")
    private let sessionQueue = DispatchQueue(label: "org.hutong.camera.session")
    private let scanner: HutongScanner
    /// This camera's stream (`ScanSession`): scanned with what the previous frames found.
    private let stream: ScanSession
    private let onResult: @Sendable (CameraFrameResult) -> Void
    private var device: AVCaptureDevice?
    private var rotationCoordinator: AnyObject?
    private var timing = FrameTiming()

    private let lock = NSLock()
    private var _rectOfInterest: CGRect?
    private var _fallbackRotation = 90
    private var snapshotRequest: (@Sendable (SavedFrame) -> Void)?

    /// NSLock.withLock needs iOS 16; the package supports iOS 15.
    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    public init(scanner: HutongScanner, onResult: @escaping @Sendable (CameraFrameResult) -> Void) {
        self.scanner = scanner
        self.stream = ScanSession(scanner: scanner)
        self.onResult = onResult
    }

    /// Starts the next frame's search afresh (the camera moved to another scene or code).
    public func restartStream() {
        frameQueue.async { self.stream.reset() }
    }

    /// The viewfinder as a normalised sensor rectangle:
    /// `previewLayer.metadataOutputRectConverted(fromLayerRect: viewfinderRect)`. Nil scans all.
    public var rectOfInterest: CGRect? {
        get { locked { _rectOfInterest } }
        set { locked { _rectOfInterest = newValue } }
    }

    /// Before iOS 17: the interface orientation, set by the app on the main thread when it
    /// changes (iOS 17+ asks the rotation coordinator instead).
    public func interfaceOrientationDidChange(_ orientation: UIInterfaceOrientation) {
        let degrees = Self.backCameraRotation(for: orientation)
        locked { _fallbackRotation = degrees }
    }

    /// Clockwise degrees that turn the back camera's (landscape-right) buffers upright.
    public static func backCameraRotation(for orientation: UIInterfaceOrientation) -> Int {
        switch orientation {
        case .landscapeRight: return 0
        case .portraitUpsideDown: return 270
        case .landscapeLeft: return 180
        default: return 90
        }
    }

    /// Saves the next frame and hands it to `done` on the frame queue.
    public func saveNextFrame(_ done: @escaping @Sendable (SavedFrame) -> Void) {
        locked { snapshotRequest = done }
    }

    /// Adds the back camera and the video data output. Call once, before `start()`.
    public func configure(preset: AVCaptureSession.Preset = .hd1280x720) throws {
        guard let camera = AVCaptureDevice.default(.builtInWideAngleCamera, for: .video, position: .back) else {
            throw CameraScannerError.noBackCamera
        }
        session.beginConfiguration()
        defer { session.commitConfiguration() }
        if session.canSetSessionPreset(preset) { session.sessionPreset = preset }
        let input = try AVCaptureDeviceInput(device: camera)
        guard session.canAddInput(input) else { throw CameraScannerError.cannotAdd("camera input") }
        session.addInput(input)
        output.videoSettings = [
            kCVPixelBufferPixelFormatTypeKey as String: kCVPixelFormatType_420YpCbCr8BiPlanarFullRange,
        ]
        output.alwaysDiscardsLateVideoFrames = true
        output.setSampleBufferDelegate(self, queue: frameQueue)
        guard session.canAddOutput(output) else { throw CameraScannerError.cannotAdd("video data output") }
        session.addOutput(output)
        device = camera
        if #available(iOS 17.0, *) {
            rotationCoordinator = AVCaptureDevice.RotationCoordinator(device: camera, previewLayer: nil)
        }
    }

    /// `startRunning` blocks until the camera runs: off the main thread.
    public func start() { sessionQueue.async { self.session.startRunning() } }
    public func stop() { sessionQueue.async { self.session.stopRunning() } }

    private func currentRotation() -> Int {
        if #available(iOS 17.0, *), let c = rotationCoordinator as? AVCaptureDevice.RotationCoordinator {
            // Degrees the capture must turn to stand level: exactly Hutong's rotation.
            let angle = Int(c.videoRotationAngleForHorizonLevelCapture.rounded()) % 360
            if [0, 90, 180, 270].contains(angle) { return angle }
        }
        return locked { _fallbackRotation }
    }

    public func captureOutput(
        _ output: AVCaptureOutput, didOutput sampleBuffer: CMSampleBuffer, from connection: AVCaptureConnection
    ) {
        guard let pixels = CMSampleBufferGetImageBuffer(sampleBuffer) else { return }
        let rotation = currentRotation()
        guard let geometry = FrameGeometry(
            width: CVPixelBufferGetWidth(pixels), height: CVPixelBufferGetHeight(pixels), rotation: rotation
        ) else { return }
        let crop = rectOfInterest
            .flatMap { geometry.uprightCrop(normalizedSensorRect: $0) }
            .map { CropRect(x: $0.x, y: $0.y, width: $0.width, height: $0.height) }

        let started = DispatchTime.now().uptimeNanoseconds
        let codes: [ScannedCode]
        do {
            codes = try stream.scan(pixelBuffer: pixels, rotation: UInt32(rotation), crop: crop)
        } catch {
            onResult(CameraFrameResult(
                codes: [], scanMillis: 0, medianScanMillis: timing.medianScanMillis,
                framesPerSecond: timing.framesPerSecond, geometry: geometry, crop: crop, error: error
            ))
            return
        }
        let millis = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        let stamp = CMSampleBufferGetPresentationTimeStamp(sampleBuffer)
        timing.record(timestampNanos: UInt64(max(0, stamp.seconds) * 1e9), scanMillis: millis)

        if let done = locked({ () -> (@Sendable (SavedFrame) -> Void)? in
            defer { snapshotRequest = nil }
            return snapshotRequest
        }), let nv12 = try? packNv12(pixels) {
            done(SavedFrame(nv12: nv12, metadataJSON: Self.metadata(geometry, crop, codes, stamp)))
        }
        onResult(CameraFrameResult(
            codes: codes, scanMillis: millis, medianScanMillis: timing.medianScanMillis,
            framesPerSecond: timing.framesPerSecond, geometry: geometry, crop: crop, error: nil
        ))
    }

    private static func metadata(_ g: FrameGeometry, _ crop: CropRect?, _ codes: [ScannedCode], _ t: CMTime) -> Data {
        var meta: [String: Any] = [
            "format": "nv12", "width": g.width, "height": g.height, "row_stride": g.width,
            "rotation": g.rotation, "decoded": codes.map { $0.text },
            "device": machineIdentifier(), "timestamp_ns": Int64(max(0, t.seconds) * 1e9),
        ]
        if let c = crop {
            meta["crop"] = ["x": c.x, "y": c.y, "width": c.width, "height": c.height]
        } else {
            meta["crop"] = NSNull()
        }
        return (try? JSONSerialization.data(withJSONObject: meta, options: [.sortedKeys])) ?? Data()
    }
}

/// "iPhone15,2" and the like; callable from any thread, unlike UIDevice.
private func machineIdentifier() -> String {
    var info = utsname()
    uname(&info)
    return withUnsafeBytes(of: &info.machine) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}
#endif
