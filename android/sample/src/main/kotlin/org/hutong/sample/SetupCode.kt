package org.hutong.sample

import android.util.Base64

/** A setup code or pin that cannot be used; the message says what to fix. */
class SetupCodeException(message: String) : Exception(message)

/**
 * What the QA console's "Phone setup" QR code carries (docs/qa-console.md, "Setup code"): the
 * sandbox's endpoint, certificate pin(s), CA certificate and response-signing root key, so a
 * phone is configured by scanning instead of typing. One `key=value` per line after the line
 * `HUTONG-SETUP:1`; keys this version does not know are ignored, a known key given twice
 * (other than `pin`) is an error.
 */
class SetupCode(
    val endpoint: String,
    /** `sha256/<64 hex>`, the one pin format ([Pins]). */
    val pins: List<String>,
    val rootKeyId: String,
    /** The 65-byte uncompressed P-256 point. */
    val rootPublicKey: ByteArray,
    /** The sandbox's self-signed certificate, PEM; null when the code carries none. */
    val caPem: String?,
) {
    companion object {
        const val HEADER = "HUTONG-SETUP:1"

        /** A setup code is about 1 kB; anything much longer is not one. */
        const val MAX_CHARS = 8192

        fun looksLikeSetupCode(text: String): Boolean = text.startsWith("HUTONG-SETUP:")

        fun parse(text: String): SetupCode {
            if (text.length > MAX_CHARS) throw SetupCodeException("setup code longer than $MAX_CHARS characters")
            val lines = text.trim().lines().map { it.trimEnd('\r') }
            if (lines.first() != HEADER) {
                throw SetupCodeException("not a setup code of this version: the first line must be $HEADER")
            }
            val single = HashMap<String, String>()
            val pins = ArrayList<String>()
            for (line in lines.drop(1).filter { it.isNotBlank() }) {
                val eq = line.indexOf('=')
                if (eq <= 0) throw SetupCodeException("line `${line.take(40)}` is not key=value")
                val key = line.substring(0, eq)
                val value = line.substring(eq + 1).trim()
                when (key) {
                    "pin" -> pins.add(Pins.normalize(value))
                    "endpoint", "root", "ca" ->
                        if (single.put(key, value) != null) throw SetupCodeException("`$key` given twice")
                    else -> Unit // a later version's field
                }
            }
            val endpoint = single["endpoint"] ?: throw SetupCodeException("no endpoint")
            if (!endpoint.startsWith("https://")) throw SetupCodeException("the endpoint must be https://, got `$endpoint`")
            val root = single["root"] ?: throw SetupCodeException("no root key")
            val colon = root.indexOf(':')
            if (colon <= 0) throw SetupCodeException("root must be key_id:base64")
            val rootKey = decodeBase64(root.substring(colon + 1), "root key")
            if (rootKey.size != 65 || rootKey[0] != 0x04.toByte()) {
                throw SetupCodeException("the root key is not a 65-byte uncompressed P-256 point")
            }
            if (pins.isEmpty()) throw SetupCodeException("no certificate pin")
            val caPem = single["ca"]?.let { pem(decodeBase64(it, "CA certificate")) }
            return SetupCode(endpoint, pins, root.substring(0, colon), rootKey, caPem)
        }

        private fun decodeBase64(text: String, what: String): ByteArray = try {
            Base64.decode(text, Base64.NO_WRAP)
        } catch (e: IllegalArgumentException) {
            throw SetupCodeException("the $what is not base64")
        }

        /** DER -> PEM, 64 characters a line. */
        fun pem(der: ByteArray): String {
            val body = Base64.encodeToString(der, Base64.NO_WRAP).chunked(64).joinToString("\n")
            return "-----BEGIN CERTIFICATE-----\n$body\n-----END CERTIFICATE-----\n"
        }
    }
}

/**
 * The one pin format, everywhere (the sandbox prints it, the SDK reads it, the settings ask for
 * it): `sha256/` followed by the 64 hex digits of the SHA-256 of the certificate's
 * SubjectPublicKeyInfo. Bare hex is accepted and given the prefix. Base64 pins (OkHttp's
 * `sha256/...=` form) are refused with a message that says so.
 */
object Pins {
    private val HEX = Regex("^[0-9a-fA-F]{64}$")

    fun normalize(pin: String): String {
        val body = pin.trim().removePrefix("sha256/")
        if (HEX.matches(body)) return "sha256/" + body.lowercase()
        val hint = if (body.length == 44 && body.endsWith("=")) " (this looks like base64)" else ""
        throw SetupCodeException(
            "pin `${pin.take(80)}`: write sha256/ and 64 hex digits, as the sandbox prints it$hint",
        )
    }
}
