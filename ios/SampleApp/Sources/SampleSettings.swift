import Hutong
import SwiftUI

/// The sandbox the QA app pays against (UserDefaults): filled by scanning the QA console's setup
/// code (`apply`), or typed in SettingsView.
struct SampleSettings {
    /// `https://host:port` of the sandbox acquirer (`hutong-qa sandbox` prints it).
    @AppStorage("endpoint") var endpoint = ""
    /// The sandbox's self-signed CA certificate, PEM.
    @AppStorage("caPem") var caPem = ""
    /// Certificate pins, `sha256/` + 64 hex digits (the one format, `Pins`), one per line.
    @AppStorage("pins") var pins = ""
    /// Id and public key (base64 of the 65-byte point) of the switch's response-signing root, as the sandbox prints them.
    @AppStorage("serverRootKeyId") var serverRootKeyId = ""
    @AppStorage("serverRoot") var serverRoot = ""
    /// Amount paid for codes that carry none (static codes), e.g. "12.50 CNY".
    @AppStorage("fallbackAmount") var fallbackAmount = "10.00 CNY"
    @AppStorage("keyId") var keyId = "qa-device-1"
    @AppStorage("accountId") var accountId = "qa-account"

    var pinList: [String] {
        pins.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var isComplete: Bool {
        endpoint.hasPrefix("https://") && !pinList.isEmpty && !serverRootKeyId.isEmpty && !serverRoot.isEmpty
    }

    /// Takes everything a scanned setup code carries.
    func apply(_ setup: SetupCode) {
        endpoint = setup.endpoint
        caPem = setup.caPem ?? ""
        pins = setup.pins.joined(separator: "\n")
        serverRootKeyId = setup.rootKeyId
        serverRoot = setup.rootPublicKey.base64EncodedString()
    }

    /// Intents this app made, newest first, for the history screen (`History.remember`).
    static var historyIds: [String] {
        get { UserDefaults.standard.stringArray(forKey: "historyIds") ?? [] }
        set { UserDefaults.standard.set(newValue, forKey: "historyIds") }
    }

    /// "12.50 CNY" as Money (minor units); nil when it does not parse.
    var fallbackMoney: Money? {
        let parts = fallbackAmount.split(whereSeparator: \.isWhitespace)
        guard parts.count == 2 else { return nil }
        return try? parseAmount(decimal: String(parts[0]), currencyAlpha: String(parts[1]).uppercased())
    }
}

struct SettingsView: View {
    @AppStorage("endpoint") private var endpoint = ""
    @AppStorage("caPem") private var caPem = ""
    @AppStorage("pins") private var pins = ""
    @AppStorage("serverRootKeyId") private var serverRootKeyId = ""
    @AppStorage("serverRoot") private var serverRoot = ""
    @AppStorage("fallbackAmount") private var fallbackAmount = "10.00 CNY"
    @AppStorage("keyId") private var keyId = "qa-device-1"
    @AppStorage("accountId") private var accountId = "qa-account"

    var body: some View {
        Form {
            Section {
                Text("Scan the QA console's phone setup code to fill the sandbox fields.").font(.footnote)
            }
            Section("Sandbox") {
                TextField("https://host:port", text: $endpoint)
                    .textInputAutocapitalization(.never)
                    .keyboardType(.URL)
                    .autocorrectionDisabled()
            }
            Section("CA certificate (PEM)") {
                TextEditor(text: $caPem).font(.caption.monospaced()).frame(minHeight: 120)
            }
            Section("Certificate pins: sha256/ + 64 hex digits, one per line (as the sandbox prints them)") {
                TextEditor(text: $pins).font(.caption.monospaced()).frame(minHeight: 60)
            }
            Section("Response-signing root key") {
                TextField("key id", text: $serverRootKeyId).autocorrectionDisabled()
                TextField("public key (base64 of 65 bytes, as the sandbox prints it)", text: $serverRoot).autocorrectionDisabled()
            }
            Section("Amount for codes without one, and for collecting") {
                TextField("10.00 CNY", text: $fallbackAmount).autocorrectionDisabled()
            }
            Section("Device") {
                TextField("key id", text: $keyId).autocorrectionDisabled()
                TextField("account id", text: $accountId).autocorrectionDisabled()
            }
        }
        .navigationTitle("Settings")
    }
}
