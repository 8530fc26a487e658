import SwiftUI

/// The sandbox the QA app pays against (UserDefaults), edited in SettingsView.
struct SampleSettings {
    /// `https://host:port` of the sandbox acquirer (`hutong-qa sandbox` prints it).
    @AppStorage("endpoint") var endpoint = ""
    /// The sandbox's self-signed CA certificate, PEM.
    @AppStorage("caPem") var caPem = ""
    /// SPKI SHA-256 pins, base64, one per line.
    @AppStorage("pins") var pins = ""
    /// The switch's response-signing root public key (base64).
    @AppStorage("serverRoot") var serverRoot = ""
    @AppStorage("keyId") var keyId = "qa-device-1"
    @AppStorage("accountId") var accountId = "qa-account"

    var pinList: [String] {
        pins.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    var isComplete: Bool { endpoint.hasPrefix("https://") && caPem.contains("BEGIN CERTIFICATE") }
}

struct SettingsView: View {
    @AppStorage("endpoint") private var endpoint = ""
    @AppStorage("caPem") private var caPem = ""
    @AppStorage("pins") private var pins = ""
    @AppStorage("serverRoot") private var serverRoot = ""
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
            Section("Response-signing root key (base64)") {
                TextField("root key", text: $serverRoot).autocorrectionDisabled()
            }
            Section("Device") {
                TextField("key id", text: $keyId).autocorrectionDisabled()
                TextField("account id", text: $accountId).autocorrectionDisabled()
            }
        }
        .navigationTitle("Settings")
    }
}
