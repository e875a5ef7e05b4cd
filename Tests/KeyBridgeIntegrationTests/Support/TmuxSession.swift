import Foundation
import XCTest

/// A program run in its own tmux server, as a person would use it on a terminal: keys are typed
/// with send-keys and the screen is read with capture-pane.
final class TmuxSession {
    let server: String
    let session = "main"

    /// Starts `command` (argv) with `environment` on a `width`×`height` terminal.
    init(_ command: [String], environment: [String: String] = [:], width: Int = 110, height: Int = 50) throws {
        server = "kbtest-\(UUID().uuidString.prefix(8))"
        let exports = environment.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        // Keep the pane after the program ends so its last screen can still be read.
        let shell = "env \(exports) \(command.map(Self.quote).joined(separator: " ")); echo; echo \"[exited $?]\"; sleep 600"
        let status = try Self.spawn(
            ["/usr/bin/tmux", "-L", server, "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", shell])
        guard status == 0 else {
            throw NSError(domain: "tmux", code: 1, userInfo: [NSLocalizedDescriptionKey: "tmux new-session failed (\(status))"])
        }
    }

    deinit { _ = try? tmux(["kill-server"]) }

    /// Types `text` literally, then Enter.
    func type(_ text: String, enter: Bool = true) throws {
        if !text.isEmpty { _ = try tmux(["send-keys", "-t", session, "-l", text]) }
        if enter { _ = try tmux(["send-keys", "-t", session, "Enter"]) }
    }

    /// Presses Ctrl-C.
    func interrupt() throws { _ = try tmux(["send-keys", "-t", session, "C-c"]) }

    /// The visible screen, wrapped lines joined.
    func screen() -> String { (try? tmux(["capture-pane", "-p", "-J", "-t", session]))?.stdout ?? "" }

    /// Waits until the screen shows `text`; fails the test with the screen when it does not.
    @discardableResult
    func waitFor(
        _ text: String, timeout: TimeInterval = 30, file: StaticString = #filePath, line: UInt = #line
    ) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let current = screen()
            if current.contains(text) { return current }
            usleep(100_000)
        }
        let last = screen()
        XCTFail("the screen never showed \"\(text)\":\n\(last)", file: file, line: line)
        throw NSError(domain: "tmux", code: 2, userInfo: [NSLocalizedDescriptionKey: "timed out waiting for \(text)"])
    }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        let output = NSTemporaryDirectory() + "kbtest-tmux-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let status = try Self.spawn(["/usr/bin/tmux", "-L", server] + arguments, stdout: output)
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// Runs a command and waits for it with posix_spawn/waitpid. (tmux forks its server from the
    /// client; run through Foundation's Process, the client was never reaped and the wait hung.)
    static func spawn(_ argv: [String], stdout: String = "/dev/null") throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A clean signal mask and default handlers: the kiosk inside must get Ctrl-C.
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGCHLD)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, cArgs, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -1
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
