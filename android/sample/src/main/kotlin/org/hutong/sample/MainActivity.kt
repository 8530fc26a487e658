package org.hutong.sample

import android.Manifest
import android.content.Intent
import android.content.pm.PackageManager
import android.graphics.Color
import android.os.Bundle
import android.view.Gravity
import android.view.ViewGroup.LayoutParams.MATCH_PARENT
import android.view.ViewGroup.LayoutParams.WRAP_CONTENT
import android.widget.Button
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
import kotlinx.coroutines.MainScope
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import org.hutong.camera.FrameResult
import org.hutong.camera.HutongAnalyzer
import org.hutong.camera.XY
import java.io.File
import java.util.Locale

/**
 * The QA app: live viewfinder with the detected corners, ms per frame and FPS, what the code is
 * (network, amount), pay and refund against the sandbox from Settings, and "save frame".
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

    /** The last code identified, and the last payment made (what Refund refunds). */
    private var current: ScannedPayment? = null
    private var lastIntentId: String? = null
    private var askedForCamera = false

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        previewView = PreviewView(this).apply { scaleType = PreviewView.ScaleType.FILL_CENTER }
        codeOverlay = OverlayView(this)
        stats = label(14f)
        info = label(16f)
        flow = label(14f)
        val buttons = LinearLayout(this).apply {
            orientation = LinearLayout.HORIZONTAL
            addView(button("Pay") { pay() })
            addView(button("Refund") { refund() })
            addView(button("Save frame") { saveFrame() })
            addView(button("Settings") { startActivity(Intent(this@MainActivity, SettingsActivity::class.java)) })
        }
        val panel = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setBackgroundColor(Color.argb(160, 0, 0, 0))
            setPadding(24, 16, 24, 16)
            addView(stats)
            addView(info)
            addView(flow)
            addView(buttons)
        }
        val root = FrameLayout(this).apply {
            addView(previewView, FrameLayout.LayoutParams(MATCH_PARENT, MATCH_PARENT))
            addView(codeOverlay, FrameLayout.LayoutParams(MATCH_PARENT, MATCH_PARENT))
            addView(panel, FrameLayout.LayoutParams(MATCH_PARENT, WRAP_CONTENT, Gravity.BOTTOM))
        }
        setContentView(root)
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
        runOnUiThread {
            stats.text = text
            if (first != null && first.text != current?.payload) {
                val scanned = SampleScanning.identifyScanned(first.text)
                current = scanned
                info.text = scanned.summary
            }
        }
    }

    private fun session(): PaymentSession? {
        payments?.let { return it }
        val settings = SampleSettings(this)
        if (!settings.isComplete) {
            toast("Set the sandbox URL, CA certificate and root key in Settings first")
            return null
        }
        return try {
            PaymentSession.open(this, settings) { line -> runOnUiThread { flow.text = line } }.also { payments = it }
        } catch (e: Exception) {
            toast("Cannot reach the sandbox: ${e.message}")
            null
        }
    }

    private fun pay() {
        val code = current ?: return toast("Scan a merchant code first")
        val session = session() ?: return
        val settings = SampleSettings(this)
        val fallback = SampleScanning.parseMoney(settings.fallbackAmount)
            ?: return toast("Settings: the amount for codes without one is not like \"10.00 CNY\"")
        scope.launch {
            try {
                lastIntentId = session.pay(code, fallback)
            } catch (e: Exception) {
                flow.text = "Pay failed: ${e.message}"
            }
        }
    }

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
    }
}
