import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import XCTest

/// A `keybridge serve` process on a free loopback port, with a small JSON client for its API.
final class ServerProcess: @unchecked Sendable {
    private let process = Process()
    let port: Int
    let logPath: String
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts the server on `directory` (a SQLite path or a postgres:// URL) and waits until it listens.
    /// - Parameter executable: `keybridge` (run as `keybridge serve`) or `keybridge-server`.
    init(directory: String, extraArguments: [String] = [], environment extra: [String: String] = [:], executable: String = TestPaths.keybridge) throws {
        let folder = try TestPaths.temporaryDirectory()
        let portFile = folder.appendingPathComponent("port").path
        logPath = folder.appendingPathComponent("serve.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = (executable.hasSuffix("/keybridge-server") ? [] : ["serve"]) + ["--directory", directory, "--listen", "127.0.0.1:0", "--port-file", portFile] + extraArguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        var bound: Int?
        while bound == nil, Date() < deadline, process.isRunning {
            bound = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if bound == nil { usleep(50_000) }
        }
        guard let bound else {
            process.terminate()
            throw NSError(domain: "ServerProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "keybridge serve did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")"])
        }
        port = bound
    }

    deinit { stop() }

    /// A loopback port that was free a moment ago (for a server whose origin must name its port).
    static func freeLoopbackPort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw NSError(domain: "ServerProcess", code: 2, userInfo: [NSLocalizedDescriptionKey: "no free loopback port"]) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops the server as an operator would (SIGTERM: graceful shutdown).
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Kills the server without warning (SIGKILL), as a crash would.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    struct Reply {
        var status: Int
        var body: [String: Any]
        var text: String
        /// Graph's `error.code`, when the reply is an error.
        var errorCode: String? { (body["error"] as? [String: Any])?["code"] as? String }
        /// keybridge's refusal name in `error.innerError.code`.
        var innerCode: String? { ((body["error"] as? [String: Any])?["innerError"] as? [String: Any])?["code"] as? String }
        var values: [[String: Any]] { body["value"] as? [[String: Any]] ?? [] }
    }

    /// GETs a page as a browser holding `session` in its cookie would (through Python's requests:
    /// Foundation's URLSession on Linux does not send a Cookie header it did not set itself).
    /// Redirects are not followed.
    func page(_ path: String, session: String) throws -> (status: Int, location: String?, text: String) {
        let script = """
            import json, sys, requests
            r = requests.get(sys.argv[1], cookies={"kb_session": sys.argv[2]}, allow_redirects=False, timeout=10)
            print(json.dumps({"status": r.status_code, "location": r.headers.get("Location"), "text": r.text}))
            """
        let result = try ProcessRunner.run(TestPaths.peerPython, ["-c", script, baseURL + path, session])
        let object = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any] ?? [:]
        return (object["status"] as? Int ?? 0, object["location"] as? String, object["text"] as? String ?? result.stderr)
    }

    /// Sends one request (JSON body, bearer token) and returns the status and JSON body.
    func request(
        _ method: String, _ path: String, token: String? = nil, json: Any? = nil, rawBody: Data? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let rawBody {
            request.httpBody = rawBody
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Reply(status: status, body: body, text: String(decoding: data, as: UTF8.self))
    }
}
