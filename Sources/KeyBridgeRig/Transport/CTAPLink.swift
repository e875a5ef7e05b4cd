import Foundation
import KeyBridgePCSC

/// How a key is reached by the rig.
public enum RigTransportKind: String, Codable, Sendable {
    /// CTAPHID: a hidraw node or a virtual key's HID socket.
    case hid
    /// ISO 7816 through PC/SC: a contactless key on a reader.
    case nfc
}

/// One open connection to a key that carries CTAP2 requests and CTAP1/U2F APDUs.
public protocol CTAPLink: AnyObject, Sendable {
    var kind: RigTransportKind { get }
    /// Sends command byte + CBOR and returns status byte + CBOR, waiting at most `timeout`.
    func ctap2(_ request: [UInt8], timeout: TimeInterval) throws(RigError) -> [UInt8]
    /// Sends a U2F request APDU (extended form) and returns data + status word.
    func u2f(_ apdu: [UInt8], timeout: TimeInterval) throws(RigError) -> [UInt8]
    /// Called with each keep-alive status while a request waits.
    var onKeepAlive: (@Sendable (UInt8) -> Void)? { get set }
    func close()
}

/// CTAP over CTAPHID.
public final class HIDLink: CTAPLink, @unchecked Sendable {
    public let connection: CTAPHIDConnection
    public var kind: RigTransportKind { .hid }

    public init(pipe: ReportPipe) throws(RigError) {
        connection = CTAPHIDConnection(pipe: pipe)
        try connection.open()
    }

    public var onKeepAlive: (@Sendable (UInt8) -> Void)? {
        get { connection.onKeepAlive }
        set { connection.onKeepAlive = newValue }
    }

    public func ctap2(_ request: [UInt8], timeout: TimeInterval) throws(RigError) -> [UInt8] {
        let reply = try connection.transact(command: .cbor, payload: request, timeout: timeout)
        if let code = reply.errorCode { throw .framing(String(format: "CTAPHID_ERROR %02x in reply to CBOR", code)) }
        guard reply.command == CTAPHID.Command.cbor.rawValue else {
            throw .framing(String(format: "CBOR was answered with command %02x", reply.command))
        }
        return reply.payload
    }

    public func u2f(_ apdu: [UInt8], timeout: TimeInterval) throws(RigError) -> [UInt8] {
        let reply = try connection.transact(command: .msg, payload: apdu, timeout: timeout)
        if let code = reply.errorCode { throw .framing(String(format: "CTAPHID_ERROR %02x in reply to MSG", code)) }
        return reply.payload
    }

    public func close() { connection.pipe.close() }
}

/// CTAP over ISO 7816 through PC/SC.
public final class NFCLink: CTAPLink, @unchecked Sendable {
    public let connection: ISO7816Connection
    public var kind: RigTransportKind { .nfc }

    public init(card: PCSCCard) throws(RigError) {
        connection = ISO7816Connection(card: card)
        try connection.select()
    }

    public var onKeepAlive: (@Sendable (UInt8) -> Void)? {
        get { connection.onKeepAlive }
        set { connection.onKeepAlive = newValue }
    }

    public func ctap2(_ request: [UInt8], timeout: TimeInterval) throws(RigError) -> [UInt8] {
        try connection.ctap(request, timeout: timeout)
    }

    public func u2f(_ apdu: [UInt8], timeout: TimeInterval) throws(RigError) -> [UInt8] {
        guard let command = CommandAPDU(encoded: apdu) else { throw .usage("not a U2F APDU") }
        return try connection.exchange(command).bytes
    }

    public func close() { connection.card.disconnect() }
}
