import Foundation
import KeyBridgeCBOR

/// Where the device writes its reports: one client connection.
public protocol HIDReportSink: AnyObject, Sendable {
    /// Sends one 64-byte report; false when the connection is gone.
    @discardableResult func send(_ report: [UInt8]) -> Bool
    /// Closes the connection.
    func close()
}

/// The CTAPHID layer of the virtual key (CTAP 2.1 §11.2): channel allocation, message
/// reassembly with sequence and timeout checks, one transaction at a time (others get
/// CHANNEL_BUSY), KEEPALIVE every 100 ms while a request runs, CANCEL, PING, WINK, MSG (U2F)
/// and CBOR, and the ERROR replies.
public final class CTAPHIDDevice: @unchecked Sendable {
    private struct Assembly {
        var channel: UInt32
        var command: UInt8
        var total: Int
        var data: [UInt8]
        var nextSequence: UInt8
        var sink: any HIDReportSink
        var deadline: Date
    }

    private final class Transaction: @unchecked Sendable {
        let channel: UInt32
        let sink: any HIDReportSink
        private let lock = NSLock()
        private var _cancelled = false
        private var _aborted = false
        private var _status: UInt8 = 1
        init(channel: UInt32, sink: any HIDReportSink) {
            self.channel = channel
            self.sink = sink
        }
        var cancelled: Bool { lock.withLock { _cancelled } }
        var aborted: Bool { lock.withLock { _aborted } }
        var status: UInt8 {
            get { lock.withLock { _status } }
            set { lock.withLock { _status = newValue } }
        }
        func cancel() { lock.withLock { _cancelled = true } }
        func abort() { lock.withLock { _cancelled = true; _aborted = true } }
    }

    private let authenticator: VirtualAuthenticator
    private let lock = NSLock()
    private var channels = Set<UInt32>()
    private var assembly: Assembly?
    private var transaction: Transaction?
    private var nextFault = HIDFault.none
    /// Where requests run, one at a time (CTAPHID has one transaction per device); not Swift's
    /// cooperative pool, since a request may block waiting for a touch.
    private let requests = DispatchQueue(label: "ctaphid request")
    /// How long a continuation packet may take (CTAP: 500 ms is typical).
    public var messageTimeout: TimeInterval = 0.5
    /// The version reported by INIT.
    public var version: (UInt8, UInt8, UInt8) = (1, 0, 0)

