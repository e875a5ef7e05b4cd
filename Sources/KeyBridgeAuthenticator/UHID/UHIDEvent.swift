/// The kernel's UHID protocol (`linux/uhid.h`): one packed `struct uhid_event` per read or write
/// on `/dev/uhid`, a 32-bit type then a union. Built and parsed by byte offset, which this file
/// is the one place to know.
enum UHIDEvent {
    /// `enum uhid_event_type`.
    enum Kind: UInt32 {
        case destroy = 1
        case start = 2
        case stop = 3
        case open = 4
        case close = 5
        case output = 6
        case getReport = 9
        case getReportReply = 10
        case create2 = 11
        case input2 = 12
        case setReport = 13
        case setReportReply = 14
    }

    /// `sizeof(struct uhid_event)`: the type and the largest member, `uhid_create2_req`.
    static let size = 4 + 128 + 64 + 64 + 2 + 2 + 4 * 4 + 4096
    /// `BUS_USB` from `linux/input.h`.
    static let busUSB: UInt16 = 0x03

    /// The FIDO HID report descriptor (CTAP 2.1 §11.2.8.1): usage page 0xF1D0, usage 0x01
    /// (CTAPHID), one 64-byte input report (usage 0x20) and one 64-byte output report (usage 0x21),
    /// no report ids.
    static let fidoReportDescriptor: [UInt8] = [
        0x06, 0xD0, 0xF1, 0x09, 0x01, 0xA1, 0x01,
        0x09, 0x20, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x40, 0x81, 0x02,
        0x09, 0x21, 0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, 0x95, 0x40, 0x91, 0x02,
        0xC0,
    ]

    /// UHID_CREATE2 with the given identity and the FIDO report descriptor.
    static func create2(name: String, phys: String, uniq: String, vendor: UInt32, product: UInt32, version: UInt32) -> [UInt8] {
        var event = header(.create2)
        put(string: name, width: 128, at: 4, in: &event)
        put(string: phys, width: 64, at: 132, in: &event)
        put(string: uniq, width: 64, at: 196, in: &event)
        put(UInt32(fidoReportDescriptor.count), width: 2, at: 260, in: &event)
        put(UInt32(busUSB), width: 2, at: 262, in: &event)
        put(vendor, width: 4, at: 264, in: &event)
        put(product, width: 4, at: 268, in: &event)
        put(version, width: 4, at: 272, in: &event)
        put(0, width: 4, at: 276, in: &event)
        event.replaceSubrange(280..<(280 + fidoReportDescriptor.count), with: fidoReportDescriptor)
        return event
    }

    /// UHID_INPUT2: one input report from the device to the host.
    static func input2(_ report: [UInt8]) -> [UInt8] {
        var event = header(.input2)
        put(UInt32(report.count), width: 2, at: 4, in: &event)
        event.replaceSubrange(6..<(6 + report.count), with: report)
        return event
    }

    /// UHID_DESTROY.
    static func destroy() -> [UInt8] { header(.destroy) }

    /// A reply refusing a GET_REPORT or SET_REPORT request `id` with EIO (the key has no feature reports).
    static func refuse(_ kind: Kind, id: UInt32) -> [UInt8] {
        var event = header(kind == .getReport ? .getReportReply : .setReportReply)
        put(id, width: 4, at: 4, in: &event)
        put(5, width: 2, at: 8, in: &event)  // EIO
        return event
    }

    /// What a read from `/dev/uhid` carried.
    enum Incoming {
        case output([UInt8])
        case request(Kind, id: UInt32)
        case other(UInt32)
    }

    /// Parses one event read from the kernel. An output report arrives with the report number (0)
    /// first when the host wrote one, as hidraw does for devices without report ids.
    static func parse(_ bytes: [UInt8]) -> Incoming? {
        guard bytes.count >= 4 else { return nil }
        let type = number(bytes, at: 0, width: 4)
        switch Kind(rawValue: type) {
        case .output?:
            guard bytes.count >= 4 + 4096 + 3 else { return nil }
            let size = Int(number(bytes, at: 4 + 4096, width: 2))
            var data = Array(bytes[4..<(4 + min(size, 4096))])
            if data.count == 65 && data[0] == 0 { data.removeFirst() }
            return .output(data)
        case .getReport?, .setReport?:
            return .request(Kind(rawValue: type)!, id: number(bytes, at: 4, width: 4))
        default:
            return .other(type)
        }
    }

    private static func header(_ kind: Kind) -> [UInt8] {
        var event = [UInt8](repeating: 0, count: size)
        put(kind.rawValue, width: 4, at: 0, in: &event)
        return event
    }

    private static func put(_ value: UInt32, width: Int, at offset: Int, in event: inout [UInt8]) {
        for index in 0..<width { event[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    private static func put(string: String, width: Int, at offset: Int, in event: inout [UInt8]) {
        let bytes = Array(string.utf8.prefix(width - 1))
        event.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
    }

    private static func number(_ bytes: [UInt8], at offset: Int, width: Int) -> UInt32 {
        (0..<width).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
