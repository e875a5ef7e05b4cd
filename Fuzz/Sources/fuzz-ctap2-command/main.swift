import FuzzSupport
import KeyBridgeAuthenticator

/// The virtual key's CTAP2 request handling (command byte + CBOR parameters) and its U2F APDUs.
/// One authenticator serves many inputs (state such as PINs and credentials carries over, as on
/// a real key); it is replaced now and then so stored credentials do not pile up.
nonisolated(unsafe) private var authenticator = makeAuthenticator()
nonisolated(unsafe) private var inputs = 0

private func makeAuthenticator() -> VirtualAuthenticator {
    var configuration = AuthenticatorConfiguration()
    configuration.presence = .approve
    configuration.userActionTimeoutMilliseconds = 10
    do {
        return try VirtualAuthenticator(configuration: configuration)
    } catch {
        fatalError("cannot create the virtual authenticator: \(error)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    inputs += 1
    if inputs % 2000 == 0 { authenticator = makeAuthenticator() }
    let bytes = fuzzBytes(data, size)
    // A leading 0xFF routes the rest to the U2F (CTAP1) APDU handler.
    if bytes.first == 0xFF {
        let reply = authenticator.handleU2F(apdu: Array(bytes.dropFirst()))
        precondition(reply.count >= 2, "a U2F reply without a status word")
    } else {
        let reply = authenticator.handleCTAP2(bytes)
        precondition(!reply.isEmpty, "a CTAP2 reply without a status byte")
    }
    return 0
}
