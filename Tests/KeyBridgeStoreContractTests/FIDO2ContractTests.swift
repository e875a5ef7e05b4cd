import Foundation
import KeyBridgeFIDO
@testable import KeyBridgeRegistration
import Testing

/// FIDO2 keys: only through a verified registration, unique per tenant, forward-only counters.
@Suite("FIDO2 keys: verified adds, unique credentials, signature counters")
struct FIDO2ContractTests {
    let alice = "alice@contoso.com"

    @Test("A key from a real ceremony is stored with its audit entry", arguments: StoreKind.allCases)
    func aKeyFromARealCeremonyIsStoredWithItsAuditEntry(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let enrollment = try await enrollKey(on: store, key: VirtualKey())
            let method = enrollment.method
            #expect(method.kind == .fido2SecurityKey)
            #expect(method.friendlyName == "Blue key")
            #expect(method.fido2.map { Base64URL.encode($0.credentialID) } == enrollment.response.id)
            #expect(method.fido2?.attestationLevel == "basic")
            let stored = try await store.methods(upn: alice, tenant: "contoso")
            #expect(sameMethods(stored, [method]), "stored as returned: \(stored) \(method)")
            let registered = try await store.auditEvents(AuditQuery(tenant: "contoso", upn: alice, action: "register"))
            #expect(registered.events.map(\.event.outcome) == [.success], "the key's audit entry was written with it")
        }
    }

    @Test("The same credential again is refused, storing neither key nor audit entry", arguments: StoreKind.allCases)
    func theSameCredentialAgainIsRefused(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let registration = try await verifiedRegistration(key: VirtualKey())
            _ = try await store.addFIDO2Key(registration, audit: Sample.event("register", reason: "first"))
            await expectRefusal(.duplicateCredential) {
                try await store.addFIDO2Key(registration, audit: Sample.event("register", reason: "second"))
            }
            #expect(try await store.methods(upn: alice, tenant: "contoso").count == 1)
            #expect(try await store.auditEvents(tenant: "contoso").map(\.reason) == ["first"], "the refused add wrote no audit entry")
        }
    }

    @Test("Two keys of one user are two methods, oldest first", arguments: StoreKind.allCases)
    func twoKeysOfOneUserAreTwoMethods(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let first = try await verifiedRegistration(key: VirtualKey())
            let second = try await verifiedRegistration(key: VirtualKey())
            let a = try await store.addFIDO2Key(first, audit: Sample.event())
            let b = try await store.addFIDO2Key(second, audit: Sample.event())
            #expect(try await store.methods(upn: alice, tenant: "contoso").map(\.id) == [a.id, b.id])
            #expect(a.fido2?.credentialID != b.fido2?.credentialID)
        }
    }

    @Test("The signature counter only moves forward, and an unknown method is refused", arguments: StoreKind.allCases)
    func theSignatureCounterOnlyMovesForward(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let method = try await store.addFIDO2Key(try await verifiedRegistration(key: VirtualKey()), audit: Sample.event())
            let start = try #require(method.fido2?.signCount)
            #expect(try await store.advanceSignCount(methodID: method.id, to: start + 10) == true)
            #expect(try await store.advanceSignCount(methodID: method.id, to: start + 10) == false, "the same count is a replay")
            #expect(try await store.advanceSignCount(methodID: method.id, to: start + 3) == false, "a lower count: a cloned key")
            #expect(try await store.methods(upn: alice, tenant: "contoso").first?.fido2?.signCount == start + 10)
            await expectRefusal(.methodNotFound("no-such-key")) {
                try await store.advanceSignCount(methodID: "no-such-key", to: 99)
            }
        }
    }
}
