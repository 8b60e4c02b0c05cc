import Foundation
import Testing
@testable import LocustRunner

/// The page compiled into the binary is the page in `Sources/Runner/Web/Assets/` (run
/// `scripts/embed-web-assets.sh` after editing those files).
struct WebAssetsTests {
    static let assets = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Runner/Web/Assets")

    @Test(arguments: [("index.html", WebAssets.indexHTML), ("app.css", WebAssets.appCSS), ("app.js", WebAssets.appJS)])
    func embeddedAssetEqualsItsFile(name: String, embedded: String) throws {
        let file = try String(contentsOf: Self.assets.appendingPathComponent(name), encoding: .utf8)
        #expect(
            embedded == file || embedded + "\n" == file,
            "WebAssets.swift is stale for \(name): run scripts/embed-web-assets.sh")
    }

    @Test func thePageHasItsPlaceholders() {
        #expect(WebAssets.indexHTML.contains("{{TEMPLATE_ARGS}}"))
        #expect(WebAssets.indexHTML.contains("{{BASE_PATH}}"))
    }
}
