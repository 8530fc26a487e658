import Hutong
import XCTest

let pngMagic = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])

final class RenderCodeTests: XCTestCase {
    func testRendersASquareQrWhosePixelBufferMatchesItsSize() throws {
        let code = try renderCode(text: "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd", symbology: .qr, modulePx: 4)
        XCTAssertEqual(code.width, code.height)
        XCTAssertEqual(code.pixels.count, Int(code.width * code.height))
        XCTAssertTrue(code.pixels.prefix(16).allSatisfy { $0 == 255 })
    }

    func testReturnsAPngFile() throws {
        let code = try renderCode(text: "https://qr.alipay.com/bax03431ljhokirwl38f00a7", symbology: .qr, modulePx: 3)
        XCTAssertEqual(code.png.prefix(8), pngMagic)
    }

    func testRendersACode128BarcodeWiderThanTall() throws {
        let code = try renderCode(text: "134567890123456789", symbology: .code128, modulePx: 2)
        XCTAssertGreaterThan(code.width, code.height)
    }

    func testThrowsATypedErrorForAZeroModuleSize() {
        XCTAssertThrowsError(try renderCode(text: "x", symbology: .qr, modulePx: 0)) { error in
            guard case RenderCodeError.InvalidModuleSize(let message) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(message, "module size must be at least 1 pixel")
        }
    }

    func testThrowsATypedErrorForTextCode128CannotHold() {
        XCTAssertThrowsError(try renderCode(text: "支付", symbology: .code128, modulePx: 2)) { error in
            guard case RenderCodeError.Unencodable(let message) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertTrue(message.hasPrefix("cannot encode this text as Code128"), message)
        }
    }
}
