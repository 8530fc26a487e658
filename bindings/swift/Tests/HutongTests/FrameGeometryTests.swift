import CoreGraphics
@testable import Hutong
import XCTest

/// The iOS camera adapter's geometry, mirroring the Android ViewportMappingTest.
final class FrameGeometryTests: XCTestCase {
    func testRejectsEmptySizesAndRotationsThatAreNotQuarterTurns() {
        XCTAssertNil(FrameGeometry(width: 0, height: 480, rotation: 0))
        XCTAssertNil(FrameGeometry(width: 640, height: 480, rotation: 45))
    }

    func testMapsASensorRectangleUprightForEveryQuarterTurn() {
        let r = CGRect(x: 10, y: 20, width: 30, height: 40)
        func upright(_ degrees: Int) -> CGRect {
            FrameGeometry(width: 640, height: 480, rotation: degrees)!.uprightRect(fromSensor: r)
        }
        XCTAssertEqual(upright(0), r)
        XCTAssertEqual(upright(90), CGRect(x: 480 - 60, y: 10, width: 40, height: 30))
        XCTAssertEqual(upright(180), CGRect(x: 640 - 40, y: 480 - 60, width: 30, height: 40))
        XCTAssertEqual(upright(270), CGRect(x: 20, y: 640 - 40, width: 40, height: 30))
    }

    func testUprightPointsGoBackToTheSensorPixelsTheyCameFrom() {
        for degrees in [0, 90, 180, 270] {
            let g = FrameGeometry(width: 1280, height: 720, rotation: degrees)!
            let sensor = CGPoint(x: 100, y: 50)
            // Upright position of that sensor pixel, via the rectangle map of a zero-size rect.
            let upright = g.uprightRect(fromSensor: CGRect(origin: sensor, size: .zero)).origin
            XCTAssertEqual(g.sensorPoint(fromUpright: upright), sensor, "rotation \(degrees)")
        }
    }

    func testPortraitViewfinderBecomesAnUprightCropInWholePixels() {
        // Back camera, portrait: 1280x720 buffers turned 90 degrees; upright is 720x1280.
        let g = FrameGeometry(width: 1280, height: 720, rotation: 90)!
        XCTAssertEqual(g.uprightSize, CGSize(width: 720, height: 1280))
        // The middle half of the sensor in both directions.
        let crop = g.uprightCrop(normalizedSensorRect: CGRect(x: 0.25, y: 0.25, width: 0.5, height: 0.5))!
        XCTAssertEqual(crop.x, 180)
        XCTAssertEqual(crop.y, 320)
        XCTAssertEqual(crop.width, 360)
        XCTAssertEqual(crop.height, 640)
    }

    func testCropIsClippedToTheBufferAndNilWhenOutside() {
        let g = FrameGeometry(width: 100, height: 100, rotation: 0)!
        let clipped = g.uprightCrop(normalizedSensorRect: CGRect(x: -0.5, y: 0.9, width: 1, height: 0.5))!
        XCTAssertEqual([clipped.x, clipped.y, clipped.width, clipped.height], [0, 90, 50, 10])
        XCTAssertNil(g.uprightCrop(normalizedSensorRect: CGRect(x: 1.2, y: 0, width: 0.3, height: 1)))
    }

    func testCapturePointsAreNormalisedSensorCoordinates() {
        let g = FrameGeometry(width: 1000, height: 500, rotation: 90)!
        // Upright (0, 0) is the sensor's bottom-left corner when turned 90 degrees clockwise.
        XCTAssertEqual(g.captureDevicePoint(fromUpright: CGPoint(x: 0, y: 0)), CGPoint(x: 0, y: 1))
    }
}

final class FrameTimingTests: XCTestCase {
    func testReportsZeroBeforeEnoughFrames() {
        var t = FrameTiming()
        XCTAssertEqual(t.medianScanMillis, 0)
        t.record(timestampNanos: 1_000_000_000, scanMillis: 4)
        XCTAssertEqual(t.medianScanMillis, 4)
        XCTAssertEqual(t.framesPerSecond, 0)
    }

    func testMedianAndFpsOverTheWindowOnly() {
        var t = FrameTiming(window: 5)
        for (i, ms) in [100.0, 3, 4, 5, 6, 7].enumerated() {
            t.record(timestampNanos: UInt64(i) * 50_000_000, scanMillis: ms)
        }
        XCTAssertEqual(t.medianScanMillis, 5)
        XCTAssertEqual(t.framesPerSecond, 20, accuracy: 1e-9)
    }
}
