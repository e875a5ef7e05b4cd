/// A CBOR data item as used by CTAP2 (RFC 8949, restricted to the CTAP2 canonical subset).
///
/// Maps are held as dictionaries: the encoder writes their keys in CTAP2 canonical order
/// (major type, then encoded length, then bytewise), so insertion order never matters.
/// Floating-point values and indefinite lengths are outside CTAP2 and are not represented.
public indirect enum CBOR: Hashable, Sendable {
    /// Major type 0: an unsigned integer.
    case unsigned(UInt64)
    /// Major type 1: the integer `-1 - n` for the stored `n`.
    case negative(UInt64)
    /// Major type 2: a byte string.
    case bytes([UInt8])
    /// Major type 3: a UTF-8 text string.
    case text(String)
    /// Major type 4: an array.
    case array([CBOR])
    /// Major type 5: a map.
    case map([CBOR: CBOR])
    /// Major type 6: a tagged item.
    case tagged(UInt64, CBOR)
    /// Simple value 20 or 21.
    case bool(Bool)
    /// Simple value 22.
    case null
    /// Simple value 23.
    case undefined

    /// An integer item: unsigned when `value >= 0`, negative otherwise.
    public static func int(_ value: Int) -> CBOR {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-1 - value))
    }
}

extension CBOR: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(stringLiteral value: String) { self = .text(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: CBOR...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (CBOR, CBOR)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension CBOR {
    /// The value as a Swift `Int`, if it is an integer that fits.
    public var intValue: Int? {
        switch self {
        case .unsigned(let n): return n <= UInt64(Int.max) ? Int(n) : nil
        case .negative(let n): return n <= UInt64(Int.max) ? -1 - Int(n) : nil
        default: return nil
        }
    }
    /// The bytes of a byte string.
    public var bytesValue: [UInt8]? { if case .bytes(let b) = self { return b } else { return nil } }
    /// The text of a text string.
    public var textValue: String? { if case .text(let s) = self { return s } else { return nil } }
    /// The value of a boolean.
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    /// The elements of an array.
    public var arrayValue: [CBOR]? { if case .array(let a) = self { return a } else { return nil } }
    /// The entries of a map.
    public var mapValue: [CBOR: CBOR]? { if case .map(let m) = self { return m } else { return nil } }

    /// Looks a key up in a map; `nil` for a missing key or a non-map item.
    public subscript(key: CBOR) -> CBOR? { mapValue?[key] }
    /// Looks an integer key up in a map (CTAP2 request and reply maps use small integer keys).
    public subscript(intKey key: Int) -> CBOR? { mapValue?[.int(key)] }
    /// Looks a text key up in a map.
    public subscript(textKey key: String) -> CBOR? { mapValue?[.text(key)] }
}
