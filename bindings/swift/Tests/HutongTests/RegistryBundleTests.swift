import Hutong
import XCTest

/// Mirrors RegistryBundleTest.kt: the test-only fixture bundles of tests/data/registry installed,
/// refused, persisted and used to identify a network only the bundle defines. Written for
/// `swift test` on a Mac; not compiled on the Linux CI (no Swift toolchain there).
final class RegistryBundleTests: XCTestCase {
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../../tests/data/registry").standardizedFileURL
    let bankUrl = "https://pay.hutong-test-bank.example/qr/M12345"
    let bankEmv = "00020101021126320019ORG.HUTONG.TESTBANK0105123455204541153031565802CN5904Shop6007Beijing6304E31C"

    func bundle(_ name: String) throws -> Data {
        try Data(contentsOf: fixtures.appendingPathComponent(name))
    }

    func pins() throws -> [RegistryKey] {
        let text = try String(contentsOf: fixtures.appendingPathComponent("pin.txt"), encoding: .utf8)
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ":", maxSplits: 1)
        return [RegistryKey(keyId: String(parts[0]), publicKey: Data(base64Encoded: String(parts[1]))!)]
    }

    func storage() -> String {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("hutong-registry-\(UUID().uuidString).bundle").path
    }

    func testAnInstalledBundleIdentifiesItsNetworkAndIsFoundAgainAfterARestart() throws {
        let path = storage()
        let registry = try PaymentRegistry(pinnedKeys: try pins(), storagePath: path, walletProfileJson: nil)
        XCTAssertEqual(try registry.info().source, .builtIn)
        XCTAssertEqual(try registry.identify(payload: bankUrl, context: nil).network, "unknown_url")

        let info = try registry.install(bundle: try bundle("bundle-v2.json"))
        XCTAssertEqual(info.version, 2)
        XCTAssertEqual(info.source, .bundle)
        XCTAssertTrue(info.walletProfileIds.contains("my_wallet"))
        for payload in [bankUrl, bankEmv] {
            let code = try registry.identify(payload: payload,
                                             context: IdentifyContext(expect: .merchantCode, walletProfileId: "my_wallet"))
            XCTAssertEqual(code.network, "hutong_test_bank")
            XCTAssertEqual(code.canPay, true)
        }

        let again = try PaymentRegistry(pinnedKeys: try pins(), storagePath: path, walletProfileJson: nil)
        XCTAssertEqual(try again.info().version, 2)
        XCTAssertEqual(try again.identify(payload: bankEmv, context: nil).network, "hutong_test_bank")
    }

    func testAnOlderOrATamperedBundleIsRefused() throws {
        let registry = try PaymentRegistry(pinnedKeys: try pins(), storagePath: storage(), walletProfileJson: nil)
        _ = try registry.install(bundle: try bundle("bundle-v2.json"))
        XCTAssertThrowsError(try registry.install(bundle: try bundle("bundle-v1.json"))) { error in
            guard case PaymentRegistryError.Rollback = error else { return XCTFail("unexpected \(error)") }
        }
        var envelope = try JSONSerialization.jsonObject(with: try bundle("bundle-v2.json")) as! [String: String]
        let content = String(data: Data(base64Encoded: envelope["content"]!)!, encoding: .utf8)!
        envelope["content"] = Data(content.replacingOccurrences(of: "\"version\":2", with: "\"version\":3").utf8)
            .base64EncodedString()
        let tampered = try JSONSerialization.data(withJSONObject: envelope)
        XCTAssertThrowsError(try registry.install(bundle: tampered)) { error in
            guard case PaymentRegistryError.BadSignature = error else { return XCTFail("unexpected \(error)") }
        }
        XCTAssertEqual(try registry.info().version, 2)
    }

    func testTheAppsOwnProfileAnswersWalletProfileId() throws {
        let registry = try PaymentRegistry(
            pinnedKeys: [], storagePath: nil,
            walletProfileJson: #"{"id": "my_wallet", "name": "My Wallet", "direct": ["unionpay"]}"#)
        let code = try registry.identify(payload: "https://qr.95516.com/00010000/62222398601660103592632963215836",
                                         context: IdentifyContext(walletProfileId: "my_wallet"))
        XCTAssertEqual(code.canPay, true)
    }
}
