import Foundation

/// Writes the JSON and JUnit reports as a run goes: each update replaces the files atomically
/// (a temporary file renamed into place), at most every `interval` seconds and always at the end,
/// so a run that is killed leaves its results so far.
public final class ReportFiles: @unchecked Sendable {
    public let jsonPath: String?
    public let junitPath: String?
    private let interval: TimeInterval
    private let lock = NSLock()
    private var lastWrite = Date.distantPast

    public init(jsonPath: String?, junitPath: String?, interval: TimeInterval = 0.5) {
        self.jsonPath = jsonPath
        self.junitPath = junitPath
        self.interval = interval
    }

    /// The report as JSON (ISO 8601 dates in UTC with milliseconds, sorted keys).
    public static func json(_ report: RigReport) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            var container = encoder.singleValueContainer()
            try container.encode(formatter.string(from: date))
        }
        return try encoder.encode(report)
    }

    /// Writes `report` unless the last write was under `interval` ago (`force` writes anyway).
    public func update(_ report: RigReport, force: Bool = false) throws {
        try lock.withLock {
            guard force || report.finishedAt != nil || Date().timeIntervalSince(lastWrite) >= interval else { return }
            lastWrite = Date()
            if let jsonPath { try Self.replace(jsonPath, with: try Self.json(report)) }
            if let junitPath { try Self.replace(junitPath, with: Data(JUnitReport.xml(report).utf8)) }
        }
    }

    private static func replace(_ path: String, with data: Data) throws {
        let temporary = path + ".tmp-\(getpid())"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }
}
