package org.hutong.http

import kotlinx.coroutines.runBlocking
import okhttp3.CertificatePinner
import okhttp3.OkHttpClient
import okhttp3.mockwebserver.MockResponse
import okhttp3.mockwebserver.MockWebServer
import okhttp3.mockwebserver.SocketPolicy
import okhttp3.tls.HandshakeCertificates
import okhttp3.tls.HeldCertificate
import org.hutong.HttpHeader
import org.hutong.HttpRequest
import org.hutong.HttpTransportException
import org.hutong.IntentState
import org.hutong.Money
import org.hutong.PayOptions
import org.hutong.Payments
import org.hutong.PaymentsConfig
import org.hutong.PaymentsException
import org.hutong.RefundState
import org.hutong.ServerRoot
import org.hutong.testing.SandboxProcess
import org.hutong.testing.SoftwareSigner
import org.json.JSONObject
import java.io.ByteArrayInputStream
import java.net.ServerSocket
import java.nio.file.Files
import java.security.KeyStore
import java.security.cert.CertificateFactory
import java.security.cert.X509Certificate
import java.util.Base64
import javax.net.ssl.SSLContext
import javax.net.ssl.TrustManagerFactory
import javax.net.ssl.X509TrustManager
import kotlin.test.AfterTest
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

/**
 * The OkHttp adapter as an app uses it: a payment and its refund against the real sandbox over
 * TLS, trust and pin in OkHttp; and the one question the flow asks of a failed call, "might the
 * switch have it?", answered on real sockets that fail before, during and after the request.
 */
class OkHttpTransportTest {
    private val servers = mutableListOf<AutoCloseable>()

    @AfterTest
    fun stop() = servers.forEach { it.close() }

    private fun sandbox(): JSONObject = SandboxProcess().also { servers += it }.ready

