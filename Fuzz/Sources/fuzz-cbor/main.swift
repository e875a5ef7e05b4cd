import FuzzSupport
import KeyBridgeCBOR

/// CTAP2 CBOR decoding: strict and lenient, whole items, prefixes and raw map values. A strictly
/// decoded item must re-encode to exactly the input (strict means canonical).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let item = try? CBORDecoder().decode(bytes) {
        precondition(CBOREncoder.encode(item) == bytes, "a strictly decoded item does not re-encode to its input")
    }
    let lenient = CBORDecoder(strict: false, maxDepth: 32)
    if let item = try? lenient.decode(bytes) {
        let canonical = CBOREncoder.encode(item)
        precondition((try? CBORDecoder(strict: true, maxDepth: 32).decode(canonical)) == item, "a canonical encoding does not decode strictly")
    }
    if let (_, length) = try? lenient.decodePrefix(bytes) {
        precondition(length > 0 && length <= bytes.count, "a prefix length outside the input")
    }
    _ = try? CBORDecoder().rawMapValues(bytes)
    _ = try? lenient.rawMapValues(bytes)
    return 0
}
