import Foundation
import KeyBridgeRegistration
import Testing

/// The FIDO metadata list: replaced whole, looked up by AAGUID, never by an older list.
@Suite("FIDO metadata: replaced whole, newest list wins")
struct MetadataContractTests {
    private func summary(_ serial: Int, entries: Int = 2) -> MetadataSummary {
        MetadataSummary(
            serial: serial, nextUpdate: Date(timeIntervalSince1970: 1_800_000_000), signed: serial % 2 == 0, entries: entries,
            imported: Date(timeIntervalSince1970: 1_700_000_000), legalHeader: "terms \(serial)")
    }

    private func entry(_ aaguid: String, _ name: String, status: String? = "FIDO_CERTIFIED_L1") -> StoredMetadataEntry {
        StoredMetadataEntry(
            aaguid: aaguid, description: name, certificationLevel: status, latestStatus: status,
            json: Data(#"{"aaguid": "\#(aaguid)", "metadataStatement": {"description": "\#(name)"}}"#.utf8))
    }

    /// Imports a list of 300 entries; the refusal, or nil when it was taken.
    private func importing(_ store: any RegistrationStore, _ serial: Int, _ entries: [StoredMetadataEntry]) async -> RegistrationError? {
        do { try await store.replaceMetadata(summary(serial, entries: 300), entries: entries) } catch { return error }
        return nil
    }

    @Test("A list replaces the previous one whole, and entries are found by AAGUID", arguments: StoreKind.allCases)
    func aListReplacesThePreviousOneWhole(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            #expect(try await stores[0].metadataSummary() == nil)
            let first = entry("00000000-0000-0000-0000-000000000001", "Key One")
            try await stores[0].replaceMetadata(summary(10), entries: [first, entry("00000000-0000-0000-0000-000000000002", "Key Two", status: nil)])
            #expect(try await stores[1].metadataSummary() == summary(10))
            #expect(try await stores[1].metadataEntry(aaguid: first.aaguid) == first)
            #expect(try await stores[1].metadataEntry(aaguid: "00000000-0000-0000-0000-000000000002")?.certificationLevel == nil)
            #expect(try await stores[1].metadataEntry(aaguid: "00000000-0000-0000-0000-000000000009") == nil)

            let next = entry("00000000-0000-0000-0000-000000000003", "Key Three", status: "REVOKED")
            try await stores[1].replaceMetadata(summary(11, entries: 1), entries: [next])
            #expect(try await stores[0].metadataEntry(aaguid: first.aaguid) == nil, "an entry the new list lacks is gone")
            #expect(try await stores[0].metadataEntry(aaguid: next.aaguid)?.latestStatus == "REVOKED")
            // The same list again is taken (an admin re-imports it).
            try await stores[0].replaceMetadata(summary(11, entries: 1), entries: [next])
            #expect(try await stores[0].metadataSummary()?.serial == 11)
        }
    }

    @Test("An older list is refused and changes nothing", arguments: StoreKind.allCases)
    func anOlderListIsRefusedAndChangesNothing(kind: StoreKind) async throws {
        try await withStores(kind) { stores in
            let kept = entry("00000000-0000-0000-0000-000000000001", "Key One")
            try await stores[0].replaceMetadata(summary(20, entries: 1), entries: [kept])
            await #expect(
                throws: RegistrationError.invalidInput("the directory holds metadata number 20; number 19 is older and was not imported")
            ) {
                try await stores[0].replaceMetadata(summary(19, entries: 1), entries: [entry("00000000-0000-0000-0000-000000000002", "Old")])
            }
            #expect(try await stores[0].metadataSummary()?.serial == 20)
            #expect(try await stores[0].metadataEntry(aaguid: kept.aaguid) == kept)
            #expect(try await stores[0].metadataEntry(aaguid: "00000000-0000-0000-0000-000000000002") == nil)
        }
    }

    @Test("Two servers importing at once end with the newer list", arguments: StoreKind.allCases)
    func twoServersImportingAtOnceEndWithTheNewerList(kind: StoreKind) async throws {
        try await withStores(kind, servers: 2) { stores in
            let older = (1...300).map { entry(String(format: "00000000-0000-0000-0000-%012d", $0), "Old \($0)") }
            let newer = (1...300).map { entry(String(format: "00000000-0000-0000-0000-%012d", $0), "New \($0)") }
            let first = Task { await importing(stores[0], 30, older) }
            let second = Task { await importing(stores[1], 31, newer) }
            let olderOutcome = await first.value
            let newerOutcome = await second.value
            #expect(newerOutcome == nil, "the newer list is always taken")
            // The older one is taken only when it came first, and then replaced; else it is refused.
            if let olderOutcome {
                #expect(olderOutcome == .invalidInput("the directory holds metadata number 31; number 30 is older and was not imported"))
            }
            let serial = try await stores[0].metadataSummary()?.serial
            let name = try await stores[0].metadataEntry(aaguid: "00000000-0000-0000-0000-000000000150")?.description
            #expect(serial == 31)
            #expect(name == "New 150")
        }
    }
}
