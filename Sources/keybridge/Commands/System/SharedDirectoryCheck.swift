import Foundation
import KeyBridgeRegistration
import KeyBridgeRegistrationPostgres

/// doctor's `directory` check for a shared PostgreSQL directory: the server answers with these
/// credentials, the schema is current, and the key file that seals secrets is here. It never
/// migrates or writes.
enum SharedDirectoryCheck {
    static func findings(url: String, keyFile: String?) async -> [DoctorFinding] {
        let display = (try? PostgresDirectoryURL(url).description) ?? "the PostgreSQL directory"
        var findings: [DoctorFinding] = []
        do {
            let store = try await PostgresRegistrationStore(url: url, migrate: false)
            defer { Task { await store.shutdown() } }
            let version = try await store.schemaVersion()
            let latest = PostgresRegistrationStore.latestSchemaVersion
            if version < latest {
                findings.append(DoctorFinding(
                    check: "directory", status: .problem, detail: "\(display) has schema version \(version); this keybridge needs \(latest)",
                    fix: "keybridge admin migrate --directory '\(url.contains("@") ? "<url>" : url)'", subject: display))
            } else {
                let tenants = try await store.tenants()
                findings.append(DoctorFinding(
                    check: "directory", status: tenants.isEmpty ? .warning : .ok,
                    detail: "\(display): schema \(version), \(tenants.count) tenant(s)",
                    fix: tenants.isEmpty ? DirectoryCheck.createFix : nil, subject: display))
                var open: [String] = []
                for tenant in tenants where try await store.configuration(tenant: tenant.id)?.access.allowFirstRegistrationWithoutProof == true {
                    open.append(tenant.id)
                }
                findings += DirectoryCheck.firstRegistrationGate(tenants: open)
                findings += DirectoryCheck.metadata(try await store.metadataSummary())
            }
        } catch {
            findings.append(DoctorFinding(
                check: "directory", status: .problem, detail: "\(display) cannot be opened: \(error.detail ?? error.code)",
                fix: "check the URL, the server and its pg_hba.conf; sslmode=require needs TLS on the server", subject: display))
        }
        guard let keyFile else {
            findings.append(DoctorFinding(
                check: "directory", status: .problem, detail: "no key file is named for the shared directory",
                fix: "pass --key-file or set $KEYBRIDGE_KEY_FILE (the same 32-byte file on every machine)", subject: "key file"))
            return findings
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: keyFile)[.size] as? Int) ?? nil
        findings.append(
            size == 32
                ? DoctorFinding(check: "directory", status: .ok, detail: "key file \(keyFile)", fix: nil, subject: keyFile)
                : DoctorFinding(
                    check: "directory", status: .problem,
                    detail: size == nil ? "the key file \(keyFile) is missing or unreadable" : "the key file \(keyFile) is not 32 bytes",
                    fix: "copy the directory's key file from another server (never make a new one: sealed secrets need the original)",
                    subject: keyFile))
        return findings
    }
}
