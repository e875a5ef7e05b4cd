import Foundation
@testable import KeyBridgeRegistration
import Testing

/// Challenges, Temporary Access Passes and wrong-code counting.
@Suite("Ceremonies: challenges, passes and wrong codes")
struct CeremonyContractTests {
    let alice = "alice@contoso.com"

    @Test("A challenge is handed back once, with its expiry and ceremony state", arguments: StoreKind.allCases)
    func aChallengeIsConsumedOnceWithItsCeremonyState(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let expires = Date().addingTimeInterval(300)
            let challenge: [UInt8] = Array(repeating: 7, count: 32)
            let ceremony: [UInt8] = Array("{\"options\":true}".utf8)
            try await store.saveChallenge(challenge, upn: alice, tenant: "contoso", expires: expires, ceremony: ceremony)
            let stored = try #require(try await store.consumeChallenge(challenge, upn: alice, tenant: "contoso"))
            #expect(stored.ceremony == ceremony)
            #expect(abs(stored.expires.timeIntervalSince(expires)) < 0.001)
            #expect(try await store.consumeChallenge(challenge, upn: alice, tenant: "contoso") == nil, "single use")

            let bare: [UInt8] = Array(repeating: 8, count: 32)
            try await store.saveChallenge(bare, upn: alice, tenant: "contoso", expires: expires, ceremony: nil)
            let signIn = try #require(try await store.consumeChallenge(bare, upn: alice, tenant: "contoso"))
            #expect(signIn.ceremony == nil, "a bare sign-in challenge has no ceremony state")
            #expect(try await store.consumeChallenge(Array(repeating: 9, count: 32), upn: alice, tenant: "contoso") == nil)
        }
    }

    @Test("A challenge is not handed to another user or in another tenant", arguments: StoreKind.allCases)
    func aChallengeOfAnotherUserOrTenantIsNotHandedOut(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let first: [UInt8] = Array(repeating: 1, count: 32)
            let second: [UInt8] = Array(repeating: 2, count: 32)
            let expires = Date().addingTimeInterval(300)
            try await store.saveChallenge(first, upn: alice, tenant: "contoso", expires: expires, ceremony: nil)
            try await store.saveChallenge(second, upn: alice, tenant: "contoso", expires: expires, ceremony: nil)
            #expect(try await store.consumeChallenge(first, upn: "mallory@contoso.com", tenant: "contoso") == nil)
            #expect(try await store.consumeChallenge(second, upn: alice, tenant: "fabrikam") == nil)
        }
    }

    @Test("Expired challenges are dropped as new ones are saved", arguments: StoreKind.allCases)
    func expiredChallengesAreDroppedAsNewOnesAreSaved(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let stale: [UInt8] = Array(repeating: 3, count: 32)
            let live: [UInt8] = Array(repeating: 4, count: 32)
            try await store.saveChallenge(stale, upn: alice, tenant: "contoso", expires: Date().addingTimeInterval(-60), ceremony: nil)
            try await store.saveChallenge(live, upn: alice, tenant: "contoso", expires: Date().addingTimeInterval(300), ceremony: nil)
            #expect(try await store.consumeChallenge(stale, upn: alice, tenant: "contoso") == nil)
            #expect(try await store.consumeChallenge(live, upn: alice, tenant: "contoso") != nil)
        }
    }

    @Test("Passes are listed oldest first, used once, and deleted", arguments: StoreKind.allCases)
    func passesAreListedUsedOnceAndDeleted(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let first = Sample.pass("pass-b")
            let second = Sample.pass("pass-a")
            let elsewhere = Sample.pass("pass-c", tenant: "fabrikam")
            for pass in [first, second, elsewhere] { try await store.save(pass: pass) }
            #expect(try await store.passes(upn: alice, tenant: "contoso") == [first, second])
            #expect(try await store.passes(upn: alice, tenant: "fabrikam") == [elsewhere])
            #expect(try await store.passes(upn: "bob@contoso.com", tenant: "contoso").isEmpty)

            #expect(try await store.markPassUsed(id: first.id) == true)
            #expect(try await store.markPassUsed(id: first.id) == false, "a used pass cannot be used again")
            #expect(try await store.markPassUsed(id: "no-such-pass") == false)
            #expect(try await store.passes(upn: alice, tenant: "contoso").map(\.used) == [true, false])

            #expect(try await store.deletePass(id: first.id) == true)
            #expect(try await store.deletePass(id: first.id) == false)
            #expect(try await store.passes(upn: alice, tenant: "contoso") == [second])
        }
    }

    @Test("Wrong codes are counted per key after a time, and cleared", arguments: StoreKind.allCases)
    func wrongCodesAreCountedPerKeyAndCleared(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let now = Date()
            for offset in [-600.0, -120, -60, -1] {
                try await store.recordFailedAttempt(key: "alice", time: now.addingTimeInterval(offset))
            }
            try await store.recordFailedAttempt(key: "bob", time: now)
            #expect(try await store.failedAttempts(key: "alice", since: now.addingTimeInterval(-300)) == 3)
            #expect(try await store.failedAttempts(key: "alice", since: now.addingTimeInterval(-60)) == 1, "strictly after")
            #expect(try await store.failedAttempts(key: "alice", since: now.addingTimeInterval(-3600)) == 4)
            try await store.clearFailedAttempts(key: "alice")
            #expect(try await store.failedAttempts(key: "alice", since: now.addingTimeInterval(-3600)) == 0)
            #expect(try await store.failedAttempts(key: "bob", since: now.addingTimeInterval(-3600)) == 1, "other keys are kept")
        }
    }
}
