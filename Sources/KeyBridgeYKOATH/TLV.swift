/// YKOATH's simple TLV: a one-byte tag, a one-byte length (or 0x81/0x82 long forms), the value.
public struct TLV: Sendable, Equatable {
    public var tag: UInt8
    public var value: [UInt8]

    public init(_ tag: UInt8, _ value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    /// The encoded bytes.
    public var bytes: [UInt8] {
        var out = [tag]
        switch value.count {
        case 0..<0x80: out.append(UInt8(value.count))
        case 0x80...0xFF: out += [0x81, UInt8(value.count)]
        default: out += [0x82, UInt8(value.count >> 8), UInt8(value.count & 0xFF)]
        }
        return out + value
    }

    /// Parses a sequence of TLVs, with a typed error for truncation.
    public static func parse(_ bytes: [UInt8]) throws(OATHError) -> [TLV] {
        var items: [TLV] = []
        var offset = 0
        while offset < bytes.count {
            let tag = bytes[offset]
            offset += 1
            guard offset < bytes.count else { throw .malformedResponse("a TLV with tag \(hex(tag)) has no length") }
            var length = Int(bytes[offset])
            offset += 1
            if length == 0x81 || length == 0x82 {
                let extra = length - 0x80
                guard offset + extra <= bytes.count else { throw .malformedResponse("a truncated TLV length") }
                length = bytes[offset..<offset + extra].reduce(0) { $0 << 8 | Int($1) }
                offset += extra
            } else if length > 0x82 {
                throw .malformedResponse("an invalid TLV length byte \(hex(UInt8(length)))")
            }
            guard offset + length <= bytes.count else {
                throw .malformedResponse("a TLV with tag \(hex(tag)) claims \(length) bytes but \(bytes.count - offset) remain")
            }
            items.append(TLV(tag, Array(bytes[offset..<offset + length])))
            offset += length
        }
        return items
    }

    private static func hex(_ byte: UInt8) -> String { "0x" + String(byte, radix: 16, uppercase: true) }
}

/// YKOATH tags.
enum OATHTag {
    static let name: UInt8 = 0x71
    static let nameList: UInt8 = 0x72
    static let key: UInt8 = 0x73
    static let challenge: UInt8 = 0x74
    static let response: UInt8 = 0x75
    static let truncated: UInt8 = 0x76
    static let hotp: UInt8 = 0x77
    static let property: UInt8 = 0x78
    static let version: UInt8 = 0x79
    static let imf: UInt8 = 0x7A
    static let algorithm: UInt8 = 0x7B
    static let touch: UInt8 = 0x7C
}
