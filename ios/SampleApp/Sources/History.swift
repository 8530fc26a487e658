import Foundation
import Hutong

/// One line of the history screen; tapping it refunds `id`.
struct HistoryEntry: Identifiable, Sendable {
    let id: String
    let row: String
}

/// The history screen's logic, from the payment journal (the Android sample's `History.kt`).
enum History {
    static let maxIds = 200

    /// The id list after a new payment: newest first, no duplicates, at most `maxIds`.
    static func remember(_ ids: [String], _ id: String) -> [String] {
        Array(([id] + ids.filter { $0 != id }).prefix(maxIds))
    }

    /// Remembered intents and open ones (an app killed before it stored the id), newest first.
    static func merge(_ remembered: [Intent], _ open: [Intent]) -> [Intent] {
        var seen = Set<String>()
        return (remembered + open).filter { seen.insert($0.intentId).inserted }.sorted { $0.createdAtMs > $1.createdAtMs }
    }

    static func row(_ intent: Intent, refunds: [Refund]) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let time = formatter.string(from: Date(timeIntervalSince1970: Double(intent.createdAtMs) / 1000))
        let direction = intent.direction == .collect ? "collect" : "pay"
        let paid = intent.paid.map { "\(PaymentSession.money($0)) paid" } ?? "\(PaymentSession.money(intent.amount)) asked"
        let refunded = intent.refunded.minor > 0 ? ", \(PaymentSession.money(intent.refunded)) refunded" : ""
        let pending = refunds.filter { $0.state == .requested || $0.state == .processing }.count
        var parts = ["\(time)", direction, "\(intent.state)" + (intent.failureCode.map { " (\($0))" } ?? ""),
                     paid + refunded + (pending > 0 ? ", \(pending) refund(s) pending" : "")]
        if let network = intent.network { parts.append(network) }
        if intent.needsReconciliation { parts.append("needs reconciliation") }
        parts.append(String(intent.intentId.prefix(8)))
        return parts.joined(separator: " · ")
    }

    /// What launch-time recovery settled, for the status line.
    static func recovered(_ outcomes: [RecoverOutcome]) -> String {
        if outcomes.isEmpty { return "Journal: nothing left open" }
        let review = outcomes.filter { if case .needsReconciliation = $0 { return true } else { return false } }.count
        let settled = outcomes.count - review
        return "Journal: \(settled) settled at launch" + (review > 0 ? ", \(review) need reconciliation" : "")
    }
}
