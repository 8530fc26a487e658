import CoreVideo
@testable import Hutong
import XCTest

/// The iOS camera path without a camera: a bi-planar 420 CVPixelBuffer (what
/// AVCaptureVideoDataOutput delivers) with a QR code in plane 0, scanned in place.
final class PixelBufferScanTests: XCTestCase {
    private func nv12Buffer(width: Int, height: Int, code text: String, at origin: (Int, Int)) throws -> CVPixelBuffer {
        var made: CVPixelBuffer?
        let status = CVPixelBufferCreate(
            nil, width, height, kCVPixelFormatType_420YpCbCr8BiPlanarFullRange,
            [kCVPixelBufferIOSurfacePropertiesKey: [:]] as CFDictionary, &made
        )
        XCTAssertEqual(status, kCVReturnSuccess)
        let buffer = try XCTUnwrap(made)
        let code = try renderCode(text: text, symbology: .qr, modulePx: 4)
        CVPixelBufferLockBaseAddress(buffer, [])
        defer { CVPixelBufferUnlockBaseAddress(buffer, []) }
        let y = CVPixelBufferGetBaseAddressOfPlane(buffer, 0)!.assumingMemoryBound(to: UInt8.self)
        let stride = CVPixelBufferGetBytesPerRowOfPlane(buffer, 0)
        for row in 0..<height { memset(y + row * stride, 200, stride) }
        let pixels = [UInt8](code.pixels)
        for row in 0..<Int(code.height) {
            for col in 0..<Int(code.width) {
                y[(origin.1 + row) * stride + origin.0 + col] = pixels[row * Int(code.width) + col]
            }
        }
        let uv = CVPixelBufferGetBaseAddressOfPlane(buffer, 1)!
        memset(uv, 128, CVPixelBufferGetBytesPerRowOfPlane(buffer, 1) * CVPixelBufferGetHeightOfPlane(buffer, 1))
        return buffer
    }

    func testScansAPortraitCameraBufferInPlace() throws {
        let buffer = try nv12Buffer(width: 1280, height: 720, code: "hutong ios", at: (600, 200))
        let scanner = try HutongScanner(options: ScanOptions(budgetMs: 2000))
        let codes = try scanner.scan(pixelBuffer: buffer, rotation: 90, crop: nil)
        XCTAssertEqual(codes.map(\.text), ["hutong ios"])
        // Turned 90 degrees clockwise, sensor x 600... becomes upright y 600...
        XCTAssertTrue(codes[0].corners.allSatisfy { $0.y >= 590 }, "\(codes[0].corners)")
    }

    func testTheCropFromARectOfInterestLimitsTheScan() throws {
        let buffer = try nv12Buffer(width: 1280, height: 720, code: "left side", at: (100, 200))
        let scanner = try HutongScanner(options: ScanOptions(budgetMs: 2000))
        let g = FrameGeometry(width: 1280, height: 720, rotation: 0)!
        func crop(_ r: CGRect) -> CropRect {
            let c = g.uprightCrop(normalizedSensorRect: r)!
            return CropRect(x: c.x, y: c.y, width: c.width, height: c.height)
        }
        let right = try scanner.scan(pixelBuffer: buffer, rotation: 0, crop: crop(CGRect(x: 0.5, y: 0, width: 0.5, height: 1)))
        XCTAssertTrue(right.isEmpty)
        let left = try scanner.scan(pixelBuffer: buffer, rotation: 0, crop: crop(CGRect(x: 0, y: 0, width: 0.5, height: 1)))
        XCTAssertEqual(left.map(\.text), ["left side"])
    }

    func testRefusesAPixelFormatItCannotRead() throws {
        var made: CVPixelBuffer?
        CVPixelBufferCreate(nil, 64, 64, kCVPixelFormatType_16Gray, nil, &made)
        let scanner = try HutongScanner(options: ScanOptions(budgetMs: 2000))
        XCTAssertThrowsError(try scanner.scan(pixelBuffer: try XCTUnwrap(made), rotation: 0, crop: nil)) { error in
            guard case PixelBufferError.unsupportedPixelFormat = error else { return XCTFail("\(error)") }
        }
    }

    func testPacksAPaddedBufferIntoTightNv12() throws {
        // 130 px rows get padded by CoreVideo (bytesPerRow > 130); packing drops the padding.
        let buffer = try nv12Buffer(width: 130, height: 122, code: "a", at: (0, 0))
        let packed = try packNv12(buffer)
        XCTAssertEqual(packed.count, 130 * 122 + 130 * 61)
        XCTAssertEqual(packed[130 * 121 + 129], 200)
        XCTAssertEqual(packed.last, 128)
    }
}
