import Foundation
import KeyBridgePCSC

/// A card whose answers come from the fuzz input: each `transmit` returns the next scripted
/// response (raw data + SW), and `6A 82` once the script is used up.
public final class ScriptedCard: APDUTransmitting, @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [[UInt8]]
    /// Every command APDU the client sent, in order.
    public private(set) var commands: [[UInt8]] = []

    public init(responses: [[UInt8]]) {
        self.responses = responses
    }

    public func transmit(_ apdu: [UInt8]) throws(PCSCError) -> [UInt8] {
        lock.withLock {
            commands.append(apdu)
            return responses.isEmpty ? [0x6A, 0x82] : responses.removeFirst()
        }
    }
}
