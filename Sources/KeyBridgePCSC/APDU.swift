/// An ISO 7816-4 command APDU and its encodings.
public struct CommandAPDU: Sendable, Equatable {
    public var cla: UInt8
    public var ins: UInt8
    public var p1: UInt8
    public var p2: UInt8
    public var data: [UInt8]
    /// Whether to ask for response data (Le = 0, meaning "up to the maximum").
    public var expectsResponse: Bool
    /// Whether a parsed APDU came in the extended-length form.
    public var extendedForm = false

    public init(cla: UInt8, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], expectsResponse: Bool = true) {
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.expectsResponse = expectsResponse
    }

    /// Short form: `CLA INS P1 P2 [Lc data] [Le=00]`; data must be at most 255 bytes.
    public var shortEncoding: [UInt8] {
        precondition(data.count <= 255, "short APDUs carry at most 255 bytes")
        var bytes = [cla, ins, p1, p2]
        if !data.isEmpty { bytes += [UInt8(data.count)] + data }
        if expectsResponse { bytes.append(0x00) }
        return bytes
    }

    /// Extended form: `CLA INS P1 P2 00 Lc_hi Lc_lo data [00 00]` (or `… 00 00 00` with no data).
    public var extendedEncoding: [UInt8] {
        var bytes = [cla, ins, p1, p2, 0x00]
        if !data.isEmpty {
            bytes += [UInt8(data.count >> 8), UInt8(data.count & 0xFF)] + data
            if expectsResponse { bytes += [0x00, 0x00] }
        } else if expectsResponse {
            bytes += [0x00, 0x00]
        }
        return bytes
    }

    /// Short APDUs with command chaining (ISO 7816-4 §5.1.1): every piece but the last has
    /// CLA bit 0x10 set and no Le; `pieceSize` bytes each.
    public func chainedShortEncodings(pieceSize: Int = 250) -> [[UInt8]] {
        guard data.count > 255 else { return [shortEncoding] }
        var pieces: [[UInt8]] = []
        var offset = 0
        while offset < data.count {
            let end = min(offset + pieceSize, data.count)
            let last = end == data.count
            var piece = CommandAPDU(
                cla: last ? cla : cla | 0x10, ins: ins, p1: p1, p2: p2, data: Array(data[offset..<end]),
                expectsResponse: last && expectsResponse)
            piece.data = Array(data[offset..<end])
            pieces.append(piece.shortEncoding)
            offset = end
        }
        return pieces
    }

    /// Parses an APDU in short or extended form.
    public init?(encoded bytes: [UInt8]) {
        guard bytes.count >= 4 else { return nil }
        cla = bytes[0]
        ins = bytes[1]
        p1 = bytes[2]
        p2 = bytes[3]
        let body = Array(bytes[4...])
        switch body.count {
        case 0:
            data = []
            expectsResponse = false
        case 1:
            data = []
            expectsResponse = true
        default:
            if body[0] == 0, body.count >= 3 {
                // Extended: 00 Lc_hi Lc_lo data [Le_hi Le_lo], or 00 Le_hi Le_lo.
                extendedForm = true
                let length = Int(body[1]) << 8 | Int(body[2])
                if body.count == 3 {
                    data = []
                    expectsResponse = true
                } else if body.count == 3 + length || body.count == 5 + length {
                    data = Array(body[3..<3 + length])
                    expectsResponse = body.count == 5 + length
                } else {
                    return nil
                }
            } else {
                let length = Int(body[0])
                guard body.count == 1 + length || body.count == 2 + length else { return nil }
                data = Array(body[1..<1 + length])
                expectsResponse = body.count == 2 + length
            }
        }
    }
}

/// A response APDU split into data and status word.
public struct ResponseAPDU: Sendable, Equatable {
    public var data: [UInt8]
    public var sw1: UInt8
    public var sw2: UInt8

    public init(data: [UInt8], sw1: UInt8, sw2: UInt8) {
        self.data = data
        self.sw1 = sw1
        self.sw2 = sw2
    }

    /// Splits raw bytes (data followed by SW1 SW2); nil when shorter than two bytes.
    public init?(_ raw: [UInt8]) {
        guard raw.count >= 2 else { return nil }
        data = Array(raw.dropLast(2))
        sw1 = raw[raw.count - 2]
        sw2 = raw[raw.count - 1]
    }

    /// The status word as one number (e.g. 0x9000).
    public var statusWord: UInt16 { UInt16(sw1) << 8 | UInt16(sw2) }
    /// Data followed by the status word.
    public var bytes: [UInt8] { data + [sw1, sw2] }
}

/// Something that exchanges APDUs with a card: a PC/SC connection or, in tests, a card in process.
public protocol APDUTransmitting: AnyObject, Sendable {
    /// Sends one encoded command APDU and returns the response data followed by SW1 SW2.
    func transmit(_ apdu: [UInt8]) throws(PCSCError) -> [UInt8]
}

extension PCSCCard: APDUTransmitting {}
