import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// The directory's limits hold between separate keybridge processes racing on one SQLite file,
/// through the whole command (gate, manage session, verification, store), and every loser is
/// refused with the limit's own typed error.
final class CrossProcessRaceTests: XCTestCase {
    private static let policy = """
        {"relyingParty": {"id": "contoso.com"}, "origin": "https://login.contoso.com",
         "authenticationMethods": {"enabled": {"otherAuthenticatorApp": {}}}}
        """
    private let user = "dana@contoso.com"

    func testFiveProcessesAddingAFifthAppLeaveFiveAndEveryLoserIsLimitReached() async throws {
        let directory = try DirectoryFixture(policy: Self.policy)
        try directory.addUser(user, name: "Dana Scully")
        // Four apps already: room for one more.
        try await directory.withStore { store in
            for index in 0..<4 {
                _ = try await store.addMethod(
                    MethodDraft(kind: .otherAuthenticatorApp, displayValue: "App \(index)"), upn: user, tenant: "contoso",
                    sealedSecret: [UInt8(index)])
            }
        }
        // Five processes, each with its own pass, each shown its own secret; then all five codes at once.
        let racers = try (0..<5).map { index in
            try InteractiveProcess(
                TestPaths.keybridge, ["security-info", "add", "authenticator-app", "--user", user, "--name", "Racer \(index)", "--json"],
                environment: directory.environment.merging(["KEYBRIDGE_TAP": try directory.issuePass(user)]) { $1 })
        }
        var codes: [String] = []
        for racer in racers {
            let uri = try racer.waitForStderr(matching: /otpauth:\/\/\S+/, timeout: .seconds(30))
            let secret = try XCTUnwrap(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)
            codes.append(try Oathtool.totp(secret))
        }
        for (racer, code) in zip(racers, codes) { racer.send(code + "\n") }
        let results = racers.map { $0.finish(timeout: .seconds(30)) }

        let winners = results.filter { $0.status == 0 }
        XCTAssertEqual(winners.count, 1, results.map { "\($0.status) \($0.stdout) \($0.stderr)" }.joined(separator: "\n"))
        for loser in results where loser.status != 0 {
            XCTAssertEqual(loser.status, 13, loser.stdout + loser.stderr)
            let error = (try? JSONSerialization.jsonObject(with: Data(loser.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any]
            XCTAssertEqual(error?["code"] as? String, "limitReached", loser.stdout)
        }
        await XCTAssertEqualAsync(try await directory.methods(user).filter { $0.kind == .otherAuthenticatorApp }.count, 5)
    }

    func testWrongCodesFromConcurrentProcessesShareOneLimit() async throws {
        let directory = try DirectoryFixture(policy: Self.policy)
        try directory.addUser(user, name: "Dana Scully")
        // One app, registered the way a user does it.
        let first = try InteractiveProcess(
            TestPaths.keybridge, ["security-info", "add", "authenticator-app", "--user", user, "--name", "Phone", "--json"],
            environment: directory.environment.merging(["KEYBRIDGE_TAP": try directory.issuePass(user)]) { $1 })
        let uri = try first.waitForStderr(matching: /otpauth:\/\/\S+/, timeout: .seconds(30))
        let secret = try XCTUnwrap(URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value)
        first.send(try Oathtool.totp(secret) + "\n")
        XCTAssertEqual(first.finish(timeout: .seconds(30)).status, 0)

        // Twelve processes at once, each with a wrong code.
        let right = try Oathtool.totp(secret, offset: 60)
        let wrong = String(format: "%06d", ((Int(right) ?? 0) + 500_000) % 1_000_000)
        let racers = try (0..<12).map { _ in
            try InteractiveProcess(
                TestPaths.keybridge, ["security-info", "list", "--user", user, "--otp-code", wrong, "--json"], environment: directory.environment)
        }
        let results = racers.map { $0.finish(timeout: .seconds(30)) }
        let messages = results.map { result -> String in
            let error = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["error"] as? [String: Any]
            return "\(error?["code"] ?? "") \(error?["detail"] ?? "")"
        }
        XCTAssertTrue(results.allSatisfy { $0.status == 12 }, messages.joined(separator: "\n"))
        let checked = messages.filter { $0.contains("wrong or was already used") }.count
        XCTAssertTrue((0...5).contains(checked), "at most five wrong codes are checked: \(messages)")
        XCTAssertEqual(messages.filter { $0.contains("too many wrong codes") }.count, 12 - checked, "\(messages)")

        // The limit holds for the next process too, even with the right code.
        let now = try directory.keybridge(["security-info", "list", "--user", user, "--otp-code", try Oathtool.totp(secret), "--json"])
        XCTAssertEqual(now.status, 12, now.stdout)
        XCTAssertTrue(now.stdout.contains("too many wrong codes"), now.stdout)
    }
}

/// A process whose stdin is written while it runs and whose stderr is read as it comes.
final class InteractiveProcess: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSCondition()
    private var stderrText = ""
    private var stdoutData = Data()

    init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        errors.fileHandleForReading.readabilityHandler = { [lock] handle in
            let chunk = handle.availableData
            lock.withLock {
                self.stderrText += String(decoding: chunk, as: UTF8.self)
                lock.broadcast()
            }
        }
        output.fileHandleForReading.readabilityHandler = { [lock] handle in
            let chunk = handle.availableData
            lock.withLock { self.stdoutData += chunk }
        }
        try process.run()
    }

    /// Waits until stderr shows `pattern`; returns the match.
    func waitForStderr(matching pattern: Regex<Substring>, timeout: Duration) throws -> String {
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        return try lock.withLock {
            while true {
                if let match = stderrText.firstMatch(of: pattern) { return String(match.output) }
                guard process.isRunning, lock.wait(until: deadline) else {
                    throw NSError(domain: "InteractiveProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "stderr never showed it: \(stderrText)"])
                }
            }
        }
    }

    func send(_ text: String) { input.fileHandleForWriting.write(Data(text.utf8)) }

    /// Closes stdin, waits for the exit (killing the process after `timeout`), returns what it printed.
    func finish(timeout: Duration) -> ProcessResult {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(Double(timeout.components.seconds))
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        errors.fileHandleForReading.readabilityHandler = nil
        output.fileHandleForReading.readabilityHandler = nil
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        let restErrors = errors.fileHandleForReading.readDataToEndOfFile()
        return lock.withLock {
            ProcessResult(
                status: process.terminationStatus, stdout: String(decoding: stdoutData + rest, as: UTF8.self),
                stderr: stderrText + String(decoding: restErrors, as: UTF8.self))
        }
    }
}

/// TOTP codes from Debian's oathtool, an implementation independent of keybridge's.
enum Oathtool {
    static func totp(_ secret: String, offset: Int = 0) throws -> String {
        var arguments = ["--totp", "-b", secret]
        if offset != 0 { arguments += ["-N", "now + \(offset) seconds"] }
        let result = try ProcessRunner.run("/usr/bin/oathtool", arguments)
        XCTAssertEqual(result.status, 0, "oathtool (apt: oathtool) must be installed: \(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
