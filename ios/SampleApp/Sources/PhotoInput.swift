import Foundation
import ImageIO
import UniformTypeIdentifiers

/// Photos from the library, made readable for `HutongScanner.decodeImage` (PNG, JPEG, WebP).
enum PhotoInput {
    /// Longest side after conversion: a 12-48 MP photo's code survives, memory stays bounded.
    static let maxPixelSize = 4096

    /// Any ImageIO format (HEIC included), turned upright, at most `maxPixelSize` a side, as JPEG.
    static func uprightJPEG(_ data: Data) -> Data? {
        guard let source = CGImageSourceCreateWithData(data as CFData, nil) else { return nil }
        let options: [CFString: Any] = [
            kCGImageSourceCreateThumbnailFromImageAlways: true,
            kCGImageSourceCreateThumbnailWithTransform: true,
            kCGImageSourceThumbnailMaxPixelSize: maxPixelSize,
        ]
        guard let image = CGImageSourceCreateThumbnailAtIndex(source, 0, options as CFDictionary) else { return nil }
        let out = NSMutableData()
        guard let dest = CGImageDestinationCreateWithData(out, UTType.jpeg.identifier as CFString, 1, nil) else { return nil }
        CGImageDestinationAddImage(dest, image, [kCGImageDestinationLossyCompressionQuality: 0.95] as CFDictionary)
        return CGImageDestinationFinalize(dest) ? out as Data : nil
    }
}
