import Hutong
import XCTest

final class LumaPngTests: XCTestCase {
    func testEncodesAPaddedPlaneAsAPng() throws {
        // 6x4, stride 8, last row unpadded: what a camera's Y plane looks like.
        var plane = Data(count: 3 * 8 + 6)
        for i in plane.indices { plane[i] = UInt8(truncatingIfNeeded: i) }
        let png = try encodeLumaPng(luma: plane, width: 6, height: 4, rowStride: 8)
        XCTAssertEqual(png.prefix(8), pngMagic)
    }

    func testThrowsATypedErrorWithTheSizesForAShortPlane() {
        XCTAssertThrowsError(try encodeLumaPng(luma: Data(count: 7), width: 3, height: 2, rowStride: 5)) { error in
            guard case LumaPngError.PlaneTooShort(let message) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(message, "plane holds 7 bytes but 3x2 with row stride 5 needs 8")
        }
    }
}
