import SwiftUI

@main
struct HutongSampleApp: App {
    var body: some Scene {
        WindowGroup {
            ScannerScreen()
        }
    }
}
