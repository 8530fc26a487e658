import CoreVideo
import Foundation

/// Why a pixel buffer could not be handed to the scanner (Hutong's own checks throw `FrameError`).
public enum PixelBufferError: Error, CustomStringConvertible {
    case unsupportedPixelFormat(OSType)
    case lockFailed(CVReturn)
    case noBaseAddress(plane: Int)

    public var description: String {
        switch self {
        case .unsupportedPixelFormat(let f):
            return "pixel format \(f) is not bi-planar 420 (NV12) or 32BGRA"
        case .lockFailed(let r): return "CVPixelBufferLockBaseAddress failed (\(r))"
        case .noBaseAddress(let p): return "pixel buffer plane \(p) has no base address"
        }
    }
}

/// What scans camera frames: `HutongScanner` (each frame alone) and `ScanSession` (a stream,
/// using what earlier frames found). Both already have these two calls from the bindings.
public protocol PixelBufferScanning {
    func scanNv12(
        y: Data, uv: Data, width: UInt32, height: UInt32, yRowStride: UInt32, uvRowStride: UInt32,
        rotation: UInt32, crop: CropRect?
    ) throws -> [ScannedCode]
    func scanBgra(
        pixels: Data, width: UInt32, height: UInt32, rowStride: UInt32, rotation: UInt32, crop: CropRect?
    ) throws -> [ScannedCode]
}

extension HutongScanner: PixelBufferScanning {}
extension ScanSession: PixelBufferScanning {}

extension PixelBufferScanning {
    /// Scans a camera pixel buffer in place. Bi-planar 420 (full or video range, NV12 layout)
    /// goes to `scanNv12` and 32BGRA to `scanBgra`: the planes are wrapped as `Data` over the
    /// locked buffer's own memory (no copy) and borrowed by Rust for this synchronous call.
    /// `rotation` is clockwise degrees to upright; `crop` is upright (see `FrameGeometry`).
    /// On a `ScanSession` the buffer is the stream's next frame.
    public func scan(pixelBuffer: CVPixelBuffer, rotation: UInt32, crop: CropRect?) throws -> [ScannedCode] {
        try scanPixelBuffer(
            pixelBuffer,
            nv12: { y, uv, width, height, yRowStride, uvRowStride in
                try self.scanNv12(
                    y: y, uv: uv, width: width, height: height,
                    yRowStride: yRowStride, uvRowStride: uvRowStride, rotation: rotation, crop: crop
                )
            },
            bgra: { pixels, width, height, rowStride in
                try self.scanBgra(
                    pixels: pixels, width: width, height: height, rowStride: rowStride,
                    rotation: rotation, crop: crop
                )
            }
        )
    }
}

/// Locks `pixelBuffer`, borrows its planes and hands them to the NV12 or the BGRA call.
func scanPixelBuffer(
    _ pixelBuffer: CVPixelBuffer,
    nv12: (_ y: Data, _ uv: Data, _ width: UInt32, _ height: UInt32, _ yRowStride: UInt32, _ uvRowStride: UInt32)
        throws -> [ScannedCode],
    bgra: (_ pixels: Data, _ width: UInt32, _ height: UInt32, _ rowStride: UInt32) throws -> [ScannedCode]
) throws -> [ScannedCode] {
    let locked = CVPixelBufferLockBaseAddress(pixelBuffer, .readOnly)
    guard locked == kCVReturnSuccess else { throw PixelBufferError.lockFailed(locked) }
    defer { CVPixelBufferUnlockBaseAddress(pixelBuffer, .readOnly) }

    let width = UInt32(CVPixelBufferGetWidth(pixelBuffer))
    let height = UInt32(CVPixelBufferGetHeight(pixelBuffer))
    switch CVPixelBufferGetPixelFormatType(pixelBuffer) {
    case kCVPixelFormatType_420YpCbCr8BiPlanarFullRange, kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange:
        let y = try borrowPlane(pixelBuffer, 0)
        let uv = try borrowPlane(pixelBuffer, 1)
        return try nv12(y.bytes, uv.bytes, width, height, y.rowStride, uv.rowStride)
    case kCVPixelFormatType_32BGRA:
        guard let base = CVPixelBufferGetBaseAddress(pixelBuffer) else {
            throw PixelBufferError.noBaseAddress(plane: 0)
        }
        let stride = CVPixelBufferGetBytesPerRow(pixelBuffer)
        let pixels = Data(
            bytesNoCopy: base, count: stride * CVPixelBufferGetHeight(pixelBuffer), deallocator: .none
        )
        return try bgra(pixels, width, height, UInt32(stride))
    case let other:
        throw PixelBufferError.unsupportedPixelFormat(other)
    }
}

/// One plane of a locked buffer as `Data` over its memory (valid until the buffer is unlocked).
func borrowPlane(_ buffer: CVPixelBuffer, _ plane: Int) throws -> (bytes: Data, rowStride: UInt32) {
    guard let base = CVPixelBufferGetBaseAddressOfPlane(buffer, plane) else {
        throw PixelBufferError.noBaseAddress(plane: plane)
    }
    let stride = CVPixelBufferGetBytesPerRowOfPlane(buffer, plane)
    let rows = CVPixelBufferGetHeightOfPlane(buffer, plane)
    return (Data(bytesNoCopy: base, count: stride * rows, deallocator: .none), UInt32(stride))
}

/// A bi-planar 420 buffer packed into tight NV12 (`width` bytes per luma row, then CbCr rows):
/// the regression-corpus format of a saved frame. Copies, once, when the user asks.
public func packNv12(_ buffer: CVPixelBuffer) throws -> Data {
    let locked = CVPixelBufferLockBaseAddress(buffer, .readOnly)
    guard locked == kCVReturnSuccess else { throw PixelBufferError.lockFailed(locked) }
    defer { CVPixelBufferUnlockBaseAddress(buffer, .readOnly) }
    let format = CVPixelBufferGetPixelFormatType(buffer)
    guard format == kCVPixelFormatType_420YpCbCr8BiPlanarFullRange
        || format == kCVPixelFormatType_420YpCbCr8BiPlanarVideoRange
    else { throw PixelBufferError.unsupportedPixelFormat(format) }
    let width = CVPixelBufferGetWidth(buffer)
    let height = CVPixelBufferGetHeight(buffer)
    var out = Data(capacity: width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2))
    for (plane, rowBytes) in [(0, width), (1, 2 * ((width + 1) / 2))] {
        let base = CVPixelBufferGetBaseAddressOfPlane(buffer, plane)!.assumingMemoryBound(to: UInt8.self)
        let stride = CVPixelBufferGetBytesPerRowOfPlane(buffer, plane)
        for row in 0..<CVPixelBufferGetHeightOfPlane(buffer, plane) {
            out.append(base + row * stride, count: rowBytes)
        }
    }
    return out
}
