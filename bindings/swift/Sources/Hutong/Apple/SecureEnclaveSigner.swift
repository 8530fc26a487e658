import Foundation
import Security

/// Hutong's request `Signer` over a P-256 key created inside the Secure Enclave, which never
/// hands out the private key: signing happens in the enclave. Found again by its application
/// tag on later launches. The simulator and Macs without an enclave get a software key in the
/// keychain instead (`isHardwareBacked` says which), so the same code runs everywhere.
// Immutable after init; SecKey operations are thread-safe.
public final class SecureEnclaveSigner: Signer, @unchecked Sendable {
    private let tag: Data
    private let id: String
    private let key: SecKey
    /// True when the private key lives in the Secure Enclave.
    public let isHardwareBacked: Bool

    /// The signer for `tag` (e.g. "com.example.wallet.hutong-device-key"), creating its key on
    /// first use. `keyId` is the id the acquirer registered the public key under.
    public init(tag: String, keyId: String) throws {
        self.tag = Data(tag.utf8)
        id = keyId
        if let existing = try Self.find(tag: self.tag) {
            key = existing.key
            isHardwareBacked = existing.hardware
            return
        }
        #if targetEnvironment(simulator)
        key = try Self.create(tag: self.tag, enclave: false)
        isHardwareBacked = false
        #else
        if let enclaveKey = try? Self.create(tag: self.tag, enclave: true) {
            key = enclaveKey
            isHardwareBacked = true
        } else {
            // No Secure Enclave (older Intel Macs, some VMs).
            key = try Self.create(tag: self.tag, enclave: false)
            isHardwareBacked = false
        }
        #endif
    }

    public func keyId() -> String { id }

    /// The 65-byte uncompressed X9.63 point (0x04 || X || Y) Hutong registers.
    public func publicKey() throws -> Data {
        var error: Unmanaged<CFError>?
        guard let pub = SecKeyCopyPublicKey(key),
              let bytes = SecKeyCopyExternalRepresentation(pub, &error) as Data?
        else {
            let reason = error?.takeRetainedValue().localizedDescription ?? "no public key"
            throw SignerError.Failed(reason: "cannot export the public key: \(reason)")
        }
        return bytes
    }

    /// ECDSA P-256 over SHA-256 of `message`, X9.62 DER encoded.
    public func sign(message: Data) throws -> Data {
        var error: Unmanaged<CFError>?
        guard let signature = SecKeyCreateSignature(
            key, .ecdsaSignatureMessageX962SHA256, message as CFData, &error
        ) as Data? else {
            let reason = error?.takeRetainedValue().localizedDescription ?? "unknown error"
            throw SignerError.Failed(reason: "Secure Enclave could not sign: \(reason)")
        }
        return signature
    }

    /// Deletes the key (a new device registration follows).
    public static func delete(tag: String) {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: Data(tag.utf8),
        ]
        SecItemDelete(query as CFDictionary)
    }

    private static func find(tag: Data) throws -> (key: SecKey, hardware: Bool)? {
        let query: [String: Any] = [
            kSecClass as String: kSecClassKey,
            kSecAttrApplicationTag as String: tag,
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecReturnRef as String: true,
            kSecReturnAttributes as String: true,
        ]
        var item: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &item)
        if status == errSecItemNotFound { return nil }
        guard status == errSecSuccess, let attrs = item as? [String: Any],
              let ref = attrs[kSecValueRef as String]
        else {
            throw SignerError.Failed(reason: "keychain lookup failed (OSStatus \(status))")
        }
        let token = attrs[kSecAttrTokenID as String] as? String
        // The keychain hands back a SecKey for kSecReturnRef on a key item.
        return (ref as! SecKey, token == (kSecAttrTokenIDSecureEnclave as String))
    }

    private static func create(tag: Data, enclave: Bool) throws -> SecKey {
        var error: Unmanaged<CFError>?
        guard let access = SecAccessControlCreateWithFlags(
            nil, kSecAttrAccessibleWhenUnlockedThisDeviceOnly,
            enclave ? .privateKeyUsage : [], &error
        ) else {
            throw SignerError.Failed(reason: "access control: \(String(describing: error?.takeRetainedValue()))")
        }
        var attributes: [String: Any] = [
            kSecAttrKeyType as String: kSecAttrKeyTypeECSECPrimeRandom,
            kSecAttrKeySizeInBits as String: 256,
            kSecPrivateKeyAttrs as String: [
                kSecAttrIsPermanent as String: true,
                kSecAttrApplicationTag as String: tag,
                kSecAttrAccessControl as String: access,
            ] as [String: Any],
        ]
        if enclave {
            attributes[kSecAttrTokenID as String] = kSecAttrTokenIDSecureEnclave
        }
        guard let key = SecKeyCreateRandomKey(attributes as CFDictionary, &error) else {
            let reason = error?.takeRetainedValue().localizedDescription ?? "unknown error"
            throw SignerError.Failed(reason: "key creation failed: \(reason)")
        }
        return key
    }
}
