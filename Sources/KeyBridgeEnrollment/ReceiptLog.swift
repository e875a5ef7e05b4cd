import Foundation

/// One enrollment as the kiosk records it.
public struct EnrollmentReceipt: Codable, Sendable, Equatable {
    public var time: Date
    public var upn: String
    public var tenant: String
    public var keyModel: String
    public var aaguid: String
    public var serialNumber: String?
    /// base64url.
    public var credentialID: String
    public var kiosk: String
    public var operatorUPN: String
    /// A random PIN the kiosk gave the holder (who must change it at first use): shown and
    /// printed for them; the receipt files keep it only when the admin asks for that
    /// (``ReceiptLog/recordsPINs``), otherwise only ``pinIssued``.
    public var pin: String?
    /// Whether the kiosk issued a random PIN (recorded instead of the PIN itself).
    public var pinIssued: Bool

    public init(
        time: Date, upn: String, tenant: String, keyModel: String, aaguid: String, serialNumber: String?,
        credentialID: String, kiosk: String, operatorUPN: String, pin: String?
    ) {
        self.time = time
        self.upn = upn
        self.tenant = tenant
        self.keyModel = keyModel
        self.aaguid = aaguid
        self.serialNumber = serialNumber
        self.credentialID = credentialID
        self.kiosk = kiosk
        self.operatorUPN = operatorUPN
        self.pin = pin
        pinIssued = pin != nil
    }

    static let csvHeader = "time,upn,tenant,key model,aaguid,serial number,credential id,kiosk,operator,pin"

    /// The receipt as a CSV line. Text from people and keys (UPN, tenant, model, serial number,
    /// kiosk, operator) is escaped against formulas; machine-made fields are written as they are:
    /// a time, an AAGUID and a base64url credential id (whose alphabet cannot spell a call, and
    /// which must stay equal to the id elsewhere even when it starts with `-`).
    var csvLine: String {
        [
            Self.quoted(ISO8601DateFormatter().string(from: time)), Self.csvField(upn), Self.csvField(tenant), Self.csvField(keyModel),
            Self.quoted(aaguid), Self.csvField(serialNumber ?? ""), Self.quoted(credentialID), Self.csvField(kiosk),
            Self.csvField(operatorUPN), Self.csvField(pin ?? (pinIssued ? "issued" : "")),
        ].joined(separator: ",")
    }

    /// RFC 4180 quoting alone (for machine-made fields).
    static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One RFC 4180 field. A value a spreadsheet would run as a formula (starting with `=`, `+`,
    /// `-`, `@`, a tab or a carriage return — a UPN or a key's serial number can) gets a leading
    /// `'`, so it is shown as text.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
        return quoted(text)
    }
}

/// Appends receipts to `enrollments.csv` (with a header) and `enrollments.jsonl` in a folder,
/// each line written whole and flushed to disk. Random PINs are not written unless
/// ``recordsPINs`` (an admin's explicit choice); then both files are made readable by their
/// owner only (0600).
public struct ReceiptLog: Sendable {
    public let folder: String
    public let recordsPINs: Bool
    public var csvPath: String { folder + "/enrollments.csv" }
    public var jsonPath: String { folder + "/enrollments.jsonl" }

    public init(folder: String, recordsPINs: Bool = false) {
        self.folder = folder
        self.recordsPINs = recordsPINs
    }

    public func append(_ receipt: EnrollmentReceipt) throws {
        var receipt = receipt
        if !recordsPINs { receipt.pin = nil }
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var json = try encoder.encode(receipt)
        json.append(0x0A)
        let newCSV = !FileManager.default.fileExists(atPath: csvPath)
        try append(Data(((newCSV ? EnrollmentReceipt.csvHeader + "\n" : "") + receipt.csvLine + "\n").utf8), to: csvPath)
        try append(json, to: jsonPath)
    }

    private func append(_ data: Data, to path: String) throws {
        let mode: mode_t = recordsPINs ? 0o600 : 0o640
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        // Files made before PINs were recorded are narrowed before a PIN goes in.
        if recordsPINs, fchmod(descriptor, 0o600) != 0 { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
