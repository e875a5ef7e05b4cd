import Foundation
@testable import KeyBridgeRegistration
import Testing

/// Tenants, configurations and users, the same on every store.
@Suite("Directory: tenants, configurations and users")
struct DirectoryContractTests {
    @Test("Saving a tenant again renames it and keeps its configuration", arguments: StoreKind.allCases)
    func savingATenantAgainRenamesItAndKeepsItsConfiguration(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            try await store.save(tenant: Tenant(id: "contoso", name: "Contoso"))
            try await store.save(configuration: Sample.configuration(origin: "https://login.example.com"), tenant: "contoso")
            try await store.save(tenant: Tenant(id: "contoso", name: "Contoso Ltd"))
            #expect(try await store.tenants() == [Tenant(id: "contoso", name: "Contoso Ltd")])
            #expect(try await store.configuration(tenant: "contoso")?.origin == "https://login.example.com")
        }
    }

    @Test("Tenants are listed by id, in byte order", arguments: StoreKind.allCases)
    func tenantsAreListedByID(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            for id in ["fabrikam", "Zeta", "contoso", "adatum"] {
                try await stores[0].save(tenant: Tenant(id: id, name: id.uppercased()))
            }
            #expect(try await stores[0].tenants().map(\.id) == ["Zeta", "adatum", "contoso", "fabrikam"])
        }
    }

    @Test("A configuration round-trips, and an unknown tenant has none and cannot get one", arguments: StoreKind.allCases)
    func configurationRoundTripsAndUnknownTenantIsRefused(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            try await store.save(tenant: Tenant(id: "contoso", name: "Contoso"))
            #expect(try await store.configuration(tenant: "contoso") == nil, "a new tenant has no policies yet")
            var configuration = Sample.configuration()
            configuration.access = RegistrationAccessRule(allowedNetworks: ["10.0.0.0/8"], trustedDevices: ["kiosk-1"])
            configuration.challengeLifetime = 120
            try await store.save(configuration: configuration, tenant: "contoso")
            let stored = try #require(try await store.configuration(tenant: "contoso"))
            #expect(stored.access == configuration.access)
            #expect(stored.methods == configuration.methods)
            #expect(stored.challengeLifetime == 120)
            await expectRefusal(.tenantNotFound("nowhere")) {
                try await store.save(configuration: configuration, tenant: "nowhere")
            }
            #expect(try await store.configuration(tenant: "nowhere") == nil)
            #expect(try await store.tenants().map(\.id) == ["contoso"], "the refusal created no tenant")
        }
    }

    @Test("A user is found by their object id, on every server, whatever the case of the id", arguments: StoreKind.allCases)
    func aUserIsFoundByObjectID(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            let zoe = Sample.user("Zoë.Ångström@contoso.com")
            let alice = Sample.user("alice@contoso.com")
            try await stores[0].save(user: zoe)
            try await stores[0].save(user: alice)
            for store in stores {
                #expect(try await store.user(objectID: zoe.objectID) == zoe, "a non-ASCII UPN's id (Unicode lower-casing)")
                #expect(try await store.user(objectID: alice.objectID.uppercased()) == alice)
                #expect(try await store.user(objectID: DirectoryUser.objectID(upn: "nobody@contoso.com")) == nil)
            }
            // Saving the user again keeps the id findable (an upsert, not a second row).
            try await stores[1].save(user: Sample.user("alice@contoso.com", guest: ["fabrikam"]))
            #expect(try await stores[0].user(objectID: alice.objectID)?.guestTenants == ["fabrikam"])
        }
    }

    @Test("A user is found by exact UPN and replaced whole, memberships included", arguments: StoreKind.allCases)
    func aUserIsReplacedWholeMembershipsIncluded(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let alice = Sample.user("alice@contoso.com", guest: ["fabrikam"])
            try await store.save(user: alice)
            #expect(try await store.user(upn: "alice@contoso.com") == alice)
            #expect(try await store.user(upn: "ALICE@contoso.com") == nil, "the match is exact")
            #expect(try await store.user(upn: "nobody@contoso.com") == nil)

            var moved = alice
            moved.displayName = "Alice B."
            moved.homeTenant = "adatum"
            moved.guestTenants = []
            moved.groups = ["finance"]
            try await store.save(user: moved)
            #expect(try await store.user(upn: "alice@contoso.com") == moved)
            #expect(try await store.users(tenant: "contoso").isEmpty, "the old home membership is gone")
            #expect(try await store.users(tenant: "fabrikam").isEmpty, "the old guest membership is gone")
            #expect(try await store.users(tenant: "adatum") == [moved])
            #expect(try await store.users() == [moved], "replaced, not added")
        }
    }

    @Test("users(tenant:) gives the tenant's home and guest members ordered by UPN", arguments: StoreKind.allCases)
    func usersOfATenantAreItsHomeAndGuestMembersOrderedByUPN(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let store = stores[0]
            let carol = Sample.user("carol@contoso.com")
            let bob = Sample.user("bob@fabrikam.com", home: "fabrikam", guest: ["contoso"])
            let alice = Sample.user("alice@contoso.com", guest: ["fabrikam", "adatum"])
            let dave = Sample.user("dave@adatum.com", home: "adatum")
            for user in [carol, bob, dave, alice] { try await store.save(user: user) }
            #expect(try await store.users(tenant: "contoso") == [alice, bob, carol])
            #expect(try await store.users(tenant: "fabrikam") == [alice, bob])
            #expect(try await store.users(tenant: "adatum") == [alice, dave])
            #expect(try await store.users(tenant: "nowhere").isEmpty)
            #expect(try await store.users() == [alice, bob, carol, dave])
        }
    }

    @Test("A user listed as a guest of their own home tenant appears once", arguments: StoreKind.allCases)
    func aGuestEntryNamingTheHomeTenantAppearsOnce(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let odd = Sample.user("odd@contoso.com", guest: ["contoso", "fabrikam", "fabrikam"])
            try await stores[0].save(user: odd)
            #expect(try await stores[0].users(tenant: "contoso") == [odd])
            #expect(try await stores[0].users(tenant: "fabrikam") == [odd])
        }
    }
}
