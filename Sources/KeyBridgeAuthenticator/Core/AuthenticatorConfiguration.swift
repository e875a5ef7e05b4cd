import Foundation

/// How the virtual key behaves when it must wait for the user's touch.
public enum PresenceMode: Codable, Sendable, Equatable {
    /// Touch is given at once.
    case approve
    /// The user refuses: operations end in CTAP2_ERR_OPERATION_DENIED.
    case deny
    /// Touch is given after a delay.
    case delay(milliseconds: Int)
    /// The key waits until a touch is delivered from outside (control socket `touch`).
    case wait

    /// Parses `approve`, `deny`, `wait` or `delay` (with `milliseconds`).
    public init?(name: String, milliseconds: Int = 500) {
        switch name.lowercased() {
        case "approve": self = .approve
        case "deny": self = .deny
        case "wait": self = .wait
        case "delay": self = .delay(milliseconds: milliseconds)
        default: return nil
        }
    }
}

/// Built-in user verification (a fingerprint reader, for example) of the virtual key.
public enum BuiltInUV: String, Codable, Sendable {
    /// No built-in UV: only the PIN verifies the user.
    case none
    /// Built-in UV succeeds.
    case approve
    /// Built-in UV fails (and counts down its retries).
    case deny
}

/// The attestation the virtual key produces for new credentials.
public enum AttestationMode: String, Codable, Sendable, CaseIterable {
    /// `packed` with an x5c chain from the key's own attestation CA.
    case packed
    /// `packed` self attestation, signed with the credential key.
    case `self`
    /// `none`.
    case none
}

/// Everything that can be set on a virtual key.
public struct AuthenticatorConfiguration: Codable, Sendable, Equatable {
    /// The model's AAGUID (16 bytes). Default: `f1d0f1d0-6b65-7962-7269-646765000001`.
    public var aaguid: [UInt8] = AuthenticatorConfiguration.defaultAAGUID
    /// The serial number reported on the control socket and in the attestation certificate.
    public var serialNumber = "KB-0000001"
    /// Firmware version reported by getInfo.
    public var firmwareVersion = 0x0001_0000
    /// How many discoverable credentials fit.
    public var residentKeyCapacity = 100
    public var attestation = AttestationMode.packed
    public var presence = PresenceMode.approve
    public var builtInUV = BuiltInUV.none
    /// Enabled COSE algorithms, in preference order (-7 ES256, -8 EdDSA).
    public var algorithms = [-7, -8]
    /// Transports reported by getInfo.
    public var transports = ["usb"]
    /// Largest CTAP message accepted.
    public var maxMessageSize = 1200
    /// Whether CTAP1/U2F is offered.
    public var u2f = true
    /// Whether authenticatorConfig (0x0D) is offered: getInfo then lists `authnrCfg`,
    /// `setMinPINLength` and `alwaysUv`. Without it the command answers CTAP1_ERR_INVALID_COMMAND.
    public var authenticatorConfig = true
    /// How long to wait for a touch before CTAP2_ERR_USER_ACTION_TIMEOUT.
    public var userActionTimeoutMilliseconds = 30_000
    /// A reset is refused (CTAP2_ERR_NOT_ALLOWED) this long after power-up; nil allows it always.
    public var resetWindowMilliseconds: Int?
    /// Where the state is kept between runs; nil keeps it in memory.
    public var stateFile: String?

    public static let defaultAAGUID: [UInt8] = [
        0xF1, 0xD0, 0xF1, 0xD0, 0x6B, 0x65, 0x79, 0x62, 0x72, 0x69, 0x64, 0x67, 0x65, 0x00, 0x00, 0x01,
    ]

    public init() {}

    /// Parses a UUID string into AAGUID bytes.
    public static func aaguid(from text: String) -> [UInt8]? {
        guard let uuid = UUID(uuidString: text) else { return nil }
        return withUnsafeBytes(of: uuid.uuid) { Array($0) }
    }
}
