/// CTAPHID constants and packet layout (CTAP 2.1 §11.2.4, §11.2.9).
public enum CTAPHID {
    /// The broadcast channel, used only for INIT.
    public static let broadcastChannel: UInt32 = 0xFFFF_FFFF

    /// Command bytes (without the 0x80 initialisation-packet bit).
    public enum Command: UInt8, Sendable {
        case ping = 0x01
        case msg = 0x03
        case lock = 0x04
        case initialise = 0x06
        case wink = 0x08
        case cbor = 0x10
        case cancel = 0x11
        case keepAlive = 0x3B
        case error = 0x3F
    }

    /// CTAPHID_ERROR codes.
    public enum ErrorCode: UInt8, Sendable {
        case invalidCommand = 0x01
        case invalidParameter = 0x02
        case invalidLength = 0x03
        case invalidSequence = 0x04
        case messageTimeout = 0x05
        case channelBusy = 0x06
        case lockRequired = 0x0A
        case invalidChannel = 0x0B
        case other = 0x7F
    }

    /// Payload bytes in an initialisation packet and in a continuation packet.
    public static let initialPayload = 57
    public static let continuationPayload = 59

    /// The reports that carry `payload` as `command` on `channel`.
    public static func packets(channel: UInt32, command: UInt8, payload: [UInt8]) -> [[UInt8]] {
        let cid = bytes(channel)
        var reports = [cid + [command | 0x80, UInt8(payload.count >> 8 & 0xFF), UInt8(payload.count & 0xFF)]
            + payload.prefix(initialPayload)]
        var offset = initialPayload
        var sequence: UInt8 = 0
        while offset < payload.count {
            reports.append(cid + [sequence] + payload[offset..<min(payload.count, offset + continuationPayload)])
            offset += continuationPayload
            sequence += 1
        }
        return reports
    }

    /// A channel id as four big-endian bytes.
    public static func bytes(_ channel: UInt32) -> [UInt8] {
        [UInt8(channel >> 24), UInt8(channel >> 16 & 0xFF), UInt8(channel >> 8 & 0xFF), UInt8(channel & 0xFF)]
    }

    /// The channel id of a report.
    public static func channel(of report: [UInt8]) -> UInt32 {
        report.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// One whole CTAPHID message as received.
public struct CTAPHIDMessage: Equatable, Sendable {
    public var channel: UInt32
    /// The command byte without the 0x80 bit.
    public var command: UInt8
    public var payload: [UInt8]

    /// The CTAPHID_ERROR code when this is an ERROR message.
    public var errorCode: UInt8? { command == CTAPHID.Command.error.rawValue ? payload.first : nil }
}
