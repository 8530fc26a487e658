package org.hutong

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.nio.file.Files
import java.util.Base64

/**
 * Signed registry bundles from Kotlin: the committed test-only fixtures (tests/data/registry,
 * made with `hutong-qa registry sign`, see the README there) installed, refused, persisted and
 * used to identify and pay-route a network that only the bundle defines.
 */
class RegistryBundleTest {
    private val fixtures = File(System.getProperty("user.dir"), "../../tests/data/registry")
    private fun bundle(name: String): ByteArray = File(fixtures, name).readBytes()

    /** `key_id:base64`, as `hutong-qa registry keygen` prints the pin. */
    private val pins: List<RegistryKey> by lazy {
        val (id, key) = File(fixtures, "pin.txt").readText().trim().split(":", limit = 2)
        listOf(RegistryKey(id, Base64.getDecoder().decode(key)))
    }

    /** The made-up bank's wallet URL: a plain web link for the built-in table. */
    private val bankUrl = "https://pay.hutong-test-bank.example/qr/M12345"

    /** The same bank's EMVCo code; its GUID is named by bundle version 2 only. */
    private val bankEmv =
        "00020101021126320019ORG.HUTONG.TESTBANK0105123455204541153031565802CN5904Shop6007Beijing6304E31C"

    private fun storage(): File = Files.createTempDirectory("hutong-registry").toFile().resolve("registry.bundle")

    private fun myWallet() = IdentifyContext(expect = Expect.MERCHANT_CODE, walletProfileId = "my_wallet")

    @Test
    fun `an installed bundle identifies a network only it defines and is found again after a restart`() {
        val file = storage()
        PaymentRegistry(pinnedKeys = pins, storagePath = file.path).use { registry ->
            val before = registry.info()
            assertEquals(RegistrySource.BUILT_IN, before.source)
            assertEquals(0uL, before.version)
            assertNull(before.fallbackReason)
            assertEquals("unknown_url", registry.identify(bankUrl, null).network)
            assertEquals("emvco_mpm", registry.identify(bankEmv, null).network)

            val info = registry.install(bundle("bundle-v2.json"))
            assertEquals(2uL, info.version)
            assertEquals(RegistrySource.BUNDLE, info.source)
            assertEquals(1767312000L, info.issuedAt)
            assertEquals(pins[0].keyId, info.keyId)
            assertTrue("hutong_test_bank" in info.networkIds, "${info.networkIds}")
            assertTrue("my_wallet" in info.walletProfileIds, "${info.walletProfileIds}")

            for (payload in listOf(bankUrl, bankEmv)) {
                val code = registry.identify(payload, myWallet())
                assertEquals("hutong_test_bank", code.network, payload)
                assertEquals("Hutong Test Bank", code.networkName)
                assertTrue(code.valid, "$payload: ${code.error}")
                assertEquals(RouteKind.DIRECT, code.route!!.kind)
                assertEquals(true, code.canPay)
            }
            assertTrue(file.exists())
        }

        // A new object on the same file: the bundle is back without installing it again.
        PaymentRegistry(pinnedKeys = pins, storagePath = file.path).use { again ->
            val info = again.info()
            assertEquals(2uL, info.version)
            assertEquals(RegistrySource.BUNDLE, info.source)
            assertEquals("hutong_test_bank", again.identify(bankEmv, null).network)
            // Installing the same bundle again changes nothing.
            assertEquals(2uL, again.install(bundle("bundle-v2.json")).version)
        }
    }

    @Test
    fun `an older or a tampered bundle is refused and the installed one stays`() {
        PaymentRegistry(pinnedKeys = pins, storagePath = storage().path).use { registry ->
            registry.install(bundle("bundle-v2.json"))

            val older = assertThrows<PaymentRegistryException.Rollback> {
                registry.install(bundle("bundle-v1.json"))
            }
            assertTrue(older.message!!.contains("older"), older.message)

            // Bump the version inside the signed content, keep the signature.
            val envelope = Json.parseToJsonElement(String(bundle("bundle-v2.json"))).jsonObject
            val content = String(Base64.getDecoder().decode(envelope["content"]!!.jsonPrimitive.content))
            assertTrue(content.contains("\"version\":2"), content)
            val bumped = content.replace("\"version\":2", "\"version\":3")
            val tampered = JsonObject(
                envelope + ("content" to JsonPrimitive(Base64.getEncoder().encodeToString(bumped.toByteArray()))),
            ).toString().toByteArray()
            assertThrows<PaymentRegistryException.BadSignature> { registry.install(tampered) }

            assertThrows<PaymentRegistryException.Malformed> { registry.install("not a bundle".toByteArray()) }
            assertEquals(2uL, registry.info().version)
        }
    }

    @Test
    fun `a bundle signed by a key the app did not pin is refused`() {
        val other = listOf(RegistryKey("some-other-key", pins[0].publicKey))
        PaymentRegistry(pinnedKeys = other).use { registry ->
            assertThrows<PaymentRegistryException.UnknownKey> { registry.install(bundle("bundle-v2.json")) }
            assertEquals(RegistrySource.BUILT_IN, registry.info().source)
        }
    }

    @Test
    fun `a corrupt stored bundle falls back to the built-in table and says why`() {
        val file = storage()
        file.writeText("{\"content\": \"truncated")
        PaymentRegistry(pinnedKeys = pins, storagePath = file.path).use { registry ->
            val info = registry.info()
            assertEquals(RegistrySource.BUILT_IN, info.source)
            assertNotNull(info.fallbackReason)
            assertEquals("unknown_url", registry.identify(bankUrl, null).network)
            // A good bundle replaces the corrupt file.
            assertEquals(2uL, registry.install(bundle("bundle-v2.json")).version)
        }
    }

    @Test
    fun `the app's own wallet profile answers walletProfileId, in identify and in Payments`() {
        val profile = """{"id": "my_wallet", "name": "My Wallet", "direct": ["unionpay"], "interconnects": []}"""
        val unionPay = "https://qr.95516.com/00010000/62222398601660103592632963215836"
        PaymentRegistry(pinnedKeys = emptyList(), walletProfileJson = profile).use { registry ->
            val code = registry.identify(unionPay, myWallet())
            assertEquals("unionpay", code.network)
            assertEquals(true, code.canPay)
            assertEquals("my_wallet", registry.info().walletProfileIds.first())
            // The free function knows only the built-in profiles.
            assertThrows<IdentifyException.UnknownWalletProfile> { identify(unionPay, myWallet()) }

            val journal = Files.createTempDirectory("hutong-registry-journal").toFile()
            val roots = listOf(ServerRoot("root", byteArrayOf(0x04) + ByteArray(64) { 1 }))
            fun config(registry: PaymentRegistry?) = PaymentsConfig(
                endpoint = "https://127.0.0.1:9",
                journalPath = File(journal, "j-${registry != null}.sqlite").path,
                serverRoots = roots,
                walletProfileId = "my_wallet",
                registry = registry,
            )
            assertThrows<PaymentsException.InvalidConfig> { Payments(config(null), JcaSigner("dev"), null, null) }
            Payments(config(registry), JcaSigner("dev"), null, null).close()
        }
    }
}
