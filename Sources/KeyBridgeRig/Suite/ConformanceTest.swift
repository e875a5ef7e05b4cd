/// One test of the conformance suite: an id, the CTAP 2.1 section it checks, tags to select it
/// by, and its body. A body throws ``CheckFailure`` when the key answers wrongly, ``SkipTest`` when
/// getInfo says the feature is absent, ``NeedsPowerCycle`` when it cannot get one.
public struct ConformanceTest: Sendable {
    public let id: String
    public let title: String
    public let section: String
    public let tags: [String]
    let body: @Sendable (TestContext) throws -> Void

    public init(
        _ id: String, _ title: String, section: String, tags: [String],
        body: @escaping @Sendable (TestContext) throws -> Void
    ) {
        self.id = id
        self.title = title
        self.section = section
        self.tags = tags
        self.body = body
    }
}

/// The whole conformance suite, in the order it runs.
public enum ConformanceSuite {
    public static var all: [ConformanceTest] {
        GetInfoTests.all + MakeCredentialTests.all + GetAssertionTests.all + ClientPINTests.all
            + PermissionTests.all + CredentialManagementTests.all + ConfigTests.all + ResetTests.all
            + ExtensionTests.all + LargeBlobTests.all + CTAPHIDTests.all + ISO7816Tests.all + U2FTests.all
    }

    /// The tests carrying any of `tags` (all when `tags` is empty).
    public static func selected(tags: Set<String>) -> [ConformanceTest] {
        tags.isEmpty ? all : all.filter { !tags.isDisjoint(with: $0.tags) }
    }

    /// Every tag used by the suite.
    public static var tags: [String] { Array(Set(all.flatMap(\.tags))).sorted() }
}
