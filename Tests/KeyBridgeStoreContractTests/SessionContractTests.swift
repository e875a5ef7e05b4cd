import Foundation
@testable import KeyBridgeRegistration
import Testing

/// User sessions: kept in the directory so every server sharing it sees the same ones.
@Suite("User sessions: saved, touched, ended, shared between servers")
struct SessionContractTests {
    @Test("A session reads back as saved, and its last-seen time only moves forward", arguments: StoreKind.allCases)
    func sessionReadsBackAndMovesForward(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let session = Sample.userSession("s-1", created: start)
            try await store.save(userSession: session)
            #expect(try await store.userSession(id: "s-1") == session)
            #expect(try await store.userSession(id: "s-unknown") == nil)

            #expect(try await store.touchUserSession(id: "s-1", lastSeen: start.addingTimeInterval(60)))
            #expect(try await store.userSession(id: "s-1")?.lastSeen == start.addingTimeInterval(60))
            #expect(try await store.touchUserSession(id: "s-1", lastSeen: start.addingTimeInterval(30)), "the session exists")
            #expect(try await store.userSession(id: "s-1")?.lastSeen == start.addingTimeInterval(60), "never moved back")
            #expect(try await store.touchUserSession(id: "s-unknown", lastSeen: start) == false)

            await expectRefusal(.alreadyExists("session s-1")) { try await store.save(userSession: session) }
        }
    }

    @Test("A session ended on one server is gone on the other", arguments: StoreKind.allCases)
    func endedSessionIsGoneEverywhere(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            try await stores[0].save(userSession: Sample.userSession("s-1", created: start))
            #expect(try await stores[1].userSession(id: "s-1")?.upn == "alice@contoso.com")
            #expect(try await stores[1].touchUserSession(id: "s-1", lastSeen: start.addingTimeInterval(5)))
            #expect(try await stores[0].userSession(id: "s-1")?.lastSeen == start.addingTimeInterval(5), "touched through the other")
            #expect(try await stores[1].deleteUserSession(id: "s-1"))
            #expect(try await stores[0].userSession(id: "s-1") == nil)
            #expect(try await stores[0].deleteUserSession(id: "s-1") == false)
        }
    }

    @Test("Sessions past their idle limit or their end are removed, live ones kept", arguments: StoreKind.allCases)
    func endedSessionsAreRemoved(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.save(userSession: Sample.userSession("idle", created: start, idle: 60))
            try await store.save(userSession: Sample.userSession("old", created: start, idle: 3_600, lifetime: 3_600))
            try await store.save(userSession: Sample.userSession("live", created: start, idle: 7_200))
            try await store.save(userSession: Sample.userSession("kept-alive", created: start, idle: 60, lifetime: 28_800))
            #expect(try await store.touchUserSession(id: "kept-alive", lastSeen: start.addingTimeInterval(3_590)))
            let removed = try await store.deleteEndedUserSessions(now: start.addingTimeInterval(3_600))
            #expect(removed == 2)
            #expect(try await store.userSession(id: "idle") == nil)
            #expect(try await store.userSession(id: "old") == nil)
            #expect(try await store.userSession(id: "live") != nil)
            #expect(try await store.userSession(id: "kept-alive") != nil)
        }
    }

    @Test("Revoking a user's sessions ends all of theirs in that tenant and nobody else's", arguments: StoreKind.allCases)
    func revokingEndsOneUsersSessions(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            try await stores[0].save(userSession: Sample.userSession("a-1", created: start))
            try await stores[0].save(userSession: Sample.userSession("a-2", created: start))
            try await stores[0].save(userSession: Sample.userSession("b-1", upn: "bob@contoso.com", created: start))
            #expect(try await stores[1].deleteUserSessions(upn: "alice@contoso.com", tenant: "contoso") == 2)
            #expect(try await stores[0].userSession(id: "a-1") == nil)
            #expect(try await stores[0].userSession(id: "a-2") == nil)
            #expect(try await stores[0].userSession(id: "b-1") != nil)
            #expect(try await stores[0].deleteUserSessions(upn: "alice@contoso.com", tenant: "fabrikam") == 0)
        }
    }
}
