/// CTAPHID framing (CTAP 2.1 §11.2.4): 64-byte packets, initialization and continuation.
enum CTAPHID {
    static let reportSize = 64
    static let broadcastChannel: UInt32 = 0xFFFF_FFFF
    static let maxMessageSize = 57 + 128 * 59

    enum Command: UInt8 {
        case ping = 0x01
        case msg = 0x03
        case lock = 0x04
        case initialize = 0x06
        case wink = 0x08
        case cbor = 0x10
        case cancel = 0x11
        case keepAlive = 0x3B
        case error = 0x3F
    }

    enum ErrorCode: UInt8 {
        case invalidCommand = 0x01
        case invalidParameter = 0x02
        case invalidLength = 0x03
        case invalidSequence = 0x04
        case messageTimeout = 0x05
        case channelBusy = 0x06
        case invalidChannel = 0x0B
        case other = 0x7F
    }

    /// Splits a message into packets for `channel`.
    static func packets(channel: UInt32, command: UInt8, payload: [UInt8]) -> [[UInt8]] {
        let cid = bytes(channel)
        var packets: [[UInt8]] = []
        var first = cid + [command | 0x80, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        first += payload.prefix(57)
        packets.append(padded(first))
        var offset = min(57, payload.count)
        var sequence: UInt8 = 0
        while offset < payload.count {
            let end = min(offset + 59, payload.count)
            packets.append(padded(cid + [sequence] + payload[offset..<end]))
            sequence += 1
            offset = end
        }
        return packets
    }

    static func bytes(_ channel: UInt32) -> [UInt8] {
        [UInt8(channel >> 24), UInt8(channel >> 16 & 0xFF), UInt8(channel >> 8 & 0xFF), UInt8(channel & 0xFF)]
    }

    static func channel(_ packet: [UInt8]) -> UInt32 {
        packet[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func padded(_ packet: [UInt8]) -> [UInt8] {
        packet + [UInt8](repeating: 0, count: max(0, reportSize - packet.count))
    }
}
