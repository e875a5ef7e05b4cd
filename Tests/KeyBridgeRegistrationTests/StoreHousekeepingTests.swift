import Foundation
import KeyBridgeRegistration
import XCTest

/// The store keeps itself tidy: challenges nobody answered do not pile up.
final class StoreHousekeepingTests: XCTestCase {
    func testExpiredChallengesGoWhenTheNextIsIssued() throws {
        let store = try SQLiteRegistrationStore()
        let stale: [UInt8] = Array(repeating: 1, count: 32)
        let live: [UInt8] = Array(repeating: 2, count: 32)
        try store.saveChallenge(stale, upn: "a@contoso.com", tenant: "contoso", expires: Date().addingTimeInterval(-1))
        try store.saveChallenge(live, upn: "a@contoso.com", tenant: "contoso", expires: Date().addingTimeInterval(60))
        XCTAssertNil(try store.consumeChallenge(stale, upn: "a@contoso.com", tenant: "contoso"), "the expired one was dropped")
        XCTAssertNotNil(try store.consumeChallenge(live, upn: "a@contoso.com", tenant: "contoso"))
        XCTAssertNil(try store.consumeChallenge(live, upn: "a@contoso.com", tenant: "contoso"), "and a challenge works once")
    }
}
