/// Writes CBOR items in CTAP2 canonical form: shortest-form heads, definite lengths,
/// and map keys sorted by major type, then encoded length, then bytewise.
public enum CBOREncoder {
    /// The canonical encoding of `item`.
    public static func encode(_ item: CBOR) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        append(item, to: &out)
        return out
    }

    /// Appends the canonical encoding of `item` to `out`.
    public static func append(_ item: CBOR, to out: inout [UInt8]) {
        switch item {
        case .unsigned(let n): appendHead(major: 0, argument: n, to: &out)
        case .negative(let n): appendHead(major: 1, argument: n, to: &out)
        case .bytes(let b):
            appendHead(major: 2, argument: UInt64(b.count), to: &out)
            out.append(contentsOf: b)
        case .text(let s):
            let utf8 = Array(s.utf8)
            appendHead(major: 3, argument: UInt64(utf8.count), to: &out)
            out.append(contentsOf: utf8)
        case .array(let items):
            appendHead(major: 4, argument: UInt64(items.count), to: &out)
            for element in items { append(element, to: &out) }
        case .map(let entries):
            appendHead(major: 5, argument: UInt64(entries.count), to: &out)
            let encoded = entries.map { (key: encode($0.key), value: $0.value) }
            for entry in encoded.sorted(by: { canonicalOrder($0.key, $1.key) }) {
                out.append(contentsOf: entry.key)
                append(entry.value, to: &out)
            }
        case .tagged(let tag, let inner):
            appendHead(major: 6, argument: tag, to: &out)
            append(inner, to: &out)
        case .bool(let b): out.append(b ? 0xF5 : 0xF4)
        case .null: out.append(0xF6)
        case .undefined: out.append(0xF7)
        }
    }

    /// Appends a shortest-form item head (major type and argument).
    static func appendHead(major: UInt8, argument: UInt64, to out: inout [UInt8]) {
        let m = major << 5
        switch argument {
        case 0..<24: out.append(m | UInt8(argument))
        case 24...0xFF: out.append(contentsOf: [m | 24, UInt8(argument)])
        case 0x100...0xFFFF:
            out.append(m | 25)
            out.append(contentsOf: bigEndianBytes(argument, count: 2))
        case 0x1_0000...0xFFFF_FFFF:
            out.append(m | 26)
            out.append(contentsOf: bigEndianBytes(argument, count: 4))
        default:
            out.append(m | 27)
            out.append(contentsOf: bigEndianBytes(argument, count: 8))
        }
    }

    /// CTAP2 canonical key order: lower major type first, then shorter encoding, then bytewise.
    public static func canonicalOrder(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let majorA = a.first.map { $0 >> 5 } ?? 0
        let majorB = b.first.map { $0 >> 5 } ?? 0
        if majorA != majorB { return majorA < majorB }
        if a.count != b.count { return a.count < b.count }
        return a.lexicographicallyPrecedes(b)
    }

    private static func bigEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).reversed().map { UInt8(truncatingIfNeeded: value >> (UInt64($0) * 8)) }
    }
}

/// A map whose entries are written in the order given, for splicing pre-encoded values
/// (such as an authenticator's attStmt) into a canonical structure without re-encoding them.
public struct CBORRawMapWriter {
    private var entries: [(key: [UInt8], value: [UInt8])] = []

    public init() {}

    /// Adds `key` with a value that is already CBOR-encoded.
    public mutating func add(_ key: CBOR, rawValue: [UInt8]) {
        entries.append((CBOREncoder.encode(key), rawValue))
    }

    /// Adds `key` with an item to encode.
    public mutating func add(_ key: CBOR, _ value: CBOR) {
        entries.append((CBOREncoder.encode(key), CBOREncoder.encode(value)))
    }

    /// The map, keys in canonical order.
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        CBOREncoder.appendHead(major: 5, argument: UInt64(entries.count), to: &out)
        for entry in entries.sorted(by: { CBOREncoder.canonicalOrder($0.key, $1.key) }) {
            out.append(contentsOf: entry.key)
            out.append(contentsOf: entry.value)
        }
        return out
    }
}
