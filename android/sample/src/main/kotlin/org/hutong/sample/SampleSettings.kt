package org.hutong.sample

import android.content.Context
import android.util.Base64

/**
 * The sandbox the QA app pays against, kept in SharedPreferences: filled by scanning the QA
 * console's setup code ([apply]) or typed in SettingsActivity.
 */
class SampleSettings(context: Context) {
    private val prefs = context.getSharedPreferences("hutong-sample", Context.MODE_PRIVATE)

    /** `https://host:port` of the sandbox acquirer (hutong-qa sandbox prints it). */
    var endpoint: String
        get() = prefs.getString(KEY_ENDPOINT, "") ?: ""
        set(v) = prefs.edit().putString(KEY_ENDPOINT, v.trim()).apply()

    /** The sandbox's self-signed CA certificate, PEM. */
    var caPem: String
        get() = prefs.getString(KEY_CA, "") ?: ""
        set(v) = prefs.edit().putString(KEY_CA, v.trim()).apply()

    /** SPKI pins, `sha256/` + 64 hex digits (the one format, [Pins]), one per line. */
    var pins: List<String>
        get() = (prefs.getString(KEY_PINS, "") ?: "").lines().map { it.trim() }.filter { it.isNotEmpty() }
        set(v) = prefs.edit().putString(KEY_PINS, v.joinToString("\n")).apply()

    /** Id of the switch's response-signing root key, as the sandbox prints it (`root_key_id`). */
    var serverRootKeyId: String
        get() = prefs.getString(KEY_ROOT_ID, "") ?: ""
        set(v) = prefs.edit().putString(KEY_ROOT_ID, v.trim()).apply()

    /** The switch's response-signing root public key (base64 of the 65-byte point), as the sandbox prints it. */
    var serverRoot: String
        get() = prefs.getString(KEY_ROOT, "") ?: ""
        set(v) = prefs.edit().putString(KEY_ROOT, v.trim()).apply()

    fun serverRootBytes(): ByteArray = try {
        Base64.decode(serverRoot, Base64.NO_WRAP)
    } catch (_: IllegalArgumentException) {
        throw SetupCodeException("Settings: the root public key is not base64")
    }

    /** Amount paid for codes that carry none (static codes) and collected from payer codes, e.g. "12.50 CNY". */
    var fallbackAmount: String
        get() = prefs.getString(KEY_AMOUNT, "10.00 CNY") ?: "10.00 CNY"
        set(v) = prefs.edit().putString(KEY_AMOUNT, v.trim()).apply()

    /** Id of this device's Keystore key at the acquirer, and the account it registers for. */
    var keyId: String
        get() = prefs.getString(KEY_KEY_ID, "qa-device-1") ?: "qa-device-1"
        set(v) = prefs.edit().putString(KEY_KEY_ID, v.trim()).apply()

    var accountId: String
        get() = prefs.getString(KEY_ACCOUNT, "qa-account") ?: "qa-account"
        set(v) = prefs.edit().putString(KEY_ACCOUNT, v.trim()).apply()

    /** Intents this app made, newest first, for the history screen ([History.remember]). */
    var historyIds: List<String>
        get() = (prefs.getString(KEY_HISTORY, "") ?: "").split(',').filter { it.isNotEmpty() }
        set(v) = prefs.edit().putString(KEY_HISTORY, v.joinToString(",")).apply()

    val isComplete: Boolean
        get() = endpoint.startsWith("https://") && pins.isNotEmpty() &&
            serverRootKeyId.isNotEmpty() && serverRoot.isNotEmpty()

    /** Takes everything a scanned setup code carries. */
    fun apply(setup: SetupCode) {
        endpoint = setup.endpoint
        caPem = setup.caPem ?: ""
        pins = setup.pins
        serverRootKeyId = setup.rootKeyId
        serverRoot = Base64.encodeToString(setup.rootPublicKey, Base64.NO_WRAP)
    }

    private companion object {
        const val KEY_ENDPOINT = "endpoint"
        const val KEY_CA = "ca_pem"
        const val KEY_PINS = "pins"
        const val KEY_ROOT = "server_root"
        const val KEY_ROOT_ID = "server_root_key_id"
        const val KEY_AMOUNT = "fallback_amount"
        const val KEY_KEY_ID = "key_id"
        const val KEY_ACCOUNT = "account_id"
        const val KEY_HISTORY = "history_ids"
    }
}
