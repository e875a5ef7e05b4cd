import Foundation
@testable import KeyBridgeRegistration
import Testing

/// Invariants across servers: two store instances on one database, called at the same time.
@Suite("Concurrency: two servers on one database")
struct ConcurrencyContractTests {
    let alice = "alice@contoso.com"

    /// Runs `count` calls at once, alternating between the two servers, and collects the outcomes.
    func race<T: Sendable>(
        _ count: Int, on stores: [any RegistrationStore],
        _ call: @escaping @Sendable (any RegistrationStore, Int) async throws(RegistrationError) -> T
    ) async -> [Result<T, RegistrationError>] {
        await withTaskGroup(of: Result<T, RegistrationError>.self) { group in
            for index in 0..<count {
                let store = stores[index % stores.count]
                group.addTask {
                    do throws(RegistrationError) {
                        return .success(try await call(store, index))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var outcomes: [Result<T, RegistrationError>] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
    }

    @Test("Twenty concurrent adds of an authenticator app leave exactly five", arguments: StoreKind.allCases)
    func twentyConcurrentAddsOfAnAppLeaveExactlyFive(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            let outcomes = await race(20, on: stores) { store, index throws(RegistrationError) in
                try await store.addMethod(Sample.app("App \(index)"), upn: alice, tenant: "contoso", sealedSecret: [UInt8(index)])
            }
            let added = outcomes.compactMap { try? $0.get() }
            let refusals = outcomes.compactMap { outcome -> RegistrationError? in
                if case .failure(let error) = outcome { return error } else { return nil }
            }
            #expect(added.count == 5)
            #expect(refusals.count == 15)
            #expect(refusals.allSatisfy { $0 == .limitReached(.authenticatorApp, maximum: 5) }, "\(refusals)")
            let stored = try await stores[1].methods(upn: alice, tenant: "contoso")
            #expect(Set(stored.map(\.id)) == Set(added.map(\.id)))
        }
    }

    @Test("A challenge consumed by ten callers at once is handed to exactly one", arguments: StoreKind.allCases)
    func aChallengeConsumedByTenCallersIsHandedToExactlyOne(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            let challenge: [UInt8] = (0..<32).map { UInt8($0) }
            try await stores[0].saveChallenge(
                challenge, upn: alice, tenant: "contoso", expires: Date().addingTimeInterval(300), ceremony: [42])
            let outcomes = await race(10, on: stores) { store, _ throws(RegistrationError) in
                try await store.consumeChallenge(challenge, upn: alice, tenant: "contoso")
            }
            let results = try outcomes.map { try $0.get() }
            #expect(results.compactMap { $0 }.map(\.ceremony) == [[42]])
        }
    }

    @Test("A one-time pass marked used at once by ten callers works exactly once", arguments: StoreKind.allCases)
    func aOneTimePassMarkedUsedConcurrentlyWorksExactlyOnce(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            let pass = Sample.pass()
            try await stores[0].save(pass: pass)
            let outcomes = await race(10, on: stores) { store, _ throws(RegistrationError) in
                try await store.markPassUsed(id: pass.id)
            }
            #expect(try outcomes.map { try $0.get() }.filter { $0 }.count == 1)
            #expect(try await stores[1].passes(upn: alice, tenant: "contoso").map(\.used) == [true])
        }
    }

    @Test("The same OTP step accepted by ten callers at once is recorded for exactly one", arguments: StoreKind.allCases)
    func theSameOTPStepConcurrentlyIsRecordedForExactlyOne(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            let app = try await stores[0].addMethod(Sample.app(), upn: alice, tenant: "contoso", sealedSecret: [1, 2, 3])
            _ = try await stores[0].advanceOTPStep(methodID: app.id, to: 100)
            let outcomes = await race(10, on: stores) { store, _ throws(RegistrationError) in
                try await store.advanceOTPStep(methodID: app.id, to: 101)
            }
            #expect(try outcomes.map { try $0.get() }.filter { $0 }.count == 1)
            #expect(try await stores[1].otpState(methodID: app.id)?.lastStep == 101)
        }
    }

    @Test("The same FIDO2 credential added at once by ten callers is stored once", arguments: StoreKind.allCases)
    func theSameCredentialAddedConcurrentlyIsStoredOnce(kind: StoreKind) async throws {
        let registration = try await verifiedRegistration(key: VirtualKey())
        try await withStores(kind, servers: 2) { stores in
            let outcomes = await race(10, on: stores) { store, index throws(RegistrationError) in
                try await store.addFIDO2Key(registration, audit: Sample.event("register", reason: "attempt \(index)"))
            }
            let added = outcomes.compactMap { try? $0.get() }
            let refusals = outcomes.compactMap { outcome -> RegistrationError? in
                if case .failure(let error) = outcome { return error } else { return nil }
            }
            #expect(added.count == 1)
            #expect(refusals.count == 9)
            #expect(refusals.allSatisfy { $0 == .duplicateCredential }, "\(refusals)")
            let stored = try await stores[1].methods(upn: alice, tenant: "contoso")
            #expect(stored.map(\.id) == added.map(\.id))
            let audit = try await stores[1].auditEvents(tenant: "contoso")
            #expect(audit.count == 1, "only the stored key's audit entry")
        }
    }

    @Test("Concurrent default changes leave exactly one default", arguments: StoreKind.allCases)
    func concurrentDefaultChangesLeaveExactlyOneDefault(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            var ids: [String] = []
            for index in 0..<5 {
                ids.append(try await stores[0].addMethod(Sample.app("App \(index)"), upn: alice, tenant: "contoso").id)
            }
            let chosen = ids
            let outcomes = await race(10, on: stores) { store, index throws(RegistrationError) in
                try await store.setDefault(id: chosen[index % chosen.count], upn: alice, tenant: "contoso")
            }
            for outcome in outcomes { _ = try outcome.get() }
            #expect(try await stores[0].methods(upn: alice, tenant: "contoso").filter(\.isDefault).count == 1)
        }
    }
}
