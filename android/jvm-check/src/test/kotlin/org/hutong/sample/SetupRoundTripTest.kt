package org.hutong.sample

import kotlinx.coroutines.runBlocking
import org.hutong.Direction
import org.hutong.IntentState
import org.hutong.Money
import org.hutong.Payments
import org.hutong.RefundState
import org.hutong.ScanOptions
import org.hutong.HutongScanner
import org.hutong.Symbology
import org.hutong.renderCode
import org.hutong.testing.SandboxProcess
import org.hutong.testing.SoftwareSigner
import java.nio.file.Files
import java.util.TimeZone
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertIs
import kotlin.test.assertTrue

/**
 * The lab flow's phone side against a real sandbox (`hutong-qa sandbox --ready-json`): its setup
 * code, drawn as a QR code and scanned back by the SDK, routed and parsed by the sample, is all
 * the configuration the wallet needs to recover, pay a merchant code, collect with a payer
 * code, refund, and list its history from the journal.
 */
class SetupRoundTripTest {
    private val sandbox = SandboxProcess()
    private val ready = sandbox.ready

    @AfterTest
    fun stop() = sandbox.close()

    @Test
    fun `the setup code configures a wallet that pays, collects, refunds and lists its history`() = runBlocking {
        val text = ready.getString("setup_code")
        // What the console draws, scanned back as a phone's camera or photo picker would.
        val png = checkNotNull(renderCode(text, Symbology.QR, 4u).png) { "the full build encodes PNG" }
        val scanned = HutongScanner(ScanOptions(budgetMs = 5000u)).use { it.decodeImage(png) }.single().text
        assertEquals(text, scanned)
        val setup = assertIs<ScanAction.Setup>(ScanRouting.route(scanned)).code
        // The same values the sandbox prints, in the same formats.
        assertEquals(ready.getString("endpoint"), setup.endpoint)
        assertEquals(listOf(ready.getString("spki_pin")), setup.pins)
        assertEquals(ready.getString("root_key_id"), setup.rootKeyId)
        assertEquals(ready.getString("ca_pem").trim(), setup.caPem!!.trim())

        val journal = Files.createTempDirectory("hutong-journal").resolve("journal.sqlite").toString()
        Payments(SampleConfig.payments(setup, journal), SoftwareSigner("jvm-${System.nanoTime()}"), null, null).use { payments ->
            assertEquals("Journal: nothing left open", History.recovered(payments.recover()))
            payments.registerDevice("qa-account")
            val merchant = assertIs<ScanAction.Pay>(ScanRouting.route(WECHAT_PERSONAL))
            val paid = payments.pay(merchant.payload, Money(1234, "CNY"), org.hutong.PayOptions())
            assertEquals(IntentState.SUCCEEDED, paid.state)
            val payer = assertIs<ScanAction.Collect>(ScanRouting.route("134567890123456789"))
            val collected = payments.collect(payer.payload, Money(500, "CNY"), org.hutong.PayOptions())
            assertEquals(IntentState.SUCCEEDED, collected.state)
            assertEquals(Direction.COLLECT, collected.direction)
            val refund = payments.refund(paid.intentId, null)
            assertEquals(RefundState.SUCCEEDED, refund.state)

            var ids = emptyList<String>()
            for (id in listOf(paid.intentId, collected.intentId)) ids = History.remember(ids, id)
            val rows = History.merge(ids.map { payments.intent(it) }, payments.openIntents())
                .map { History.row(it, payments.refunds(it.intentId), TimeZone.getTimeZone("UTC")) }
            assertEquals(2, rows.size)
            // What was paid (after the sandbox's promotion), all of it refunded.
            val paidText = "${History.money(paid.paid!!)} paid, ${History.money(paid.paid!!)} refunded"
            assertTrue(rows.any { it.contains("· pay · succeeded · $paidText · wechat_pay") }, rows.toString())
            assertTrue(rows.any { it.contains("· collect · succeeded · 5.00 CNY paid") }, rows.toString())
        }
    }
}
