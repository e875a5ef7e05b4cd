import Foundation
@testable import KeyBridgeRegistration
import Testing

/// The hardware-token inventory and API tokens.
@Suite("Tokens: hardware inventory and API tokens")
struct TokenContractTests {
    @Test("Tokens are kept per tenant by serial, listed by serial, and a serial cannot be added twice", arguments: StoreKind.allCases)
    func tokensAreKeptPerTenantBySerial(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            for serial in ["T-300", "T-100", "T-200"] { try await store.save(token: Sample.token(serial)) }
            try await store.save(token: Sample.token("T-100", tenant: "fabrikam", upn: "bob@fabrikam.com"))
            #expect(try await store.tokens(tenant: "contoso").map(\.serial) == ["T-100", "T-200", "T-300"])
            #expect(try await store.token(serial: "T-100", tenant: "contoso") == Sample.token("T-100"))
            #expect(try await store.token(serial: "T-100", tenant: "fabrikam")?.upn == "bob@fabrikam.com")
            #expect(try await store.token(serial: "T-999", tenant: "contoso") == nil)

            await expectRefusal(.alreadyExists("token T-200 in contoso")) {
                try await store.save(token: Sample.token("T-200", upn: "mallory@contoso.com"))
            }
            #expect(try await store.token(serial: "T-200", tenant: "contoso")?.upn == "alice@contoso.com", "nothing was replaced")
        }
    }

    @Test("Many tokens are saved in one transaction: all, or none when one serial is already there", arguments: StoreKind.allCases)
    func manyTokensAreSavedAllOrNone(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            try await store.save(token: Sample.token("T-2200"))
            // 2,500 rows (past a thousand-row batch), one of them already in the inventory.
            let batch = (0..<2500).map { Sample.token("T-\($0)") }
            await expectRefusal(.alreadyExists("token T-2200 in contoso")) { try await store.save(tokens: batch) }
            #expect(try await store.tokens(tenant: "contoso").map(\.serial) == ["T-2200"], "none of the batch was stored")
            let fresh = batch.filter { $0.serial != "T-2200" }
            try await store.save(tokens: fresh)
            #expect(try await store.tokens(tenant: "contoso").count == 2500)
            #expect(try await store.token(serial: "T-1999", tenant: "contoso") == Sample.token("T-1999"))
        }
    }

    @Test("Assigning links a token to its method, and nil returns it to the inventory", arguments: StoreKind.allCases)
    func assigningLinksATokenToItsMethod(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            try await store.save(token: Sample.token("T-1"))
            try await store.save(token: Sample.token("T-1", tenant: "fabrikam"))
            try await store.assignToken(serial: "T-1", tenant: "contoso", methodID: "method-1")
            #expect(try await store.token(serial: "T-1", tenant: "contoso")?.activatedMethodID == "method-1")
            #expect(try await store.tokens(tenant: "contoso").map(\.activatedMethodID) == ["method-1"])
            #expect(try await store.token(serial: "T-1", tenant: "fabrikam")?.activatedMethodID == nil, "only that tenant's")
            try await store.assignToken(serial: "T-1", tenant: "contoso", methodID: nil)
            #expect(try await store.token(serial: "T-1", tenant: "contoso")?.activatedMethodID == nil)
        }
    }

    @Test("API tokens are found by id, replaced by id, and listed oldest first", arguments: StoreKind.allCases)
    func apiTokensAreFoundReplacedAndListedOldestFirst(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            let newest = Sample.apiToken("kb-c", tenant: "contoso", created: start.addingTimeInterval(20))
            let oldest = Sample.apiToken("kb-b", tenant: "contoso", created: start)
            let global = Sample.apiToken("kb-a", tenant: nil, created: start.addingTimeInterval(10))
            let other = Sample.apiToken("kb-d", tenant: "fabrikam", created: start.addingTimeInterval(30))
            for token in [newest, oldest, global, other] { try await store.save(apiToken: token) }
            #expect(try await store.apiToken(id: "kb-b") == oldest)
            #expect(try await store.apiToken(id: "kb-zzz") == nil)
            #expect(try await store.apiTokens(tenant: "contoso") == [oldest, newest])
            #expect(try await store.apiTokens(tenant: nil) == [oldest, global, newest, other])

            var revoked = oldest
            revoked.revoked = true
            revoked.scopes = [.read, .manage]
            try await store.save(apiToken: revoked)
            #expect(try await store.apiToken(id: "kb-b") == revoked)
            #expect(try await store.apiTokens(tenant: "contoso") == [revoked, newest], "replaced, not added")
        }
    }
}
