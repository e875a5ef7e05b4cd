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
    /// Only when the kiosk prints random PINs (the holder must change it at first use).
    public var pin: String?

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
    }

    static let csvHeader = "time,upn,tenant,key model,aaguid,serial number,credential id,kiosk,operator,pin"

    var csvLine: String {
        [
            ISO8601DateFormatter().string(from: time), upn, tenant, keyModel, aaguid, serialNumber ?? "", credentialID, kiosk,
            operatorUPN, pin ?? "",
        ].map(Self.csvField).joined(separator: ",")
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Appends receipts to `enrollments.csv` (with a header) and `enrollments.jsonl` in a folder,
/// each line written whole and flushed to disk.
public struct ReceiptLog: Sendable {
    public let folder: String
    public var csvPath: String { folder + "/enrollments.csv" }
    public var jsonPath: String { folder + "/enrollments.jsonl" }

    public init(folder: String) { self.folder = folder }

    public func append(_ receipt: EnrollmentReceipt) throws {
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var json = try encoder.encode(receipt)
        json.append(0x0A)
        let newCSV = !FileManager.default.fileExists(atPath: csvPath)
        try Self.append(Data(((newCSV ? EnrollmentReceipt.csvHeader + "\n" : "") + receipt.csvLine + "\n").utf8), to: csvPath)
        try Self.append(json, to: jsonPath)
    }

    private static func append(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
