import Foundation
import KeyBridgeRegistration
import XCTest

/// Many processes writing one embedded directory at once — as kiosks and workstations sharing a
/// file do — all succeed: writers wait for each other instead of failing with "database is locked".
final class ParallelWritersTests: XCTestCase {
    func testFiftyParallelWritersAllSucceed() async throws {
        let directory = try DirectoryFixture()
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let admin = ["--admin", "it@contoso.com", "--client-address", "10.0.0.1"]
        let commands: [[String]] =
            (0..<50).map { ["admin", "user", "add", "--upn", "user\($0)@contoso.com", "--display-name", "User \($0)", "--home-tenant", "contoso"] + admin }
            + (0..<10).map { _ in ["admin", "tap", "issue", "--user", "dana@contoso.com", "--json"] + admin }
        // All started at once by one shell, each in the background, its exit status and error
        // output kept in files; the shell does not wait (a `wait` under a test runner that ignores
        // SIGCHLD never returns), the test polls for the status files instead.
        let folder = directory.folder.appendingPathComponent("parallel")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let script = "exec </dev/null >/dev/null 2>&1\n" + commands.enumerated().map { index, arguments in
            "( " + ([TestPaths.keybridge] + arguments).map(TmuxSession.quote).joined(separator: " ")
                + " 2>\(folder.path)/\(index).err; echo $? >\(folder.path)/\(index).rc.tmp; mv \(folder.path)/\(index).rc.tmp \(folder.path)/\(index).rc ) &"
        }.joined(separator: "\n") + "\n"
        let run = try ProcessRunner.run("/bin/sh", ["-c", script], environment: directory.environment)
        XCTAssertEqual(run.status, 0, run.stderr)
        let deadline = Date().addingTimeInterval(120)
        func finished() -> Int {
            commands.indices.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent("\($0).rc").path) }.count
        }
        while finished() < commands.count, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        XCTAssertEqual(finished(), commands.count, "every writer finished")
        var failures: [String] = []
        for index in commands.indices {
            let status = try String(contentsOf: folder.appendingPathComponent("\(index).rc"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            if status != "0" {
                failures.append("\(commands[index]) → \(status): " + ((try? String(contentsOf: folder.appendingPathComponent("\(index).err"), encoding: .utf8)) ?? ""))
            }
        }
        XCTAssertEqual(failures, [], "every writer succeeds")
        let users = try await directory.withStore { try await $0.users(tenant: "contoso") }
        XCTAssertEqual(users.count, 51)
        let audit = try await directory.audit()
        XCTAssertEqual(audit.filter { $0.action == "userAdd" && $0.outcome == .success }.count, 51, "each write audited once")
        XCTAssertEqual(audit.filter { $0.action == "issueTemporaryAccessPass" }.count, 10)
    }
}
