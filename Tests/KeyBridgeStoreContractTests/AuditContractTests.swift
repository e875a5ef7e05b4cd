import Foundation
@testable import KeyBridgeRegistration
import Testing

/// The audit log: sequence numbers, every filter, keyset paging.
@Suite("Audit log: order, filters and paging")
struct AuditContractTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Six events over two tenants, three users, two actions and both outcomes, a minute apart.
    static let events: [AuditEvent] = [
        Sample.event("start", tenant: "contoso", upn: "alice@contoso.com", time: start),
        Sample.event("register", tenant: "contoso", upn: "alice@contoso.com", outcome: .failure, time: start + 60, reason: "limitReached"),
        Sample.event("register", tenant: "fabrikam", upn: "alice@contoso.com", time: start + 120),
        Sample.event("register", tenant: "contoso", upn: "bob@contoso.com", time: start + 180),
        Sample.event("delete", tenant: "contoso", upn: "alice@contoso.com", time: start + 240),
        Sample.event("register", tenant: "contoso", upn: "carol@contoso.com", outcome: .failure, time: start + 300, reason: "mfaRequired"),
    ]

    @Test("Appended events get increasing sequence numbers and read back oldest first", arguments: StoreKind.allCases)
    func appendedEventsGetIncreasingSequenceNumbers(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            for event in Self.events { try await store.append(event) }
            let page = try await store.auditEvents(AuditQuery(limit: 100))
            #expect(page.events.map(\.event) == Self.events)
            let sequences = page.events.map(\.sequence)
            #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 })
            #expect(page.nextAfter == nil, "a page that is not full is the last")
            #expect(try await store.auditEvents(tenant: "fabrikam") == [Self.events[2]])
            #expect(try await store.auditEvents(tenant: nil) == Self.events)
        }
    }

    @Test("Every filter applies, alone and together", arguments: StoreKind.allCases)
    func everyFilterApplies(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            for event in Self.events { try await store.append(event) }
            func read(_ query: AuditQuery) async throws -> [AuditEvent] { try await store.auditEvents(query).events.map(\.event) }
            let all = Self.events
            #expect(try await read(AuditQuery(tenant: "contoso")) == [all[0], all[1], all[3], all[4], all[5]])
            #expect(try await read(AuditQuery(upn: "alice@contoso.com")) == [all[0], all[1], all[2], all[4]])
            #expect(try await read(AuditQuery(tenant: "contoso", upn: "alice@contoso.com")) == [all[0], all[1], all[4]])
            #expect(try await read(AuditQuery(action: "register")) == [all[1], all[2], all[3], all[5]])
            #expect(try await read(AuditQuery(failures: true)) == [all[1], all[5]])
            #expect(try await read(AuditQuery(failures: false)) == [all[0], all[2], all[3], all[4]])
            #expect(try await read(AuditQuery(since: Self.start + 120)) == [all[2], all[3], all[4], all[5]], "since is inclusive")
            #expect(try await read(AuditQuery(until: Self.start + 120)) == [all[0], all[1]], "until is exclusive")
            #expect(try await read(AuditQuery(since: Self.start + 60, until: Self.start + 240)) == [all[1], all[2], all[3]])
            #expect(
                try await read(AuditQuery(tenant: "contoso", action: "register", failures: true, since: Self.start + 100))
                    == [all[5]])
            #expect(try await read(AuditQuery(tenant: "nowhere")).isEmpty)
        }
    }

    @Test("Pages follow each other by sequence number, at most limit events each", arguments: StoreKind.allCases)
    func pagesFollowEachOtherBySequenceNumber(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            for event in Self.events { try await store.append(event) }
            var query = AuditQuery(tenant: "contoso", limit: 2)
            var pages: [[AuditEvent]] = []
            while true {
                let page = try await store.auditEvents(query)
                #expect(page.events.count <= 2)
                pages.append(page.events.map(\.event))
                guard let next = page.nextAfter else { break }
                #expect(next == page.events.last?.sequence, "nextAfter is the page's last sequence number")
                query.after = next
            }
            let all = Self.events
            #expect(pages == [[all[0], all[1]], [all[3], all[4]], [all[5]]])

            // A full last page still points on; the next one is empty and final.
            var exact = AuditQuery(upn: "alice@contoso.com", limit: 2)
            let first = try await store.auditEvents(exact)
            let afterFirst: Int64 = try #require(first.nextAfter)
            exact.after = afterFirst
            let second = try await store.auditEvents(exact)
            #expect(second.events.map(\.event) == [all[2], all[4]])
            let afterSecond: Int64 = try #require(second.nextAfter)
            exact.after = afterSecond
            let third = try await store.auditEvents(exact)
            #expect(third.events.isEmpty)
            #expect(third.nextAfter == nil)
        }
    }

    @Test("A page holds at most the maximum limit", arguments: StoreKind.allCases)
    func aPageHoldsAtMostTheMaximumLimit(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            for index in 0..<(AuditQuery.maximumLimit + 5) {
                try await store.append(Sample.event("review", time: Self.start + Double(index)))
            }
            let page = try await store.auditEvents(AuditQuery(limit: 5000))
            #expect(page.events.count == AuditQuery.maximumLimit)
            let next: Int64 = try #require(page.nextAfter)
            let rest = try await store.auditEvents(AuditQuery(after: next, limit: 5000))
            #expect(rest.events.count == 5)
            #expect(try await store.auditEvents(tenant: "contoso").count == AuditQuery.maximumLimit + 5)
        }
    }
}
