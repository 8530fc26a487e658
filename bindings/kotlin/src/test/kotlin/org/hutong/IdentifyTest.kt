package org.hutong

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.math.BigDecimal

/** The shared vectors (tests/data/vectors, provenance in SOURCES.md there), read from the repo. */
object Vectors {
    /** Records the Rust vector test explains as deliberate differences; skipped here too. */
    private val exceptions = setOf(
        "emv-mpm-mercari-pass", "fps-hk-mobile-amount", "vnpay-personal-wallet", "bip21-valid-13", "bolt11-invalid-sig",
        "th-slip-verify-generated",
        "jpqr-country-not-jp", "jpqr-currency-not-392", "jpqr-lowercased-crc-invalid",
    )

    val all: List<JsonObject> by lazy {
        val file = File(System.getProperty("user.dir"), "../../tests/data/vectors/payment-codes.json")
        Json.parseToJsonElement(file.readText()).jsonArray.map { it.jsonObject }
    }

    val checkable: List<JsonObject> by lazy { all.filter { it.str("id") !in exceptions && it["payload"] is JsonPrimitive } }
}

fun JsonObject.str(key: String): String? = (this[key] as? JsonPrimitive)?.takeIf { it !is JsonNull }?.content

class IdentifyTest {
    private fun json(info: CodeInfo): JsonObject = Json.parseToJsonElement(info.json).jsonObject

    @Test
    fun `a sample of the shared vectors identifies as the records expect`() {
        // Every third record: all formats are spread through the file, the run stays short.
        val sample = Vectors.checkable.filterIndexed { i, _ -> i % 3 == 0 }
        assertTrue(sample.size >= 40, "sample of ${sample.size}")
        for (record in sample) {
            val id = record.str("id")
            val expect = record["expect"]!!.jsonObject
            val info = identify(record.str("payload")!!, null)
            val out = json(info)
            for (field in listOf("network", "presentation", "static_or_dynamic", "merchant_name", "merchant_city", "country", "mcc", "kind")) {
                val want = expect.str(field) ?: continue
                assertEquals(want, out.str(field), "$id: $field")
            }
            expect.str("amount")?.let { want ->
                val ours = out.str("amount")
                assertTrue(ours != null && BigDecimal(want).compareTo(BigDecimal(ours)) == 0, "$id: amount $want, got $ours")
            }
            expect.str("currency")?.let { want ->
                val ours = setOf(out.str("currency"), out.str("currency_alpha"), info.details["53"], info.details["currency"])
                assertTrue(want in ours, "$id: currency $want, got $ours")
            }
            (expect["valid"] as? JsonPrimitive)?.let { assertEquals(it.content.toBoolean(), info.valid, "$id: valid") }
            // The typed fields say what the JSON says.
            assertEquals(out.str("network"), info.network, "$id: typed network")
            assertEquals(out.str("amount_minor")?.toLong(), info.amount?.minor, "$id: typed amount")
            assertEquals(out.str("error_code"), info.errorCode, "$id: typed error code")
        }
    }

    private val emv = Vectors.all.first { it.str("id") == "emv-mpm-spec-example-dongri" }.str("payload")!!

    @Test
    fun `an EMV code carries typed merchant, amount, presentation and kind`() {
        val info = identify(emv, null)
        assertTrue(info.valid)
        assertEquals(Money(2372L, "CNY"), info.amount)
        assertEquals("BEST TRANSPORT", info.merchantName)
        assertEquals("BEIJING", info.merchantCity)
        assertEquals(Presentation.MERCHANT, info.presentation)
        assertEquals(CodeKind.DYNAMIC, info.staticOrDynamic)
        assertEquals("emv_mpm", info.payloadFormat)
        assertEquals(2372L, json(info)["amount_minor"]!!.jsonPrimitive.long)
        assertNull(info.route)
        assertNull(info.canPay)
    }

    @Test
    fun `raw bytes identify like the same text`() {
        val a = identify(emv, null)
        val b = identifyBytes(emv.toByteArray(), null)
        assertEquals(a.copy(json = ""), b.copy(json = ""))
    }

    @Test
    fun `a tampered CRC is invalid and flagged, not thrown`() {
        val info = identify(emv.dropLast(4) + "0000", null)
        assertFalse(info.valid)
        assertEquals("emv_crc_mismatch", info.errorCode)
        assertTrue(RiskFlag.CRC_MISMATCH in info.risk)
        assertNotNull(info.error)
    }

    @Test
    fun `a payer code where a merchant code is expected is flagged`() {
        // A WeChat Pay payer code: 18 digits starting 13.
        val info = identify("134567890123456789", IdentifyContext(expect = Expect.MERCHANT_CODE))
        assertEquals(Presentation.PAYER, info.presentation)
        assertTrue(RiskFlag.PAYER_CODE_WHERE_MERCHANT_EXPECTED in info.risk, "${info.risk}")
    }

    @Test
    fun `a wallet profile answers whether and how the wallet can pay`() {
        val info = identify(emv, IdentifyContext(walletProfileId = "qa_sample"))
        val route = info.route!!
        assertEquals("qa_sample", route.walletProfileId)
        assertEquals(route.kind != RouteKind.UNSUPPORTED, info.canPay)
        assertEquals(route.kind == RouteKind.UNSUPPORTED, route.reason != null)
        val payer = identify("134567890123456789", IdentifyContext(walletProfileId = "qa_sample"))
        assertEquals(false, payer.canPay)
    }

    @Test
    fun `an unknown wallet profile is a typed error naming the known ones`() {
        val e = assertThrows<IdentifyException.UnknownWalletProfile> {
            identify(emv, IdentifyContext(walletProfileId = "nope"))
        }
        assertTrue(e.message!!.startsWith("no wallet profile `nope` (known: "), e.message)
    }

    @Test
    fun `currency without an amount, notes and text spoofing reach the typed record`() {
        val static = identify("00020101021129370016A0000006770101110113006681222333353037645802TH63041DCF", null)
        assertNull(static.amount)
        assertEquals("THB", static.currency)
        val spoofed = identify("bitcoin:1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH?label=Tea%E2%80%AEesuoH&message=thanks", null)
        assertTrue(spoofed.valid)
        assertEquals("thanks", spoofed.note)
        assertTrue(RiskFlag.TEXT_SPOOFING in spoofed.risk, "${spoofed.risk}")
        assertEquals(listOf("options.label"), spoofed.suspiciousTextFields)
        assertFalse(spoofed.json.contains('\u202E'), spoofed.json)
    }

    @Test
    fun `a script link is not payable and says what it would do`() {
        val info = identify("javascript:alert(1)", null)
        assertFalse(info.valid)
        assertEquals("not_a_payment_code", info.errorCode)
        assertEquals(listOf(RiskFlag.SCRIPT_LINK), info.risk)
    }

    @Test
    fun `unrecognised text is an invalid code, not an exception`() {
        val info = identify("hello world", null)
        assertFalse(info.valid)
        assertNull(info.network)
        assertEquals("unrecognised", info.errorCode)
    }

}
