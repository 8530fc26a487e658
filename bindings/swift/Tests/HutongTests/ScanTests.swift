import Hutong
import XCTest

/// Mirrors ScanTest.kt: frames built the way AVFoundation hands them over (bi-planar 4:2:0,
/// padded rows), scanned without copying the planes.
final class ScanTests: XCTestCase {
    let text = "https://qr.alipay.com/fkx18437scan"

    /// A `width` x `height` upright luma scene with the code drawn at (x, y); rows `stride` apart.
    func scene(width: Int, height: Int, stride: Int, codeAt x: Int, _ y: Int) throws -> Data {
        let code = try renderCode(text: text, symbology: .qr, modulePx: 4)
        var plane = Data(repeating: 200, count: (height - 1) * stride + width)
        let w = Int(code.width)
        for row in 0..<Int(code.height) {
            for col in 0..<w {
                plane[(y + row) * stride + x + col] = code.pixels[row * w + col] < 128 ? 35 : 215
            }
        }
        return plane
    }

    func chroma(width: Int, height: Int, stride: Int) -> Data {
        Data(repeating: 128, count: ((height + 1) / 2 - 1) * stride + 2 * ((width + 1) / 2))
    }

    func testScansAnNv12FrameWithPaddedRows() throws {
        let scanner = try HutongScanner(options: ScanOptions(budgetMs: 2000))
        let y = try scene(width: 480, height: 360, stride: 512, codeAt: 150, 60)
        let uv = chroma(width: 480, height: 360, stride: 512)
        let found = try scanner.scanNv12(y: y, uv: uv, width: 480, height: 360, yRowStride: 512, uvRowStride: 512, rotation: 0, crop: nil)
        XCTAssertEqual(found.map(\.text), [text])
        XCTAssertEqual(found[0].format, .qrCode)
        XCTAssertEqual(found[0].corners.count, 4)
        XCTAssertTrue(found[0].corners.allSatisfy { $0.x >= 150 && $0.y >= 60 })
    }

    func testScansABgraFrame() throws {
        let scanner = try HutongScanner(options: ScanOptions(budgetMs: 2000))
        let luma = try scene(width: 480, height: 360, stride: 480, codeAt: 150, 60)
        var bgra = Data(count: 480 * 360 * 4)
        for i in 0..<(480 * 360) {
            bgra[4 * i] = luma[i]; bgra[4 * i + 1] = luma[i]; bgra[4 * i + 2] = luma[i]; bgra[4 * i + 3] = 255
        }
        let found = try scanner.scanBgra(pixels: bgra, width: 480, height: 360, rowStride: 480 * 4, rotation: 0, crop: nil)
        XCTAssertEqual(found.map(\.text), [text])
    }

    func testACropBesideTheCodeFindsNothing() throws {
        let scanner = try HutongScanner(options: ScanOptions(budgetMs: 2000))
        let y = try scene(width: 480, height: 360, stride: 480, codeAt: 150, 60)
        let found = try scanner.scanGray8(y: y, width: 480, height: 360, rowStride: 480, rotation: 0,
                                          crop: CropRect(x: 0, y: 0, width: 120, height: 360))
        XCTAssertTrue(found.isEmpty)
    }

    func testAShortYPlaneIsABadFrameSayingHowShort() throws {
        let scanner = try HutongScanner(options: ScanOptions())
        XCTAssertThrowsError(try scanner.scanNv12(y: Data(count: 1000), uv: chroma(width: 64, height: 48, stride: 64),
                                                  width: 64, height: 48, yRowStride: 64, uvRowStride: 64, rotation: 0, crop: nil)) { error in
            guard case ScanError.BadFrame(let message) = error else { return XCTFail("unexpected \(error)") }
            XCTAssertEqual(message, "bad frame: Y plane holds 1000 bytes but its rows need 3072")
        }
    }

    func testABadRotationIsABadFrame() throws {
        let scanner = try HutongScanner(options: ScanOptions())
        XCTAssertThrowsError(try scanner.scanGray8(y: Data(count: 64 * 48), width: 64, height: 48, rowStride: 64, rotation: 45, crop: nil)) { error in
            guard case ScanError.BadFrame = error else { return XCTFail("unexpected \(error)") }
        }
    }

    func testOptionsItCannotHonourAreRefused() {
        XCTAssertThrowsError(try HutongScanner(options: ScanOptions(maxCodes: 0))) { error in
            guard case ScanError.InvalidOptions = error else { return XCTFail("unexpected \(error)") }
        }
    }

    func testDecodesAnImageFile() throws {
        let scanner = try HutongScanner(options: ScanOptions(budgetMs: 2000))
        let y = try scene(width: 480, height: 360, stride: 480, codeAt: 150, 60)
        let png = try encodeLumaPng(luma: y, width: 480, height: 360, rowStride: 480)
        XCTAssertEqual(try scanner.decodeImage(bytes: png).map(\.text), [text])
        XCTAssertEqual(scanner.stats().framesWithCodes, 1)
    }
}
