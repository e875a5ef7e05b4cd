import Foundation
import KeyBridgeRegistration
import XCTest

/// `keybridge-server` is the directory service without the key stack: it links none of libfido2,
/// libudev or pcsclite, and it serves a directory exactly as `keybridge serve` does.
final class HardwareFreeServerTests: XCTestCase {
    func testKeybridgeServerLinksNoHardwareLibraryAndServesTheDirectory() async throws {
        let binary = URL(fileURLWithPath: TestPaths.keybridge).deletingLastPathComponent().appendingPathComponent("keybridge-server").path
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), "keybridge-server is built beside keybridge")
        let linked = try ProcessRunner.run("/usr/bin/ldd", [binary])
        XCTAssertEqual(linked.status, 0, linked.stderr)
        for library in ["libfido2", "libudev", "libpcsclite", "libcbor"] {
            XCTAssertFalse(linked.stdout.contains(library), "keybridge-server links \(library):\n\(linked.stdout)")
        }
        let full = try ProcessRunner.run("/usr/bin/ldd", [TestPaths.keybridge])
        XCTAssertTrue(full.stdout.contains("libfido2"), "the check can fail: keybridge itself does link libfido2")

        let (directory, _) = try GraphAPITests.serve(.sqlite)
        let token = try GraphAPITests.token(directory, ["read"])
        let server = try ServerProcess(directory: directory.directory, environment: directory.environment, executable: binary)
        let listed = try await server.request("GET", "/users/alice@contoso.com/authentication/methods", token: token)
        XCTAssertEqual(listed.status, 200, listed.text)
        XCTAssertEqual(listed.body["@odata.context"] as? String, "https://graph.microsoft.com/beta/$metadata#users('\(DirectoryUser.objectID(upn: "alice@contoso.com"))')/authentication/methods")
    }
}
