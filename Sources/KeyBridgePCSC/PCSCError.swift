import CPCSCLite

/// A PC/SC failure, named for what the user must do about it.
public enum PCSCError: Error, Sendable, Equatable {
    /// pcscd is not running: start it (`systemctl start pcscd.socket`, or `pcscd`).
    case serviceNotRunning
    /// No smart-card reader is connected.
    case noReaders
    /// The named reader does not exist (any more).
    case unknownReader(String)
    /// The reader was unplugged or is unusable.
    case readerUnavailable(String)
    /// No card is in the reader's field.
    case noCard(String)
    /// The card left the field during the exchange.
    case cardRemoved
    /// Another process reset the card; reconnect and select the applet again.
    case cardReset
    /// Another process holds the card exclusively.
    case sharingViolation
    /// The wait for a reader event timed out.
    case timeout
    /// The wait was cancelled (SCardCancel).
    case cancelled
    /// The card did not answer or its answer could not be read.
    case communication(String)
    /// Any other PC/SC status.
    case other(code: Int, message: String)

    /// A stable machine-readable name.
    public var code: String {
        switch self {
        case .serviceNotRunning: "pcscdNotRunning"
        case .noReaders: "noReaders"
        case .unknownReader: "unknownReader"
        case .readerUnavailable: "readerUnavailable"
        case .noCard: "noCard"
        case .cardRemoved: "cardRemoved"
        case .cardReset: "cardReset"
        case .sharingViolation: "sharingViolation"
        case .timeout: "timeout"
        case .cancelled: "cancelled"
        case .communication: "communication"
        case .other: "pcsc"
        }
    }

    /// Maps a PC/SC return value (not SCARD_S_SUCCESS) to its case.
    static func from(_ status: Int, reader: String = "") -> PCSCError {
        switch status {
        case SCARD_E_NO_SERVICE, SCARD_E_SERVICE_STOPPED: .serviceNotRunning
        case SCARD_E_NO_READERS_AVAILABLE: .noReaders
        case SCARD_E_UNKNOWN_READER: .unknownReader(reader)
        case SCARD_E_READER_UNAVAILABLE: .readerUnavailable(reader)
        case SCARD_E_NO_SMARTCARD: .noCard(reader)
        case SCARD_W_REMOVED_CARD: .cardRemoved
        case SCARD_W_RESET_CARD: .cardReset
        case SCARD_E_SHARING_VIOLATION: .sharingViolation
        case SCARD_E_TIMEOUT: .timeout
        case SCARD_E_CANCELLED: .cancelled
        case SCARD_F_COMM_ERROR, SCARD_W_UNRESPONSIVE_CARD, SCARD_W_UNPOWERED_CARD, SCARD_E_PROTO_MISMATCH:
            .communication(String(cString: pcsc_stringify_error(status)))
        default: .other(code: status, message: String(cString: pcsc_stringify_error(status)))
        }
    }
}

extension PCSCError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .serviceNotRunning: "pcscd is not running: start it (systemctl start pcscd.socket) and try again."
        case .noReaders: "No smart-card reader is connected: plug in an NFC reader."
        case .unknownReader(let name): "No reader named \"\(name)\": list readers with `keybridge devices`."
        case .readerUnavailable(let name): "The reader \(name) is unavailable: it was unplugged or is in use by a driver."
        case .noCard(let name): "No card on \(name.isEmpty ? "the reader" : name): tap your key on the reader."
        case .cardRemoved: "The key left the reader's field: hold it still on the reader and try again."
        case .cardReset: "Another program reset the card; try again."
        case .sharingViolation: "Another program is using the card exclusively: close it and try again."
        case .timeout: "Timed out waiting for the reader."
        case .cancelled: "Cancelled."
        case .communication(let detail): "The card did not answer properly (\(detail)): tap it again."
        case .other(let code, let message): "PC/SC error 0x\(String(UInt32(truncatingIfNeeded: code), radix: 16)): \(message)"
        }
    }
}
