import FuzzSupport
import KeyBridgeAuthenticator
@testable import KeyBridgeFIDO
import KeyBridgePCSC
import KeyBridgeVirtualCard

/// CTAP over ISO 7816 (NFC), both sides:
/// - the client (`NFCCTAPChannel`, libfido2's transport): the input scripts the card's raw
///   responses (length-prefixed chunks) to one exchange chosen by the first byte;
/// - the card (`CardDispatcher` with the FIDO applet over the virtual key): the rest of the
///   input is a sequence of length-prefixed command APDUs;
/// - the APDU codecs themselves.
private let card: CardDispatcher = {
    var configuration = AuthenticatorConfiguration()
    configuration.presence = .approve
    configuration.userActionTimeoutMilliseconds = 10
    configuration.transports = ["nfc"]
    do {
        let applet = FIDOCardApplet(handler: try VirtualAuthenticator(configuration: configuration))
        applet.keepAliveAfter = 0.01
        return CardDispatcher(applets: [applet], uid: [0x04, 0x01, 0x02, 0x03])
    } catch {
        fatalError("cannot create the virtual authenticator: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    var reader = FuzzReader(bytes)
    let selector = reader.byte()
    let request = reader.chunk()
    var responses: [[UInt8]] = []
    for _ in 0..<Int(reader.byte() % 8) { responses.append(reader.chunk()) }
    exerciseClient(selector: selector, request: request, responses: responses)

    card.reset()
    while !reader.isAtEnd {
        let reply = card.handle(reader.chunk())
        precondition(reply.count >= 2, "the card answered without a status word")
    }

    if let response = ResponseAPDU(bytes) { precondition(response.bytes == bytes, "a response APDU does not round-trip") }
    if let command = CommandAPDU(encoded: bytes), command.data.count <= 255 { _ = command.chainedShortEncodings() }
    return 0
}

/// One libfido2 `tx`/`rx` pair against a card that answers with `responses`.
private func exerciseClient(selector: UInt8, request: [UInt8], responses: [[UInt8]]) {
    let channel = NFCCTAPChannel(card: ScriptedCard(responses: responses))
    let command: UInt8 = switch selector % 4 {
    case 0: 0x06
    case 1: 0x10
    case 2: 0x03
    default: 0x11
    }
    let payload = command == 0x06 ? Array(request.prefix(8)) : request
    guard channel.send(command: command, payload: payload) else { return }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 1)
    defer { buffer.deallocate() }
    // A zero timeout: a `91 00` keep-alive ends the wait at once instead of polling every 100 ms.
    let count = channel.receive(command: command, into: buffer, timeoutMilliseconds: 0)
    precondition(count <= buffer.count, "rx reported more bytes than its buffer holds")
}
