import Foundation

/// Which suites a rig run performs.
public enum RigSuite: String, Codable, Sendable, CaseIterable {
    /// The CTAP 2.1 conformance tests (erases the key).
    case conformance
    /// Many operations per key with checks: error rate, sign counter, memory.
    case endurance
    /// A short timing run per operation, no state changed.
    case latency
}

/// What a rig run does to each key.
public struct RigPlan: Sendable {
    public var suites: [RigSuite]
    /// Only conformance tests carrying one of these tags (all when empty).
    public var tags: Set<String>
    /// Operations per kind in the endurance suite.
    public var enduranceOperations: Int
    /// Operations per kind in the latency suite.
    public var latencyOperations: Int
    /// The key's PIN, for keys that have one and are not reset.
    public var pin: String?
    /// Whether the rig may erase keys (needed by the conformance suite; makes endurance start
    /// from a reset key with the suite's PIN).
    public var allowReset: Bool
    /// How long one request may take, touches included.
    public var requestTimeout: TimeInterval

    public init(
        suites: [RigSuite], tags: Set<String> = [], enduranceOperations: Int = 200, latencyOperations: Int = 50,
        pin: String? = nil, allowReset: Bool = false, requestTimeout: TimeInterval = 30
    ) {
        self.suites = suites
        self.tags = tags
        self.enduranceOperations = enduranceOperations
        self.latencyOperations = latencyOperations
        self.pin = pin
        self.allowReset = allowReset
        self.requestTimeout = requestTimeout
    }
}
