import KeyBridgePCSC

/// Finds contactless keys: a PC/SC reader whose card answers the FIDO (or OATH) applet SELECT.
public enum NFCDiscovery {
    static let oathAID: [UInt8] = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]

    /// Keys on readers right now; empty when pcscd is not running or no card is in a field.
    public static func devices() -> [DeviceDescriptor] {
        guard let context = try? PCSCContext(), let statuses = try? context.statuses() else { return [] }
        return statuses.filter(\.cardPresent).compactMap { status in
            let capabilities = probe(context: context, reader: status.reader)
            return capabilities.isEmpty ? nil : .nfc(reader: status.reader, capabilities: capabilities)
        }
    }

    /// The key on a named reader, without probing it (another process may hold the card; opening
    /// it then gives the precise error). Fails when pcscd is down or the reader does not exist.
    static func reader(_ name: String) throws(KeyBridgeError) -> DeviceDescriptor {
        let readers: [String]
        do {
            readers = try PCSCContext().readers()
        } catch {
            throw .transport(error.description)
        }
        guard readers.contains(name) else { throw .deviceNotFound("nfc:\(name)") }
        return .nfc(reader: name)
    }

    /// Which applets the card on `reader` answers: `fido2`/`u2f` and `oath`.
    public static func probe(context: PCSCContext, reader: String) -> [String] {
        guard let card = try? context.connect(reader: reader) else { return [] }
        defer { card.disconnect() }
        var capabilities: [String] = []
        let fido = CommandAPDU(cla: 0, ins: 0xA4, p1: 0x04, p2: 0x00, data: NFCCTAPChannel.fidoAID)
        if let raw = try? card.transmit(fido.shortEncoding), let reply = ResponseAPDU(raw), reply.statusWord == 0x9000 {
            switch String(decoding: reply.data, as: UTF8.self) {
            case "FIDO_2_0": capabilities.append("fido2")
            case "U2F_V2": capabilities += ["fido2", "u2f"]
            default: break
            }
        }
        let oath = CommandAPDU(cla: 0, ins: 0xA4, p1: 0x04, p2: 0x00, data: oathAID)
        if let raw = try? card.transmit(oath.shortEncoding), let reply = ResponseAPDU(raw),
            reply.statusWord == 0x9000 || reply.sw1 == 0x61
        {
            capabilities.append("oath")
        }
        return capabilities
    }
}
