package org.hutong.sample

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.graphics.Color
import android.os.Bundle
import android.view.Gravity
import android.view.ViewGroup.LayoutParams.MATCH_PARENT
import android.view.ViewGroup.LayoutParams.WRAP_CONTENT
import android.app.AlertDialog
import android.widget.Button
import android.widget.HorizontalScrollView
import android.widget.FrameLayout
import android.widget.LinearLayout
import android.widget.TextView
import android.widget.Toast
import androidx.activity.ComponentActivity
import androidx.camera.core.CameraSelector
import androidx.camera.core.Preview
import androidx.camera.core.UseCaseGroup
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.coroutines.withContext
import org.hutong.ScanException
import org.hutong.camera.FrameResult
import org.hutong.camera.HutongAnalyzer
import org.hutong.camera.XY
import org.hutong.graphics.scanBitmap
import java.io.File
import java.util.Locale

/**
 * The QA app, doing a wallet's job against the sandbox: recovery of the journal at launch, the
 * live viewfinder with the detected corners, ms per frame and FPS, what the code is (network,
 * amount); Pay for a merchant's code, Collect for a payer's code, Refund, a photo from the
 * library instead of the camera, the history from the journal, setup by scanning the QA
 * console's setup code, and "save frame".
 */
class MainActivity : ComponentActivity() {
    private val scope = MainScope()
    private lateinit var previewView: PreviewView
    private lateinit var codeOverlay: OverlayView
    private lateinit var stats: TextView
    private lateinit var info: TextView
    private lateinit var flow: TextView
    private var analyzer: HutongAnalyzer? = null
    private var payments: PaymentSession? = null

    /** The last code scanned or picked and what to do with it; the last payment (what Refund refunds). */
    private var current: ScanAction? = null
    private var lastIntentId: String? = null
    private var askedForCamera = false

