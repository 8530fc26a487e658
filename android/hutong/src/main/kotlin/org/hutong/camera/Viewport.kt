package org.hutong.camera

import kotlin.math.ceil
import kotlin.math.floor
import kotlin.math.max
import kotlin.math.min

/** A rectangle in whole pixels (image space). */
data class PixelRect(val x: Int, val y: Int, val width: Int, val height: Int) {
    val right: Int get() = x + width
    val bottom: Int get() = y + height
}

/** A rectangle in view coordinates (floating point, like `android.graphics.RectF`). */
data class ViewRect(val left: Float, val top: Float, val right: Float, val bottom: Float)

/** A point; in image space it is upright display coordinates, in view space view pixels. */
data class XY(val x: Float, val y: Float)

/** How the preview is laid into its view, as `PreviewView.ScaleType` FILL_CENTER / FIT_CENTER. */
enum class ScaleMode { FILL_CENTER, FIT_CENTER }

/** Rotation turning the sensor image upright, as `ImageInfo.rotationDegrees`. */
fun requireQuarterTurn(degrees: Int): Int {
    require(degrees == 0 || degrees == 90 || degrees == 180 || degrees == 270) {
        "rotation must be 0, 90, 180 or 270 degrees, got $degrees"
    }
    return degrees
}

/**
 * A sensor-space rectangle of a `width` x `height` sensor image, expressed in the upright
 * display space that a clockwise turn of `degrees` produces (the crop Hutong takes is upright).
 */
fun sensorRectToDisplay(r: PixelRect, width: Int, height: Int, degrees: Int): PixelRect =
    when (requireQuarterTurn(degrees)) {
        0 -> r
        90 -> PixelRect(height - r.bottom, r.x, r.height, r.width)
        180 -> PixelRect(width - r.right, height - r.bottom, r.width, r.height)
        else -> PixelRect(r.y, width - r.right, r.height, r.width)
    }

/**
 * Maps between a view showing the camera image and the upright image.
 *
 * `visible` is the part of the sensor image the preview shows (`ImageProxy.cropRect` when the
 * use cases share a CameraX `ViewPort`, else the whole image); it is scaled to fill or fit the
 * view and centred, as PreviewView does. The scanner's crop and its corners live in upright
 * image space; the overlay draws in view space.
 */
class ViewportMapping(
    viewWidth: Int,
    viewHeight: Int,
    val imageWidth: Int,
    val imageHeight: Int,
    val rotationDegrees: Int,
    visible: PixelRect = PixelRect(0, 0, imageWidth, imageHeight),
    mode: ScaleMode = ScaleMode.FILL_CENTER,
) {
    /** The visible sensor rectangle, upright. */
    val content: PixelRect = sensorRectToDisplay(visible, imageWidth, imageHeight, rotationDegrees)
    private val scale: Float
    private val offsetX: Float
    private val offsetY: Float

    init {
        require(viewWidth > 0 && viewHeight > 0) { "view is empty: ${viewWidth}x$viewHeight" }
        require(content.width > 0 && content.height > 0) { "visible image area is empty: $visible" }
        val sx = viewWidth.toFloat() / content.width
        val sy = viewHeight.toFloat() / content.height
        scale = if (mode == ScaleMode.FILL_CENTER) max(sx, sy) else min(sx, sy)
        offsetX = (viewWidth - content.width * scale) / 2f
        offsetY = (viewHeight - content.height * scale) / 2f
    }

    val displayWidth: Int get() = if (rotationDegrees % 180 == 0) imageWidth else imageHeight
    val displayHeight: Int get() = if (rotationDegrees % 180 == 0) imageHeight else imageWidth

    /** An upright image point (a scanned corner) in view coordinates. */
    fun imageToView(p: XY): XY = XY((p.x - content.x) * scale + offsetX, (p.y - content.y) * scale + offsetY)

    /** A view point in upright image coordinates. */
    fun viewToImage(p: XY): XY = XY((p.x - offsetX) / scale + content.x, (p.y - offsetY) / scale + content.y)

    /**
     * The viewfinder drawn at `r` (view coordinates) as the crop to scan, in upright image pixels:
     * grown outward to whole pixels and clipped to the visible area. Null when nothing of it is
     * visible (scan the whole frame instead, or skip).
     */
    fun viewRectToCrop(r: ViewRect): PixelRect? {
        val a = viewToImage(XY(r.left, r.top))
        val b = viewToImage(XY(r.right, r.bottom))
        val left = max(floor(min(a.x, b.x)).toInt(), content.x)
        val top = max(floor(min(a.y, b.y)).toInt(), content.y)
        val right = min(ceil(max(a.x, b.x)).toInt(), content.right)
        val bottom = min(ceil(max(a.y, b.y)).toInt(), content.bottom)
        if (right <= left || bottom <= top) return null
        return PixelRect(left, top, right - left, bottom - top)
    }
}
