package org.hutong.sample

import org.hutong.Direction
import org.hutong.Intent
import org.hutong.Money
import org.hutong.RecoverOutcome
import org.hutong.Refund
import org.hutong.RefundState
import org.hutong.formatAmount
import java.text.SimpleDateFormat
import java.util.Date
import java.util.Locale
import java.util.TimeZone

/**
 * The history screen's logic, from the payment journal: which intents to list (the ids the app
 * remembered plus whatever the journal still has open), one line per payment, and what
 * `recover()` did at launch.
 */
object History {
    /** Ids kept in the app's preferences, newest first. */
    const val MAX_IDS = 200

    /** The id list after a new payment: newest first, no duplicates, at most [MAX_IDS]. */
    fun remember(ids: List<String>, id: String): List<String> = (listOf(id) + ids.filter { it != id }).take(MAX_IDS)

    /** Remembered intents and open ones (an app killed before it stored the id), newest first. */
    fun merge(remembered: List<Intent>, open: List<Intent>): List<Intent> =
        (remembered + open).distinctBy { it.intentId }.sortedByDescending { it.createdAtMs }

    fun row(intent: Intent, refunds: List<Refund>, zone: TimeZone = TimeZone.getDefault()): String {
        val time = SimpleDateFormat("yyyy-MM-dd HH:mm:ss", Locale.ROOT).apply { timeZone = zone }
            .format(Date(intent.createdAtMs))
        val direction = if (intent.direction == Direction.COLLECT) "collect" else "pay"
        val paid = intent.paid?.let { "${money(it)} paid" } ?: "${money(intent.amount)} asked"
        val refunded = if (intent.refunded.minor > 0) ", ${money(intent.refunded)} refunded" else ""
        val pending = refunds.count { it.state == RefundState.REQUESTED || it.state == RefundState.PROCESSING }
        val pendingText = if (pending > 0) ", $pending refund(s) pending" else ""
        val network = intent.network?.let { " · $it" } ?: ""
        val failure = intent.failureCode?.let { " ($it)" } ?: ""
        val flag = if (intent.needsReconciliation) " · needs reconciliation" else ""
        return "$time · $direction · ${intent.state.name.lowercase()}$failure · $paid$refunded$pendingText$network$flag" +
            " · ${intent.intentId.take(8)}"
    }

    /** What launch-time recovery settled, for the status line. */
    fun recovered(outcomes: List<RecoverOutcome>): String {
        if (outcomes.isEmpty()) return "Journal: nothing left open"
        val settled = outcomes.count { it is RecoverOutcome.Settled || it is RecoverOutcome.RefundSettled }
        val review = outcomes.count { it is RecoverOutcome.NeedsReconciliation }
        return "Journal: $settled settled at launch" + if (review > 0) ", $review need reconciliation" else ""
    }

    /** "12.34 CNY"; minor units when the currency is unknown. */
    fun money(m: Money): String = runCatching { "${formatAmount(m)} ${m.currency}" }.getOrElse { "${m.minor} minor units of ${m.currency}" }
}
