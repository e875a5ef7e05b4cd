import Foundation
import KeyBridgeOATH
import SwiftCSV

extension RegistrationService {
    /// The CSV header admins import: `upn,serial number,secret key,time interval,manufacturer,model`.
    public static let tokenCSVHeader = ["upn", "serial number", "secret key", "time interval", "manufacturer", "model"]

    /// Imports OATH hardware tokens from CSV (RFC 4180: quoted fields may hold commas, quotes and
    /// newlines). Every row is checked first — users looked up once each, serials against the
    /// tenant's inventory in one read — and then either every token is stored in one transaction
    /// (secrets sealed at rest), or, when any row is bad, none is and each bad row is reported with
    /// the line it starts on and why. Audited either way. `progress` hears (rows checked, rows).
    public func importHardwareTokens(
        csv: String, tenant: String, admin: String, client: ClientContext, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws(RegistrationError) -> TokenImportReport {
        _ = try await configuration(tenant)
        let records = try TokenCSV.records(csv)
        guard let header = records.first,
            header.fields.map({ $0.lowercased().trimmingCharacters(in: .whitespaces) }) == Self.tokenCSVHeader
        else {
            throw .malformedResponse("the first line must be: \(Self.tokenCSVHeader.joined(separator: ","))")
        }
        var inventory = Set(try await store.tokens(tenant: tenant).map(\.serial))
        var members: [String: Bool] = [:]
        var report = TokenImportReport(imported: [], errors: [])
        var tokens: [HardwareToken] = []
        let rows = records.dropFirst().filter { !$0.fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        for (checked, record) in rows.enumerated() {
            do throws(RegistrationError) {
                let token = try await tokenRow(record.fields, tenant: tenant, inventory: inventory, members: &members)
                inventory.insert(token.serial)
                tokens.append(token)
            } catch {
                let message = if case .malformedResponse(let text) = error { text } else { error.code }
                report.errors.append(.init(line: record.line, message: message))
            }
            if checked % 1000 == 999 { progress?(checked + 1, rows.count) }
        }
        progress?(rows.count, rows.count)
        if report.errors.isEmpty {
            do throws(RegistrationError) {
                try await store.save(tokens: tokens)
            } catch {
                try? await audit("importHardwareTokens", tenant: tenant, upn: admin, mode: .admin, client: client, error: error, actor: .admin)
                throw error
            }
            report.imported = tokens.map(\.serial)
        }
        try await audit(
            "importHardwareTokens", tenant: tenant, upn: admin, mode: .admin, client: client, actor: .admin,
            reason: report.errors.isEmpty
                ? "\(report.imported.count) imported" : "nothing imported: \(report.errors.count) of \(rows.count) rows rejected")
        return report
    }

    private func tokenRow(_ row: [String], tenant: String, inventory: Set<String>, members: inout [String: Bool])
        async throws(RegistrationError) -> HardwareToken
    {
        let fields = row.map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count == 6 else { throw .malformedResponse("expected 6 columns, found \(fields.count)") }
        let (upn, serial, secretText, intervalText, manufacturer, model) =
            (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
        let member: Bool
        if let known = members[upn] {
            member = known
        } else {
            member = try await store.user(upn: upn)?.isMember(of: tenant) ?? false
            members[upn] = member
        }
        guard member else { throw .malformedResponse("no user \(upn) in tenant \(tenant)") }
        guard !serial.isEmpty, serial.count <= 64 else { throw .malformedResponse("the serial number must be 1 to 64 characters") }
        guard !inventory.contains(serial) else { throw .malformedResponse("serial \(serial) is already in the inventory") }
        guard let secret = Base32.decode(secretText), secret.count >= 10 else {
            throw .malformedResponse("the secret key must be Base32 of at least 10 bytes")
        }
        guard let interval = Int(intervalText), interval == 30 || interval == 60 else {
            throw .malformedResponse("the time interval must be 30 or 60, got \"\(intervalText)\"")
        }
        guard !manufacturer.isEmpty, !model.isEmpty else { throw .malformedResponse("manufacturer and model are required") }
        return HardwareToken(
            tenant: tenant, serial: serial, upn: upn, sealedSecret: try sealer.seal(secret), interval: interval,
            manufacturer: manufacturer, model: model, activatedMethodID: nil)
    }
}

/// A token CSV file as records (RFC 4180, parsed by SwiftCSV), each with the line it starts on.
enum TokenCSV {
    static func records(_ text: String) throws(RegistrationError) -> [(line: Int, fields: [String])] {
        var records: [(line: Int, fields: [String])] = []
        var line = 1
        do {
            // Only the header is parsed as the view; the rows are read raw (not padded to the header's width).
            let csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false, rowLimit: 0)
            records.append((1, csv.header))
            line += 1 + csv.header.reduce(0) { $0 + $1.filter(\.isNewline).count }
            try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { fields in
                records.append((line, fields))
                line += 1 + fields.reduce(0) { $0 + $1.filter(\.isNewline).count }
            }
        } catch {
            throw .malformedResponse("the file is not valid CSV (RFC 4180) near line \(line): \(error)")
        }
        return records
    }
}
