import Foundation
import KeyBridgeOATH

extension RegistrationService {
    /// The CSV header admins import: `upn,serial number,secret key,time interval,manufacturer,model`.
    public static let tokenCSVHeader = ["upn", "serial number", "secret key", "time interval", "manufacturer", "model"]

    /// Imports OATH hardware tokens. Each bad row is reported with its line and reason and
    /// imports nothing; good rows are imported (secrets sealed at rest).
    public func importHardwareTokens(csv: String, tenant: String, admin: String, client: ClientContext)
        async throws(RegistrationError) -> TokenImportReport
    {
        _ = try await configuration(tenant)
        var lines = csv.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        while lines.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { lines.removeLast() }
        guard let header = lines.first,
            CSVLine.fields(header).map({ $0.lowercased().trimmingCharacters(in: .whitespaces) }) == Self.tokenCSVHeader
        else {
            throw .malformedResponse("the first line must be: \(Self.tokenCSVHeader.joined(separator: ","))")
        }
        var report = TokenImportReport(imported: [], errors: [])
        var seen = Set<String>()
        for (index, line) in lines.enumerated().dropFirst() {
            do throws(RegistrationError) {
                let token = try await parseTokenRow(line, tenant: tenant, seen: seen)
                try await store.save(token: token)
                seen.insert(token.serial)
                report.imported.append(token.serial)
            } catch {
                let message = if case .malformedResponse(let text) = error { text } else { error.code }
                report.errors.append(.init(line: index + 1, message: message))
            }
        }
        try await audit(
            "importHardwareTokens", tenant: tenant, upn: admin, mode: .admin, client: client, actor: .admin,
            reason: "\(report.imported.count) imported, \(report.errors.count) rejected")
        return report
    }

    private func parseTokenRow(_ line: String, tenant: String, seen: Set<String>) async throws(RegistrationError) -> HardwareToken {
        let fields = CSVLine.fields(line).map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count == 6 else { throw .malformedResponse("expected 6 columns, found \(fields.count)") }
        let (upn, serial, secretText, intervalText, manufacturer, model) =
            (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
        guard let user = try await store.user(upn: upn) else { throw .malformedResponse("no user \(upn)") }
        guard user.isMember(of: tenant) else { throw .malformedResponse("\(upn) is not in tenant \(tenant)") }
        guard !serial.isEmpty else { throw .malformedResponse("the serial number is empty") }
        guard !seen.contains(serial), try await store.token(serial: serial, tenant: tenant) == nil else {
            throw .malformedResponse("serial \(serial) is already in the inventory")
        }
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

/// Splits one CSV line (RFC 4180 quoting).
enum CSVLine {
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var iterator = Array(line).makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else {
                            quoted = false
                            if next == "," { fields.append(current); current = "" } else { current.append(next) }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
