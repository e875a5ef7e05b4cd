import Foundation

/// Where the test suite finds the built `keybridge` binary, the package root and the peers.
enum TestPaths {
    /// The package root (two levels above this file's folder).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// `$KEYBRIDGE_BIN`, else the `keybridge` built beside the test bundle.
    static var keybridge: String {
        if let path = ProcessInfo.processInfo.environment["KEYBRIDGE_BIN"] { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            bundleDirectory.appendingPathComponent("keybridge").path,
            bundleDirectory.deletingLastPathComponent().appendingPathComponent("keybridge").path,
            packageRoot.appendingPathComponent(".build/debug/keybridge").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }

    /// The Python interpreter with the independent peers installed (scripts/setup makes .venv).
    static var peerPython: String {
        ProcessInfo.processInfo.environment["KEYBRIDGE_PEER_PYTHON"]
            ?? packageRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// A fresh temporary directory (short, so Unix socket paths stay under 108 bytes).
    static func temporaryDirectory() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/kbt-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
