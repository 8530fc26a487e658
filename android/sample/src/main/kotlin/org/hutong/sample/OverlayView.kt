package org.hutong.sample

import android.content.Context
import android.graphics.Canvas
import android.graphics.Color
import android.graphics.Paint
import android.graphics.Path
import android.view.View
import org.hutong.camera.ScaleMode
import org.hutong.camera.ViewRect
import org.hutong.camera.Viewfinder
import org.hutong.camera.XY
import kotlin.math.min

/**
 * Draws the viewfinder window and the corners of the codes found on the last frame, over the
 * PreviewView. The window is also what the analyzer scans ([viewfinder]).
 */
class OverlayView(context: Context) : View(context) {
    private val windowPaint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        style = Paint.Style.STROKE
        strokeWidth = 4f
        color = Color.WHITE
    }
    private val codePaint = Paint(Paint.ANTI_ALIAS_FLAG).apply {
        style = Paint.Style.STROKE
        strokeWidth = 6f
        color = Color.GREEN
    }
    private val shade = Paint().apply { color = Color.argb(96, 0, 0, 0) }

    /** Code outlines in view coordinates, replaced on every frame. */
    @Volatile
    private var outlines: List<List<XY>> = emptyList()

    /** The scanning window: a centred square, 70% of the shorter side. */
    fun window(): ViewRect? {
        if (width == 0 || height == 0) return null
        val side = 0.7f * min(width, height)
        val left = (width - side) / 2f
        val top = (height - side) / 2f
        return ViewRect(left, top, left + side, top + side)
    }

    /** Read by the analyzer thread: sizes are plain ints, the window is recomputed from them. */
    fun viewfinder(): Viewfinder? {
        val w = width
        val h = height
        if (w == 0 || h == 0) return null
        return Viewfinder(w, h, window(), ScaleMode.FILL_CENTER)
    }

    fun showOutlines(shapes: List<List<XY>>) {
        outlines = shapes
        postInvalidate()
    }

    override fun onDraw(canvas: Canvas) {
        super.onDraw(canvas)
        window()?.let { r ->
            canvas.drawRect(0f, 0f, width.toFloat(), r.top, shade)
            canvas.drawRect(0f, r.bottom, width.toFloat(), height.toFloat(), shade)
            canvas.drawRect(0f, r.top, r.left, r.bottom, shade)
            canvas.drawRect(r.right, r.top, width.toFloat(), r.bottom, shade)
            canvas.drawRect(r.left, r.top, r.right, r.bottom, windowPaint)
        }
        for (shape in outlines) {
            if (shape.isEmpty()) continue
            val path = Path()
            path.moveTo(shape[0].x, shape[0].y)
            for (p in shape.drop(1)) path.lineTo(p.x, p.y)
            path.close()
            canvas.drawPath(path, codePaint)
        }
    }
}
