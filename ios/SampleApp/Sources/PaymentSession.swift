import Foundation
import Hutong
import os

/// The sample's payment client: Hutong's `Payments` against the sandbox from Settings, signing
/// with a Secure Enclave key, every state change shown on screen and every log line in the
/// unified log.
final class PaymentSession {
    private let payments: Payments
    private let accountId: String
    private let report: @Sendable (String) -> Void
    private var registered = false

    init(settings: SampleSettings, report: @escaping @Sendable (String) -> Void) throws {
        let signer = try SecureEnclaveSigner(tag: "org.hutong.sample.device-key", keyId: settings.keyId)
        guard let rootKey = Data(base64Encoded: settings.serverRoot) else {
            throw SampleError.settings("the response-signing root key is not base64")
        }
        let documents = FileManager.default.urls(for: .applicationSupportDirectory, in: .userDomainMask)[0]
        try FileManager.default.createDirectory(at: documents, withIntermediateDirectories: true)
        let config = PaymentsConfig(
            endpoint: settings.endpoint,
            caPem: settings.caPem.isEmpty ? nil : settings.caPem,
            spkiPins: try settings.pinList.map(Pins.normalize),
            // The journal that makes pay exactly-once across crashes lives with the app's data.
            journalPath: documents.appendingPathComponent("hutong-journal.sqlite").path,
            serverRoots: [ServerRoot(keyId: settings.serverRootKeyId, publicKey: rootKey)],
            walletProfileId: SampleScanning.walletProfile
        )
        payments = try Payments(
            config: config, signer: signer, listener: ScreenListener(report: report), logger: UnifiedLogger()
        )
        accountId = settings.accountId
        self.report = report
        report("Device key \(signer.isHardwareBacked ? "in the Secure Enclave" : "in software (simulator)")")
    }

    /// At launch: settles whatever a crash or a lost answer left open in the journal.
    func recover() async throws {
        report(History.recovered(try await payments.recover()))
    }

    /// Pays a merchant's code (its own amount, or `fallback` for a code without one); returns the intent id.
    func pay(payload: String, info: CodeInfo, fallback: Money) async throws -> String {
        try await ensureRegistered()
        let intent = try await payments.pay(
            code: payload, amount: info.amount ?? fallback, options: PayOptions(description: "Hutong QA app")
        )
        remember(intent.intentId)
        let paid = intent.paid.map(Self.money) ?? "nothing"
        report("Payment \(intent.state): paid \(paid)\(intent.failureCode.map { " (\($0))" } ?? "")")
        return intent.intentId
    }

    /// Collects `amount` with a payer's code (the phone acting as the merchant's till).
    func collect(payerCode: String, amount: Money) async throws -> String {
        try await ensureRegistered()
        let intent = try await payments.collect(
            payerCode: payerCode, amount: amount, options: PayOptions(description: "Hutong QA app collect")
        )
        remember(intent.intentId)
        report("Collect \(intent.state): \(intent.paid.map(Self.money) ?? "nothing")\(intent.failureCode.map { " (\($0))" } ?? "")")
        return intent.intentId
    }

    /// The history screen: every remembered or still open intent from the journal, newest first.
    func history() throws -> [HistoryEntry] {
        let remembered = SampleSettings.historyIds.compactMap { try? payments.intent(intentId: $0) }
        return try History.merge(remembered, payments.openIntents()).map {
            HistoryEntry(id: $0.intentId, row: History.row($0, refunds: try payments.refunds(intentId: $0.intentId)))
        }
    }

    private func ensureRegistered() async throws {
        if registered { return }
        try await payments.registerDevice(accountId: accountId)
        registered = true
    }

    private func remember(_ id: String) {
        SampleSettings.historyIds = History.remember(SampleSettings.historyIds, id)
    }

    /// Refunds whatever of the payment is not refunded yet.
    func refundAll(_ intentId: String) async throws {
        let refund = try await payments.refund(intentId: intentId, amount: nil)
        report("Refund \(refund.state): \(Self.money(refund.amount))\(refund.failureCode.map { " (\($0))" } ?? "")")
    }

    static func money(_ m: Money) -> String {
        (try? formatAmount(amount: m)).map { "\($0) \(m.currency)" } ?? "\(m.minor) minor units of \(m.currency)"
    }
}

enum SampleError: Error {
    case settings(String)
}

/// Every state change of a payment or refund, on screen.
final class ScreenListener: FlowListener, @unchecked Sendable {
    private let report: @Sendable (String) -> Void

    init(report: @escaping @Sendable (String) -> Void) { self.report = report }

    func onStateChange(change: StateChange) {
        switch change {
        case let .intent(intentId, from, to):
            report("Payment \(intentId.prefix(8)): \(from.map { "\($0)" } ?? "-") -> \(to)")
        case let .refund(refundId, _, from, to):
            report("Refund \(refundId.prefix(8)): \(from.map { "\($0)" } ?? "-") -> \(to)")
        }
    }
}

/// Hutong's log lines in the unified log (Console.app, subsystem org.hutong).
final class UnifiedLogger: Hutong.Logger, @unchecked Sendable {
    private let osLog = os.Logger(subsystem: "org.hutong", category: "hutong")

    func log(level: LogLevel, target: String, message: String) {
        switch level {
        case .error: osLog.error("\(target, privacy: .public): \(message, privacy: .public)")
        case .warn: osLog.warning("\(target, privacy: .public): \(message, privacy: .public)")
        case .info: osLog.info("\(target, privacy: .public): \(message, privacy: .public)")
        case .debug: osLog.debug("\(target, privacy: .public): \(message, privacy: .public)")
        }
    }
}
