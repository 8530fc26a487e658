import Foundation

/// A setup code or pin that cannot be used; the message says what to fix.
struct SetupCodeError: Error, CustomStringConvertible {
    let description: String
}

/// What the QA console's "Phone setup" QR code carries (docs/qa-console.md, "Setup code"): the
/// sandbox's endpoint, certificate pin(s), CA certificate and response-signing root key. One
/// `key=value` per line after `HUTONG-SETUP:1`; unknown keys are ignored, a known key given
/// twice (other than `pin`) is an error. The Android sample's `SetupCode.kt` is the same parser,
/// tested on the JVM.
struct SetupCode: Sendable {
    static let header = "HUTONG-SETUP:1"
    static let maxCharacters = 8192

    let endpoint: String
    let pins: [String]
    let rootKeyId: String
    let rootPublicKey: Data
    let caPem: String?

    static func looksLikeSetupCode(_ text: String) -> Bool { text.hasPrefix("HUTONG-SETUP:") }

    static func parse(_ text: String) throws -> SetupCode {
        guard text.count <= maxCharacters else { throw SetupCodeError(description: "setup code longer than \(maxCharacters) characters") }
        let lines = text.trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard lines.first == header else {
            throw SetupCodeError(description: "not a setup code of this version: the first line must be \(header)")
        }
        var single: [String: String] = [:]
        var pins: [String] = []
        for line in lines.dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let eq = line.firstIndex(of: "="), eq != line.startIndex else {
                throw SetupCodeError(description: "line `\(line.prefix(40))` is not key=value")
            }
            let key = String(line[..<eq])
            let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            switch key {
            case "pin": pins.append(try Pins.normalize(value))
            case "endpoint", "root", "ca":
                if single.updateValue(value, forKey: key) != nil { throw SetupCodeError(description: "`\(key)` given twice") }
            default: continue  // a later version's field
            }
        }
        guard let endpoint = single["endpoint"] else { throw SetupCodeError(description: "no endpoint") }
        guard endpoint.hasPrefix("https://") else { throw SetupCodeError(description: "the endpoint must be https://, got `\(endpoint)`") }
        guard let root = single["root"] else { throw SetupCodeError(description: "no root key") }
        guard let colon = root.firstIndex(of: ":"), colon != root.startIndex else {
            throw SetupCodeError(description: "root must be key_id:base64")
        }
        guard let rootKey = Data(base64Encoded: String(root[root.index(after: colon)...])) else {
            throw SetupCodeError(description: "the root key is not base64")
        }
        guard rootKey.count == 65, rootKey.first == 0x04 else {
            throw SetupCodeError(description: "the root key is not a 65-byte uncompressed P-256 point")
        }
        guard !pins.isEmpty else { throw SetupCodeError(description: "no certificate pin") }
        var caPem: String?
        if let ca = single["ca"] {
            guard let der = Data(base64Encoded: ca) else { throw SetupCodeError(description: "the CA certificate is not base64") }
            caPem = pem(der)
        }
        return SetupCode(endpoint: endpoint, pins: pins, rootKeyId: String(root[..<colon]), rootPublicKey: rootKey, caPem: caPem)
    }

    /// DER -> PEM, 64 characters a line.
    static func pem(_ der: Data) -> String {
        let body = der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n"
    }
}

/// The one pin format, everywhere (the sandbox prints it, the SDK reads it, Settings ask for
/// it): `sha256/` and the 64 hex digits of the SHA-256 of the certificate's
/// SubjectPublicKeyInfo. Bare hex gets the prefix; base64 pins are refused with a message that
/// says so.
enum Pins {
    static func normalize(_ pin: String) throws -> String {
        let trimmed = pin.trimmingCharacters(in: .whitespaces)
        let body = trimmed.hasPrefix("sha256/") ? String(trimmed.dropFirst(7)) : trimmed
        if body.count == 64, body.allSatisfy(\.isHexDigit) { return "sha256/" + body.lowercased() }
        let hint = body.count == 44 && body.hasSuffix("=") ? " (this looks like base64)" : ""
        throw SetupCodeError(description: "pin `\(pin.prefix(80))`: write sha256/ and 64 hex digits, as the sandbox prints it\(hint)")
    }
}
