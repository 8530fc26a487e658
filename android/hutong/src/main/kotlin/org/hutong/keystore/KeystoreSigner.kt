package org.hutong.keystore

import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyInfo
import android.security.keystore.KeyProperties
import android.security.keystore.StrongBoxUnavailableException
import org.hutong.Signer
import org.hutong.SignerException
import java.security.KeyFactory
import java.security.KeyPairGenerator
import java.security.KeyStore
import java.security.PrivateKey
import java.security.Signature
import java.security.spec.ECGenParameterSpec

/**
 * Hutong's request [Signer] over an EC P-256 key that never leaves Android Keystore: created on
 * first use (in StrongBox when the device has one), then found again by its alias.
 * Signatures are `SHA256withECDSA`, which Keystore returns ASN.1 DER encoded, as Hutong expects.
 */
class KeystoreSigner private constructor(
    private val alias: String,
    private val keyId: String,
) : Signer {
    /** Where the key lives: "StrongBox", "TEE", "secure hardware" (before API 31) or "software". */
    fun securityLevel(): String {
        val key = keyStore().getKey(alias, null) as PrivateKey
        val info = KeyFactory.getInstance(key.algorithm, PROVIDER).getKeySpec(key, KeyInfo::class.java)
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.S) {
            return when (info.securityLevel) {
                KeyProperties.SECURITY_LEVEL_STRONGBOX -> "StrongBox"
                KeyProperties.SECURITY_LEVEL_TRUSTED_ENVIRONMENT -> "TEE"
                KeyProperties.SECURITY_LEVEL_SOFTWARE -> "software"
                else -> "unknown"
            }
        }
        @Suppress("DEPRECATION")
        return if (info.isInsideSecureHardware) "secure hardware" else "software"
    }

    override fun keyId(): String = keyId

    override fun publicKey(): ByteArray {
        val cert = keyStore().getCertificate(alias)
            ?: throw SignerException.Failed("Keystore has no key under alias $alias")
        return PublicKeys.sec1FromSpki(cert.publicKey.encoded)
    }

    override suspend fun sign(message: ByteArray): ByteArray {
        val key = keyStore().getKey(alias, null) as? PrivateKey
            ?: throw SignerException.Failed("Keystore has no private key under alias $alias")
        return try {
            Signature.getInstance("SHA256withECDSA").run {
                initSign(key)
                update(message)
                sign()
            }
        } catch (e: java.security.GeneralSecurityException) {
            // Key invalidated (e.g. lock screen removed) or the secure hardware refused.
            throw SignerException.Failed("Keystore could not sign: ${e.message}")
        }
    }

    companion object {
        private const val PROVIDER = "AndroidKeyStore"

        private fun keyStore(): KeyStore = KeyStore.getInstance(PROVIDER).apply { load(null) }

        /**
         * The signer for `alias`, creating its key on first use. `keyId` is the id the acquirer
         * registered the public key under (from the device registration step).
         */
        fun getOrCreate(context: Context, alias: String, keyId: String): KeystoreSigner {
            val store = keyStore()
            if (store.containsAlias(alias)) return KeystoreSigner(alias, keyId)
            if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.P &&
                context.packageManager.hasSystemFeature(PackageManager.FEATURE_STRONGBOX_KEYSTORE)
            ) {
                try {
                    generate(alias, strongBox = true)
                    return KeystoreSigner(alias, keyId)
                } catch (_: StrongBoxUnavailableException) {
                    // Advertised but busy or unsupported for this key: fall back to the TEE.
                }
            }
            generate(alias, strongBox = false)
            return KeystoreSigner(alias, keyId)
        }

        private fun generate(alias: String, strongBox: Boolean) {
            val spec = KeyGenParameterSpec.Builder(alias, KeyProperties.PURPOSE_SIGN)
                .setAlgorithmParameterSpec(ECGenParameterSpec("secp256r1"))
                .setDigests(KeyProperties.DIGEST_SHA256)
                .apply { if (strongBox && Build.VERSION.SDK_INT >= Build.VERSION_CODES.P) setIsStrongBoxBacked(true) }
                .build()
            KeyPairGenerator.getInstance(KeyProperties.KEY_ALGORITHM_EC, PROVIDER).run {
                initialize(spec)
                generateKeyPair()
            }
        }

        /** Deletes the key (a new device registration follows). */
        fun delete(alias: String) {
            keyStore().deleteEntry(alias)
        }
    }
}
