import Foundation
import KeyBridgeFIDO
import KeyBridgePCSC
import XCTest

/// A `keybridge vkey serve --vpcd` process: the virtual key as a contactless card inside the
/// real pcscd (vsmartcard's vpcd driver). Slot 0 is port 35963 ("Virtual PCD 00 00").
final class VirtualCardProcess {
    let slot: Int
    let directory: URL
    let controlPath: String
    private let process: Process
    private let logPath: String

    var reader: String { "Virtual PCD 00 0\(slot)" }
    var deviceID: String { "nfc:\(reader)" }
    var descriptor: DeviceDescriptor { .nfc(reader: reader) }

    init(slot: Int = 0, options: [String] = []) throws {
        self.slot = slot
        directory = try TestPaths.temporaryDirectory()
        controlPath = directory.appendingPathComponent("card.ctl").path
        logPath = directory.appendingPathComponent("card.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard (try? PCSCContext()) != nil else {
            XCTFail("pcscd is not running: the NFC tests need `scripts/test-env start` (scripts/test does it)")
            throw PCSCError.serviceNotRunning
        }
        try Self.waitForCard(reader: "Virtual PCD 00 0\(slot)", present: false, timeout: 10)
        process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.keybridge)
        process.arguments = ["vkey", "serve", "--vpcd", "127.0.0.1:\(35963 + slot)", "--control", controlPath] + options
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try Self.waitForCard(reader: reader, present: true, timeout: 15)
    }

    deinit { stop() }

    /// Stops the card and waits until the reader reports it gone.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        try? Self.waitForCard(reader: reader, present: false, timeout: 10)
    }

    @discardableResult
    func control(_ command: [String: Any]) throws -> [String: Any] {
        let line = String(decoding: try JSONSerialization.data(withJSONObject: command), as: UTF8.self)
        let reply = Data(try UnixStreamSocket.exchangeLine(path: controlPath, line: line).utf8)
        return try JSONSerialization.jsonObject(with: reply) as? [String: Any] ?? [:]
    }

    func open() async throws -> SecurityKey { try await SecurityKey.open(descriptor) }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Polls pcscd until the reader shows (or stops showing) a card.
    static func waitForCard(reader: String, present: Bool, timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let context = try? PCSCContext(), let statuses = try? context.statuses(),
                let status = statuses.first(where: { $0.reader == reader })
            {
                if status.cardPresent == present { return }
            } else if !present {
                return
            }
            usleep(50_000)
        }
        throw NSError(
            domain: "VirtualCardProcess", code: 1,
            userInfo: [NSLocalizedDescriptionKey: "the card on \(reader) did not become \(present ? "present" : "absent")"])
    }
}
