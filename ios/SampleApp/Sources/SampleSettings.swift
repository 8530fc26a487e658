import Hutong
import SwiftUI

/// The sandbox the QA app pays against (UserDefaults), edited in SettingsView.
struct SampleSettings {
    /// `https://host:port` of the sandbox acquirer (`hutong-qa sandbox` prints it).
    @AppStorage("endpoint") var endpoint = ""
    /// The sandbox's self-signed CA certificate, PEM.
    @AppStorage("caPem") var caPem = ""
    /// SPKI SHA-256 pins, base64, one per line.
    @AppStorage("pins") var pins = ""
    /// Id and public key (base64 SEC1) of the switch's response-signing root, as the sandbox prints them.
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
        endpoint.hasPrefix("https://") && caPem.contains("BEGIN CERTIFICATE") && !serverRootKeyId.isEmpty
            && !serverRoot.isEmpty
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
            Section("Sandbox") {
                TextField("https://host:port", text: $endpoint)
                    .textInputAutocapitalization(.never)
                    .keyboardType(.URL)
                    .autocorrectionDisabled()
            }
            Section("CA certificate (PEM)") {
                TextEditor(text: $caPem).font(.caption.monospaced()).frame(minHeight: 120)
            }
            Section("SPKI pins (base64 SHA-256, one per line)") {
                TextEditor(text: $pins).font(.caption.monospaced()).frame(minHeight: 60)
            }
            Section("Response-signing root key") {
                TextField("key id", text: $serverRootKeyId).autocorrectionDisabled()
                TextField("public key (base64)", text: $serverRoot).autocorrectionDisabled()
            }
            Section("Amount for codes without one") {
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
