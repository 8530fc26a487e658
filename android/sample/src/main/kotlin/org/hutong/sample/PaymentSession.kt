package org.hutong.sample

import android.content.Context
import android.util.Base64
import android.util.Log
import org.hutong.FlowListener
import org.hutong.LogLevel
import org.hutong.Logger
import org.hutong.Money
import org.hutong.PayOptions
import org.hutong.Payments
import org.hutong.PaymentsConfig
import org.hutong.ServerRoot
import org.hutong.StateChange
import org.hutong.formatAmount
import org.hutong.keystore.KeystoreSigner
import java.io.File

/**
 * The sample's payment client: Hutong's `Payments` against the sandbox from Settings, signing
 * with a Keystore key, every state change shown on screen and every log line in Logcat.
 */
class PaymentSession private constructor(
    private val payments: Payments,
    private val accountId: String,
    private val report: (String) -> Unit,
) : AutoCloseable {
    private var registered = false

    /** Pays the scanned code (its own amount, or `fallback` for a code without one); returns the intent id. */
    suspend fun pay(code: ScannedPayment, fallback: Money): String {
        ensureRegistered()
        val amount = code.info?.amount ?: fallback
        val intent = payments.pay(code.payload, amount, PayOptions(description = "Hutong QA app"))
        val paid = intent.paid?.let(::money) ?: "nothing"
        report("Payment ${intent.state}: paid $paid${intent.failureCode?.let { " ($it)" } ?: ""}")
        return intent.intentId
    }

    /** Refunds whatever of the payment is not refunded yet. */
    suspend fun refundAll(intentId: String) {
        val refund = payments.refund(intentId, null)
        report("Refund ${refund.state}: ${money(refund.amount)}${refund.failureCode?.let { " ($it)" } ?: ""}")
    }

    /** The sandbox accepts any account; a real switch registers the device key out of band. */
    private suspend fun ensureRegistered() {
        if (registered) return
        payments.registerDevice(accountId)
        registered = true
    }

    private fun money(m: Money): String = runCatching { formatAmount(m) }.getOrElse { "${m.minor} ${m.currency}" }

    override fun close() {
        payments.close()
    }

    companion object {
        private const val KEY_ALIAS = "hutong-qa-device"

        fun open(context: Context, settings: SampleSettings, report: (String) -> Unit): PaymentSession {
            val signer = KeystoreSigner.getOrCreate(context, KEY_ALIAS, settings.keyId)
            val config = PaymentsConfig(
                endpoint = settings.endpoint,
                caPem = settings.caPem,
                spkiPins = settings.pins,
                // The journal that makes pay exactly-once across crashes lives with the app's files.
                journalPath = File(context.filesDir, "hutong-journal.sqlite").path,
                serverRoots = listOf(ServerRoot(settings.serverRootKeyId, Base64.decode(settings.serverRoot, Base64.DEFAULT))),
                walletProfileId = SampleScanning.WALLET_PROFILE,
            )
            val listener = object : FlowListener {
                override fun onStateChange(change: StateChange) {
                    when (change) {
                        is StateChange.Intent -> report("Payment ${change.intentId.take(8)}: ${change.from ?: "-"} -> ${change.to}")
                        is StateChange.Refund -> report("Refund ${change.refundId.take(8)}: ${change.from ?: "-"} -> ${change.to}")
                    }
                }
            }
            val logger = object : Logger {
                override fun log(level: LogLevel, target: String, message: String) {
                    val priority = when (level) {
                        LogLevel.ERROR -> Log.ERROR
                        LogLevel.WARN -> Log.WARN
                        LogLevel.INFO -> Log.INFO
                        LogLevel.DEBUG -> Log.DEBUG
                    }
                    Log.println(priority, "hutong", "$target: $message")
                }
            }
            report("Device key in ${signer.securityLevel()}")
            return PaymentSession(Payments(config, signer, listener, logger), settings.accountId, report)
        }
    }
}
