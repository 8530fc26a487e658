import Hutong
import XCTest

/// Mirrors IdentifyTest.kt.
final class IdentifyTests: XCTestCase {
    let emv = "00020101021229300012D156000000000510A93FO3230Q31280012D15600000001030812345678520441115802CN5914BEST TRANSPORT6007BEIJING64200002ZH0104最佳运输0202北京540523.7253031565502016233030412340603***0708A60086670902ME91320016A0112233449988770708123456786304A13A"

    func testAnEmvCodeCarriesTypedMerchantAmountAndKind() throws {
        let info = try identify(payload: emv, context: nil)
        XCTAssertTrue(info.valid)
        XCTAssertEqual(info.amount, Money(minor: 2372, currency: "CNY"))
        XCTAssertEqual(info.merchantName, "BEST TRANSPORT")
        XCTAssertEqual(info.presentation, .merchant)
        XCTAssertEqual(info.staticOrDynamic, .dynamic)
        let json = try JSONSerialization.jsonObject(with: Data(info.json.utf8)) as? [String: Any]
        XCTAssertEqual(json?["amount_minor"] as? Int, 2372)
    }

    func testATamperedCrcIsInvalidAndFlagged() throws {
        let info = try identify(payload: String(emv.dropLast(4)) + "0000", context: nil)
        XCTAssertFalse(info.valid)
        XCTAssertEqual(info.errorCode, "emv_crc_mismatch")
        XCTAssertTrue(info.risk.contains(.crcMismatch))
    }

    func testAWalletProfileAnswersWhetherItCanPay() throws {
        let info = try identify(payload: emv, context: IdentifyContext(walletProfileId: "qa_sample"))
        XCTAssertEqual(info.route?.walletProfileId, "qa_sample")
        XCTAssertEqual(info.canPay, info.route.map { $0.kind != .unsupported })
    }

    func testAnUnknownWalletProfileIsATypedError() {
        XCTAssertThrowsError(try identify(payload: emv, context: IdentifyContext(walletProfileId: "nope"))) { error in
            guard case IdentifyError.UnknownWalletProfile = error else { return XCTFail("unexpected \(error)") }
        }
    }

    func testRawBytesIdentifyLikeTheText() throws {
        let a = try identify(payload: emv, context: nil)
        let b = try identifyBytes(bytes: Data(emv.utf8), context: nil)
        XCTAssertEqual(a.network, b.network)
        XCTAssertEqual(a.amount, b.amount)
    }
}
