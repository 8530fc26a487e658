package org.hutong.graphics

import java.nio.ByteBuffer
import kotlin.test.Test
import kotlin.test.assertEquals

class GrayPixelsTest {
    private fun luma(vararg argb: Int): List<Int> {
        val out = ByteBuffer.allocateDirect(argb.size + 2)
        GrayPixels.lumaOfArgb(argb, argb.size, out, 2)
        return (2 until argb.size + 2).map { out.get(it).toInt() and 0xFF }
    }

    @Test
    fun `every grey survives the trip to colour and back`() {
        val grey = ByteArray(256) { it.toByte() }
        val argb = GrayPixels.argbOfGray(grey)
        assertEquals(0xFF808080.toInt(), argb[128])
        assertEquals((0..255).toList(), luma(*argb))
    }

    @Test
    fun `colours weigh as the library's BT 601 luma`() {
        // (77 R + 150 G + 29 B + 128) >> 8, as src/scan/image/mod.rs.
        assertEquals(listOf(77, 149, 29, 0, 255), luma(0xFFFF0000.toInt(), 0xFF00FF00.toInt(), 0xFF0000FF.toInt(), 0xFF000000.toInt(), -1))
    }

    @Test
    fun `transparency is composited over white so a code on a clear background reads dark on light`() {
        assertEquals(listOf(255, 255, 127, 0), luma(0x00000000, 0x00FFFFFF, 0x80000000.toInt(), 0xFF000000.toInt()))
    }
}
