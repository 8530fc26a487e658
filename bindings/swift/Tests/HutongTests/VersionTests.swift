import Hutong
import XCTest

final class VersionTests: XCTestCase {
    func testReportsASemanticVersionFromTheLoadedLibrary() {
        let version = hutongVersion()
        XCTAssertNotNil(version.range(of: #"^\d+\.\d+\.\d+"#, options: .regularExpression), version)
    }
}
