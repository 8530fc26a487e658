import Hutong

/// The sample's scanner setup and the one-line description of an identified code.
enum SampleScanning {
    /// The wallet profile the sandbox acquirer accepts (fills `route` / `canPay`).
    static let walletProfile = "qa_sample"

    /// Camera defaults: QR and Code 128, dark-mode codes too, at most 150 ms per frame.
    static func newScanner() -> HutongScanner {
        // Only InvalidOptions can fail here, and these options are valid.
        try! HutongScanner(options: ScanOptions(alsoInverted: true))
    }

    static func describe(_ info: CodeInfo) -> String {
        let network = info.networkName ?? info.network ?? "unknown network"
        let amount = info.amount.map { money in
            (try? formatAmount(amount: money)) ?? "\(money.minor) minor units of \(money.currency)"
        } ?? "no amount (\(info.staticOrDynamic))"
        var parts = [network, amount]
        if let merchant = info.merchantName { parts.append(merchant) }
        switch info.canPay {
        case true?: parts.append("payable")
        case false?: parts.append("not payable: \(info.route?.reason ?? "no route")")
        case nil: break
        }
        if !info.risk.isEmpty { parts.append("⚠ " + info.risk.map { "\($0)" }.joined(separator: ", ")) }
        if !info.valid { parts.append("invalid: \(info.error ?? "")") }
        return parts.joined(separator: " · ")
    }
}
