package org.hutong.sample

import org.hutong.RecoverOutcome
import org.hutong.IntentState
import java.io.ByteArrayInputStream
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertIs
import kotlin.test.assertNull
import kotlin.test.assertTrue

/** The sample's platform-free logic: setup codes, the pin format, scan routing, history, photos. */
/** A WeChat personal receive code: the sample's wallet profile pays these (wallets.json). */
const val WECHAT_PERSONAL = "wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd"

class SampleLogicTest {
    private val hexPin = "sha256/" + "ab".repeat(32)
    private val rootKey = ByteArray(65) { if (it == 0) 4 else it.toByte() }
    private val rootB64 = android.util.Base64.encodeToString(rootKey, android.util.Base64.NO_WRAP)

    private fun code(vararg lines: String) = (listOf(SetupCode.HEADER) + lines).joinToString("\n")

    private val good = code(
        "endpoint=https://192.168.1.10:8443",
        "pin=$hexPin",
        "root=root-1:$rootB64",
        "ca=MIIB",
        "later=a field of a later version",
    )

    @Test
    fun `a setup code gives every setting, the CA as PEM`() {
        val s = SetupCode.parse(good)
        assertEquals("https://192.168.1.10:8443", s.endpoint)
        assertEquals(listOf(hexPin), s.pins)
        assertEquals("root-1", s.rootKeyId)
        assertContentEquals(rootKey, s.rootPublicKey)
        assertEquals("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", s.caPem)
    }

    @Test
    fun `a damaged setup code is refused with what is wrong`() {
        val cases = mapOf(
            "HUTONG-SETUP:2\nendpoint=https://a" to "first line",
            code("pin=$hexPin", "root=r:$rootB64") to "no endpoint",
            code("endpoint=http://a:1", "pin=$hexPin", "root=r:$rootB64") to "https://",
            code("endpoint=https://a:1", "root=r:$rootB64") to "no certificate pin",
            code("endpoint=https://a:1", "pin=$hexPin", "root=r:BAEC") to "65-byte",
            code("endpoint=https://a:1", "pin=$hexPin", "root=$rootB64") to "key_id:base64",
            code("endpoint=https://a:1", "endpoint=https://b:1", "pin=$hexPin", "root=r:$rootB64") to "twice",
            code("endpoint=https://a:1", "pin=q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=", "root=r:$rootB64") to "base64",
            code("endpoint=https://a:1", "no equals sign") to "key=value",
            "HUTONG-SETUP:1\n" + "x".repeat(SetupCode.MAX_CHARS) to "longer",
        )
        for ((text, expected) in cases) {
            val e = assertFailsWith<SetupCodeException>(text.take(60)) { SetupCode.parse(text) }
            assertTrue(e.message!!.contains(expected), "${text.take(60)}: ${e.message}")
        }
    }

    @Test
    fun `one pin format, sha256 and hex, bare hex accepted`() {
        assertEquals(hexPin, Pins.normalize(hexPin))
        assertEquals(hexPin, Pins.normalize(" " + "AB".repeat(32) + " "))
        val e = assertFailsWith<SetupCodeException> { Pins.normalize("sha256/q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=") }
        assertTrue(e.message!!.contains("looks like base64"), e.message)
        assertFailsWith<SetupCodeException> { Pins.normalize("sha256/" + "ab".repeat(31)) }
    }

    @Test
    fun `scanned text is routed to setup, pay, collect or nothing`() {
        assertIs<ScanAction.Setup>(ScanRouting.route(good))
        assertIs<ScanAction.Unusable>(ScanRouting.route(code("endpoint=https://a:1")))
        assertIs<ScanAction.Pay>(ScanRouting.route(WECHAT_PERSONAL))
        // The sample's wallet profile has no route to Alipay: refused before Pay, with the reason.
        val alipay = assertIs<ScanAction.Unusable>(ScanRouting.route("https://qr.alipay.com/fkx12345"))
        assertTrue(alipay.summary.contains("not payable"), alipay.summary)
        assertIs<ScanAction.Collect>(ScanRouting.route("134567890123456789"))
        assertIs<ScanAction.Unusable>(ScanRouting.route("hello, world"))
    }

    @Test
    fun `history keeps the newest ids once and bounded`() {
        var ids = emptyList<String>()
        for (i in 0 until History.MAX_IDS + 10) ids = History.remember(ids, "id-$i")
        ids = History.remember(ids, "id-${History.MAX_IDS + 5}")
        assertEquals(History.MAX_IDS, ids.size)
        assertEquals("id-${History.MAX_IDS + 5}", ids.first())
        assertEquals(ids.size, ids.toSet().size)
    }

    @Test
    fun `recovery at launch is summarised`() {
        assertEquals("Journal: nothing left open", History.recovered(emptyList()))
        val text = History.recovered(
            listOf(
                RecoverOutcome.Settled("a", IntentState.SUCCEEDED),
                RecoverOutcome.NeedsReconciliation("b", "unknown"),
            ),
        )
        assertEquals("Journal: 1 settled at launch, 1 need reconciliation", text)
    }

    @Test
    fun `a photo larger than the cap is refused without reading it all`() {
        val small = ByteArray(1000) { it.toByte() }
        assertContentEquals(small, PhotoInput.readAtMost(ByteArrayInputStream(small), 1000))
        assertNull(PhotoInput.readAtMost(ByteArrayInputStream(ByteArray(1001)), 1000))
    }
}
