package org.hutong.sample

import org.hutong.AmountException
import org.hutong.CodeInfo
import org.hutong.Money
import org.hutong.ScanOptions
import org.hutong.HutongScanner
import org.hutong.formatAmount
import org.hutong.parseAmount

/** The sample's scanner setup and the one-line description of an identified code. */
object SampleScanning {
    /** The wallet profile the sandbox acquirer accepts (fills `route` / `canPay`). */
    const val WALLET_PROFILE = "qa_sample"

    /** Camera defaults: QR and Code 128, dark-mode codes too, at most 150 ms per frame. */
    fun newScanner(): HutongScanner = HutongScanner(ScanOptions(alsoInverted = true))

    /** "12.50 CNY" -> Money (minor units), null when it does not parse. */
    fun parseMoney(text: String): Money? {
        val parts = text.trim().split(Regex("\\s+"))
        if (parts.size != 2) return null
        return try {
            parseAmount(parts[0], parts[1].uppercase())
        } catch (_: AmountException) {
            null
        }
    }

    fun describe(info: CodeInfo): String {
        val network = info.networkName ?: info.network ?: "unknown network"
        val amount = info.amount?.let { money ->
            runCatching { formatAmount(money) }.getOrElse { "${money.minor} minor units of ${money.currency}" }
        } ?: "no amount (${info.staticOrDynamic.name.lowercase()})"
        val merchant = info.merchantName?.let { " · $it" } ?: ""
        val risk = if (info.risk.isEmpty()) "" else " · ⚠ ${info.risk.joinToString { it.name }}"
        val route = when (info.canPay) {
            true -> " · payable"
            false -> " · not payable: ${info.route?.reason ?: "no route"}"
            null -> ""
        }
        val invalid = if (info.valid) "" else " · invalid: ${info.error}"
        return "$network · $amount$merchant$route$risk$invalid"
    }
}
