import AVFoundation
import Hutong
import SwiftUI
import UIKit

/// The viewfinder: an AVCaptureVideoPreviewLayer, the scanning window, and the outlines of the
/// codes found on the last frame, placed through the layer's own coordinate conversion.
struct CameraPreview: UIViewRepresentable {
    let camera: CameraScanner
    let result: CameraFrameResult?

    func makeUIView(context: Context) -> PreviewView {
        let view = PreviewView()
        view.previewLayer.session = camera.session
        view.previewLayer.videoGravity = .resizeAspectFill
        view.onLayout = { [weak view] in
            guard let view else { return }
            // The window, as normalised sensor coordinates, is what the scanner crops to.
            camera.rectOfInterest = view.previewLayer.metadataOutputRectConverted(fromLayerRect: view.reticle)
        }
        return view
    }

    func updateUIView(_ view: PreviewView, context: Context) {
        // Again per update: the conversion is only meaningful once the session delivers frames.
        camera.rectOfInterest = view.previewLayer.metadataOutputRectConverted(fromLayerRect: view.reticle)
        guard let result else {
            view.outlines = []
            return
        }
        view.outlines = result.codes.map { code in
            code.corners.map { corner in
                let device = result.geometry.captureDevicePoint(fromUpright: CGPoint(x: CGFloat(corner.x), y: CGFloat(corner.y)))
                return view.previewLayer.layerPointConverted(fromCaptureDevicePoint: device)
            }
        }
    }

    final class PreviewView: UIView {
        override class var layerClass: AnyClass { AVCaptureVideoPreviewLayer.self }
        var previewLayer: AVCaptureVideoPreviewLayer { layer as! AVCaptureVideoPreviewLayer }
        var onLayout: (() -> Void)?
        private let windowLayer = CAShapeLayer()
        private let codesLayer = CAShapeLayer()

        /// A centred square, 70% of the shorter side (the Android sample uses the same).
        var reticle: CGRect {
            let side = 0.7 * min(bounds.width, bounds.height)
            return CGRect(x: bounds.midX - side / 2, y: bounds.midY - side / 2, width: side, height: side)
        }

        var outlines: [[CGPoint]] = [] {
            didSet {
                let path = UIBezierPath()
                for shape in outlines where !shape.isEmpty {
                    path.move(to: shape[0])
                    shape.dropFirst().forEach { path.addLine(to: $0) }
                    path.close()
                }
                codesLayer.path = path.cgPath
            }
        }

        override init(frame: CGRect) {
            super.init(frame: frame)
            for (shape, color) in [(windowLayer, UIColor.white), (codesLayer, UIColor.green)] {
                shape.strokeColor = color.cgColor
                shape.fillColor = UIColor.clear.cgColor
                shape.lineWidth = 3
                layer.addSublayer(shape)
            }
        }

        required init?(coder: NSCoder) { fatalError("not used from storyboards") }

        override func layoutSubviews() {
            super.layoutSubviews()
            windowLayer.frame = bounds
            codesLayer.frame = bounds
            windowLayer.path = UIBezierPath(rect: reticle).cgPath
            onLayout?()
        }
    }
}