    /** OkHttp trusting only `caPem`, as a Network Security Config with its own roots would. */
    private fun trusting(caPem: String): OkHttpClient.Builder {
        val certs = CertificateFactory.getInstance("X.509")
            .generateCertificates(ByteArrayInputStream(caPem.toByteArray()))
        val store = KeyStore.getInstance(KeyStore.getDefaultType()).apply {
            load(null)
            certs.forEachIndexed { i, c -> setCertificateEntry("ca$i", c as X509Certificate) }
        }
        val tm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm())
            .apply { init(store) }.trustManagers.single() as X509TrustManager
        val tls = SSLContext.getInstance("TLS").apply { init(null, arrayOf(tm), null) }
        return OkHttpClient.Builder().sslSocketFactory(tls.socketFactory, tm)
    }

    private fun hexToBase64(hex: String): String =
        Base64.getEncoder().encodeToString(
            hex.removePrefix("sha256/").chunked(2).map { it.toInt(16).toByte() }.toByteArray(),
        )

    private fun config(ready: JSONObject, journal: String) = PaymentsConfig(
        endpoint = ready.getString("endpoint"),
        journalPath = journal,
        serverRoots = listOf(
            ServerRoot(ready.getString("root_key_id"), Base64.getDecoder().decode(ready.getString("root_public_key"))),
        ),
    )

    private fun get(url: String, timeoutMs: Long = 5_000, max: Long = 1_024) = HttpRequest(
        method = "GET",
        url = url,
        headers = listOf(HttpHeader("Accept", "application/json")),
        body = ByteArray(0),
        timeoutMs = timeoutMs.toULong(),
        maxResponseBytes = max.toULong(),
    )

    @Test
    fun `a payment and its refund travel over OkHttp with the app's trust and pin`() = runBlocking {
        val ready = sandbox()
        val host = java.net.URI(ready.getString("endpoint")).host
        val client = trusting(ready.getString("ca_pem"))
            .certificatePinner(
                CertificatePinner.Builder()
                    .add(host, "sha256/" + hexToBase64(ready.getString("spki_pin")))
                    .build(),
            )
            .build()
        val journal = Files.createTempDirectory("hutong-journal").resolve("journal.sqlite").toString()
        val signer = SoftwareSigner("okhttp-${System.nanoTime()}")
        Payments.withHttpTransport(config(ready, journal), signer, OkHttpTransport(client), null, null).use { p ->
            p.recover()
            p.registerDevice("qa-account")
            val paid = p.pay("https://payapp.weixin.qq.com/qr/AbCdEf", Money(1234, "CNY"), PayOptions())
            assertEquals(IntentState.SUCCEEDED, paid.state)
            assertEquals(RefundState.SUCCEEDED, p.refund(paid.intentId, null).state)
        }
    }

    @Test
    fun `trust and pins are the app's stack's, and the endpoint is an origin`() {
        val ready = sandbox()
        val journal = Files.createTempDirectory("hutong-journal").resolve("journal.sqlite").toString()
        val transport = OkHttpTransport(OkHttpClient())
        for (bad in listOf(
            config(ready, journal).copy(caPem = ready.getString("ca_pem")),
            config(ready, journal).copy(spkiPins = listOf(ready.getString("spki_pin"))),
            config(ready, journal).copy(endpoint = ready.getString("endpoint") + "/v1"),
        )) {
            assertFailsWith<PaymentsException.InvalidConfig> {
                Payments.withHttpTransport(bad, SoftwareSigner("k"), transport, null, null)
            }
        }
    }

    @Test
    fun `an untrusted certificate or a wrong pin is not sent`() = runBlocking {
        val ready = sandbox()
        val keys = ready.getString("endpoint") + "/v1/keys"
        // The platform's roots do not know the sandbox's certificate.
        assertFailsWith<HttpTransportException.NotSent> { OkHttpTransport(OkHttpClient()).send(get(keys)) }
        val host = java.net.URI(keys).host
        val wrongPin = trusting(ready.getString("ca_pem"))
            .certificatePinner(CertificatePinner.Builder().add(host, "sha256/" + hexToBase64("ab".repeat(32))).build())
            .build()
        assertFailsWith<HttpTransportException.NotSent> { OkHttpTransport(wrongPin).send(get(keys)) }
        // The right trust reaches the switch: the key set answers.
        val answer = OkHttpTransport(trusting(ready.getString("ca_pem")).build()).send(get(keys, max = 1 shl 16))
        assertEquals(200, answer.status.toInt())
    }

    @Test
    fun `a refused connection is not sent`() = runBlocking {
        val port = ServerSocket(0).use { it.localPort }
        assertFailsWith<HttpTransportException.NotSent> {
            OkHttpTransport(OkHttpClient()).send(get("https://127.0.0.1:$port/v1/keys"))
        }
        Unit
    }

    /** A TLS server that misbehaves on purpose, one policy per call. */
    private fun misbehaving(vararg responses: MockResponse): Pair<MockWebServer, OkHttpTransport> {
        val cert = HeldCertificate.Builder().addSubjectAlternativeName("localhost").build()
        val server = MockWebServer()
        server.useHttps(HandshakeCertificates.Builder().heldCertificate(cert).build().sslSocketFactory(), false)
        responses.forEach(server::enqueue)
        server.start()
        servers += server
        val trust = HandshakeCertificates.Builder().addTrustedCertificate(cert.certificate).build()
        val client = OkHttpClient.Builder().sslSocketFactory(trust.sslSocketFactory(), trust.trustManager).build()
        return server to OkHttpTransport(client)
    }

    @Test
    fun `a handshake that fails is not sent`() = runBlocking {
        for (policy in listOf(SocketPolicy.FAIL_HANDSHAKE, SocketPolicy.DISCONNECT_AT_START)) {
            val (server, transport) = misbehaving(MockResponse().setSocketPolicy(policy))
            assertFailsWith<HttpTransportException.NotSent>(policy.name) { transport.send(get(server.url("/v1/keys").toString())) }
        }
    }

    @Test
    fun `a connection lost after the request may have been sent, and is not replayed`() = runBlocking {
        for (policy in listOf(SocketPolicy.DISCONNECT_AFTER_REQUEST, SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY)) {
            val (server, transport) = misbehaving(
                MockResponse().setBody("{\"k\": \"" + "x".repeat(200) + "\"}").setSocketPolicy(policy),
                MockResponse().setBody("{}"),
            )
            assertFailsWith<HttpTransportException.MaybeSent>(policy.name) { transport.send(get(server.url("/v1/keys").toString())) }
            // retryOnConnectionFailure is off: OkHttp did not send it again behind the flow's back.
            assertEquals(1, server.requestCount, policy.name)
        }
    }

    @Test
    fun `no answer by the deadline is a timeout, and a long answer is refused`() = runBlocking {
        val (stalled, slow) = misbehaving(MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE))
        assertFailsWith<HttpTransportException.TimedOut> { slow.send(get(stalled.url("/v1/keys").toString(), timeoutMs = 300)) }
        val (big, reader) = misbehaving(MockResponse().setBody("x".repeat(4_096)))
        val e = assertFailsWith<HttpTransportException.MaybeSent> { reader.send(get(big.url("/").toString(), max = 1_024)) }
        assertTrue(e.reason.contains("1024"), e.reason)
    }

    @Test
    fun `a redirect is handed back, never followed`() = runBlocking {
        val (server, transport) = misbehaving(
            MockResponse().setResponseCode(302).setHeader("Location", "https://elsewhere.example/v1/keys"),
        )
        val answer = transport.send(get(server.url("/v1/keys").toString()))
        assertEquals(302, answer.status.toInt())
        assertEquals(1, server.requestCount)
    }
}
