import CCbor
import Foundation
import KeyBridgeCBOR
import XCTest

/// Our canonical CBOR codec checked against Debian's libcbor through C interop: what we write,
/// libcbor reads to the same structure and re-serialises to the same bytes; what libcbor
/// builds and writes, we read back equal.
final class LibcborCrossCheckTests: XCTestCase {
    /// Converts a libcbor item into our CBOR value (definite-length items only).
    private func convert(_ item: UnsafeMutablePointer<cbor_item_t>) -> CBOR? {
        switch cbor_typeof(item) {
        case CBOR_TYPE_UINT: return .unsigned(cbor_get_int(item))
        case CBOR_TYPE_NEGINT: return .negative(cbor_get_int(item))
        case CBOR_TYPE_BYTESTRING:
            let count = cbor_bytestring_length(item)
            guard count > 0 else { return .bytes([]) }
            return .bytes(Array(UnsafeBufferPointer(start: cbor_bytestring_handle(item), count: count)))
        case CBOR_TYPE_STRING:
            let count = cbor_string_length(item)
            guard count > 0 else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: cbor_string_handle(item), count: count), as: UTF8.self))
        case CBOR_TYPE_ARRAY:
            let handle = cbor_array_handle(item)!
            return .array((0..<cbor_array_size(item)).compactMap { convert(handle[$0]!) })
        case CBOR_TYPE_MAP:
            let handle = cbor_map_handle(item)!
            var entries: [CBOR: CBOR] = [:]
            for index in 0..<cbor_map_size(item) {
                guard let key = convert(handle[index].key), let value = convert(handle[index].value) else { return nil }
                entries[key] = value
            }
            return .map(entries)
        case CBOR_TYPE_TAG:
            guard let inner = cbor_tag_item(item) else { return nil }
            defer { var copy: UnsafeMutablePointer<cbor_item_t>? = inner; cbor_decref(&copy) }
            return convert(inner).map { .tagged(cbor_tag_value(item), $0) }
        case CBOR_TYPE_FLOAT_CTRL:
            switch cbor_ctrl_value(item) {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 23: return .undefined
            default: return nil
            }
        default: return nil
        }
    }

    /// libcbor's reading of `bytes`, and its own serialisation of what it read.
    private func libcborRoundTrip(_ bytes: [UInt8]) -> (CBOR?, [UInt8]) {
        var result = cbor_load_result()
        guard let item = cbor_load(bytes, bytes.count, &result), result.error.code == CBOR_ERR_NONE else {
            return (nil, [])
        }
        var copy: UnsafeMutablePointer<cbor_item_t>? = item
        defer { cbor_decref(&copy) }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size = 0
        let length = cbor_serialize_alloc(item, &buffer, &size)
        defer { free(buffer) }
        let serialized = buffer.map { Array(UnsafeBufferPointer(start: $0, count: length)) } ?? []
        return (convert(item), serialized)
    }

    private var boundaryItems: [CBOR] {
        let widths: [UInt64] = [0, 1, 23, 24, 255, 256, 65535, 65536, 0xFFFF_FFFF, 0x1_0000_0000, UInt64.max]
        var items: [CBOR] = widths.map { .unsigned($0) } + widths.map { .negative($0) }
        for length in [0, 1, 23, 24, 255, 256, 70000] {
            items.append(.bytes((0..<length).map { UInt8($0 & 0xFF) }))
            items.append(.text(String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)))
        }
        items += [
            .bool(true), .bool(false), .null, .undefined, .tagged(24, .bytes([1, 2])),
            [1: 2, 3: -7, -1: 1, -2: .bytes(Array(repeating: 7, count: 32)), -3: .bytes(Array(repeating: 9, count: 32))],
            ["fmt": "packed", "attStmt": ["alg": -7, "sig": .bytes([1, 2, 3])], "authData": .bytes([4, 5])],
            [1, [2, [3, ["deep": [true, .null]]]], "text"],
            [1: "a", 1000: "b", -1000: "c", "a": 1, "bb": 2, "aaa": 3, .bytes([0]): 4],
        ]
        return items
    }

    func testLibcborReadsWhatWeWriteAndSerialisesItIdentically() {
        for item in boundaryItems {
            let ours = CBOREncoder.encode(item)
            let (parsed, theirs) = libcborRoundTrip(ours)
            XCTAssertEqual(parsed, item, "libcbor read \(item) differently")
            XCTAssertEqual(theirs, ours, "libcbor re-serialised \(item) to other bytes")
        }
    }

    func testWeReadWhatLibcborBuildsInCanonicalOrder() throws {
        // A COSE ES256 key built with libcbor's builders, keys inserted in canonical order.
        guard let map = cbor_new_definite_map(5) else { return XCTFail("libcbor allocation") }
        var mapCopy: UnsafeMutablePointer<cbor_item_t>? = map
        defer { cbor_decref(&mapCopy) }
        let x = [UInt8](repeating: 0xAB, count: 32)
        let y = [UInt8](repeating: 0xCD, count: 32)
        let pairs: [(UnsafeMutablePointer<cbor_item_t>, UnsafeMutablePointer<cbor_item_t>)] = [
            (cbor_build_uint8(1), cbor_build_uint8(2)),
            (cbor_build_uint8(3), cbor_build_negint8(6)),
            (cbor_build_negint8(0), cbor_build_uint8(1)),
            (cbor_build_negint8(1), cbor_build_bytestring(x, 32)),
            (cbor_build_negint8(2), cbor_build_bytestring(y, 32)),
        ]
        for (key, value) in pairs {
            XCTAssertTrue(cbor_map_add(map, cbor_pair(key: cbor_move(key), value: cbor_move(value))))
        }
        var buffer: UnsafeMutablePointer<UInt8>?
        var size = 0
        let length = cbor_serialize_alloc(map, &buffer, &size)
        defer { free(buffer) }
        let theirs = Array(UnsafeBufferPointer(start: buffer, count: length))
        let expected: CBOR = [1: 2, 3: -7, -1: 1, -2: .bytes(x), -3: .bytes(y)]
        XCTAssertEqual(try CBORDecoder(strict: true).decode(theirs), expected)
        XCTAssertEqual(CBOREncoder.encode(expected), theirs)
    }

    func testSeededRandomItemsRoundTripThroughLibcbor() {
        var generator = SeededGenerator(seed: 0x6B65_7962)
        for _ in 0..<3000 {
            let item = randomItem(depth: 0, using: &generator)
            let ours = CBOREncoder.encode(item)
            let (parsed, theirs) = libcborRoundTrip(ours)
            XCTAssertEqual(parsed, item)
            XCTAssertEqual(theirs, ours)
            XCTAssertEqual(try CBORDecoder(strict: true).decode(theirs), item)
        }
    }

    private func randomItem(depth: Int, using generator: inout SeededGenerator) -> CBOR {
        // CTAP2 uses no tags (and libcbor 0.8 rejects some tagged simple values), so none here.
        let choice = Int.random(in: 0..<(depth > 3 ? 6 : 8), using: &generator)
        switch choice {
        case 0: return .unsigned(UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator))
        case 1: return .negative(UInt64.random(in: 0...UInt64.max, using: &generator) >> UInt64.random(in: 0...63, using: &generator))
        case 2: return .bytes((0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        case 3: return .text(String((0..<Int.random(in: 0...20, using: &generator)).map { _ in Character(UnicodeScalar(UInt8.random(in: 97...122, using: &generator))) }))
        case 4: return .bool(Bool.random(using: &generator))
        case 5: return .null
        case 6: return .array((0..<Int.random(in: 0...4, using: &generator)).map { _ in randomItem(depth: depth + 1, using: &generator) })
        default:
            var entries: [CBOR: CBOR] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                let key: CBOR = Bool.random(using: &generator) ? .int(Int.random(in: -300...300, using: &generator)) : .text("k\(Int.random(in: 0...999, using: &generator))")
                entries[key] = randomItem(depth: depth + 1, using: &generator)
            }
            return .map(entries)
        }
    }
}

/// A deterministic generator (SplitMix64), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
