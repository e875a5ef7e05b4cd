import CPCSCLite
import Foundation

/// A connection to pcscd (`SCardEstablishContext`). Calls block; run them off the cooperative pool.
public final class PCSCContext: @unchecked Sendable {
    let handle: SCARDCONTEXT

    /// Connects to pcscd; fails with ``PCSCError/serviceNotRunning`` when it is not there.
    public init() throws(PCSCError) {
        var context: SCARDCONTEXT = 0
        let status = SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context)
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status) }
        handle = context
    }

    deinit { SCardReleaseContext(handle) }

    /// The names of the connected readers (empty when there are none).
    public func readers() throws(PCSCError) -> [String] {
        var length: DWORD = 0
        var status = SCardListReaders(handle, nil, nil, &length)
        if status == SCARD_E_NO_READERS_AVAILABLE { return [] }
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status) }
        var buffer = [CChar](repeating: 0, count: Int(length))
        status = SCardListReaders(handle, nil, &buffer, &length)
        if status == SCARD_E_NO_READERS_AVAILABLE { return [] }
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status) }
        // A multi-string: names separated by NUL, ended by an empty name.
        return buffer.split(separator: 0).map { String(decoding: $0.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    }

    /// Connects to the card on `reader` in shared mode (T=0 or T=1).
    public func connect(reader: String, exclusive: Bool = false) throws(PCSCError) -> PCSCCard {
        var card: SCARDHANDLE = 0
        var protocolInUse: DWORD = 0
        let share = DWORD(exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED)
        let status = SCardConnect(
            handle, reader, share, DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1), &card, &protocolInUse)
        guard status == SCARD_S_SUCCESS else { throw PCSCError.from(status, reader: reader) }
        return PCSCCard(context: self, handle: card, protocol: protocolInUse, reader: reader)
    }

    /// Interrupts a blocking ``waitForChange(_:timeout:)`` from another thread.
    public func cancel() { SCardCancel(handle) }
}
