import CoreGraphics

/// Where a camera buffer's pixels are relative to what the user sees.
///
/// Camera buffers arrive in sensor orientation; `rotation` (clockwise degrees, 0/90/180/270)
/// turns them upright. Hutong takes its crop and returns its corners in upright coordinates,
/// while AVFoundation converts between a preview layer and *sensor* coordinates normalised to
/// 0...1 (`metadataOutputRectConverted(fromLayerRect:)`, `layerPointConverted(fromCaptureDevicePoint:)`).
/// This type maps between the two. Platform-neutral, so it is tested with XCTest on macOS.
public struct FrameGeometry: Equatable {
    /// Sensor buffer size in pixels.
    public let width: Int
    public let height: Int
    /// Clockwise degrees that make the buffer upright.
    public let rotation: Int

    /// Nil when the size is empty or the rotation is not a quarter turn.
    public init?(width: Int, height: Int, rotation: Int) {
        guard width > 0, height > 0, [0, 90, 180, 270].contains(rotation) else { return nil }
        self.width = width
        self.height = height
        self.rotation = rotation
    }

    /// Upright size: the sensor size with axes swapped for 90 and 270.
    public var uprightSize: CGSize {
        rotation % 180 == 0
            ? CGSize(width: width, height: height)
            : CGSize(width: height, height: width)
    }

    /// A sensor-space rectangle (pixels) in upright space.
    public func uprightRect(fromSensor r: CGRect) -> CGRect {
        let w = CGFloat(width)
        let h = CGFloat(height)
        switch rotation {
        case 90: return CGRect(x: h - r.maxY, y: r.minX, width: r.height, height: r.width)
        case 180: return CGRect(x: w - r.maxX, y: h - r.maxY, width: r.width, height: r.height)
        case 270: return CGRect(x: r.minY, y: w - r.maxX, width: r.height, height: r.width)
        default: return r
        }
    }

    /// An upright point (a corner Hutong returned) in sensor pixels.
    public func sensorPoint(fromUpright p: CGPoint) -> CGPoint {
        let w = CGFloat(width)
        let h = CGFloat(height)
        switch rotation {
        case 90: return CGPoint(x: p.y, y: h - p.x)
        case 180: return CGPoint(x: w - p.x, y: h - p.y)
        case 270: return CGPoint(x: w - p.y, y: p.x)
        default: return p
        }
    }

    /// An upright point as a normalised capture-device point, ready for
    /// `AVCaptureVideoPreviewLayer.layerPointConverted(fromCaptureDevicePoint:)`.
    public func captureDevicePoint(fromUpright p: CGPoint) -> CGPoint {
        let s = sensorPoint(fromUpright: p)
        return CGPoint(x: s.x / CGFloat(width), y: s.y / CGFloat(height))
    }

    /// The crop Hutong scans for a rect of interest given as a normalised sensor rectangle (what
    /// `metadataOutputRectConverted(fromLayerRect:)` returns for the viewfinder): grown outward
    /// to whole pixels, clipped to the buffer, turned upright. Nil when nothing of it is inside.
    public func uprightCrop(normalizedSensorRect n: CGRect) -> (x: UInt32, y: UInt32, width: UInt32, height: UInt32)? {
        let w = CGFloat(width)
        let h = CGFloat(height)
        let left = max(0, (n.minX * w).rounded(.down))
        let top = max(0, (n.minY * h).rounded(.down))
        let right = min(w, (n.maxX * w).rounded(.up))
        let bottom = min(h, (n.maxY * h).rounded(.up))
        guard right > left, bottom > top else { return nil }
        let r = uprightRect(fromSensor: CGRect(x: left, y: top, width: right - left, height: bottom - top))
        return (UInt32(r.minX), UInt32(r.minY), UInt32(r.width), UInt32(r.height))
    }
}
