package org.hutong.sample

import androidx.activity.ComponentActivity
import androidx.camera.core.CameraSelector
import androidx.camera.core.Preview
import androidx.camera.core.UseCaseGroup
import androidx.camera.lifecycle.ProcessCameraProvider
import androidx.camera.view.PreviewView
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.launch
import org.hutong.CodeInfo
import org.hutong.Expect
import org.hutong.FlowListener
import org.hutong.IdentifyContext
import org.hutong.Money
import org.hutong.PayOptions
import org.hutong.PaymentRegistry
import org.hutong.Payments
import org.hutong.PaymentsConfig
import org.hutong.RegistryKey
import org.hutong.ScanOptions
import org.hutong.HutongScanner
import org.hutong.ServerRoot
import org.hutong.camera.HutongAnalyzer
import org.hutong.camera.ViewRect
import org.hutong.camera.Viewfinder
import org.hutong.keystore.KeystoreSigner
import java.io.File

/**
 * The repository README's "Integration: Android" code, compiled here so it cannot rot: the
 * Gradle build and `cargo xtask android-jvm` compile it with the sample, and the xtask test
 * `readme_kotlin_blocks_are_compiled_regions` (run by `cargo test --workspace`) checks that the
 * README shows exactly the marked region. The app never calls it.
 */
@Suppress("unused", "UNUSED_VARIABLE")
internal fun ComponentActivity.readmeIntegration(
    scope: CoroutineScope,
    previewView: PreviewView,
    preview: Preview,
    cameraProvider: ProcessCameraProvider,
    reticle: ViewRect,
    registryKeyId: String,
    registryPublicKey: ByteArray,
    myWalletProfileJson: String,
    rootKeyId: String,
    rootPublicKey: ByteArray,
    keyId: String,
    listener: FlowListener,
    onScanned: (String, CodeInfo) -> Unit,
) {
    // region readme-android
    // The network table and wallet profiles, updatable by signed bundles (docs/registry-and-routes.md).
    val registry = PaymentRegistry(pinnedKeys = listOf(RegistryKey(registryKeyId, registryPublicKey)),
                                   storagePath = File(filesDir, "hutong-registry.bundle").path,
                                   walletProfileJson = myWalletProfileJson)   // {"id": "my_wallet", ...}
    val payments = Payments(
        PaymentsConfig(endpoint = "https://switch.example", journalPath = File(filesDir, "hutong.sqlite").path,
                       serverRoots = listOf(ServerRoot(rootKeyId, rootPublicKey)),
                       walletProfileId = "my_wallet", registry = registry),
        KeystoreSigner.getOrCreate(applicationContext, "hutong-device", keyId), listener, null)
    // At every launch, before new payments: settles what a crash or a lost answer left open.
    scope.launch { payments.recover() }

    val scanner = HutongScanner(ScanOptions())
    val analyzer = HutongAnalyzer(scanner, { Viewfinder(previewView.width, previewView.height, reticle) }) { frame ->
        val code = frame.codes.firstOrNull() ?: return@HutongAnalyzer
        val info = registry.identify(code.text, IdentifyContext(expect = Expect.MERCHANT_CODE, walletProfileId = "my_wallet"))
        // info.networkName, info.amount (Money: minor units + currency), info.risk, info.canPay
        onScanned(code.text, info)   // on the analyzer thread: show it, with a Pay button
    }
    val group = UseCaseGroup.Builder().addUseCase(preview).addUseCase(analyzer.useCase())
    previewView.viewPort?.let { group.setViewPort(it) }
    cameraProvider.bindToLifecycle(this, CameraSelector.DEFAULT_BACK_CAMERA, group.build())

    // The Pay button: a static code carries no amount, so the user enters one.
    fun pay(code: String, info: CodeInfo, entered: Money?) = scope.launch {
        val amount = info.amount ?: entered ?: return@launch
        val intent = payments.pay(code, amount, PayOptions())   // suspends; journalled first
        // intent.state, intent.paid, intent.receipt; later payments.refund(intent.intentId, null)
    }
    // Cancelling the coroutine does not stop the payment: call payments.cancel(intentId).
    // endregion
}
