package org.hutong.testing

import org.hutong.Signer
import org.json.JSONObject
import java.io.File
import java.math.BigInteger
import java.nio.file.Files
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.interfaces.ECPublicKey
import java.security.spec.ECGenParameterSpec
import java.util.concurrent.TimeUnit

/** A software P-256 device key (the app uses Keystore; the protocol is the same). */
class SoftwareSigner(private val id: String) : Signer {
    private val pair = KeyPairGenerator.getInstance("EC").run {
        initialize(ECGenParameterSpec("secp256r1"))
        generateKeyPair()
    }

    override fun keyId(): String = id

    override fun publicKey(): ByteArray {
        val w = (pair.public as ECPublicKey).w
        fun coord(v: BigInteger) = v.toByteArray().let { b ->
            if (b.size >= 32) b.copyOfRange(b.size - 32, b.size) else ByteArray(32 - b.size) + b
        }
        return byteArrayOf(0x04) + coord(w.affineX) + coord(w.affineY)
    }

    override suspend fun sign(message: ByteArray): ByteArray = Signature.getInstance("SHA256withECDSA").run {
        initSign(pair.private)
        update(message)
        sign()
    }
}

/** The sandbox acquirer (`hutong-qa sandbox --ready-json`) as a child process; `ready` is its line. */
class SandboxProcess : AutoCloseable {
    private val process: Process
    val ready: JSONObject

    init {
        val root = File(System.getProperty("user.dir"), "../..").canonicalFile
        val target = System.getenv("CARGO_TARGET_DIR")?.let(::File) ?: File(root, "target")
        val binary = File(target, "debug/hutong-qa")
        check(binary.canExecute()) { "$binary is missing: run `cargo build -p hutong-qa`" }
        process = ProcessBuilder(binary.path, "sandbox", "--ready-json")
            .directory(Files.createTempDirectory("hutong-sandbox").toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
        val line = process.inputStream.bufferedReader().readLine()
            ?: error("sandbox exited before its ready line (exit ${process.waitFor()})")
        ready = JSONObject(line)
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}
