import Foundation

/// A CTAPHID client over raw reports: channel allocation, message framing and reassembly,
/// KEEPALIVE handling, CANCEL. The conformance suite also uses ``send(_:)`` and
/// ``receive(channel:timeout:)`` directly to break the rules on purpose.
public final class CTAPHIDConnection: @unchecked Sendable {
    public let pipe: ReportPipe
    /// The channel allocated by ``open()``.
    public private(set) var channel: UInt32 = CTAPHID.broadcastChannel
    /// The INIT reply's capability flags (bit 0x04 CBOR, 0x08 NMSG: no U2F MSG).
    public private(set) var capabilities: UInt8 = 0
    /// The INIT reply's CTAPHID protocol version.
    public private(set) var protocolVersion: UInt8 = 0

    /// Reports seen on channels other than the one waited on (another client's, or garbage).
    public private(set) var foreignReports = 0

    /// Called with each KEEPALIVE status (1 processing, 2 waiting for a touch).
    public var onKeepAlive: (@Sendable (UInt8) -> Void)?

    public init(pipe: ReportPipe) {
        self.pipe = pipe
    }

    /// Allocates a channel with INIT on the broadcast channel and checks the nonce echo.
    public func open() throws(RigError) {
        let reply = try initialise(on: CTAPHID.broadcastChannel, nonce: Self.nonce())
        channel = reply.channel
        capabilities = reply.capabilities
        protocolVersion = reply.protocolVersion
    }

    /// What an INIT reply carries.
    public struct InitReply: Sendable {
        public var channel: UInt32
        public var protocolVersion: UInt8
        public var deviceVersion: [UInt8]
        public var capabilities: UInt8
    }

    /// Sends INIT with `nonce` on `channel` and reads its reply (which must echo the nonce).
    public func initialise(on channel: UInt32, nonce: [UInt8]) throws(RigError) -> InitReply {
        try send(CTAPHID.packets(channel: channel, command: CTAPHID.Command.initialise.rawValue, payload: nonce))
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline {
            guard let message = try receive(channel: channel, timeout: deadline.timeIntervalSinceNow) else { break }
            guard message.command == CTAPHID.Command.initialise.rawValue else {
                throw .framing(String(format: "INIT was answered with command %02x", message.command))
            }
            // A reply to someone else's INIT on the broadcast channel carries another nonce.
            guard message.payload.count >= 17, Array(message.payload.prefix(8)) == nonce else { continue }
            let p = message.payload
            return InitReply(
                channel: CTAPHID.channel(of: Array(p[8..<12])), protocolVersion: p[12], deviceVersion: Array(p[13..<16]),
                capabilities: p[16])
        }
        throw .timeout("no reply to CTAPHID INIT within 2 s")
    }

    /// Sends a whole message on the allocated channel and returns the reply, answering
    /// KEEPALIVEs through ``onKeepAlive`` until `timeout` passes.
    public func transact(command: CTAPHID.Command, payload: [UInt8], timeout: TimeInterval) throws(RigError)
        -> CTAPHIDMessage
    {
        try send(CTAPHID.packets(channel: channel, command: command.rawValue, payload: payload))
        let deadline = Date().addingTimeInterval(timeout)
        let foreignBefore = foreignReports
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0, let message = try receive(channel: channel, timeout: left) else {
                let foreign = foreignReports - foreignBefore
                let note = foreign > 0 ? String(format: " (%d report(s) came on other channels than %08x)", foreign, channel) : ""
                throw .timeout(String(format: "no reply to CTAPHID command %02x within %.1f s", command.rawValue, timeout) + note)
            }
            if message.command == CTAPHID.Command.keepAlive.rawValue {
                onKeepAlive?(message.payload.first ?? 0)
                continue
            }
            return message
        }
    }

    /// Sends CANCEL for the transaction on the allocated channel.
    public func cancel() throws(RigError) {
        try send(CTAPHID.packets(channel: channel, command: CTAPHID.Command.cancel.rawValue, payload: []))
    }

    /// Writes reports as they are.
    public func send(_ reports: [[UInt8]]) throws(RigError) {
        for report in reports { try pipe.write(report) }
    }

    /// Reads one whole message addressed to `channel`, skipping reports for other channels;
    /// nil when nothing arrives within `timeout`.
    public func receive(channel: UInt32, timeout: TimeInterval) throws(RigError) -> CTAPHIDMessage? {
        let deadline = Date().addingTimeInterval(timeout)
        var first: [UInt8]?
        while first == nil {
            let left = deadline.timeIntervalSinceNow
            guard left > 0, let report = try pipe.read(timeout: left) else { return nil }
            guard CTAPHID.channel(of: report) == channel else {
                foreignReports += 1
                continue
            }
            guard report[4] & 0x80 != 0 else {
                throw .framing("a continuation packet arrived with no initialisation packet before it")
            }
            first = report
        }
        let report = first!
        let command = report[4] & 0x7F
        let total = Int(report[5]) << 8 | Int(report[6])
        var payload = Array(report[7..<min(64, 7 + total)])
        var sequence: UInt8 = 0
        while payload.count < total {
            guard let next = try pipe.read(timeout: max(0.5, deadline.timeIntervalSinceNow)) else {
                throw .timeout("a reply stopped after \(payload.count) of \(total) bytes")
            }
            guard CTAPHID.channel(of: next) == channel else { continue }
            guard next[4] == sequence else {
                throw .framing("continuation packet \(next[4]) arrived where \(sequence) was due")
            }
            payload += next[5..<min(64, 5 + total - payload.count)]
            sequence &+= 1
        }
        return CTAPHIDMessage(channel: channel, command: command, payload: payload)
    }

    /// Eight random bytes for INIT.
    public static func nonce() -> [UInt8] { (0..<8).map { _ in UInt8.random(in: 0...255) } }
}
