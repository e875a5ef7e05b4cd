import Foundation
import KeyBridgeFIDO

/// A key as the reports name it: identity first (serial number and AAGUID), then where it was.
public struct DeviceReport: Codable, Sendable {
    /// The device id it was reached by (`hid:/dev/hidraw3`, `nfc:<reader>`, `vkey:<socket>`).
    public var id: String
    public var transport: String
    public var serialNumber: String?
    public var aaguid: String?
    public var manufacturer: String
    public var product: String
    /// What getInfo said, when it could be read.
    public var info: AuthenticatorInfo?

    /// What discovery says about the key, before any getInfo.
    public init(_ descriptor: DeviceDescriptor) {
        id = descriptor.id
        transport = descriptor.transport.rawValue
        serialNumber = descriptor.serialNumber
        manufacturer = descriptor.manufacturer
        product = descriptor.product
    }
}

/// Latency of one operation on one key, from an HdrHistogram (microsecond resolution).
public struct LatencyStats: Codable, Sendable {
    public var operation: String
    public var count: Int
    public var errors: Int
    public var p50Milliseconds: Double
    public var p90Milliseconds: Double
    public var p99Milliseconds: Double
    public var maxMilliseconds: Double
    public var meanMilliseconds: Double
}

/// Endurance figures for one key.
public struct EnduranceStats: Codable, Sendable {
    public var operations: Int
    public var errors: Int
    public var seconds: Double
    public var operationsPerSecond: Double
    /// Resident memory of the rig process after warm-up and at the end, in KiB.
    public var residentKiBAfterWarmUp: Int
    public var residentKiBAtEnd: Int
    public var startedAt: Date
    public var finishedAt: Date
}

/// Counts of results.
public struct ResultCounts: Codable, Sendable, Equatable {
    public var passed = 0
    public var failed = 0
    public var error = 0
    public var skipped = 0
    public var needsPowerCycle = 0

    public init() {}

    public init(_ records: [TestRecord]) {
        for record in records { add(record.result) }
    }

    public mutating func add(_ result: TestResult) {
        switch result {
        case .passed: passed += 1
        case .failed: failed += 1
        case .error: error += 1
        case .skipped: skipped += 1
        case .needsPowerCycle: needsPowerCycle += 1
        }
    }

    public var total: Int { passed + failed + error + skipped + needsPowerCycle }
    /// Whether anything failed or errored (the run's exit status is non-zero then).
    public var anyFailure: Bool { failed + error > 0 }
}

/// One key's results.
public struct KeyReport: Codable, Sendable {
    public var device: DeviceReport
    public var tests: [TestRecord] = []
    public var latency: [LatencyStats] = []
    public var endurance: EnduranceStats?
    /// False while the key's worker is still running (a partial report).
    public var finished = false
    public var counts: ResultCounts { ResultCounts(tests) }

    enum CodingKeys: String, CodingKey { case device, tests, latency, endurance, finished, counts }

    public init(device: DeviceReport) {
        self.device = device
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        device = try c.decode(DeviceReport.self, forKey: .device)
        tests = try c.decode([TestRecord].self, forKey: .tests)
        latency = try c.decodeIfPresent([LatencyStats].self, forKey: .latency) ?? []
        endurance = try c.decodeIfPresent(EnduranceStats.self, forKey: .endurance)
        finished = try c.decode(Bool.self, forKey: .finished)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(device, forKey: .device)
        try c.encode(tests, forKey: .tests)
        try c.encode(latency, forKey: .latency)
        try c.encodeIfPresent(endurance, forKey: .endurance)
        try c.encode(finished, forKey: .finished)
        try c.encode(counts, forKey: .counts)
    }
}

/// A whole rig run: the JSON report's top level (`"schema": "keybridge.rig/1"`).
public struct RigReport: Codable, Sendable {
    public var schema = "keybridge.rig/1"
    public var startedAt: Date
    public var finishedAt: Date?
    public var suites: [RigSuite]
    public var keys: [KeyReport]

    public init(startedAt: Date, suites: [RigSuite], keys: [KeyReport]) {
        self.startedAt = startedAt
        self.suites = suites
        self.keys = keys
    }

    /// All keys' counts together.
    public var counts: ResultCounts {
        keys.reduce(into: ResultCounts()) { total, key in
            let c = key.counts
            total.passed += c.passed
            total.failed += c.failed
            total.error += c.error
            total.skipped += c.skipped
            total.needsPowerCycle += c.needsPowerCycle
        }
    }

    /// Endurance throughput of all keys together: operations over the span from the first
    /// key's start to the last key's end.
    public var enduranceThroughput: Double? {
        let runs = keys.compactMap(\.endurance)
        guard let start = runs.map(\.startedAt).min(), let end = runs.map(\.finishedAt).max(), end > start else { return nil }
        return Double(runs.map(\.operations).reduce(0, +)) / end.timeIntervalSince(start)
    }
}
