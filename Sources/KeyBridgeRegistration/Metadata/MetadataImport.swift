import Foundation
import KeyBridgeMetadata
import X509

extension RegistrationService {
    /// The audit log's tenant for directory-wide actions (the metadata list serves every tenant).
    public static let directoryWideTenant = "*"

    /// Imports a FIDO metadata list (MDS3) into the directory, replacing the one there unless that
    /// one is newer.
    ///
    /// - A signed BLOB (a JWT) is verified: its x5c chain to one of `trustAnchors`, its signature
    ///   and its `nextUpdate` (a stale BLOB is refused).
    /// - A decoded payload (JSON with `legalHeader`, `no`, `nextUpdate`, `entries`) is taken only
    ///   with `unsigned`, and is marked unsigned (doctor warns).
    ///
    /// Nothing changes on any refusal; every import and refusal is audited (tenant `*`).
    public func importMetadata(
        _ contents: Data, unsigned: Bool, trustAnchors: [Certificate], admin: String, client: ClientContext, now: Date = Date()
    ) async throws(RegistrationError) -> MetadataSummary {
        do throws(RegistrationError) {
            let (payload, signed) = try await Self.readMetadata(contents, unsigned: unsigned, trustAnchors: trustAnchors, now: now)
            var byAAGUID: [String: StoredMetadataEntry] = [:]
            for entry in payload.entries {
                guard let aaguid = entry.aaguid else { continue }
                byAAGUID[aaguid] = StoredMetadataEntry(
                    aaguid: aaguid, description: entry.description, certificationLevel: entry.certificationLevel?.status,
                    latestStatus: entry.latestStatus?.status, json: entry.json)
            }
            let summary = MetadataSummary(
                serial: payload.serial, nextUpdate: payload.nextUpdate, signed: signed, entries: byAAGUID.count, imported: now,
                legalHeader: payload.legalHeader)
            try await store.replaceMetadata(summary, entries: byAAGUID.keys.sorted().compactMap { byAAGUID[$0] })
            try await audit(
                "metadataImport", tenant: Self.directoryWideTenant, upn: admin, mode: .admin, client: client, actor: .admin,
                reason: "no \(payload.serial), \(byAAGUID.count) entries, \(signed ? "signed" : "unsigned")")
            return summary
        } catch {
            try? await audit("metadataImport", tenant: Self.directoryWideTenant, upn: admin, mode: .admin, client: client, error: error, actor: .admin)
            throw error
        }
    }

    /// The payload in `contents` and whether its signature was verified.
    private static func readMetadata(
        _ contents: Data, unsigned: Bool, trustAnchors: [Certificate], now: Date
    ) async throws(RegistrationError) -> (MetadataPayload, signed: Bool) {
        let text = String(decoding: contents.prefix(64), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        do {
            if text.hasPrefix("{") {
                guard unsigned else {
                    throw RegistrationError.invalidInput(
                        "this is a decoded metadata payload, not a signed BLOB: its origin cannot be checked; "
                            + "import it with --unsigned to take it as it is (marked unsigned), or import the signed BLOB")
                }
                return (try MetadataPayload.decode(contents), false)
            }
            guard !trustAnchors.isEmpty else {
                throw RegistrationError.invalidInput(
                    "no trust anchor to verify the metadata BLOB with: pass the FIDO Metadata Service's root certificate with --root-cert")
            }
            let jwt = String(decoding: contents, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return (try await MetadataBLOB.verify(jwt, trustAnchors: trustAnchors, now: now).payload, true)
        } catch let error as MetadataError {
            throw .invalidInput(error.description)
        } catch let error as RegistrationError {
            throw error
        } catch {
            throw .invalidInput("the metadata cannot be read: \(error)")
        }
    }

    /// The metadata entry for the key model `aaguid` (lower-case 8-4-4-4-12); nil when no list is
    /// imported or it has no entry for it.
    public func metadataEntry(aaguid: String) async throws(RegistrationError) -> MetadataEntry? {
        guard let stored = try await store.metadataEntry(aaguid: aaguid.lowercased()) else { return nil }
        return try MetadataEntry.decodeStored(stored.json)
    }

    /// The imported metadata list's summary; nil when none was imported.
    public func metadataSummary() async throws(RegistrationError) -> MetadataSummary? { try await store.metadataSummary() }
}

extension MetadataEntry {
    /// An entry from the JSON the store kept (as the list carried it).
    static func decodeStored(_ json: Data) throws(RegistrationError) -> MetadataEntry {
        // The payload decoder is the one parser of entries: the stored entry goes through it alone.
        let wrapped = Data(#"{"no": 0, "nextUpdate": "1970-01-01", "entries": ["#.utf8) + json + Data("]}".utf8)
        do {
            guard let entry = try MetadataPayload.decode(wrapped).entries.first else { throw RegistrationError.store("an empty metadata entry") }
            return entry
        } catch let error as MetadataError {
            throw .store("a stored metadata entry cannot be read: \(error.description)")
        } catch let error as RegistrationError {
            throw error
        } catch {
            throw .store("a stored metadata entry cannot be read: \(error)")
        }
    }
}
