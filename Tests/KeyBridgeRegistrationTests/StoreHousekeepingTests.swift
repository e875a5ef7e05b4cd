import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// The store keeps itself tidy: challenges nobody answered do not pile up.
final class StoreHousekeepingTests: XCTestCase {
    func testExpiredChallengesGoWhenTheNextIsIssued() async throws {
        let store = try SQLiteRegistrationStore()
        let stale: [UInt8] = Array(repeating: 1, count: 32)
        let live: [UInt8] = Array(repeating: 2, count: 32)
        try await store.saveChallenge(stale, upn: "a@contoso.com", tenant: "contoso", expires: Date().addingTimeInterval(-1), ceremony: nil)
        try await store.saveChallenge(live, upn: "a@contoso.com", tenant: "contoso", expires: Date().addingTimeInterval(60), ceremony: nil)
        await XCTAssertNilAsync(try await store.consumeChallenge(stale, upn: "a@contoso.com", tenant: "contoso"), "the expired one was dropped")
        await XCTAssertNotNilAsync(try await store.consumeChallenge(live, upn: "a@contoso.com", tenant: "contoso"))
        await XCTAssertNilAsync(try await store.consumeChallenge(live, upn: "a@contoso.com", tenant: "contoso"), "and a challenge works once")
    }
}
