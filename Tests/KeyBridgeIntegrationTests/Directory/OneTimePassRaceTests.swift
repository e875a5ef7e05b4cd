import Foundation
import KeyBridgeRegistration
import XCTest

/// A one-time Temporary Access Pass presented by several processes at the same moment opens
/// security info exactly once; every other attempt is refused as a used pass, on SQLite and on
/// PostgreSQL.
final class OneTimePassRaceTests: XCTestCase {
    func testAOneTimePassRacedByEightProcessesWorksOnceOnSQLite() async throws { try await race(.sqlite) }

    func testAOneTimePassRacedByEightProcessesWorksOnceOnPostgreSQL() async throws { try await race(.postgres) }

    private func race(_ backend: DirectoryFixture.Backend) async throws {
        let directory = try DirectoryFixture(backend: backend)
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let pass = try directory.issuePass("dana@contoso.com")
        let folder = directory.folder.appendingPathComponent("race")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let command = [TestPaths.keybridge, "security-info", "list", "--user", "dana@contoso.com", "--client-device", "hr-kiosk-1", "--json"]
            .map(TmuxSession.quote).joined(separator: " ")
        // Started together by one shell; each one's exit status in a file (the shell does not wait).
        let script = "exec </dev/null >/dev/null 2>&1\n" + (0..<8).map { index in
            "( \(command) >\(folder.path)/\(index).out; echo $? >\(folder.path)/\(index).tmp; mv \(folder.path)/\(index).tmp \(folder.path)/\(index).rc ) &"
        }.joined(separator: "\n") + "\n"
        _ = try ProcessRunner.run("/bin/sh", ["-c", script], environment: directory.environment.merging(["KEYBRIDGE_TAP": pass]) { $1 })
        let deadline = Date().addingTimeInterval(60)
        var statuses: [String] = []
        while Date() < deadline {
            statuses = (0..<8).compactMap { try? String(contentsOf: folder.appendingPathComponent("\($0).rc"), encoding: .utf8) }
                .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if statuses.count == 8 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        XCTAssertEqual(statuses.count, 8, "[\(backend)] every attempt finished")
        XCTAssertEqual(statuses.filter { $0 == "0" }.count, 1, "[\(backend)] exactly one attempt opens with the pass: \(statuses)")
        XCTAssertEqual(statuses.filter { $0 == "12" }.count, 7, "[\(backend)] the others are refused (MFA not accepted): \(statuses)")
        let openings = try await directory.audit().filter { $0.upn == "dana@contoso.com" && $0.action == "start" }
        XCTAssertEqual(openings.filter { $0.outcome == .success }.count, 1, "[\(backend)]")
        XCTAssertEqual(openings.filter { $0.outcome == .failure }.count, 7, "[\(backend)] each refusal audited")
    }
}
