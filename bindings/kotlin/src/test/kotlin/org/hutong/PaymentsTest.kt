package org.hutong

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonObject
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import kotlin.test.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.io.BufferedReader
import java.io.File
import java.math.BigInteger
import java.nio.file.Files
import java.security.KeyPair
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.Base64
import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.TimeUnit

/** A device key the way an app holds one in Android Keystore: EC P-256, SHA256withECDSA (DER). */
class JcaSigner(private val id: String) : Signer {
    private val pair: KeyPair = KeyPairGenerator.getInstance("EC").run {
        initialize(ECGenParameterSpec("secp256r1"))
        generateKeyPair()
    }

    override fun keyId(): String = id

    /** Uncompressed SEC1: 0x04 || X || Y, each coordinate left-padded to 32 bytes. */
    override fun publicKey(): ByteArray {
        val w = (pair.public as ECPublicKey).w
        fun coord(v: BigInteger): ByteArray = v.toByteArray().let { b ->
            when {
                b.size == 32 -> b
                b.size > 32 -> b.copyOfRange(b.size - 32, b.size)
                else -> ByteArray(32 - b.size) + b
            }
        }
        return byteArrayOf(0x04) + coord(w.affineX) + coord(w.affineY)
    }

    override suspend fun sign(message: ByteArray): ByteArray =
        Signature.getInstance("SHA256withECDSA").run {
            initSign(pair.private)
            update(message)
            sign()
        }
}

/** Records every state change, as a UI would. */
class Recorder : FlowListener {
    val changes = ConcurrentLinkedQueue<StateChange>()
    override fun onStateChange(change: StateChange) {
        changes.add(change)
    }

    fun intentPath(id: String): List<IntentState> =
        changes.filterIsInstance<StateChange.Intent>().filter { it.intentId == id }.map { it.to }

    fun refundPath(id: String): List<RefundState> =
        changes.filterIsInstance<StateChange.Refund>().filter { it.refundId == id }.map { it.to }
}

/** The sandbox acquirer as a child process on loopback, over TLS. */
class Sandbox : AutoCloseable {
    private val process: Process
    val endpoint: String
    val caPem: String
    val spkiPin: String
    val rootKeyId: String
    val rootPublicKey: ByteArray

