/// CTAP status codes (CTAP 2.1 §8.2), written out from the specification for the rig's
/// expectations: the rig does not borrow the virtual authenticator's table, so a wrong code there
/// shows up as a failure here.
public struct CTAPStatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let ok = Self(rawValue: 0x00)
    public static let invalidCommand = Self(rawValue: 0x01)
    public static let invalidParameter = Self(rawValue: 0x02)
    public static let invalidLength = Self(rawValue: 0x03)
    public static let cborUnexpectedType = Self(rawValue: 0x11)
    public static let invalidCBOR = Self(rawValue: 0x12)
    public static let missingParameter = Self(rawValue: 0x14)
    public static let limitExceeded = Self(rawValue: 0x15)
    public static let credentialExcluded = Self(rawValue: 0x19)
    public static let unsupportedAlgorithm = Self(rawValue: 0x26)
    public static let operationDenied = Self(rawValue: 0x27)
    public static let unsupportedOption = Self(rawValue: 0x2B)
    public static let invalidOption = Self(rawValue: 0x2C)
    public static let keepAliveCancel = Self(rawValue: 0x2D)
    public static let noCredentials = Self(rawValue: 0x2E)
    public static let notAllowed = Self(rawValue: 0x30)
    public static let pinInvalid = Self(rawValue: 0x31)
    public static let pinBlocked = Self(rawValue: 0x32)
    public static let pinAuthInvalid = Self(rawValue: 0x33)
    public static let pinAuthBlocked = Self(rawValue: 0x34)
    public static let pinNotSet = Self(rawValue: 0x35)
    public static let puatRequired = Self(rawValue: 0x36)
    public static let pinPolicyViolation = Self(rawValue: 0x37)
    public static let unauthorizedPermission = Self(rawValue: 0x40)

    private static let names: [UInt8: String] = [
        0x00: "CTAP2_OK", 0x01: "CTAP1_ERR_INVALID_COMMAND", 0x02: "CTAP1_ERR_INVALID_PARAMETER",
        0x03: "CTAP1_ERR_INVALID_LENGTH", 0x04: "CTAP1_ERR_INVALID_SEQ", 0x05: "CTAP1_ERR_TIMEOUT",
        0x06: "CTAP1_ERR_CHANNEL_BUSY", 0x0A: "CTAP1_ERR_LOCK_REQUIRED", 0x0B: "CTAP1_ERR_INVALID_CHANNEL",
        0x11: "CTAP2_ERR_CBOR_UNEXPECTED_TYPE", 0x12: "CTAP2_ERR_INVALID_CBOR", 0x14: "CTAP2_ERR_MISSING_PARAMETER",
        0x15: "CTAP2_ERR_LIMIT_EXCEEDED", 0x17: "CTAP2_ERR_FP_DATABASE_FULL", 0x18: "CTAP2_ERR_LARGE_BLOB_STORAGE_FULL",
        0x19: "CTAP2_ERR_CREDENTIAL_EXCLUDED", 0x21: "CTAP2_ERR_PROCESSING", 0x22: "CTAP2_ERR_INVALID_CREDENTIAL",
        0x23: "CTAP2_ERR_USER_ACTION_PENDING", 0x24: "CTAP2_ERR_OPERATION_PENDING", 0x25: "CTAP2_ERR_NO_OPERATIONS",
        0x26: "CTAP2_ERR_UNSUPPORTED_ALGORITHM", 0x27: "CTAP2_ERR_OPERATION_DENIED", 0x28: "CTAP2_ERR_KEY_STORE_FULL",
        0x2B: "CTAP2_ERR_UNSUPPORTED_OPTION", 0x2C: "CTAP2_ERR_INVALID_OPTION", 0x2D: "CTAP2_ERR_KEEPALIVE_CANCEL",
        0x2E: "CTAP2_ERR_NO_CREDENTIALS", 0x2F: "CTAP2_ERR_USER_ACTION_TIMEOUT", 0x30: "CTAP2_ERR_NOT_ALLOWED",
        0x31: "CTAP2_ERR_PIN_INVALID", 0x32: "CTAP2_ERR_PIN_BLOCKED", 0x33: "CTAP2_ERR_PIN_AUTH_INVALID",
        0x34: "CTAP2_ERR_PIN_AUTH_BLOCKED", 0x35: "CTAP2_ERR_PIN_NOT_SET", 0x36: "CTAP2_ERR_PUAT_REQUIRED",
        0x37: "CTAP2_ERR_PIN_POLICY_VIOLATION", 0x39: "CTAP2_ERR_REQUEST_TOO_LARGE", 0x3A: "CTAP2_ERR_ACTION_TIMEOUT",
        0x3B: "CTAP2_ERR_UP_REQUIRED", 0x3C: "CTAP2_ERR_UV_BLOCKED", 0x3D: "CTAP2_ERR_INTEGRITY_FAILURE",
        0x3E: "CTAP2_ERR_INVALID_SUBCOMMAND", 0x3F: "CTAP2_ERR_UV_INVALID", 0x40: "CTAP2_ERR_UNAUTHORIZED_PERMISSION",
        0x7F: "CTAP1_ERR_OTHER",
    ]

    /// The specification's name and the hex code, e.g. `CTAP2_ERR_PIN_INVALID (0x31)`.
    public var description: String {
        let hex = "0x" + String(rawValue, radix: 16, uppercase: true).leftPadded(2)
        return "\(Self.names[rawValue] ?? "unknown status") (\(hex))"
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
