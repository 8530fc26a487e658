import Foundation
import ImageIO

/// Photos from the library through ImageIO, for `HutongScanner.scanCGImage`: every format the
/// phone reads (HEIC included), in either library profile, without re-encoding.
enum PhotoInput {
    /// Longest side after decoding: a 12-48 MP photo's code survives, memory stays bounded.
    static let maxPixelSize = 4096

    /// The photo turned upright, at most `maxPixelSize` a side.
    static func upright(_ data: Data) -> CGImage? {
        guard let source = CGImageSourceCreateWithData(data as CFData, nil) else { return nil }
        let options: [CFString: Any] = [
            kCGImageSourceCreateThumbnailFromImageAlways: true,
            kCGImageSourceCreateThumbnailWithTransform: true,
            kCGImageSourceThumbnailMaxPixelSize: maxPixelSize,
        ]
        return CGImageSourceCreateThumbnailAtIndex(source, 0, options as CFDictionary)
    }
}
