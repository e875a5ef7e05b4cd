import CPCSCLite
import Foundation

/// What pcscd knows about one reader, as `SCardGetStatusChange` reports it.
public struct ReaderStatus: Sendable, Equatable {
    /// The reader's name (or the PnP notification pseudo-reader).
    public var reader: String
    /// The raw `SCARD_STATE_*` flags; the high 16 bits count card events on the reader.
    public var eventState: UInt
    /// The card's answer to reset, when a card is present.
    public var atr: [UInt8]

    /// A card is in the field.
    public var cardPresent: Bool { eventState & UInt(SCARD_STATE_PRESENT) != 0 }
    /// The reader is gone or unusable.
    public var unavailable: Bool { eventState & UInt(SCARD_STATE_UNAVAILABLE | SCARD_STATE_UNKNOWN) != 0 }
    /// How many card insertions/removals pcscd has seen on the reader.
    public var eventCount: UInt { eventState >> 16 }
}

extension PCSCContext {
    /// The pseudo-reader whose state changes when readers are added or removed.
    public static let plugAndPlayReader = "\\\\?PnP?\\Notification"

    /// Blocks until the state of one of `known` (reader → last seen event state) differs, or a
    /// reader is added or removed, or `timeoutMilliseconds` passes (``PCSCError/timeout``), or
    /// ``cancel()`` is called (``PCSCError/cancelled``). Returns the new status of every reader.
    public func waitForChange(known: [String: UInt], timeoutMilliseconds: UInt) throws(PCSCError) -> [ReaderStatus] {
        let names = known.keys.sorted() + [Self.plugAndPlayReader]
        let cNames = names.map { strdup($0)! }
        defer { cNames.forEach { free($0) } }
        var states = names.enumerated().map { index, name in
            var state = SCARD_READERSTATE()
            state.szReader = UnsafePointer(cNames[index])
            state.dwCurrentState = DWORD(known[name] ?? 0)
            return state
        }
        // The PnP reader's current state carries the reader count in its high bits.
        states[states.count - 1].dwCurrentState = DWORD(known.count << 16)
        let status = SCardGetStatusChange(handle, DWORD(timeoutMilliseconds), &states, DWORD(states.count))
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status) }
        return states.dropLast().enumerated().map { index, state in
            var atr = state.rgbAtr
            let atrBytes = withUnsafeBytes(of: &atr) { Array($0.prefix(Int(state.cbAtr))) }
            return ReaderStatus(reader: names[index], eventState: UInt(state.dwEventState), atr: atrBytes)
        }
    }

    /// The current status of every connected reader, without waiting.
    public func statuses() throws(PCSCError) -> [ReaderStatus] {
        let readers = try readers()
        guard !readers.isEmpty else { return [] }
        let cNames = readers.map { strdup($0)! }
        defer { cNames.forEach { free($0) } }
        var states = readers.indices.map { index in
            var state = SCARD_READERSTATE()
            state.szReader = UnsafePointer(cNames[index])
            state.dwCurrentState = DWORD(SCARD_STATE_UNAWARE)
            return state
        }
        let status = SCardGetStatusChange(handle, 0, &states, DWORD(states.count))
        guard status == SCARD_S_SUCCESS || status == SCARD_E_TIMEOUT else { throw PCSCError.from(status) }
        return states.enumerated().map { index, state in
            var atr = state.rgbAtr
            let atrBytes = withUnsafeBytes(of: &atr) { Array($0.prefix(Int(state.cbAtr))) }
            return ReaderStatus(reader: readers[index], eventState: UInt(state.dwEventState), atr: atrBytes)
        }
    }
}
