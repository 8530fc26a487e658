import Hutong

/// What the wallet does with a scanned or picked code (the Android sample's `ScanRouting.kt`).
enum ScanAction: Sendable {
    /// The QA console's phone setup code: apply it to Settings.
    case setup(payload: String, code: SetupCode)
    /// A merchant's code: the user pays it.
    case pay(payload: String, info: CodeInfo, summary: String)
    /// A payer's code: the phone, as the merchant's till, collects with it.
    case collect(payload: String, info: CodeInfo, summary: String)
    /// Nothing the wallet can act on; the summary says why.
    case unusable(payload: String, summary: String)

    var payload: String {
        switch self {
        case let .setup(p, _), let .pay(p, _, _), let .collect(p, _, _), let .unusable(p, _): return p
        }
    }

    var summary: String {
        switch self {
        case let .setup(_, code): return "Setup code for \(code.endpoint): tap Apply setup"
        case let .pay(_, _, s), let .collect(_, _, s), let .unusable(_, s): return s
        }
    }

    static func route(_ payload: String) -> ScanAction {
        if SetupCode.looksLikeSetupCode(payload) {
            do { return .setup(payload: payload, code: try SetupCode.parse(payload)) } catch {
                return .unusable(payload: payload, summary: "Setup code: \(error)")
            }
        }
        let info: CodeInfo
        do {
            info = try identify(payload: payload, context: IdentifyContext(walletProfileId: SampleScanning.walletProfile))
        } catch {
            return .unusable(payload: payload, summary: "Cannot identify: \(error)")
        }
        let summary = SampleScanning.describe(info)
        guard info.valid else { return .unusable(payload: payload, summary: summary) }
        switch info.presentation {
        case .payer: return .collect(payload: payload, info: info, summary: "Payer code · " + summary)
        // The wallet profile has no route to this network: say so before the user taps Pay.
        case .merchant where info.canPay == false: return .unusable(payload: payload, summary: summary)
        case .merchant: return .pay(payload: payload, info: info, summary: summary)
        case .other: return .unusable(payload: payload, summary: "Not a payment code · " + summary)
        }
    }
}
