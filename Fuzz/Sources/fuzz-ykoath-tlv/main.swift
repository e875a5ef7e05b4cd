import FuzzSupport
import KeyBridgePCSC
import KeyBridgeVirtualCard
import KeyBridgeYKOATH

/// YKOATH's TLVs and the code around them:
/// - `TLV.parse` on the whole input; what parses must re-encode and parse to the same items;
/// - an `OATHSession` (client) talking to a card whose responses are the input's length-prefixed chunks;
/// - the virtual card's OATH applet fed the input as length-prefixed command APDUs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let items = try? TLV.parse(bytes) {
        let encoded = items.flatMap(\.bytes)
        precondition((try? TLV.parse(encoded)) == items, "parsed TLVs do not survive re-encoding")
    }

    var reader = FuzzReader(bytes)
    var responses: [[UInt8]] = []
    for _ in 0..<Int(reader.byte() % 8) { responses.append(reader.chunk()) }
    let card = ScriptedCard(responses: responses)
    if let session = try? OATHSession(card: card) {
        _ = session.deviceID
        if session.hasPassword { try? session.unlock(password: "fuzz") }
        if let credentials = try? session.list(), let first = credentials.first {
            _ = try? session.calculate(first)
        }
        _ = try? session.calculateAll()
    }

    let applet = VirtualOATHApplet(capacity: 8)
    _ = applet.select()
    while !reader.isAtEnd {
        guard let apdu = CommandAPDU(encoded: reader.chunk()) else { continue }
        _ = apdu.ins == 0xA4 && apdu.p1 == 0x04 ? applet.select() : applet.process(apdu)
    }
    return 0
}
