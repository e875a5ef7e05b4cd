/// Why a byte string is not acceptable CTAP2 CBOR.
public enum CBORDecodingError: Error, Equatable, Sendable {
    /// The input ended inside an item.
    case truncated
    /// Bytes were left over after the top-level item.
    case trailingBytes(count: Int)
    /// A head used a longer form than its argument needs (CTAP2 requires the shortest form).
    case nonMinimalEncoding(offset: Int)
    /// Map keys were not in CTAP2 canonical order, or a key appeared twice.
    case nonCanonicalMapOrder(offset: Int)
    /// An indefinite length, a float, a reserved additional-info value or an unknown simple value.
    case unsupported(offset: Int, initialByte: UInt8)
    /// A text string was not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// Items were nested deeper than the decoder's limit.
    case nestingTooDeep
}

/// Reads CTAP2 canonical CBOR. By default it is strict: non-minimal heads, unsorted or
/// duplicate map keys and indefinite lengths are rejected, as CTAP2 requires of authenticators.
public struct CBORDecoder {
    /// Whether to reject non-canonical input (the default) or accept any well-formed definite-length item.
    public var strict: Bool
    /// The deepest nesting of arrays, maps and tags accepted.
    public var maxDepth: Int

    public init(strict: Bool = true, maxDepth: Int = 16) {
        self.strict = strict
        self.maxDepth = maxDepth
    }

    /// Decodes exactly one item that spans all of `bytes`.
    public func decode(_ bytes: [UInt8]) throws(CBORDecodingError) -> CBOR {
        var reader = Reader(bytes: bytes, strict: strict, maxDepth: maxDepth)
        let item = try reader.item(depth: 0)
        if reader.offset != bytes.count { throw .trailingBytes(count: bytes.count - reader.offset) }
        return item
    }

    /// Decodes the first item in `bytes` and returns it with the number of bytes it used.
    public func decodePrefix(_ bytes: [UInt8]) throws(CBORDecodingError) -> (item: CBOR, length: Int) {
        var reader = Reader(bytes: bytes, strict: strict, maxDepth: maxDepth)
        let item = try reader.item(depth: 0)
        return (item, reader.offset)
    }

    /// Splits a top-level map into its keys and the raw encoded bytes of each value,
    /// so a caller can keep a value (such as attStmt) exactly as it was sent.
    public func rawMapValues(_ bytes: [UInt8]) throws(CBORDecodingError) -> [CBOR: [UInt8]] {
        var reader = Reader(bytes: bytes, strict: strict, maxDepth: maxDepth)
        let start = reader.offset
        let (major, count) = try reader.head()
        guard major == 5 else { throw .unsupported(offset: start, initialByte: bytes[start]) }
        var result: [CBOR: [UInt8]] = [:]
        for _ in 0..<count {
            let key = try reader.item(depth: 1)
            let valueStart = reader.offset
            _ = try reader.item(depth: 1)
            result[key] = Array(bytes[valueStart..<reader.offset])
        }
        if reader.offset != bytes.count { throw .trailingBytes(count: bytes.count - reader.offset) }
        return result
    }
}

private struct Reader {
    let bytes: [UInt8]
    let strict: Bool
    let maxDepth: Int
    var offset = 0

    init(bytes: [UInt8], strict: Bool, maxDepth: Int) {
        self.bytes = bytes
        self.strict = strict
        self.maxDepth = maxDepth
    }

    mutating func byte() throws(CBORDecodingError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func take(_ count: UInt64) throws(CBORDecodingError) -> ArraySlice<UInt8> {
        guard count <= UInt64(bytes.count - offset) else { throw .truncated }
        let n = Int(count)
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    /// Reads a head and returns (major type, argument). Simple values come back as major 7.
    mutating func head() throws(CBORDecodingError) -> (UInt8, UInt64) {
        let start = offset
        let initial = try byte()
        let major = initial >> 5
        let info = initial & 0x1F
        let argument: UInt64
        switch info {
        case 0..<24: argument = UInt64(info)
        case 24: argument = UInt64(try byte())
        case 25, 26, 27:
            guard major != 7 else { throw .unsupported(offset: start, initialByte: initial) }
            let width = 1 << (info - 24)
            argument = try take(UInt64(width)).reduce(0) { $0 << 8 | UInt64($1) }
        default: throw .unsupported(offset: start, initialByte: initial)
        }
        if strict && info >= 24 && major != 7 {
            let minimum: UInt64 = info == 24 ? 24 : info == 25 ? 0x100 : info == 26 ? 0x1_0000 : 0x1_0000_0000
            if argument < minimum { throw .nonMinimalEncoding(offset: start) }
        }
        if major == 7 && info == 24 && (strict || argument < 32) {
            throw .unsupported(offset: start, initialByte: initial)
        }
        return (major, argument)
    }

    mutating func item(depth: Int) throws(CBORDecodingError) -> CBOR {
        guard depth <= maxDepth else { throw .nestingTooDeep }
        let start = offset
        let (major, argument) = try head()
        switch major {
        case 0: return .unsigned(argument)
        case 1: return .negative(argument)
        case 2: return .bytes(Array(try take(argument)))
        case 3:
            let raw = try take(argument)
            guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(offset: start) }
            return .text(text)
        case 4:
            guard argument <= UInt64(bytes.count - offset) else { throw .truncated }
            var items: [CBOR] = []
            items.reserveCapacity(Int(argument))
            for _ in 0..<argument { items.append(try item(depth: depth + 1)) }
            return .array(items)
        case 5:
            guard argument <= UInt64(bytes.count - offset) / 2 else { throw .truncated }
            var entries: [CBOR: CBOR] = [:]
            var previousKey: ArraySlice<UInt8>? = nil
            for _ in 0..<argument {
                let keyStart = offset
                let key = try item(depth: depth + 1)
                let keyBytes = bytes[keyStart..<offset]
                if strict, let previous = previousKey,
                    !CBOREncoder.canonicalOrder(Array(previous), Array(keyBytes))
                {
                    throw .nonCanonicalMapOrder(offset: keyStart)
                }
                if entries[key] != nil { throw .nonCanonicalMapOrder(offset: keyStart) }
                previousKey = keyBytes
                entries[key] = try item(depth: depth + 1)
            }
            return .map(entries)
        case 6: return .tagged(argument, try item(depth: depth + 1))
        default:
            switch argument {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 23: return .undefined
            default: throw .unsupported(offset: start, initialByte: bytes[start])
            }
        }
    }
}
