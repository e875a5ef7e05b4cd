import Foundation
import KeyBridgePCSC

/// What the FIDO applet needs from an authenticator core (the virtual key's CTAP engine).
public protocol CTAPRequestHandling: AnyObject, Sendable {
    /// Handles a CTAP2 request (command byte + CBOR) and returns status byte + CBOR. While it
    /// waits it may call `keepAlive` (1 processing, 2 waiting for presence) and must stop with
    /// CTAP2_ERR_KEEPALIVE_CANCEL (0x2D) soon after `isCancelled` turns true.
    func handleCTAP2(
        _ request: [UInt8], keepAlive: @escaping @Sendable (UInt8) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) -> [UInt8]
    /// Handles a CTAP1/U2F APDU (the tap counts as presence) and returns data + SW.
    func handleU2F(_ apdu: [UInt8]) -> [UInt8]
    /// Whether the U2F (CTAP1) interface is offered.
    var supportsU2F: Bool { get }
}

/// The FIDO applet of a contactless card (CTAP 2.1 §11.3): SELECT, NFCCTAP_MSG (with command
/// chaining and extended APDUs), `91 00` keep-alives answered through NFCCTAP_GETRESPONSE
/// polling (and cancel with P1 = 0x11), `61 xx` + GET RESPONSE for long replies, and U2F APDUs.
public final class FIDOCardApplet: CardApplet, @unchecked Sendable {
    public let aid: [UInt8] = [0xA0, 0x00, 0x00, 0x06, 0x47, 0x2F, 0x00, 0x01]
    private let handler: any CTAPRequestHandling
    /// How long one APDU may wait for the core before answering `91 00`.
    public var keepAliveAfter: TimeInterval = 0.05
    /// Whether extended-length APDUs are accepted (some readers refuse them; then clients must
    /// chain short APDUs and collect long replies with GET RESPONSE).
    public var acceptsExtendedAPDUs = true

    private let lock = NSLock()
    private var chained: [UInt8] = []
    private var remaining: [UInt8] = []
    private var pending: PendingRequest?

    /// A CTAP2 request running on its own thread while the reader polls.
    final class PendingRequest: @unchecked Sendable {
        private let condition = NSCondition()
        private var result: [UInt8]?
        private var status: UInt8 = 1
        private var cancelled = false

        func start(_ work: @escaping @Sendable (PendingRequest) -> [UInt8]) {
            let thread = Thread { [self] in
                let reply = work(self)
                condition.withLock {
                    result = reply
                    condition.broadcast()
                }
            }
            thread.start()
        }

        func keepAlive(_ value: UInt8) { condition.withLock { status = value } }
        var isCancelled: Bool { condition.withLock { cancelled } }
        func cancel() { condition.withLock { cancelled = true } }

        /// The reply if it arrives within `timeout`, else nil (and the current keep-alive status).
        func wait(_ timeout: TimeInterval) -> (reply: [UInt8]?, status: UInt8) {
            condition.withLock {
                let deadline = Date().addingTimeInterval(timeout)
                while result == nil && condition.wait(until: deadline) {}
                return (result, status)
            }
        }
    }

    public init(handler: any CTAPRequestHandling) {
        self.handler = handler
    }

    public func select() -> ResponseAPDU {
        lock.withLock {
            pending?.cancel()
            pending = nil
            chained = []
            remaining = []
        }
        let version = handler.supportsU2F ? "U2F_V2" : "FIDO_2_0"
        return ResponseAPDU(data: Array(version.utf8), sw1: 0x90, sw2: 0x00)
    }

    public func deselect() {
        lock.withLock {
            pending?.cancel()
            pending = nil
            chained = []
            remaining = []
        }
    }

    public func process(_ apdu: CommandAPDU) -> ResponseAPDU {
        if apdu.extendedForm && !acceptsExtendedAPDUs { return .status(0x6700) }
        let extended = apdu.extendedForm
        switch (apdu.cla & ~0x10, apdu.ins) {
        case (_, 0xC0):  // GET RESPONSE (CLA 00 or 80)
            return lock.withLock { page(remaining, extended: false) }
        case (0x80, 0x10):  // NFCCTAP_MSG
            if apdu.cla & 0x10 != 0 {
                lock.withLock { chained += apdu.data }
                return .ok
            }
            let request: [UInt8] = lock.withLock {
                defer { chained = [] }
                return chained + apdu.data
            }
            guard !request.isEmpty else { return .status(0x6700) }
            return startCTAP2(request, pollingAllowed: apdu.p1 & 0x80 != 0, extended: extended)
        case (0x80, 0x11):  // NFCCTAP_GETRESPONSE
            return poll(cancel: apdu.p1 == 0x11)
        case (0x00, 0x01), (0x00, 0x02), (0x00, 0x03):  // U2F register / authenticate / version
            guard handler.supportsU2F else { return .status(0x6D00) }
            var raw = apdu
            raw.expectsResponse = true
            guard let reply = ResponseAPDU(handler.handleU2F(raw.extendedEncoding)) else { return .status(0x6F00) }
            if reply.data.isEmpty { return reply }
            return lock.withLock {
                let paged = page(reply.data, extended: extended, finalSW: (reply.sw1, reply.sw2))
                return paged
            }
        default:
            return .status(0x6D00)
        }
    }

    private func startCTAP2(_ request: [UInt8], pollingAllowed: Bool, extended: Bool) -> ResponseAPDU {
        let work = PendingRequest()
        let handler = self.handler
        lock.withLock {
            pending?.cancel()
            pending = work
        }
        work.start { request0 in
            handler.handleCTAP2(request, keepAlive: { request0.keepAlive($0) }, isCancelled: { request0.isCancelled })
        }
        return finish(work, wait: pollingAllowed ? keepAliveAfter : .infinity, extended: extended)
    }

    private func poll(cancel: Bool) -> ResponseAPDU {
        guard let work = lock.withLock({ pending }) else { return .status(0x6985) }
        if cancel { work.cancel() }
        return finish(work, wait: cancel ? 5 : keepAliveAfter, extended: false)
    }

    private func finish(_ work: PendingRequest, wait: TimeInterval, extended: Bool) -> ResponseAPDU {
        let (reply, status) = work.wait(wait == .infinity ? 3600 : wait)
        guard let reply else { return ResponseAPDU(data: [status], sw1: 0x91, sw2: 0x00) }
        return lock.withLock {
            if pending === work { pending = nil }
            return page(reply, extended: extended)
        }
    }

    /// Returns up to 256 bytes (or everything for an extended exchange) and keeps the rest for
    /// GET RESPONSE, signalled by `61 xx`.
    private func page(_ data: [UInt8], extended: Bool, finalSW: (UInt8, UInt8) = (0x90, 0x00)) -> ResponseAPDU {
        let limit = extended ? 65536 : 256
        guard data.count > limit else {
            remaining = []
            return ResponseAPDU(data: data, sw1: finalSW.0, sw2: finalSW.1)
        }
        remaining = Array(data.dropFirst(limit))
        return ResponseAPDU(data: Array(data.prefix(limit)), sw1: 0x61, sw2: UInt8(min(remaining.count, 0xFF) & 0xFF))
    }
}
