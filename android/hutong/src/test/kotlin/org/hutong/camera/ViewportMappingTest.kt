package org.hutong.camera

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNull

class ViewportMappingTest {
    @Test
    fun `maps a sensor rectangle to upright space for every quarter turn`() {
        val r = PixelRect(10, 20, 30, 40)
        assertEquals(r, sensorRectToDisplay(r, 640, 480, 0))
        assertEquals(PixelRect(480 - 60, 10, 40, 30), sensorRectToDisplay(r, 640, 480, 90))
        assertEquals(PixelRect(640 - 40, 480 - 60, 30, 40), sensorRectToDisplay(r, 640, 480, 180))
        assertEquals(PixelRect(20, 640 - 40, 40, 30), sensorRectToDisplay(r, 640, 480, 270))
    }

    @Test
    fun `rejects a rotation that is not a quarter turn`() {
        assertFailsWith<IllegalArgumentException> { sensorRectToDisplay(PixelRect(0, 0, 1, 1), 4, 4, 45) }
    }

    @Test
    fun `a portrait phone shows a 640x480 sensor turned 90 filling a 1080x1920 view`() {
        // Upright image is 480x640; FILL_CENTER scales by max(1080/480, 1920/640) = 3 and crops the width.
        val m = ViewportMapping(1080, 1920, 640, 480, 90)
        assertEquals(480, m.displayWidth)
        assertEquals(640, m.displayHeight)
        // 480*3 = 1440 wide, centred: 180 px cut off each side.
        assertEquals(XY(-180f, 0f), m.imageToView(XY(0f, 0f)))
        assertEquals(XY(240f, 320f), m.viewToImage(XY(540f, 960f)))
    }

    @Test
    fun `a centred viewfinder square becomes the matching upright crop`() {
        val m = ViewportMapping(1080, 1920, 640, 480, 90)
        val crop = m.viewRectToCrop(ViewRect(240f, 660f, 840f, 1260f))
        assertEquals(PixelRect(140, 220, 200, 200), crop)
    }

    @Test
    fun `a viewfinder partly outside the visible image is clipped to it`() {
        val m = ViewportMapping(1080, 1920, 640, 480, 90)
        // In image space this starts left of 0; the part beyond the image is dropped.
        assertEquals(PixelRect(0, 0, 100, 50), m.viewRectToCrop(ViewRect(-600f, -30f, 120f, 150f)))
    }

    @Test
    fun `a viewfinder entirely off the image gives no crop`() {
        val m = ViewportMapping(100, 100, 640, 480, 0, mode = ScaleMode.FIT_CENTER)
        // FIT letterboxes: the image occupies y 12.5..87.5; a rect in the top band shows nothing.
        assertNull(m.viewRectToCrop(ViewRect(0f, 0f, 100f, 10f)))
    }

    @Test
    fun `crop is grown outward to whole pixels`() {
        val m = ViewportMapping(1280, 960, 640, 480, 0)
        // Scale 2: view 11..31 is image 5.5..15.5, which needs pixels 5 through 15.
        assertEquals(PixelRect(5, 5, 11, 11), m.viewRectToCrop(ViewRect(11f, 11f, 31f, 31f)))
    }

    @Test
    fun `the visible region of a shared viewport is what fills the view`() {
        // The analysis image is 640x480 but the ViewPort shows only sensor x 80..560 (480x480).
        val m = ViewportMapping(960, 960, 640, 480, 0, visible = PixelRect(80, 0, 480, 480))
        assertEquals(XY(80f, 0f), m.viewToImage(XY(0f, 0f)))
        assertEquals(XY(0f, 0f), m.imageToView(XY(80f, 0f)))
        assertEquals(PixelRect(80, 0, 480, 480), m.viewRectToCrop(ViewRect(0f, 0f, 960f, 960f)))
    }

    @Test
    fun `image to view and back is the identity`() {
        val m = ViewportMapping(1080, 2340, 1280, 720, 270)
        val p = XY(123f, 456f)
        val back = m.viewToImage(m.imageToView(p))
        assertEquals(p.x, back.x, 1e-3f)
        assertEquals(p.y, back.y, 1e-3f)
    }
}
