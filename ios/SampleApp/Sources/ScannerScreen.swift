import Hutong
import SwiftUI

/// The QA screen: viewfinder with corners, ms per frame and FPS, what the code is, pay / refund
/// against the sandbox from Settings, and "save frame" for the regression corpus.
struct ScannerScreen: View {
    @StateObject private var model = ScannerModel()

    var body: some View {
        NavigationStack {
            ZStack(alignment: .bottom) {
                CameraPreview(camera: model.camera, result: model.lastResult)
                    .ignoresSafeArea()
                VStack(alignment: .leading, spacing: 6) {
                    Text(model.stats).font(.caption.monospaced())
                    Text(model.identified).font(.body)
                    Text(model.flow).font(.caption)
                    HStack {
                        Button("Pay") { model.pay() }
                        Button("Refund") { model.refund() }
                        Button("Save frame") { model.saveFrame() }
                        NavigationLink("Settings") { SettingsView() }
                    }
                    .buttonStyle(.borderedProminent)
                }
                .foregroundStyle(.white)
                .padding()
                .frame(maxWidth: .infinity, alignment: .leading)
                .background(.black.opacity(0.6))
            }
            .onAppear { model.start() }
            .onDisappear { model.stop() }
        }
    }
}

@MainActor
final class ScannerModel: ObservableObject {
    @Published var lastResult: CameraFrameResult?
    @Published var stats = "starting camera..."
    @Published var identified = "Point the camera at a payment code"
    @Published var flow = ""

    let scanner: Hutong.Scanner
    private(set) var camera: CameraScanner!
    private var current: ScannedPayment?
    private var lastIntentId: String?
    private var session: PaymentSession?

    init() {
        scanner = SampleScanning.newScanner()
        camera = CameraScanner(scanner: scanner) { [weak self] result in
            // Frame queue -> main actor.
            Task { @MainActor in self?.show(result) }
        }
    }

    func start() {
        do {
            if camera.session.inputs.isEmpty { try camera.configure() }
            camera.start()
        } catch {
            stats = "camera: \(error)"
        }
    }

    func stop() { camera.stop() }

    private func show(_ result: CameraFrameResult) {
        lastResult = result
        stats = String(
            format: "%.1f ms/frame (median %.1f) · %.1f fps", result.scanMillis, result.medianScanMillis,
            result.framesPerSecond
        ) + (result.error.map { " · \($0)" } ?? "")
        if let first = result.codes.first, first.text != current?.payload {
            let scanned = SampleScanning.identifyScanned(first.text)
            current = scanned
            identified = scanned.summary
        }
    }

    private func paymentSession() -> PaymentSession? {
        if let session { return session }
        let settings = SampleSettings()
        guard settings.isComplete else {
            flow = "Set the sandbox URL, CA certificate and root key in Settings first"
            return nil
        }
        do {
            let opened = try PaymentSession(settings: settings) { [weak self] line in
                Task { @MainActor in self?.flow = line }
            }
            session = opened
            return opened
        } catch {
            flow = "Cannot open the sandbox session: \(error)"
            return nil
        }
    }

    func pay() {
        guard let code = current else { flow = "Scan a merchant code first"; return }
        guard let fallback = SampleSettings().fallbackMoney else {
            flow = "Settings: the amount for codes without one is not like \"10.00 CNY\""
            return
        }
        guard let session = paymentSession() else { return }
        Task {
            do { lastIntentId = try await session.pay(code, fallback: fallback) } catch { flow = "Pay failed: \(error)" }
        }
    }

    func refund() {
        guard let intentId = lastIntentId else { flow = "Pay first"; return }
        guard let session = paymentSession() else { return }
        Task {
            do { try await session.refundAll(intentId) } catch { flow = "Refund failed: \(error)" }
        }
    }

    func saveFrame() {
        let dir = FileManager.default.urls(for: .documentDirectory, in: .userDomainMask)[0]
            .appendingPathComponent("frames", isDirectory: true)
        camera.saveNextFrame { [weak self] frame in
            let base = dir.appendingPathComponent("frame-\(Int(Date().timeIntervalSince1970 * 1000))")
            let message: String
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try frame.nv12.write(to: base.appendingPathExtension("nv12"))
                try frame.metadataJSON.write(to: base.appendingPathExtension("json"))
                message = "Saved \(base.lastPathComponent) (Files app > HutongSample > frames)"
            } catch {
                message = "Save failed: \(error)"
            }
            Task { @MainActor in self?.flow = message }
        }
    }
}
