/// A check the key failed: what was expected and what came instead.
public struct CheckFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A test that does not apply to this key (getInfo says the feature is absent).
public struct SkipTest: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// A test that needs the key's power cycled and has no way to get it.
public struct NeedsPowerCycle: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// What became of one test.
public enum TestResult: String, Codable, Sendable, CaseIterable {
    /// Every check held.
    case passed
    /// The key answered, wrongly.
    case failed
    /// The key could not be talked to (gone, framing broken, no answer).
    case error
    /// The feature is absent (getInfo says so) or not asked for.
    case skipped
    /// The test needs a power cycle the rig cannot perform (no `--power-hook`).
    case needsPowerCycle = "needs-power-cycle"
}

/// One test's record, as the reports show it.
public struct TestRecord: Codable, Sendable {
    /// A stable id, e.g. `clientPin.blockAfterThreeWrong`.
    public var id: String
    public var title: String
    /// The CTAP 2.1 section the test checks, e.g. `6.5.5.7`.
    public var section: String
    public var tags: [String]
    public var suite: String
    public var result: TestResult
    /// Why it failed, errored or was skipped.
    public var message: String?
    /// What the test saw along the way (status codes, counts, latencies).
    public var observations: [String]
    public var durationSeconds: Double
}
