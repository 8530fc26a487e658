package org.hutong.sample

import android.app.Activity
import android.os.Bundle
import android.text.InputType
import android.widget.Button
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import android.widget.Toast

/**
 * Sandbox URL, its CA certificate and pins, the response-signing root, the amount for codes
 * without one, and the device key id. Scanning the QA console's setup code fills the first four
 * (docs/qa-console.md); `hutong-qa sandbox` prints them, in these formats, for typing.
 */
class SettingsActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val settings = SampleSettings(this)
        val column = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setPadding(32, 32, 32, 32)
        }
        fun field(label: String, value: String, multiLine: Boolean = false): EditText {
            column.addView(TextView(this).apply { text = label })
            val edit = EditText(this).apply {
                setText(value)
                inputType = if (multiLine) {
                    InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_FLAG_MULTI_LINE or InputType.TYPE_TEXT_FLAG_NO_SUGGESTIONS
                } else {
                    InputType.TYPE_CLASS_TEXT or InputType.TYPE_TEXT_VARIATION_URI
                }
                if (multiLine) minLines = 3
            }
            column.addView(edit)
            return edit
        }
        val endpoint = field("Sandbox URL (https://host:port)", settings.endpoint)
        val ca = field("Sandbox CA certificate (PEM)", settings.caPem, multiLine = true)
        val pins = field("Certificate pins: sha256/ + 64 hex digits, one per line (as the sandbox prints them)", settings.pins.joinToString("\n"), multiLine = true)
        val rootId = field("Response-signing root key id", settings.serverRootKeyId)
        val root = field("Response-signing root public key (base64 of 65 bytes, as the sandbox prints it)", settings.serverRoot)
        val amount = field("Amount for codes without one (e.g. 10.00 CNY)", settings.fallbackAmount)
        val keyId = field("Device key id", settings.keyId)
        val account = field("Account id", settings.accountId)
        column.addView(
            Button(this).apply {
                text = "Save"
                setOnClickListener {
                    val typedPins = try {
                        pins.text.toString().lines().filter { it.isNotBlank() }.map(Pins::normalize)
                    } catch (e: SetupCodeException) {
                        Toast.makeText(this@SettingsActivity, e.message, Toast.LENGTH_LONG).show()
                        return@setOnClickListener
                    }
                    settings.endpoint = endpoint.text.toString()
                    settings.caPem = ca.text.toString()
                    settings.pins = typedPins
                    settings.serverRootKeyId = rootId.text.toString()
                    settings.serverRoot = root.text.toString()
                    settings.fallbackAmount = amount.text.toString()
                    settings.keyId = keyId.text.toString()
                    settings.accountId = account.text.toString()
                    Toast.makeText(this@SettingsActivity, "Saved", Toast.LENGTH_SHORT).show()
                    finish()
                }
            },
        )
        setContentView(ScrollView(this).apply { addView(column) })
    }
}
