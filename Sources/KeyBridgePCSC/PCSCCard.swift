import CPCSCLite
import Foundation

/// A card connection (`SCardConnect`). One exchange at a time; safe to use from one thread.
public final class PCSCCard: @unchecked Sendable {
    /// Largest response buffer (PC/SC extended APDU maximum: 65536 + SW + header).
    static let maximumResponse = 65548

    let context: PCSCContext
    private(set) var handle: SCARDHANDLE
    private var activeProtocol: DWORD
    /// The reader this card is on.
    public let reader: String
    private let lock = NSLock()
    private var connected = true

    init(context: PCSCContext, handle: SCARDHANDLE, protocol: DWORD, reader: String) {
        self.context = context
        self.handle = handle
        activeProtocol = `protocol`
        self.reader = reader
    }

    deinit { disconnect() }

    /// Sends one APDU and returns the response data followed by SW1 SW2.
    public func transmit(_ apdu: [UInt8]) throws(PCSCError) -> [UInt8] {
        var response = [UInt8](repeating: 0, count: Self.maximumResponse)
        var length = DWORD(response.count)
        var pci = activeProtocol == DWORD(SCARD_PROTOCOL_T0) ? g_rgSCardT0Pci : g_rgSCardT1Pci
        let status = apdu.withUnsafeBufferPointer { input in
            SCardTransmit(handle, &pci, input.baseAddress, DWORD(input.count), nil, &response, &length)
        }
        guard status == SCARD_S_SUCCESS else { throw diagnose(status) }
        guard length >= 2 else {
            // A card leaving the field mid-exchange can answer nothing at all (vpcd does): name
            // the removal when the reader says the card is gone, or when nothing came back.
            if cardIsGone() || length == 0 { throw .cardRemoved }
            throw .communication("a response shorter than a status word")
        }
        return Array(response[0..<Int(length)])
    }

    /// `SCardStatus` of this connection: its result and the reader state bits.
    private func probeStatus() -> (result: Int, state: DWORD) {
        var nameLength: DWORD = 0
        var state: DWORD = 0
        var protocolInUse: DWORD = 0
        var atrLength: DWORD = 0
        let probe = SCardStatus(handle, nil, &nameLength, &state, &protocolInUse, nil, &atrLength)
        return (Int(probe), state)
    }

    /// Whether the reader says the card has left (removed, absent, or no card).
    private func cardIsGone() -> Bool {
        let (result, state) = probeStatus()
        return result == SCARD_W_REMOVED_CARD || result == SCARD_E_NO_SMARTCARD || state & DWORD(SCARD_ABSENT) != 0
    }

    /// A failed exchange often reports a generic status (pcsc-lite says "transaction failed" when
    /// the card leaves mid-APDU); ask for the card's status to name the real cause.
    private func diagnose(_ status: Int) -> PCSCError {
        let error = PCSCError.from(status, reader: reader)
        switch error {
        case .cardRemoved, .noCard, .readerUnavailable, .serviceNotRunning, .cardReset: return error
        default: break
        }
        if cardIsGone() { return .cardRemoved }
        if probeStatus().result == SCARD_E_READER_UNAVAILABLE { return .readerUnavailable(reader) }
        // The reader could not complete the exchange: for a contactless card this is the card
        // leaving the field before the reader has noticed it is gone.
        if status == SCARD_E_NOT_TRANSACTED { return .cardRemoved }
        return error
    }

    /// Holds the card for the length of `body` (`SCardBeginTransaction` … `SCardEndTransaction`),
    /// so another process cannot slip an APDU into a multi-step exchange.
    public func withTransaction<T>(_ body: () throws -> T) throws -> T {
        let status = SCardBeginTransaction(handle)
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status, reader: reader) }
        defer { SCardEndTransaction(handle, DWORD(SCARD_LEAVE_CARD)) }
        return try body()
    }

    /// Starts a transaction; pair with ``endTransaction()``.
    public func beginTransaction() throws(PCSCError) {
        let status = SCardBeginTransaction(handle)
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status, reader: reader) }
    }

    /// Ends the transaction started by ``beginTransaction()``.
    public func endTransaction() { SCardEndTransaction(handle, DWORD(SCARD_LEAVE_CARD)) }

    /// Re-establishes the connection after another process reset the card; with
    /// `powerCycle`, switches the card's power off and on first (`SCARD_UNPOWER_CARD`), which
    /// for a contactless key is taking it out of the field and back.
    public func reconnect(powerCycle: Bool = false) throws(PCSCError) {
        var protocolInUse: DWORD = 0
        let status = SCardReconnect(
            handle, DWORD(SCARD_SHARE_SHARED), DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1),
            DWORD(powerCycle ? SCARD_UNPOWER_CARD : SCARD_LEAVE_CARD), &protocolInUse)
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status, reader: reader) }
        activeProtocol = protocolInUse
    }

    /// The card's answer to reset.
    public func attributes() throws(PCSCError) -> [UInt8] {
        var nameLength: DWORD = 0
        var state: DWORD = 0
        var protocolInUse: DWORD = 0
        var atr = [UInt8](repeating: 0, count: Int(MAX_ATR_SIZE))
        var atrLength = DWORD(atr.count)
        let status = SCardStatus(handle, nil, &nameLength, &state, &protocolInUse, &atr, &atrLength)
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status, reader: reader) }
        return Array(atr[0..<Int(atrLength)])
    }

    /// Leaves the card as it is and closes the connection. Safe to call more than once.
    public func disconnect() {
        let wasConnected = lock.withLock {
            defer { connected = false }
            return connected
        }
        if wasConnected { SCardDisconnect(handle, DWORD(SCARD_LEAVE_CARD)) }
    }
}
