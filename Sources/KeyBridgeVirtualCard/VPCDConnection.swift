import Foundation
import KeyBridgeAuthenticator
#if canImport(Glibc)
import Glibc
#endif

/// A virtual card inside vsmartcard's vpcd reader driver (which runs inside the real pcscd).
///
/// vpcd listens on 127.0.0.1:35963 (reader "Virtual PCD 00 00"; the next port is the next
/// reader). Every message is a 2-byte big-endian length and that many bytes: one byte is a
/// control code (0 power off, 1 power on, 2 reset, 4 get ATR — only 4 is answered), anything
/// longer is an APDU to answer with data + SW. Closing the connection takes the card out of
/// the field; reconnecting puts it back.
public final class VPCDConnection: @unchecked Sendable {
    /// A minimal contactless-style ATR (T=1, no historical bytes).
    public static let defaultATR: [UInt8] = [0x3B, 0x80, 0x80, 0x01, 0x01]

    public let host: String
    public let port: UInt16
    private let dispatcher: CardDispatcher
    private let atr: [UInt8]
    private let lock = NSLock()
    private var socketFD: Int32 = -1
    private var running = false
    private var outOfFieldUntil: Date?
    private var removeAfterAPDUs: Int?
    private var _apduCount = 0
    private var recording: [[UInt8]]?

    public init(host: String = "127.0.0.1", port: UInt16 = 35963, dispatcher: CardDispatcher, atr: [UInt8] = defaultATR) {
        self.host = host
        self.port = port
        self.dispatcher = dispatcher
        self.atr = atr
    }

    /// Called when the reader switches the card's power off (vpcd control code 0), as a real
    /// contactless key loses its volatile state when the field goes.
    public var onPowerOff: (@Sendable () -> Void)? {
        get { lock.withLock { _onPowerOff } }
        set { lock.withLock { _onPowerOff = newValue } }
    }
    private var _onPowerOff: (@Sendable () -> Void)?
    /// How many times the reader has switched the card's power off.
    public var powerOffCount: Int { lock.withLock { _powerOffCount } }
    private var _powerOffCount = 0

    /// APDUs answered so far.
    public var apduCount: Int { lock.withLock { _apduCount } }

    /// Whether the card is in the reader's field (connected to vpcd) right now.
    public var inField: Bool { lock.withLock { socketFD >= 0 } }

    /// Starts the card on a background thread; it reconnects whenever vpcd drops it.
    public func start() {
        lock.withLock { running = true }
        let thread = Thread { [self] in runLoop() }
        thread.name = "vpcd \(host):\(port)"
        thread.start()
    }

    /// Starts keeping a copy of every command APDU (for replay benchmarks).
    public func startRecording() { lock.withLock { recording = [] } }

    /// Stops recording and returns the command APDUs seen since ``startRecording()``.
    public func stopRecording() -> [[UInt8]] {
        lock.withLock {
            defer { recording = nil }
            return recording ?? []
        }
    }

    /// Takes the card out of the field and stops.
    public func stop() {
        lock.withLock { running = false }
        dropConnection()
    }

    /// Pulls the card out of the field now, for `duration` (then it comes back).
    public func removeFromField(for duration: TimeInterval) {
        lock.withLock { outOfFieldUntil = Date().addingTimeInterval(duration) }
        dropConnection()
    }

    /// Pulls the card out of the field after `count` more APDUs, for `duration`.
    public func removeFromField(afterAPDUs count: Int, for duration: TimeInterval) {
        lock.withLock {
            removeAfterAPDUs = count
            outOfFieldUntil = Date().addingTimeInterval(duration + 3600)
            pendingAbsence = duration
        }
    }

    private var pendingAbsence: TimeInterval = 0

    private func dropConnection() {
        let fd: Int32 = lock.withLock {
            defer { socketFD = -1 }
            return socketFD
        }
        if fd >= 0 {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
        dispatcher.reset()
    }

    private func runLoop() {
        var backoff: UInt32 = 50_000
        while lock.withLock({ running }) {
            if let until = lock.withLock({ outOfFieldUntil }), Date() < until, lock.withLock({ removeAfterAPDUs == nil }) {
                usleep(20_000)
                continue
            }
            guard let fd = connectToVPCD() else {
                usleep(backoff)
                backoff = min(backoff * 2, 500_000)
                continue
            }
            backoff = 50_000
            lock.withLock { socketFD = fd }
            serve(fd)
            dropConnection()
        }
    }

    private func connectToVPCD() -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    private func serve(_ fd: Int32) {
        while true {
            guard let header = readExactly(fd, 2) else { return }
            let length = Int(header[0]) << 8 | Int(header[1])
            guard let message = readExactly(fd, length) else { return }
            if length == 1 {
                switch message[0] {
                case 0x00:
                    dispatcher.reset()
                    let hook: (@Sendable () -> Void)? = lock.withLock {
                        _powerOffCount += 1
                        return _onPowerOff
                    }
                    hook?()
                case 0x01, 0x02: dispatcher.reset()
                case 0x04: guard write(fd, atr) else { return }
                default: break
                }
                continue
            }
            lock.withLock { recording?.append(message) }
            let response = dispatcher.handle(message)
            guard write(fd, response) else { return }
            let pullNow: Bool = lock.withLock {
                _apduCount += 1
                guard let left = removeAfterAPDUs else { return false }
                if left <= 1 {
                    removeAfterAPDUs = nil
                    outOfFieldUntil = Date().addingTimeInterval(pendingAbsence)
                    return true
                }
                removeAfterAPDUs = left - 1
                return false
            }
            if pullNow { return }
        }
    }

    private func write(_ fd: Int32, _ payload: [UInt8]) -> Bool {
        SocketIO.write(fd, [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload)
    }

    private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? { SocketIO.read(fd, count: count) }
}
