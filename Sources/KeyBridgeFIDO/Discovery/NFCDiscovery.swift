import KeyBridgePCSC

/// Finds contactless keys: a PC/SC reader whose card answers the FIDO (or OATH) applet SELECT.
public enum NFCDiscovery {
    static let oathAID: [UInt8] = [0xA0, 0x00, 0x00, 0x05, 0x27, 0x21, 0x01]

    /// Keys on readers right now, with each card's UID; empty when pcscd is not running or no
    /// card is in a field.
    public static func devices() -> [DeviceDescriptor] {
        guard let context = try? PCSCContext(), let statuses = try? context.statuses() else { return [] }
        return statuses.filter(\.cardPresent).compactMap { status in
            probeCard(context: context, reader: status.reader).descriptor(reader: status.reader)
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
        probeCard(context: context, reader: reader).capabilities
    }

    /// What one connection to a card tells: its applets and, for a card that has any, its UID.
    struct CardProbe: Equatable {
        /// `fido2`/`u2f` and `oath`, as in ``NFCDiscovery/probe(context:reader:)``.
        var capabilities: [String]
        /// The UID as uppercase hex, nil when the reader or card would not tell.
        var uid: String?

        /// The key's descriptor, or nil when the card has none of keybridge's applets.
        func descriptor(reader: String) -> DeviceDescriptor? {
            capabilities.isEmpty ? nil : .nfc(reader: reader, capabilities: capabilities, uid: uid)
        }
    }

    /// Connects once to the card on `reader`: SELECT FIDO, SELECT OATH and, if either answered,
    /// GET DATA for the UID.
    static func probeCard(context: PCSCContext, reader: String) -> CardProbe {
        guard let card = try? context.connect(reader: reader) else { return CardProbe(capabilities: []) }
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
        guard !capabilities.isEmpty else { return CardProbe(capabilities: []) }
        return CardProbe(capabilities: capabilities, uid: readUID(card))
    }

    /// PC/SC part 3 GET DATA (`FF CA 00 00 00`): the card's UID as uppercase hex, or nil unless
    /// the answer is a non-empty UID with `90 00`.
    static func readUID(_ card: some APDUTransmitting) -> String? {
        let getData = CommandAPDU(cla: 0xFF, ins: 0xCA, p1: 0x00, p2: 0x00)
        guard let raw = try? card.transmit(getData.shortEncoding), let reply = ResponseAPDU(raw),
            reply.statusWord == 0x9000, !reply.data.isEmpty
        else { return nil }
        return reply.data.map { String($0, radix: 16, uppercase: true).leftPadded(to: 2) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
