import Foundation

/// Hutong's payment requests over the app's URLSession: `Payments.withHttpTransport(config:
/// signer: transport: URLSessionTransport(session: appSession), listener: logger:)`. Trust and
/// pins are the session's (its delegate's server-trust challenge); the switch's answers are
/// verified by the library.
///
/// Redirects are handed back, never followed, and nothing is cached. Whether the switch may have
/// a failed request is read from the task's metrics and its error together: `NotSent` only when
/// the metrics arrived, no transaction of the task started sending its request, AND the error is
/// one that happens before a request is written (no host, no route, refused, the TLS handshake or its trust
/// evaluation); a timeout past that point is `TimedOut`, anything else `MaybeSent`.
///
/// Not run in our CI (no Swift toolchain on Linux): the OkHttp adapter's JVM tests state the
/// behaviour this one must match (android/jvm-check, `OkHttpTransportTest`).
public final class URLSessionTransport: HttpTransport, @unchecked Sendable {
    private let session: URLSession

    /// `session` is the app's (its configuration, delegate and pins); give one whose
    /// configuration has `urlCache = nil`.
    public init(session: URLSession) {
        self.session = session
    }

    /// Errors that URLSession reports only before a request is written.
    private static let beforeTheRequest: Set<URLError.Code> = [
        .badURL, .unsupportedURL, .cannotFindHost, .dnsLookupFailed, .cannotConnectToHost,
        .notConnectedToInternet, .dataNotAllowed, .internationalRoamingOff, .callIsActive,
        .appTransportSecurityRequiresSecureConnection, .secureConnectionFailed,
        .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
        .serverCertificateHasUnknownRoot, .clientCertificateRejected, .clientCertificateRequired,
        // A pinning delegate that refuses the server's trust cancels the challenge.
        .cancelled,
    ]

    public func send(request: HttpRequest) async throws -> HttpResponse {
        guard let url = URL(string: request.url), request.method == "GET" || request.method == "POST" else {
            throw HttpTransportError.NotSent(reason: "request not buildable: \(request.method) \(request.url)")
        }
        var r = URLRequest(url: url)
        r.httpMethod = request.method
        r.cachePolicy = .reloadIgnoringLocalAndRemoteCacheData
        r.timeoutInterval = TimeInterval(request.timeoutMs) / 1000
        r.httpShouldHandleCookies = false
        for h in request.headers { r.addValue(h.value, forHTTPHeaderField: h.name) }
        if request.method == "POST" { r.httpBody = request.body }

        let watch = TaskWatch()
        do {
            let (bytes, response) = try await session.bytes(for: r, delegate: watch)
            guard let http = response as? HTTPURLResponse else {
                throw HttpTransportError.MaybeSent(reason: "not an HTTP answer")
            }
            var body = Data()
            for try await byte in bytes {
                body.append(byte)
                if UInt64(body.count) > request.maxResponseBytes {
                    throw HttpTransportError.MaybeSent(reason: "answer longer than \(request.maxResponseBytes) bytes")
                }
            }
            let headers = http.allHeaderFields.compactMap { k, v -> HttpHeader? in
                guard let name = k as? String else { return nil }
                return HttpHeader(name: name, value: "\(v)")
            }
            return HttpResponse(status: UInt16(clamping: http.statusCode), headers: headers, body: body)
        } catch let e as HttpTransportError {
            throw e
        } catch let e as URLError {
            if watch.provesNothingSent, Self.beforeTheRequest.contains(e.code) {
                throw HttpTransportError.NotSent(reason: "\(e.code.rawValue): \(e.localizedDescription)")
            }
            if e.code == .timedOut { throw HttpTransportError.TimedOut }
            throw HttpTransportError.MaybeSent(reason: "\(e.code.rawValue): \(e.localizedDescription)")
        } catch {
            // Task cancellation and anything unforeseen: the request may have left.
            throw HttpTransportError.MaybeSent(reason: "\(error)")
        }
    }
}

/// One task's delegate: refuses redirects and keeps what the task's metrics say about sending.
private final class TaskWatch: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var collected = false
    private var started = false

    /// The metrics arrived and no transaction began to send its request. Without metrics nothing
    /// is proven, so the answer is then "may have been sent": the safe side.
    var provesNothingSent: Bool {
        lock.lock(); defer { lock.unlock() }
        return collected && !started
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didFinishCollecting metrics: URLSessionTaskMetrics) {
        let any = metrics.transactionMetrics.contains { $0.requestStartDate != nil }
        lock.lock(); collected = true; started = started || any; lock.unlock()
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
