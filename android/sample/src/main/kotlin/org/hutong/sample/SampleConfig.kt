package org.hutong.sample

import org.hutong.PaymentsConfig
import org.hutong.ServerRoot

/** The Payments configuration the sample builds from its settings (no Android API). */
object SampleConfig {
    fun payments(
        endpoint: String,
        caPem: String?,
        pins: List<String>,
        rootKeyId: String,
        rootPublicKey: ByteArray,
        journalPath: String,
    ) = PaymentsConfig(
        endpoint = endpoint,
        caPem = caPem?.takeIf { it.isNotBlank() },
        spkiPins = pins.map(Pins::normalize),
        // The journal that makes pay exactly-once across crashes lives with the app's files.
        journalPath = journalPath,
        serverRoots = listOf(ServerRoot(rootKeyId, rootPublicKey)),
        walletProfileId = SampleScanning.WALLET_PROFILE,
    )

    fun payments(setup: SetupCode, journalPath: String) =
        payments(setup.endpoint, setup.caPem, setup.pins, setup.rootKeyId, setup.rootPublicKey, journalPath)
}
