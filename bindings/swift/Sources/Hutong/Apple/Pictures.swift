import CoreGraphics
import Foundation

// Pictures through Apple's own codecs: what an app on the platform profile (ADR 0011, 0012) uses
// instead of the library's image decoding and PNG encoding. They work with the full library too.
// Not compiled in our CI (no Swift on Linux); the Android twin (`org.hutong.graphics`) is tested.

/// The library's picture limit (`frame::MAX_PIXELS`): checked here only to avoid drawing a
/// picture the library will refuse.
private let maxPicturePixels = 50_000_000

extension HutongScanner {
    /// Scans a picture the app decoded (`UIImage.cgImage`, `CGImageSourceCreateImageAtIndex`, a
    /// PhotosPicker result) as `decodeImage` scans a file: turned every quarter and inverted until
    /// a code is found. The picture is drawn once into 8-bit grey over white (so a code on a
    /// transparent background reads dark on light). Over 50 M pixels or 16384 px a side throws
    /// `ScanError.BadFrame`: downscale with `CGImageSourceCreateThumbnailAtIndex` first. Apply the
    /// photo's orientation before (a `CGImage` has none; the scanner tries every turn anyway).
    /// Blocking and CPU-heavy: call it off the main thread.
    public func scanCGImage(_ image: CGImage) throws -> [ScannedCode] {
        let (width, height) = (image.width, image.height)
        if width * height > maxPicturePixels {
            // The library names the limit in its error; it never reads an empty buffer.
            return try scanPictureGray8(
                luma: Data(), width: UInt32(clamping: width), height: UInt32(clamping: height),
                rowStride: UInt32(clamping: width))
        }
        var luma = Data(count: width * height)
        let drawn = luma.withUnsafeMutableBytes { raw -> Bool in
            guard
                let context = CGContext(
                    data: raw.baseAddress, width: width, height: height, bitsPerComponent: 8,
                    bytesPerRow: width, space: CGColorSpaceCreateDeviceGray(),
                    bitmapInfo: CGImageAlphaInfo.none.rawValue)
            else { return false }
            let all = CGRect(x: 0, y: 0, width: width, height: height)
            context.setFillColor(gray: 1, alpha: 1)
            context.fill(all)
            context.draw(image, in: all)
            return true
        }
        guard drawn else { throw ScanError.BadFrame(message: "cannot draw a \(width)x\(height) picture in grey") }
        return try scanPictureGray8(
            luma: luma, width: UInt32(width), height: UInt32(height), rowStride: UInt32(width))
    }
}

extension RenderedCode {
    /// The drawn code as a grey `CGImage` (`UIImage(cgImage:)` shows it; pixels are not
    /// interpolated when scaled), for builds whose `png` is nil.
    public func cgImage() -> CGImage? {
        guard let provider = CGDataProvider(data: pixels as CFData) else { return nil }
        return CGImage(
            width: Int(width), height: Int(height), bitsPerComponent: 8, bitsPerPixel: 8,
            bytesPerRow: Int(width), space: CGColorSpaceCreateDeviceGray(),
            bitmapInfo: CGBitmapInfo(rawValue: CGImageAlphaInfo.none.rawValue), provider: provider,
            decode: nil, shouldInterpolate: false, intent: .defaultIntent)
    }
}