    init {
        val root = File(System.getProperty("user.dir"), "../..").canonicalFile
        val target = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: File(root, "target")
        val binary = File(target, "debug/hutong-qa")
        check(binary.canExecute()) { "$binary is missing: run `cargo build -p hutong-qa` (cargo xtask test does)" }
        val data = Files.createTempDirectory("hutong-sandbox").toFile()
        process = ProcessBuilder(binary.path, "sandbox", "--ready-json")
            .directory(data)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        val ready = process.inputStream.bufferedReader().let { r: BufferedReader -> r.readLine() }
            ?: error("sandbox exited before its ready line (exit ${process.waitFor()})")
        val j = Json.parseToJsonElement(ready).jsonObject
        endpoint = j.str("endpoint")!!
        caPem = j.str("ca_pem")!!
        spkiPin = j.str("spki_pin")!!
        rootKeyId = j.str("root_key_id")!!
        rootPublicKey = Base64.getDecoder().decode(j.str("root_public_key")!!)
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PaymentsTest {
    private val merchantCode = "https://payapp.weixin.qq.com/qr/AbCdEf"
    private val payerCode = "134567890123456789"
    private lateinit var sandbox: Sandbox
    private lateinit var payments: Payments
    private val recorder = Recorder()
    private val journal = Files.createTempDirectory("hutong-journal").resolve("journal.sqlite").toString()

    private fun cny(minor: Long) = Money(minor, "CNY")
    private fun scenario(name: String) = PayOptions(description = "kotlin test", sandboxScenario = name)

    private fun config(path: String = journal) = PaymentsConfig(
        endpoint = sandbox.endpoint,
        caPem = sandbox.caPem,
        spkiPins = listOf(sandbox.spkiPin),
        journalPath = path,
        serverRoots = listOf(ServerRoot(sandbox.rootKeyId, sandbox.rootPublicKey)),
        timings = PaymentTimings(sandbox = true),
    )

    @BeforeAll
    fun start() = runBlocking {
        sandbox = Sandbox()
        payments = Payments(config(), JcaSigner("kotlin-${System.nanoTime()}"), recorder, null)
        payments.registerDevice("acct-kotlin")
    }

    @AfterAll
    fun stop() {
        if (::payments.isInitialized) payments.close()
        if (::sandbox.isInitialized) sandbox.close()
    }

    @Test
    fun `funding sources come from the switch`() = runBlocking {
        val sources = payments.fundingSources()
        assertTrue(sources.any { it.id == "balance" }, "$sources")
    }

    @Test
    fun `pay succeeds with consistent amounts, a receipt, and every state reported`() = runBlocking {
        val intent = payments.pay(merchantCode, cny(2372), scenario("success"))
        assertEquals(IntentState.SUCCEEDED, intent.state)
        assertEquals(cny(2372), intent.original)
        assertEquals(2372L - intent.discount!!.minor, intent.payable!!.minor)
        assertEquals(intent.payable, intent.paid)
        assertEquals("wechat_pay:direct", intent.routeRequested)
        val receipt = assertNotNull(intent.receipt)
        assertEquals(intent.intentId, receipt.intentId)
        assertEquals(intent.payable, receipt.payable)
        assertEquals(
            listOf(IntentState.CREATED, IntentState.SUBMITTING, IntentState.SUCCEEDED),
            recorder.intentPath(intent.intentId),
        )
    }

    @Test
    fun `a payer who confirms on the phone is settled by polling`() = runBlocking {
        val intent = payments.pay(merchantCode, cny(1000), scenario("user_paying"))
        assertEquals(IntentState.SUCCEEDED, intent.state)
        assertTrue(IntentState.USER_PAYING in recorder.intentPath(intent.intentId))
        assertEquals(IntentState.SUCCEEDED, payments.status(intent.intentId).state)
    }

    @Test
    fun `insufficient funds is a failed intent with its code, not an exception`() = runBlocking {
        val intent = payments.pay(merchantCode, cny(1000), scenario("insufficient_funds"))
        assertEquals(IntentState.FAILED, intent.state)
        assertEquals("INSUFFICIENT_FUNDS", intent.failureCode)
    }

    @Test
    fun `collect with a payer code keeps only its last four digits`() = runBlocking {
        val intent = payments.collect(payerCode, cny(1500), scenario("success"))
        assertEquals(Direction.COLLECT, intent.direction)
        assertEquals(IntentState.SUCCEEDED, intent.state)
        assertEquals("••••6789", intent.payerCodeMasked)
        assertEquals(cny(1500), intent.paid)
    }

    @Test
    fun `refund in part, then the rest, then nothing is left`() = runBlocking {
        val intent = payments.pay(merchantCode, cny(3000), scenario("success"))
        val paid = intent.paid!!.minor
        val part = payments.refund(intent.intentId, cny(1000))
        assertEquals(RefundState.SUCCEEDED, part.state)
        assertEquals(listOf(RefundState.REQUESTED, RefundState.SUCCEEDED), recorder.refundPath(part.refundId))
        val rest = payments.refund(intent.intentId, null)
        assertEquals(cny(paid - 1000), rest.amount)
        assertEquals(cny(paid), payments.status(intent.intentId).refunded)
        assertThrows<PaymentsException.InvalidInput> { runBlocking { payments.refund(intent.intentId, null) } }
    }

    @Test
    fun `an unknown intent id is a typed not-found error`() {
        assertThrows<PaymentsException.NotFound> { runBlocking { payments.status("no-such-intent") } }
    }

    @Test
    fun `many concurrent pays from coroutines each settle exactly once`() = runBlocking {
        val intents = (1..24).map { i ->
            async(Dispatchers.Default) { payments.pay(merchantCode, cny(100L + i), scenario("success")) }
        }.awaitAll()
        assertEquals(24, intents.map { it.intentId }.toSet().size)
        assertTrue(intents.all { it.state == IntentState.SUCCEEDED }, "${intents.map { it.state }}")
        assertEquals((1..24).map { 100L + it }.toSet(), intents.map { it.original!!.minor }.toSet())
    }

    @Test
    fun `cancelling the coroutine leaves no unknown payment once cancel() is called`() = runBlocking {
        val own = Recorder()
        Payments(config(Files.createTempDirectory("hutong-cancel").resolve("j.sqlite").toString()),
            JcaSigner("kotlin-cancel-${System.nanoTime()}"), own, null).use { p ->
            p.registerDevice("acct-kotlin")
            val job = launch(Dispatchers.Default) { p.pay(merchantCode, cny(1000), scenario("user_paying_forever")) }
            // Wait until the intent exists, then close the "screen".
            withTimeout(10_000) { while (own.changes.none { it is StateChange.Intent }) delay(10) }
            job.cancelAndJoin()
            val id = (own.changes.first { it is StateChange.Intent } as StateChange.Intent).intentId
            assertEquals(listOf(id), p.openIntents().map { it.intentId })
            val cancelled = p.cancel(id)
            assertEquals(IntentState.REVERSED, cancelled.state)
            assertTrue(p.openIntents().isEmpty())
            assertEquals(IntentState.REVERSED, p.status(id).state)
        }
    }

    @Test
    fun `a signer that throws surfaces as a typed signer error`() {
        val locked = object : Signer {
            val inner = JcaSigner("kotlin-locked")
            override fun keyId() = inner.keyId()
            override fun publicKey() = inner.publicKey()
            override suspend fun sign(message: ByteArray): ByteArray = throw SignerException.Failed("user authentication required")
        }
        Payments(config(Files.createTempDirectory("hutong-locked").resolve("j.sqlite").toString()), locked, null, null).use { p ->
            val e = assertThrows<PaymentsException.Signer> { runBlocking { p.fundingSources() } }
            assertTrue(e.message!!.contains("user authentication required"), e.message)
        }
    }

    @Test
    fun `a wrong SPKI pin refuses the connection`() {
        val cfg = config(Files.createTempDirectory("hutong-pin").resolve("j.sqlite").toString())
            .copy(spkiPins = listOf("00".repeat(32)))
        Payments(cfg, JcaSigner("kotlin-pin"), null, null).use { p ->
            assertThrows<PaymentsException> { runBlocking { p.fundingSources() } }
        }
    }
}
