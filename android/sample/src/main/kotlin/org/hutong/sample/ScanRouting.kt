package org.hutong.sample

import org.hutong.CodeInfo
import org.hutong.IdentifyContext
import org.hutong.IdentifyException
import org.hutong.Presentation
import org.hutong.identify

/** What the wallet does with a scanned (or picked) code. */
sealed class ScanAction {
    abstract val payload: String
    abstract val summary: String

    /** The QA console's phone setup code: apply it to Settings. */
    class Setup(override val payload: String, val code: SetupCode) : ScanAction() {
        override val summary get() = "Setup code for ${code.endpoint}: tap Apply setup"
    }

    /** A merchant's code: the user pays it. */
    class Pay(override val payload: String, val info: CodeInfo, override val summary: String) : ScanAction()

    /** A payer's code (a customer's pay code): the phone, as the merchant, collects with it. */
    class Collect(override val payload: String, val info: CodeInfo, override val summary: String) : ScanAction()

    /** Nothing the wallet can act on; [summary] says why. */
    class Unusable(override val payload: String, override val summary: String) : ScanAction()
}

/** Decides, without any Android API, what a scanned text is for. */
object ScanRouting {
    fun route(payload: String): ScanAction {
        if (SetupCode.looksLikeSetupCode(payload)) {
            return try {
                ScanAction.Setup(payload, SetupCode.parse(payload))
            } catch (e: SetupCodeException) {
                ScanAction.Unusable(payload, "Setup code: ${e.message}")
            }
        }
        val info = try {
            identify(payload, IdentifyContext(walletProfileId = SampleScanning.WALLET_PROFILE))
        } catch (e: IdentifyException) {
            return ScanAction.Unusable(payload, "Cannot identify: ${e.message}")
        }
        val summary = SampleScanning.describe(info)
        return when {
            !info.valid -> ScanAction.Unusable(payload, summary)
            info.presentation == Presentation.PAYER -> ScanAction.Collect(payload, info, "Payer code · $summary")
            // The wallet profile has no route to this network: say so before the user taps Pay.
            info.presentation == Presentation.MERCHANT && info.canPay == false -> ScanAction.Unusable(payload, summary)
            info.presentation == Presentation.MERCHANT -> ScanAction.Pay(payload, info, summary)
            else -> ScanAction.Unusable(payload, "Not a payment code · $summary")
        }
    }
}
