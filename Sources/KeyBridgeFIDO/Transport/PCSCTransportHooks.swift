import CFido2
import Foundation
import KeyBridgePCSC

/// libfido2 custom transport (`fido_dev_set_transport_functions`) for contactless keys behind
/// pcscd. libfido2 still does all CTAP2 work; ``NFCCTAPChannel`` moves the messages as APDUs.
///
/// The path given to `fido_dev_open` is `pcsc:<reader name>`. All four io hooks must be set even
/// though libfido2 uses only open and close with a transport; read and write fail.
enum PCSCTransportHooks {
    static let pathPrefix = "pcsc:"

    static var io: fido_dev_io_t {
        fido_dev_io_t(open: pcscOpen, close: pcscClose, read: pcscRead, write: pcscWrite)
    }

    static var transport: fido_dev_transport_t {
        fido_dev_transport_t(rx: pcscReceive, tx: pcscSend)
    }

    /// The channel behind an open libfido2 device that uses these hooks.
    static func channel(of device: OpaquePointer) -> PCSCHandle? {
        guard let handle = fido_dev_io_handle(device) else { return nil }
        return Unmanaged<PCSCHandle>.fromOpaque(handle).takeUnretainedValue()
    }
}

/// What the C hooks carry around: the PC/SC context, the card and its CTAP channel.
///
/// The card is held exclusively for the life of the session, so no other process can slip an
/// APDU between the exchanges of one CTAP operation (a PIN token and the command that uses it).
/// A card another process holds is retried for `sharingWait`, then reported as
/// ``PCSCError/sharingViolation``.
final class PCSCHandle: @unchecked Sendable {
    static let sharingWait: TimeInterval = 2

    let context: PCSCContext
    let card: PCSCCard
    let channel: NFCCTAPChannel

    init(reader: String, sharingWait: TimeInterval = PCSCHandle.sharingWait) throws(PCSCError) {
        context = try PCSCContext()
        let deadline = Date().addingTimeInterval(sharingWait)
        while true {
            do {
                card = try context.connect(reader: reader, exclusive: true)
                break
            } catch .sharingViolation where Date() < deadline {
                usleep(100_000)
            }
        }
        channel = NFCCTAPChannel(card: card)
    }
}

private func pcscOpen(_ path: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer? {
    guard let path else { return nil }
    let text = String(cString: path)
    guard text.hasPrefix(PCSCTransportHooks.pathPrefix) else { return nil }
    guard let handle = try? PCSCHandle(reader: String(text.dropFirst(PCSCTransportHooks.pathPrefix.count))) else {
        return nil
    }
    return Unmanaged.passRetained(handle).toOpaque()
}

private func pcscClose(_ handle: UnsafeMutableRawPointer?) {
    guard let handle else { return }
    let object = Unmanaged<PCSCHandle>.fromOpaque(handle).takeRetainedValue()
    object.card.disconnect()
}

private func pcscRead(_: UnsafeMutableRawPointer?, _: UnsafeMutablePointer<UInt8>?, _: Int, _: Int32) -> Int32 { -1 }
private func pcscWrite(_: UnsafeMutableRawPointer?, _: UnsafePointer<UInt8>?, _: Int) -> Int32 { -1 }

private func pcscSend(_ device: OpaquePointer?, _ command: UInt8, _ buffer: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    guard let device, let handle = PCSCTransportHooks.channel(of: device) else { return -1 }
    let payload = buffer.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    return handle.channel.send(command: command, payload: payload) ? 0 : -1
}

private func pcscReceive(
    _ device: OpaquePointer?, _ command: UInt8, _ buffer: UnsafeMutablePointer<UInt8>?, _ count: Int, _ ms: Int32
) -> Int32 {
    guard let device, let buffer, let handle = PCSCTransportHooks.channel(of: device) else { return -1 }
    let target = UnsafeMutableRawBufferPointer(start: buffer, count: count)
    return Int32(handle.channel.receive(command: command, into: target, timeoutMilliseconds: ms))
}

extension PCSCHandle {
    /// Why a card on `reader` cannot be opened, for a message better than libfido2's.
    static func probeError(reader: String) throws -> PCSCError? {
        do {
            _ = try PCSCHandle(reader: reader, sharingWait: 0)
            return nil
        } catch {
            return error
        }
    }
}
