package org.hutong.sample

import android.content.Context
import android.util.Log
import org.hutong.CodeInfo
import org.hutong.FlowListener
import org.hutong.LogLevel
import org.hutong.Logger
import org.hutong.Money
import org.hutong.PayOptions
import org.hutong.Payments
import org.hutong.PaymentsException
import org.hutong.StateChange
import org.hutong.keystore.KeystoreSigner
import java.io.File

/**
 * The sample's payment client: Hutong's `Payments` against the sandbox from Settings, signing
 * with a Keystore key, every state change shown on screen and every log line in Logcat.
 */
class PaymentSession private constructor(
    private val payments: Payments,
    private val accountId: String,
    private val settings: SampleSettings,
    private val report: (String) -> Unit,
) : AutoCloseable {
    private var registered = false

    /** At launch: settles whatever a crash or a lost answer left open in the journal. */
    suspend fun recover(): String = History.recovered(payments.recover()).also(report)

    /** Pays a merchant's code (its own amount, or `fallback` for a code without one); returns the intent id. */
    suspend fun pay(payload: String, info: CodeInfo, fallback: Money): String {
        ensureRegistered()
        val intent = payments.pay(payload, info.amount ?: fallback, PayOptions(description = "Hutong QA app"))
        settings.historyIds = History.remember(settings.historyIds, intent.intentId)
        report("Payment ${intent.state}: paid ${intent.paid?.let(History::money) ?: "nothing"}${intent.failureCode?.let { " ($it)" } ?: ""}")
        return intent.intentId
    }

    /** Collects `amount` with a payer's code (the phone acting as the merchant's till). */
    suspend fun collect(payerCode: String, amount: Money): String {
        ensureRegistered()
        val intent = payments.collect(payerCode, amount, PayOptions(description = "Hutong QA app collect"))
        settings.historyIds = History.remember(settings.historyIds, intent.intentId)
        report("Collect ${intent.state}: ${intent.paid?.let(History::money) ?: "nothing"}${intent.failureCode?.let { " ($it)" } ?: ""}")
        return intent.intentId
    }

    /** Refunds whatever of the payment is not refunded yet. */
    suspend fun refundAll(intentId: String) {
        val refund = payments.refund(intentId, null)
        report("Refund ${refund.state}: ${History.money(refund.amount)}${refund.failureCode?.let { " ($it)" } ?: ""}")
    }

    /** The history screen: every remembered or still open intent from the journal, newest first. */
    fun history(): List<Pair<String, String>> {
        val remembered = settings.historyIds.mapNotNull { id ->
            try {
                payments.intent(id)
            } catch (_: PaymentsException.NotFound) {
                null // a journal from before a reinstall
            }
        }
        return History.merge(remembered, payments.openIntents()).map { it.intentId to History.row(it, payments.refunds(it.intentId)) }
    }

    /** The sandbox accepts any account; a real switch registers the device key out of band. */
    private suspend fun ensureRegistered() {
        if (registered) return
        payments.registerDevice(accountId)
        registered = true
    }

    override fun close() {
        payments.close()
    }

    companion object {
        private const val KEY_ALIAS = "hutong-qa-device"

        fun open(context: Context, settings: SampleSettings, report: (String) -> Unit): PaymentSession {
            val signer = KeystoreSigner.getOrCreate(context, KEY_ALIAS, settings.keyId)
            val config = SampleConfig.payments(
                settings.endpoint, settings.caPem, settings.pins, settings.serverRootKeyId,
                settings.serverRootBytes(), File(context.filesDir, "hutong-journal.sqlite").path,
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
            return PaymentSession(Payments(config, signer, listener, logger), settings.accountId, settings, report)
        }
    }
}