    public init(authenticator: VirtualAuthenticator) {
        self.authenticator = authenticator
        let watchdog = Thread { [weak self] in
            while let self {
                self.expireAssembly()
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        watchdog.name = "ctaphid message timeout"
        watchdog.start()
    }

    /// Makes CBOR replies misbehave: after `skipping` good ones, the next `count`.
    public func inject(_ fault: HIDFault, skipping: Int = 0, count: Int = 1) {
        lock.withLock {
            nextFault = fault
            faultSkip = max(0, skipping)
            faultCount = max(1, count)
        }
    }
    private var faultSkip = 0
    private var faultCount = 1

    /// Handles one report from `sink`.
    public func receive(_ report: [UInt8], from sink: any HIDReportSink) {
        guard report.count == CTAPHID.reportSize else { return }
        let channel = CTAPHID.channel(report)
        if report[4] & 0x80 != 0 {
            initialization(report, channel: channel, sink: sink)
        } else {
            continuation(report, channel: channel, sink: sink)
        }
    }

    /// A connection went away: whatever it was doing ends.
    public func disconnected(_ sink: any HIDReportSink) {
        lock.withLock {
            if let assembly, assembly.sink === sink { self.assembly = nil }
            if let transaction, transaction.sink === sink { transaction.abort() }
        }
    }

    // MARK: Packets

    private func initialization(_ report: [UInt8], channel: UInt32, sink: any HIDReportSink) {
        let command = report[4] & 0x7F
        let length = Int(report[5]) << 8 | Int(report[6])
        var reply: (UInt32, UInt8, [UInt8])?
        var complete: Assembly?
        lock.withLock {
            if channel == 0 { reply = error(channel, .invalidChannel); return }
            if command == CTAPHID.Command.initialize.rawValue {
                guard length == 8 else { reply = error(channel, .invalidLength); return }
                let nonce = Array(report[7..<15])
                var assigned = channel
                if channel == CTAPHID.broadcastChannel {
                    repeat { assigned = UInt32.random(in: 1..<CTAPHID.broadcastChannel) } while channels.contains(assigned)
                    channels.insert(assigned)
                } else {
                    channels.insert(channel)
                    if let assembly, assembly.channel == channel { self.assembly = nil }
                    if let transaction, transaction.channel == channel { transaction.abort() }
                }
                let payload = nonce + CTAPHID.bytes(assigned) + [2, version.0, version.1, version.2, capabilities]
                reply = (channel, CTAPHID.Command.initialize.rawValue, payload)
                return
            }
            if channel == CTAPHID.broadcastChannel || !channels.contains(channel) {
                reply = error(channel, .invalidChannel)
                return
            }
            if command == CTAPHID.Command.cancel.rawValue {
                if let transaction, transaction.channel == channel { transaction.cancel() }
                return
            }
            if let transaction, !transaction.aborted {
                reply = error(channel, .channelBusy)
                return
            }
            if let assembly, assembly.channel != channel {
                reply = error(channel, .channelBusy)
                return
            }
            guard length <= CTAPHID.maxMessageSize else { reply = error(channel, .invalidLength); return }
            let first = Array(report[7..<min(7 + length, 64)])
            let started = Assembly(
                channel: channel, command: command, total: length, data: first, nextSequence: 0, sink: sink,
                deadline: Date().addingTimeInterval(messageTimeout))
            if first.count >= length { complete = started } else { assembly = started }
        }
        if let reply { send(reply.2, command: reply.1, channel: reply.0, to: sink) }
        if let complete { dispatch(complete) }
    }

    private func continuation(_ report: [UInt8], channel: UInt32, sink: any HIDReportSink) {
        var reply: (UInt32, UInt8, [UInt8])?
        var complete: Assembly?
        lock.withLock {
            guard var current = assembly, current.channel == channel else {
                if channels.contains(channel) && transaction == nil { reply = error(channel, .invalidSequence) }
                return
            }
            guard report[4] == current.nextSequence else {
                assembly = nil
                reply = error(channel, .invalidSequence)
                return
            }
            current.nextSequence += 1
            current.data += report[5..<min(64, 5 + current.total - current.data.count)]
            current.deadline = Date().addingTimeInterval(messageTimeout)
            if current.data.count >= current.total {
                assembly = nil
                complete = current
            } else {
                assembly = current
            }
        }
        if let reply { send(reply.2, command: reply.1, channel: reply.0, to: sink) }
        if let complete { dispatch(complete) }
    }

    private func expireAssembly() {
        let expired: Assembly? = lock.withLock {
            guard let assembly, assembly.deadline < Date() else { return nil }
            self.assembly = nil
            return assembly
        }
        if let expired {
            let (channel, command, payload) = error(expired.channel, .messageTimeout)
            send(payload, command: command, channel: channel, to: expired.sink)
        }
    }

    private var capabilities: UInt8 { 0x01 | 0x04 | (authenticator.currentConfiguration.u2f ? 0 : 0x08) }

    private func error(_ channel: UInt32, _ code: CTAPHID.ErrorCode) -> (UInt32, UInt8, [UInt8]) {
        (channel, CTAPHID.Command.error.rawValue, [code.rawValue])
    }

    // MARK: Messages

    private func dispatch(_ message: Assembly) {
        switch CTAPHID.Command(rawValue: message.command) {
        case .ping?:
            send(message.data, command: message.command, channel: message.channel, to: message.sink)
        case .wink?:
            send([], command: message.command, channel: message.channel, to: message.sink)
        case .cbor?, .msg?:
            run(message)
        case .lock?:
            let (channel, command, payload) = error(message.channel, .invalidCommand)
            send(payload, command: command, channel: channel, to: message.sink)
        default:
            let (channel, command, payload) = error(message.channel, .invalidCommand)
            send(payload, command: command, channel: channel, to: message.sink)
        }
    }

    /// Runs a CBOR or MSG request on the request queue, with keep-alives until it answers.
    private func run(_ message: Assembly) {
        let transaction = Transaction(channel: message.channel, sink: message.sink)
        lock.withLock { self.transaction = transaction }
        let authenticator = self.authenticator
        requests.async { [self] in
            let ticker = KeepAliveTicker {
                guard !transaction.aborted else { return }
                self.send(
                    [transaction.status], command: CTAPHID.Command.keepAlive.rawValue, channel: message.channel,
                    to: message.sink)
            }
            let reply: [UInt8]
            if message.command == CTAPHID.Command.cbor.rawValue {
                let context = RequestContext(
                    keepAlive: { transaction.status = $0 }, isCancelled: { transaction.cancelled })
                reply = authenticator.handleCTAP2(message.data, context: context)
            } else {
                reply = authenticator.handleU2F(apdu: message.data)
            }
            ticker.stop()
            let fault: HIDFault = lock.withLock {
                if self.transaction === transaction { self.transaction = nil }
                guard message.command == CTAPHID.Command.cbor.rawValue, nextFault != .none else { return .none }
                if faultSkip > 0 {
                    faultSkip -= 1
                    return .none
                }
                let fault = nextFault
                faultCount -= 1
                if faultCount <= 0 { nextFault = .none }
                return fault
            }
            guard !transaction.aborted else { return }
            deliver(reply, for: message, fault: fault)
        }
    }

    private func deliver(_ reply: [UInt8], for message: Assembly, fault: HIDFault) {
        switch fault {
        case .none:
            send(reply, command: message.command, channel: message.channel, to: message.sink)
        case .garbage:
            message.sink.send((0..<64).map { _ in UInt8.random(in: 0...255) })
        case .wrongChannel:
            send(reply, command: message.command, channel: message.channel &+ 1, to: message.sink)
        case .truncatedCBOR:
            send(Array(reply.prefix(max(2, reply.count / 2))), command: message.command, channel: message.channel, to: message.sink)
        case .nonCanonicalCBOR:
            send(Self.indefiniteLength(reply), command: message.command, channel: message.channel, to: message.sink)
        case .closeMidMessage:
            let packets = CTAPHID.packets(channel: message.channel, command: message.command, payload: reply + [UInt8](repeating: 0, count: 64))
            message.sink.send(packets[0])
            message.sink.close()
        }
    }

    /// Re-encodes a `status ‖ map` reply with an indefinite-length map header.
    static func indefiniteLength(_ reply: [UInt8]) -> [UInt8] {
        guard reply.count > 1, let map = try? CBORDecoder().decode(Array(reply.dropFirst())), let entries = map.mapValue
        else { return reply + [0xFF] }
        var out: [UInt8] = [reply[0], 0xBF]
        for (key, value) in entries {
            out += CBOREncoder.encode(key) + CBOREncoder.encode(value)
        }
        return out + [0xFF]
    }

    private func send(_ payload: [UInt8], command: UInt8, channel: UInt32, to sink: any HIDReportSink) {
        for packet in CTAPHID.packets(channel: channel, command: command, payload: payload) {
            guard sink.send(packet) else { return }
        }
    }
}

/// Sends a keep-alive every `interval` while a request runs, from a timer (no thread of its own,
/// so a request that answers at once costs no thread start). After ``stop()`` returns, no further
/// tick runs.
final class KeepAliveTicker: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private let timer: any DispatchSourceTimer

    init(interval: TimeInterval = 0.1, tick: @escaping @Sendable () -> Void) {
        timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler { [lock] in
            lock.lock()
            defer { lock.unlock() }
            guard !self.stopped else { return }
            tick()
        }
        timer.resume()
    }

    func stop() {
        lock.withLock { stopped = true }
        timer.cancel()
    }
}
