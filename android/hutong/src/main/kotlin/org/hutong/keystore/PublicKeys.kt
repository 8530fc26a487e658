package org.hutong.keystore

/** Public-key encodings between what key stores hand out and what Hutong's `Signer` returns. */
object PublicKeys {
    // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) ... }
    private val P256_SPKI_PREFIX = byteArrayOf(
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86.toByte(), 0x48, 0xce.toByte(), 0x3d, 0x02, 0x01,
        0x06, 0x08, 0x2a, 0x86.toByte(), 0x48, 0xce.toByte(), 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    )

    /**
     * The 65-byte uncompressed SEC1 point (0x04 || X || Y) inside an X.509 SubjectPublicKeyInfo
     * of a P-256 key, which is what `PublicKey.getEncoded()` returns on Android and the JVM.
     */
    fun sec1FromSpki(spki: ByteArray): ByteArray {
        require(spki.size == P256_SPKI_PREFIX.size + 65) {
            "not a P-256 SubjectPublicKeyInfo: ${spki.size} bytes, expected ${P256_SPKI_PREFIX.size + 65}"
        }
        require(spki.copyOfRange(0, P256_SPKI_PREFIX.size).contentEquals(P256_SPKI_PREFIX)) {
            "not a P-256 SubjectPublicKeyInfo: unexpected algorithm header"
        }
        val point = spki.copyOfRange(P256_SPKI_PREFIX.size, spki.size)
        require(point[0] == 0x04.toByte()) { "P-256 point is not uncompressed" }
        return point
    }
}
