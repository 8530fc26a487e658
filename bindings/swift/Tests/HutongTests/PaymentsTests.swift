import CryptoKit
import Foundation
import Hutong
import XCTest

/// A device key the way an app holds one in the Secure Enclave (here a software P-256 key from
/// CryptoKit; `SecureEnclave.P256.Signing.PrivateKey` has the same API).
final class CryptoKitSigner: Signer, @unchecked Sendable {
    private let key = P256.Signing.PrivateKey()
    private let id: String

    init(id: String) { self.id = id }

    func keyId() throws -> String { id }

    /// Uncompressed SEC1 (`0x04 || X || Y`), 65 bytes.
    func publicKey() throws -> Data { key.publicKey.x963Representation }

    /// DER ECDSA over SHA-256 of the message (CryptoKit hashes with SHA-256 for P-256).
    func sign(message: Data) throws -> Data { try key.signature(for: message).derRepresentation }
}

/// Records every state change, as a UI would.
final class Recorder: FlowListener, @unchecked Sendable {
    private let lock = NSLock()
    private var changes: [StateChange] = []

    func onStateChange(change: StateChange) {
        lock.lock(); defer { lock.unlock() }
        changes.append(change)
    }

    func intentPath(_ id: String) -> [IntentState] {
        lock.lock(); defer { lock.unlock() }
        return changes.compactMap {
            if case let .intent(intentId, _, to) = $0, intentId == id { return to }
            return nil
        }
    }
}

/// The sandbox acquirer on loopback TLS. On macOS the test starts it as a child process
/// (`hutong-qa sandbox --ready-json`; `HUTONG_QA` overrides the binary's path). iOS has no
/// `Process`: there the runner starts the sandbox on the host (a simulator shares its loopback)
/// and passes the JSON line it printed in `HUTONG_SANDBOX_READY`, which macOS honours too.
/// Mirrors PaymentsTest.kt.
final class Sandbox {
    #if os(macOS)
    private let process = Process()
    private let stdin = Pipe()
    #endif
    let ready: [String: Any]

    init() throws {
        if let line = ProcessInfo.processInfo.environment["HUTONG_SANDBOX_READY"] {
            ready = try Self.parse(Data(line.utf8))
            return
        }
        #if os(macOS)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../..").standardizedFileURL
        let binary = ProcessInfo.processInfo.environment["HUTONG_QA"]
            ?? root.appendingPathComponent("target/debug/hutong-qa").path
        let stdout = Pipe()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["sandbox", "--ready-json"]
        process.standardOutput = stdout
        process.standardInput = stdin
        try process.run()
        var line = Data()
        while let byte = try stdout.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) {
            line.append(byte)
        }
        ready = try Self.parse(line)
        #else
        throw XCTSkip("no sandbox: set HUTONG_SANDBOX_READY to the line `hutong-qa sandbox --ready-json` prints on the host")
        #endif
    }

    private static func parse(_ line: Data) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
    }

    func config(journal: String) -> PaymentsConfig {
        PaymentsConfig(
            endpoint: ready["endpoint"] as! String,
            caPem: ready["ca_pem"] as? String,
            spkiPins: [ready["spki_pin"] as! String],
            journalPath: journal,
            serverRoots: [ServerRoot(keyId: ready["root_key_id"] as! String,
                                     publicKey: Data(base64Encoded: ready["root_public_key"] as! String)!)],
            timings: PaymentTimings(sandbox: true)
        )
    }

    deinit {
        #if os(macOS)
        guard process.isRunning else { return }
        try? stdin.fileHandleForWriting.close()  // the sandbox exits when its stdin closes
        process.terminate()
        #endif
    }
}

final class PaymentsTests: XCTestCase {
    let merchantCode = "https://payapp.weixin.qq.com/qr/AbCdEf"

    func journalPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("hutong-\(UUID().uuidString).sqlite").path
    }

    func testPayRefundAndEveryStateReported() async throws {
        let sandbox = try Sandbox()
        let recorder = Recorder()
        let payments = try Payments(config: sandbox.config(journal: journalPath()),
                                    signer: CryptoKitSigner(id: "swift-\(UUID().uuidString)"),
                                    listener: recorder, logger: nil)
        try await payments.registerDevice(accountId: "acct-swift")
        let intent = try await payments.pay(code: merchantCode, amount: Money(minor: 2372, currency: "CNY"),
                                            options: PayOptions(description: "swift test", sandboxScenario: "success"))
        XCTAssertEqual(intent.state, .succeeded)
        XCTAssertEqual(intent.original, Money(minor: 2372, currency: "CNY"))
        XCTAssertEqual(intent.paid, intent.payable)
        XCTAssertEqual(recorder.intentPath(intent.intentId), [.created, .submitting, .succeeded])

        let part = try await payments.refund(intentId: intent.intentId, amount: Money(minor: 1000, currency: "CNY"))
        XCTAssertEqual(part.state, .succeeded)
        let rest = try await payments.refund(intentId: intent.intentId, amount: nil)
        XCTAssertEqual(rest.amount.minor, intent.paid!.minor - 1000)
        let status = try await payments.status(intentId: intent.intentId)
        XCTAssertEqual(status.refunded, intent.paid)
    }

    func testCancellingTheTaskLeavesNoUnknownPaymentOnceCancelIsCalled() async throws {
        let sandbox = try Sandbox()
        let recorder = Recorder()
        let payments = try Payments(config: sandbox.config(journal: journalPath()),
                                    signer: CryptoKitSigner(id: "swift-\(UUID().uuidString)"),
                                    listener: recorder, logger: nil)
        try await payments.registerDevice(accountId: "acct-swift")
        let task = Task {
            try await payments.pay(code: merchantCode, amount: Money(minor: 1000, currency: "CNY"),
                                   options: PayOptions(sandboxScenario: "user_paying_forever"))
        }
        var open: [Intent] = []
        for _ in 0..<500 where open.isEmpty {
            try await Task.sleep(nanoseconds: 10_000_000)
            open = try payments.openIntents()
        }
        task.cancel()
        _ = await task.result
        let id = try XCTUnwrap(open.first?.intentId)
        let cancelled = try await payments.cancel(intentId: id)
        XCTAssertEqual(cancelled.state, .reversed)
        XCTAssertTrue(try payments.openIntents().isEmpty)
    }

    func testASignerThatThrowsIsATypedError() async throws {
        final class Locked: Signer, @unchecked Sendable {
            let inner = CryptoKitSigner(id: "swift-locked")
            func keyId() throws -> String { try inner.keyId() }
            func publicKey() throws -> Data { try inner.publicKey() }
            func sign(message: Data) throws -> Data { throw SignerError.Failed(reason: "user authentication required") }
        }
        let sandbox = try Sandbox()
        let payments = try Payments(config: sandbox.config(journal: journalPath()), signer: Locked(), listener: nil, logger: nil)
        do {
            _ = try await payments.fundingSources()
            XCTFail("signing cannot succeed")
        } catch PaymentsError.Signer(let message) {
            XCTAssertTrue(message.contains("user authentication required"), message)
        }
    }
}
