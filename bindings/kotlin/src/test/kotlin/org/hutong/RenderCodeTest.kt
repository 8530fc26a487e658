package org.hutong

import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.ByteArrayInputStream
import javax.imageio.ImageIO

val PNG_MAGIC = byteArrayOf(0x89.toByte(), 'P'.code.toByte(), 'N'.code.toByte(), 'G'.code.toByte(), 0x0d, 0x0a, 0x1a, 0x0a)

class RenderCodeTest {
    @Test
    fun `renders a square QR whose pixel buffer matches its size`() {
        val code = renderCode("wxp://f2f0Qz9qxst1qazKE_53XToPLIzMELvT8Ccd", Symbology.QR, 4u)
        assertEquals(code.width, code.height)
        assertEquals((code.width * code.height).toInt(), code.pixels.size)
        // Quiet zone: the first 4 modules (16 px) of the first row are paper.
        assertTrue(code.pixels.take(16).all { it == 255.toByte() })
    }

    @Test
    fun `returns a PNG that Java's own decoder reads at the same size`() {
        val code = renderCode("https://qr.alipay.com/bax03431ljhokirwl38f00a7", Symbology.QR, 3u)
        // The full build the JVM tests load encodes PNG; the platform profile gives null.
        val png = checkNotNull(code.png) { "this build encodes PNG" }
        assertArrayEquals(PNG_MAGIC, png.copyOfRange(0, 8))
        val image = ImageIO.read(ByteArrayInputStream(png))
        assertEquals(code.width.toInt(), image.width)
        assertEquals(code.height.toInt(), image.height)
    }

    @Test
    fun `renders a Code 128 barcode wider than tall`() {
        val code = renderCode("134567890123456789", Symbology.CODE128, 2u)
        assertTrue(code.width > code.height)
    }

    @Test
    fun `throws a typed exception for a zero module size`() {
        val e = assertThrows<RenderCodeException.InvalidModuleSize> {
            renderCode("x", Symbology.QR, 0u)
        }
        assertEquals("module size must be at least 1 pixel", e.message)
    }

    @Test
    fun `throws a typed exception naming the symbology for text Code 128 cannot hold`() {
        val e = assertThrows<RenderCodeException.Unencodable> {
            renderCode("支付", Symbology.CODE128, 2u)
        }
        assertTrue(e.message!!.startsWith("cannot encode this text as Code128"), e.message)
    }

    @Test
    fun `throws a typed exception for a bitmap larger than the ceiling`() {
        val e = assertThrows<RenderCodeException.TooLarge> { renderCode("x", Symbology.QR, 1000u) }
        assertTrue(e.message!!.contains("larger than 8192"), e.message)
    }
}
