import Foundation
import KeyBridgeAuthenticator
import KeyBridgeCBOR
import XCTest

/// The CTAPHID layer of the virtual key, driven packet by packet in process.
final class CTAPHIDFramingTests: XCTestCase {
    /// Collects the reports the device sends to one connection.
    final class Sink: HIDReportSink, @unchecked Sendable {
        private let condition = NSCondition()
        private var reports: [[UInt8]] = []
        private(set) var closed = false

        func send(_ report: [UInt8]) -> Bool {
            condition.withLock {
                reports.append(report)
                condition.broadcast()
            }
            return true
        }

        func close() { condition.withLock { closed = true } }

        /// The next report that is not a KEEPALIVE, waiting up to `timeout`.
        func next(timeout: TimeInterval = 2, skipKeepAlive: Bool = true) -> [UInt8]? {
            condition.withLock {
                let deadline = Date().addingTimeInterval(timeout)
                while true {
                    if let index = reports.firstIndex(where: { !skipKeepAlive || $0[4] != 0xBB }) {
                        let report = reports[index]
                        reports.removeSubrange(0...index)
                        return report
                    }
                    if !condition.wait(until: deadline) { return nil }
                }
            }
        }

        var keepAlives: Int { condition.withLock { reports.filter { $0[4] == 0xBB }.count } }
    }

    var device: CTAPHIDDevice!
    var authenticator: VirtualAuthenticator!

    override func setUpWithError() throws {
        var configuration = AuthenticatorConfiguration()
        configuration.attestation = .none
        authenticator = try VirtualAuthenticator(configuration: configuration)
        device = CTAPHIDDevice(authenticator: authenticator)
    }

    private func packet(_ cid: UInt32, _ rest: [UInt8]) -> [UInt8] {
        let bytes = [UInt8(cid >> 24), UInt8(cid >> 16 & 0xFF), UInt8(cid >> 8 & 0xFF), UInt8(cid & 0xFF)] + rest
        return bytes + [UInt8](repeating: 0, count: 64 - bytes.count)
    }

    private func allocate(_ sink: Sink) throws -> UInt32 {
        let nonce: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        device.receive(packet(0xFFFF_FFFF, [0x86, 0, 8] + nonce), from: sink)
        let reply = try XCTUnwrap(sink.next())
        XCTAssertEqual(Array(reply[0..<4]), [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(reply[4], 0x86)
        XCTAssertEqual(Array(reply[7..<15]), nonce, "INIT echoes the nonce")
        let cid = reply[15..<19].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        XCTAssertNotEqual(cid, 0)
        XCTAssertNotEqual(cid, 0xFFFF_FFFF)
        XCTAssertEqual(reply[19], 2, "CTAPHID protocol version 2")
        XCTAssertEqual(reply[23] & 0x04, 0x04, "CBOR capability")
        return cid
    }

    func testPingOfTwoThousandBytesIsReassembledAndEchoed() throws {
        let sink = Sink()
        let cid = try allocate(sink)
        let payload = (0..<2000).map { UInt8($0 % 251) }
        device.receive(packet(cid, [0x81, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload.prefix(57)), from: sink)
        var offset = 57
        var sequence: UInt8 = 0
        while offset < payload.count {
            device.receive(packet(cid, [sequence] + payload[offset..<min(offset + 59, payload.count)]), from: sink)
            offset += 59
            sequence += 1
        }
        let first = try XCTUnwrap(sink.next())
        XCTAssertEqual(first[4], 0x81)
        var echoed = Array(first[7..<64])
        while echoed.count < payload.count {
            let next = try XCTUnwrap(sink.next())
            echoed += next[5..<64]
        }
        XCTAssertEqual(Array(echoed.prefix(payload.count)), payload)
    }

    func testWrongSequenceIsInvalidSeq() throws {
        let sink = Sink()
        let cid = try allocate(sink)
        device.receive(packet(cid, [0x81, 0, 100] + [UInt8](repeating: 1, count: 57)), from: sink)
        device.receive(packet(cid, [5] + [UInt8](repeating: 1, count: 43)), from: sink)
        let reply = try XCTUnwrap(sink.next())
        XCTAssertEqual(reply[4], 0xBF)
        XCTAssertEqual(reply[7], 0x04, "ERR_INVALID_SEQ")
    }

    func testMissingContinuationTimesOut() throws {
        let sink = Sink()
        let cid = try allocate(sink)
        device.messageTimeout = 0.2
        device.receive(packet(cid, [0x81, 0, 100] + [UInt8](repeating: 1, count: 57)), from: sink)
        let reply = try XCTUnwrap(sink.next(timeout: 2))
        XCTAssertEqual(reply[4], 0xBF)
        XCTAssertEqual(reply[7], 0x05, "ERR_MSG_TIMEOUT")
    }

    func testAnotherChannelDuringATransactionIsBusyAndCancelEndsTheWait() throws {
        authenticator.setPresenceMode(.wait)
        let first = Sink()
        let second = Sink()
        let a = try allocate(first)
        let b = try allocate(second)
        // authenticatorSelection waits for a touch.
        device.receive(packet(a, [0x90, 0, 1, 0x0B]), from: first)
        Thread.sleep(forTimeInterval: 0.35)
        XCTAssertGreaterThanOrEqual(first.keepAlives, 2, "KEEPALIVE about every 100 ms while waiting")
        device.receive(packet(b, [0x90, 0, 1, 0x04]), from: second)
        let busy = try XCTUnwrap(second.next())
        XCTAssertEqual(busy[4], 0xBF)
        XCTAssertEqual(busy[7], 0x06, "ERR_CHANNEL_BUSY")
        device.receive(packet(a, [0x91, 0, 0]), from: first)
        let cancelled = try XCTUnwrap(first.next())
        XCTAssertEqual(cancelled[4], 0x90)
        XCTAssertEqual(cancelled[7], 0x2D, "CTAP2_ERR_KEEPALIVE_CANCEL")
    }

    func testUnknownChannelAndCommand() throws {
        let sink = Sink()
        device.receive(packet(0x1234_5678, [0x90, 0, 1, 0x04]), from: sink)
        XCTAssertEqual(try XCTUnwrap(sink.next())[7], 0x0B, "ERR_INVALID_CHANNEL")
        let cid = try allocate(sink)
        device.receive(packet(cid, [0xC5, 0, 0]), from: sink)
        XCTAssertEqual(try XCTUnwrap(sink.next())[7], 0x01, "ERR_INVALID_CMD")
    }

    func testNonCanonicalCBORRequestIsInvalidCBOR() throws {
        // {2: ..., 1: ...} — keys out of order.
        let request: [UInt8] = [0x02, 0xA2, 0x02, 0x41, 0x00, 0x01, 0x61, 0x61]
        XCTAssertEqual(authenticator.handleCTAP2(request), [0x12])
        // A non-minimal integer head.
        XCTAssertEqual(authenticator.handleCTAP2([0x06, 0xA1, 0x18, 0x02, 0x01]), [0x12])
    }
}
