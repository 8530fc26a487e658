import Hutong
import PhotosUI
import SwiftUI

/// The QA screen, doing a wallet's job against the sandbox: recovery of the journal at launch,
/// the viewfinder with corners, ms per frame and FPS, what the code is; Pay for a merchant's
/// code, Collect for a payer's code, Refund, a photo from the library, the history from the
/// journal, setup by scanning the QA console's setup code, and "save frame".
struct ScannerScreen: View {
    @StateObject private var model = ScannerModel()
    @State private var photo: PhotosPickerItem?

    var body: some View {
        NavigationStack {
            ZStack(alignment: .bottom) {
                CameraPreview(camera: model.camera, result: model.lastResult)
                    .ignoresSafeArea()
                VStack(alignment: .leading, spacing: 6) {
                    Text(model.stats).font(.caption.monospaced())
                    Text(model.identified).font(.body)
                    Text(model.flow).font(.caption)
                    ScrollView(.horizontal) {
                        HStack {
                            Button(model.actionTitle) { model.act() }
                            Button("Refund") { model.refund() }
                            Button("History") { model.loadHistory() }
                            PhotosPicker("Photo", selection: $photo, matching: .images)
                            Button("Save frame") { model.saveFrame() }
                            NavigationLink("Settings") { SettingsView() }
                        }
                        .buttonStyle(.borderedProminent)
                    }
                }
                .foregroundStyle(.white)
                .padding()
                .frame(maxWidth: .infinity, alignment: .leading)
                .background(.black.opacity(0.6))
            }
            .onAppear { model.start() }
            .onDisappear { model.stop() }
            .onChange(of: photo) { _, item in
                guard let item else { return }
                photo = nil
                model.scanPhoto(item)
            }
            .sheet(isPresented: $model.showingHistory) {
                NavigationStack {
                    List(model.history) { entry in
                        Button(entry.row) { model.refund(entry.id) }.font(.caption)
                    }
                    .navigationTitle("History (tap to refund)")
                }
            }
        }
    }
}

@MainActor
final class ScannerModel: ObservableObject {
    @Published var lastResult: CameraFrameResult?
    @Published var stats = "starting camera..."
    @Published var identified = "Point the camera at a payment code or the console's setup code"
    @Published var flow = ""
    @Published var showingHistory = false
    @Published var history: [HistoryEntry] = []

    let scanner: HutongScanner
    private(set) var camera: CameraScanner!
    private var current: ScanAction?
    private var lastIntentId: String?
    private var session: PaymentSession?
    private var recovered = false

    init() {
        scanner = SampleScanning.newScanner()
        camera = CameraScanner(scanner: scanner) { [weak self] result in
            // Frame queue -> main actor; routing a new code happens there, once per code.
            Task { @MainActor in self?.show(result) }
        }
    }

    var actionTitle: String {
        switch current {
        case .setup?: return "Apply setup"
        case .collect?: return "Collect"
        default: return "Pay"
        }
    }

    func start() {
        do {
            if camera.session.inputs.isEmpty { try camera.configure() }
            camera.start()
        } catch {
            stats = "camera: \(error)"
        }
        recoverAtLaunch()
    }

    func stop() { camera.stop() }

    /// Before any new payment: settle what a crash or a lost answer left open (journal).
    private func recoverAtLaunch() {
        guard !recovered, let session = paymentSession(quiet: true) else { return }
        recovered = true
        Task {
            do { try await session.recover() } catch { flow = "Recovery failed: \(error) (it runs again at the next launch)" }
        }
    }

    private func show(_ result: CameraFrameResult) {
        lastResult = result
        stats = String(
            format: "%.1f ms/frame (median %.1f) · %.1f fps", result.scanMillis, result.medianScanMillis,
            result.framesPerSecond
        ) + (result.error.map { " · \($0)" } ?? "")
        if let first = result.codes.first, first.text != current?.payload {
            show(ScanAction.route(first.text))
        }
    }

    private func show(_ action: ScanAction) {
        current = action
        identified = action.summary
    }

    private func paymentSession(quiet: Bool = false) -> PaymentSession? {
        if let session { return session }
        let settings = SampleSettings()
        guard settings.isComplete else {
            if !quiet { flow = "Scan the QA console's setup code, or fill in Settings, first" }
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

    /// Pay a merchant's code, collect with a payer's code, or apply a setup code.
    func act() {
        guard let action = current else { flow = "Scan a code first (or pick a photo)"; return }
        switch action {
        case let .setup(_, code):
            SampleSettings().apply(code)
            session = nil
            recovered = false
            flow = "Settings taken from the setup code"
            recoverAtLaunch()
        case let .unusable(_, summary):
            flow = summary
        case let .pay(payload, info, _):
            guard let amount = SampleSettings().fallbackMoney else { flow = "Settings: the amount is not like \"10.00 CNY\""; return }
            guard let session = paymentSession() else { return }
            Task {
                do { lastIntentId = try await session.pay(payload: payload, info: info, fallback: amount) } catch { flow = "Pay failed: \(error)" }
            }
        case let .collect(payload, info, _):
            guard let amount = info.amount ?? SampleSettings().fallbackMoney else { flow = "Settings: the amount is not like \"10.00 CNY\""; return }
            guard let session = paymentSession() else { return }
            Task {
                do { lastIntentId = try await session.collect(payerCode: payload, amount: amount) } catch { flow = "Collect failed: \(error)" }
            }
        }
    }

    func refund(_ intentId: String? = nil) {
        showingHistory = false
        guard let intentId = intentId ?? lastIntentId else { flow = "Pay first"; return }
        guard let session = paymentSession() else { return }
        Task {
            do { try await session.refundAll(intentId) } catch { flow = "Refund failed: \(error)" }
        }
    }

    func loadHistory() {
        guard let session = paymentSession() else { return }
        do {
            history = try session.history()
            showingHistory = true
        } catch {
            flow = "History failed: \(error)"
        }
    }

    /// A code from the photo library: decoded by ImageIO and scanned with `scanCGImage` off the
    /// main actor (the same turns as `decodeImage`, in either library profile).
    func scanPhoto(_ item: PhotosPickerItem) {
        identified = "Scanning the photo..."
        let scanner = scanner
        Task {
            guard let data = try? await item.loadTransferable(type: Data.self) else {
                identified = "Cannot load the photo"
                return
            }
            let found = await Task.detached { () -> Result<String?, Error> in
                // Library photos are often HEIC, which Hutong does not read: ImageIO decodes
                // the photo upright at a bounded size.
                guard let image = PhotoInput.upright(data) else { return .success(nil) }
                return Result { try scanner.scanCGImage(image).first?.text }
            }.value
            switch found {
            case let .success(text?): show(ScanAction.route(text))
            case .success(nil): identified = "No code in the photo"
            case let .failure(error): identified = "Cannot read the photo: \(error)"
            }
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
