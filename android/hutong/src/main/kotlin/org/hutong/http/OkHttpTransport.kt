package org.hutong.http

import kotlinx.coroutines.suspendCancellableCoroutine
import okhttp3.Call
import okhttp3.Callback
import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import okhttp3.Response
import okio.Buffer
import org.hutong.HttpHeader
import org.hutong.HttpRequest
import org.hutong.HttpResponse
import org.hutong.HttpTransport
import org.hutong.HttpTransportException
import java.io.IOException
import java.io.InterruptedIOException
import java.util.concurrent.TimeUnit
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException

/**
 * Hutong's payment requests over the app's OkHttp: `Payments.withHttpTransport(config, signer,
 * OkHttpTransport(appClient), listener, logger)`. Trust and pins are the client's (Network
 * Security Config, `CertificatePinner`); the switch's answers are verified by the library.
 *
 * The client is copied with retries, redirects and the cache off (one call, at most one request
 * on the wire). Whether the switch may have a failed request is read from the call itself, not
 * guessed from the exception: a network interceptor, the last before the wire, marks the call
 * when a connection is open and the request is about to be written. A failure before that mark
 * (DNS, a refused connection, a TLS handshake or a pin on a new connection) is `NotSent`; any
 * failure after it is `MaybeSent`, or `TimedOut` past the deadline.
 *
 * OkHttp is `compileOnly` in the Hutong AAR: an app that uses this class lists OkHttp 5 itself.
 */
class OkHttpTransport(client: OkHttpClient) : HttpTransport {
    private val client: OkHttpClient = client.newBuilder()
        .retryOnConnectionFailure(false)
        .followRedirects(false)
        .followSslRedirects(false)
        .cache(null)
        .addNetworkInterceptor(MarkOnTheWire)
        .build()

    override suspend fun send(request: HttpRequest): HttpResponse {
        val mark = WireMark()
        val call = try {
            client.newCall(okRequest(request, mark)).apply {
                // This call's whole deadline, without a client per call.
                timeout().timeout(request.timeoutMs.toLong(), TimeUnit.MILLISECONDS)
            }
        } catch (e: IllegalArgumentException) {
            // A URL or header OkHttp refuses: nothing was sent.
            throw HttpTransportException.NotSent("request not buildable: ${e.message}")
        }
        return suspendCancellableCoroutine { continuation ->
            continuation.invokeOnCancellation { call.cancel() }
            call.enqueue(object : Callback {
                override fun onFailure(call: Call, e: IOException) {
                    continuation.resumeWithException(classify(e, mark))
                }

                override fun onResponse(call: Call, response: Response) {
                    val answer = try {
                        response.use { read(it, request.maxResponseBytes) }
                    } catch (e: IOException) {
                        continuation.resumeWithException(classify(e, mark))
                        return
                    } catch (e: HttpTransportException) {
                        continuation.resumeWithException(e)
                        return
                    }
                    continuation.resume(answer)
                }
            })
        }
    }

    private fun okRequest(request: HttpRequest, mark: WireMark): Request {
        val builder = Request.Builder().url(request.url).tag(WireMark::class.java, mark)
        for (h in request.headers) builder.addHeader(h.name, h.value)
        when (request.method) {
            "GET" -> builder.get()
            // No media type on the body: the signed Content-Type header is sent as given.
            "POST" -> builder.post(request.body.toRequestBody(null))
            else -> throw HttpTransportException.NotSent("method ${request.method} is not used")
        }
        return builder.build()
    }

    /** The answer, at most `max` body bytes: a longer one is refused without reading it all. */
    private fun read(response: Response, max: ULong): HttpResponse {
        val source = response.body.source()
        val buffer = Buffer()
        val limit = max.toLong()
        while (buffer.size <= limit) {
            if (source.read(buffer, 8192) == -1L) break
        }
        if (buffer.size > limit) {
            throw HttpTransportException.MaybeSent("answer longer than $limit bytes")
        }
        return HttpResponse(
            status = response.code.toUShort(),
            headers = response.headers.map { (name, value) -> HttpHeader(name, value) },
            body = buffer.readByteArray(),
        )
    }

    private fun classify(e: IOException, mark: WireMark): HttpTransportException {
        val reason = "${e.javaClass.simpleName}: ${e.message}"
        return when {
            !mark.onTheWire -> HttpTransportException.NotSent(reason)
            e is InterruptedIOException -> HttpTransportException.TimedOut()
            else -> HttpTransportException.MaybeSent(reason)
        }
    }

    /** Set once a connection is open and the request is about to be written on it. */
    private class WireMark {
        @Volatile
        var onTheWire = false
    }

    /** Network interceptors run with a connection, right before OkHttp writes the request. */
    private object MarkOnTheWire : Interceptor {
        override fun intercept(chain: Interceptor.Chain): Response {
            chain.request().tag(WireMark::class.java)?.onTheWire = true
            return chain.proceed(chain.request())
        }
    }
}