    /** The last text the analyzer routed (analyzer thread only). */
    private var lastRouted: String? = null

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        previewView = PreviewView(this).apply { scaleType = PreviewView.ScaleType.FILL_CENTER }
        codeOverlay = OverlayView(this)
        stats = label(14f)
        info = label(16f)
        flow = label(14f)
        val buttons = LinearLayout(this).apply {
            orientation = LinearLayout.HORIZONTAL
            addView(button("Pay / Collect") { act() })
            addView(button("Refund") { refund() })
            addView(button("History") { showHistory() })
            addView(button("Photo") { pickPhoto() })
            addView(button("Save frame") { saveFrame() })
            addView(button("Settings") { startActivity(Intent(this@MainActivity, SettingsActivity::class.java)) })
        }
        val buttonRow = HorizontalScrollView(this).apply { addView(buttons) }
        val panel = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setBackgroundColor(Color.argb(160, 0, 0, 0))
            setPadding(24, 16, 24, 16)
            addView(stats)
            addView(info)
            addView(flow)
            addView(buttonRow)
        }
        val root = FrameLayout(this).apply {
            addView(previewView, FrameLayout.LayoutParams(MATCH_PARENT, MATCH_PARENT))
            addView(codeOverlay, FrameLayout.LayoutParams(MATCH_PARENT, MATCH_PARENT))
            addView(panel, FrameLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT, Gravity.BOTTOM))
        }
        setContentView(root)
        recoverAtLaunch()
    }

    /** Before any new payment: settle what a crash or a lost answer left open (journal). */
    private fun recoverAtLaunch() {
        val session = session(quiet = true) ?: return
        scope.launch {
            try {
                session.recover()
            } catch (e: Exception) {
                flow.text = "Recovery failed: ${e.message} (it runs again at the next launch)"
            }
        }
    }

    /** Also runs when the permission dialog closes, so no result callback is needed. */
    override fun onResume() {
        super.onResume()
        if (analyzer != null) return
        if (checkSelfPermission(Manifest.permission.CAMERA) == PackageManager.PERMISSION_GRANTED) {
            startCamera()
        } else if (!askedForCamera) {
            askedForCamera = true
            requestPermissions(arrayOf(Manifest.permission.CAMERA), CAMERA_REQUEST)
        } else {
            info.text = "Camera permission is needed to scan."
        }
    }

    private fun startCamera() {
        val analyzer = HutongAnalyzer(SampleScanning.newScanner(), { codeOverlay.viewfinder() }, onResult = ::onFrame)
        this.analyzer = analyzer
        val providerFuture = ProcessCameraProvider.getInstance(this)
        providerFuture.addListener({
            val provider = providerFuture.get()
            val preview = Preview.Builder().build()
            preview.setSurfaceProvider(previewView.surfaceProvider)
            // One ViewPort for both use cases: ImageProxy.cropRect is then what the preview shows.
            val group = UseCaseGroup.Builder().addUseCase(preview).addUseCase(analyzer.useCase())
            previewView.viewPort?.let { group.setViewPort(it) }
            provider.unbindAll()
            provider.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, group.build())
        }, { task -> previewView.post(task) })
    }

    /** On the analyzer thread. */
    private fun onFrame(result: FrameResult) {
        val mapping = result.mapping
        val outlines = if (mapping == null) {
            emptyList()
        } else {
            result.codes.map { code -> code.corners.map { mapping.imageToView(XY(it.x, it.y)) } }
        }
        codeOverlay.showOutlines(outlines)
        val text = String.format(
            Locale.ROOT, "%.1f ms/frame (median %.1f) · %.1f fps%s",
            result.scanMillis, result.medianScanMillis, result.framesPerSecond,
            result.error?.let { " · ${it.message}" } ?: "",
        )
        val first = result.codes.firstOrNull()
        // Identify once per new code, here on the analyzer thread, not on every frame.
        val action = if (first != null && first.text != lastRouted) {
            lastRouted = first.text
            ScanRouting.route(first.text)
        } else {
            null
        }
        runOnUiThread {
            stats.text = text
            action?.let(::show)
        }
    }

    private fun show(action: ScanAction) {
        current = action
        info.text = action.summary
        if (action is ScanAction.Setup) {
            AlertDialog.Builder(this)
                .setTitle("Apply setup code?")
                .setMessage("Endpoint ${action.code.endpoint}\nPin ${action.code.pins.first()}\nRoot key ${action.code.rootKeyId}")
                .setPositiveButton("Apply") { _, _ -> applySetup(action.code) }
                .setNegativeButton("Cancel", null)
                .show()
        }
    }

    private fun applySetup(code: SetupCode) {
        SampleSettings(this).apply(code)
        payments?.close()
        payments = null
        toast("Settings taken from the setup code")
        recoverAtLaunch()
    }

    private fun session(quiet: Boolean = false): PaymentSession? {
        payments?.let { return it }
        val settings = SampleSettings(this)
        if (!settings.isComplete) {
            if (!quiet) toast("Scan the QA console's setup code, or fill in Settings, first")
            return null
        }
        return try {
            PaymentSession.open(this, settings) { line -> runOnUiThread { flow.text = line } }.also { payments = it }
        } catch (e: Exception) {
            toast("Cannot reach the sandbox: ${e.message}")
            null
        }
    }

    /** Pay a merchant's code, collect with a payer's code, or apply a setup code. */
    private fun act() {
        val action = current ?: return toast("Scan a code first (or pick a photo)")
        if (action is ScanAction.Setup) return applySetup(action.code)
        if (action is ScanAction.Unusable) return toast(action.summary)
        val session = session() ?: return
        val amount = SampleScanning.parseMoney(SampleSettings(this).fallbackAmount)
            ?: return toast("Settings: the amount is not like \"10.00 CNY\"")
        scope.launch {
            try {
                lastIntentId = when (action) {
                    is ScanAction.Pay -> session.pay(action.payload, action.info, amount)
                    is ScanAction.Collect -> session.collect(action.payload, action.info.amount ?: amount)
                    else -> return@launch
                }
            } catch (e: Exception) {
                flow.text = "Payment failed: ${e.message}"
            }
        }
    }

    /** The journal's payments; tapping one refunds what is left of it. */
    private fun showHistory() {
        val session = session() ?: return
        scope.launch {
            val rows = try {
                withContext(Dispatchers.IO) { session.history() }
            } catch (e: Exception) {
                flow.text = "History failed: ${e.message}"
                return@launch
            }
            if (rows.isEmpty()) return@launch toast("No payments in the journal yet")
            AlertDialog.Builder(this@MainActivity)
                .setTitle("History (tap to refund)")
                .setItems(rows.map { it.second }.toTypedArray()) { _, i ->
                    lastIntentId = rows[i].first
                    refund()
                }
                .show()
        }
    }

    /** A code from the photo library instead of the camera. */
    @Suppress("DEPRECATION") // startActivityForResult: no AndroidX result API needed for one picker
    private fun pickPhoto() {
        val pick = Intent(Intent.ACTION_GET_CONTENT).setType("image/*").addCategory(Intent.CATEGORY_OPENABLE)
        startActivityForResult(pick, PHOTO_REQUEST)
    }

    @Deprecated("Deprecated in Java")
    @Suppress("DEPRECATION")
    override fun onActivityResult(requestCode: Int, resultCode: Int, data: Intent?) {
        super.onActivityResult(requestCode, resultCode, data)
        val uri = data?.data
        if (requestCode != PHOTO_REQUEST || resultCode != RESULT_OK || uri == null) return
        scope.launch {
            info.text = "Scanning the photo…"
            val action = withContext(Dispatchers.IO) {
                try {
                    val bytes = contentResolver.openInputStream(uri)?.use { PhotoInput.readAtMost(it) }
                        ?: return@withContext ScanAction.Unusable("", "The photo is larger than ${PhotoInput.MAX_BYTES shr 20} MiB or unreadable")
                    val code = SampleScanning.newScanner().use { scanner ->
                        try {
                            scanner.decodeImage(bytes)
                        } catch (e: ScanException.UnsupportedImage) {
                            // HEIC and other formats Hutong does not read, or every file on the
                            // platform profile: through the platform decoder.
                            val bitmap = PlatformPhoto.bitmap(bytes) ?: throw e
                            try {
                                scanner.scanBitmap(bitmap)
                            } finally {
                                bitmap.recycle()
                            }
                        }
                    }.firstOrNull() ?: return@withContext ScanAction.Unusable("", "No code in the photo")
                    ScanRouting.route(code.text)
                } catch (e: ScanException) {
                    ScanAction.Unusable("", "Cannot read the photo: ${e.message}")
                }
            }
            show(action)
        }
    }

    /** Refunds what is left of the last payment (or the one tapped in History). */
    private fun refund() {
        val intentId = lastIntentId ?: return toast("Pay first")
        val session = session() ?: return
        scope.launch {
            try {
                session.refundAll(intentId)
            } catch (e: Exception) {
                flow.text = "Refund failed: ${e.message}"
            }
        }
    }

    private fun saveFrame() {
        val analyzer = analyzer ?: return
        val dir = File(getExternalFilesDir(null), "frames")
        analyzer.saveNextFrame { snapshot ->
            val (pixels, _) = snapshot.writeTo(dir, "frame-${System.currentTimeMillis()}")
            runOnUiThread { toast("Saved ${pixels.name} (${snapshot.width}x${snapshot.height}, adb pull ${dir.path})") }
        }
    }

    override fun onDestroy() {
        scope.cancel()
        analyzer?.close()
        payments?.close()
        super.onDestroy()
    }

    private fun label(size: Float) = TextView(this).apply {
        setTextColor(Color.WHITE)
        textSize = size
    }

    private fun button(text: String, onClick: () -> Unit) = Button(this).apply {
        this.text = text
        setOnClickListener { onClick() }
    }

    private fun toast(message: String) {
        Toast.makeText(this, message, Toast.LENGTH_LONG).show()
    }

    private companion object {
        const val CAMERA_REQUEST = 1
        const val PHOTO_REQUEST = 2
    }
}
