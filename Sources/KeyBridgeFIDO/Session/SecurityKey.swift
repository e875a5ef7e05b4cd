import CFido2
import Foundation
import Synchronization

/// An open security key. Every call runs on the key's own thread, is bounded by a timeout
/// and is cancelled on the key (`fido_dev_cancel`) when the Swift task is cancelled.
///
/// ```swift
/// let key = try await SecurityKey.open(DeviceDiscovery().device(id: nil))
/// let info = try await key.info()
/// await key.close()
/// ```
public final class SecurityKey: Sendable {
    /// The key this session talks to.
    public let descriptor: DeviceDescriptor
    let handle: DeviceHandle
    private let thread: DeviceThread
    private let watchdog: Watchdog
    private let closed = Mutex(false)
    /// The signature algorithms the key listed in getInfo, read once per session.
    let algorithmCache = Mutex<[DeviceInfo.Algorithm]?>(nil)
    /// The transports the key listed in getInfo, read once per session.
    let transportCache = Mutex<[String]?>(nil)

    private init(descriptor: DeviceDescriptor, handle: DeviceHandle, thread: DeviceThread) {
        self.descriptor = descriptor
        self.handle = handle
        self.thread = thread
        watchdog = Watchdog(name: "keybridge watchdog \(descriptor.id)")
    }

    deinit { shutDown() }

    /// Opens the key (CTAPHID INIT and getInfo happen here), giving up after `timeout`.
    public static func open(
        _ descriptor: DeviceDescriptor, timeout: Duration = .seconds(5)
    ) async throws(KeyBridgeError) -> SecurityKey {
        FidoLibrary.ensureInitialised()
        let thread = DeviceThread(name: "keybridge \(descriptor.id)")
        let result: Result<DeviceHandle, KeyBridgeError> = await withCheckedContinuation { continuation in
            thread.submit {
                continuation.resume(returning: Result { () throws(KeyBridgeError) -> DeviceHandle in
                    try openDevice(descriptor, timeout: timeout)
                })
            }
        }
        switch result {
        case .success(let handle): return SecurityKey(descriptor: descriptor, handle: handle, thread: thread)
        case .failure(let error):
            thread.stop()
            throw error
        }
    }

    private static func openDevice(
        _ descriptor: DeviceDescriptor, timeout: Duration
    ) throws(KeyBridgeError) -> DeviceHandle {
        // The key's own thread: libfido2's flags are per thread (see FidoLibrary).
        FidoLibrary.initialiseThisThread()
        guard let device = fido_dev_new() else { throw .transport("out of memory creating a libfido2 device") }
        _ = fido_dev_set_timeout(device, Int32(timeout.milliseconds))
        switch descriptor.transport {
        case .virtual:
            VirtualKeyIO.lastClosedProtocolError = nil
            var io = VirtualKeyIO.functions
            try FidoStatus.check(fido_dev_set_io_functions(device, &io), "installing virtual-key I/O")
        case .nfc:
            var io = PCSCTransportHooks.io
            var transport = PCSCTransportHooks.transport
            try FidoStatus.check(fido_dev_set_io_functions(device, &io), "installing PC/SC I/O")
            try FidoStatus.check(fido_dev_set_transport_functions(device, &transport), "installing the NFC transport")
        case .usb:
            break
        }
        let status = fido_dev_open(device, descriptor.path)
        guard status == FIDO_OK else {
            var pointer: OpaquePointer? = device
            fido_dev_free(&pointer)
            if descriptor.transport == .nfc, let error = try? PCSCHandle.probeError(reader: descriptor.product) {
                throw .transport(error.description)
            }
            if descriptor.transport == .virtual, let protocolError = VirtualKeyIO.lastClosedProtocolError {
                // The key answered, but broke CTAPHID: a protocol error, not a missing key.
                throw .transport("\(protocolError) (opening \(descriptor.id))")
            }
            if status == FIDO_ERR_INTERNAL || (status == FIDO_ERR_RX && descriptor.transport == .virtual) {
                throw .deviceNotFound(descriptor.id)
            }
            throw FidoStatus.error(for: status, context: "opening \(descriptor.id)")
        }
        return DeviceHandle(pointer: device)
    }

    /// Closes the key and ends its thread. Safe to call more than once.
    public func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            guard shutDown(then: { continuation.resume() }) else {
                continuation.resume()
                return
            }
        }
    }

    @discardableResult
    private func shutDown(then done: (@Sendable () -> Void)? = nil) -> Bool {
        let first = closed.withLock { wasClosed in
            defer { wasClosed = true }
            return !wasClosed
        }
        guard first else { return false }
        let handle = self.handle
        thread.submit {
            _ = fido_dev_close(handle.pointer)
            var pointer: OpaquePointer? = handle.pointer
            fido_dev_free(&pointer)
            done?()
        }
        thread.stop()
        watchdog.stop()
        return true
    }

    /// Asks the key to abandon whatever it is doing (CTAPHID CANCEL).
    public func cancel() {
        _ = fido_dev_cancel(handle.pointer)
    }

    /// Runs `body` on the key's thread with libfido2's timeout set, a watchdog that cancels the
    /// key just before the timeout, task cancellation wired to `fido_dev_cancel`, and the touch
    /// prompt shown when the key signals that it waits for presence.
    func perform<T: Sendable>(
        timeout: Duration, onTouchNeeded: (@Sendable () -> Void)? = nil,
        _ body: @escaping @Sendable (DeviceHandle) throws(KeyBridgeError) -> T
    ) async throws(KeyBridgeError) -> T {
        let handle = self.handle
        let transport = descriptor.transport
        let control = OperationControl(device: handle, onTouchNeeded: onTouchNeeded)
        let thread = self.thread
        let watchdog = self.watchdog
        let result: Result<T, KeyBridgeError> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                thread.submit {
                    continuation.resume(
                        returning: Self.run(
                            body, on: handle, control: control, timeout: timeout, transport: transport, watchdog: watchdog))
                }
            }
        } onCancel: {
            control.stop(.cancelled)
        }
        return try result.get()
    }

    private static func run<T>(
        _ body: @Sendable (DeviceHandle) throws(KeyBridgeError) -> T, on handle: DeviceHandle,
        control: OperationControl, timeout: Duration, transport: DeviceTransport, watchdog: Watchdog
    ) -> Result<T, KeyBridgeError> {
        guard control.begin() else { return .failure(.cancelled) }
        let milliseconds = max(1, timeout.milliseconds)
        _ = fido_dev_set_timeout(handle.pointer, Int32(clamping: milliseconds))
        // Cancel on the key a little before libfido2's own deadline, so a key that waits for a
        // touch is told to stop and the call returns within the timeout.
        let cancelAfter = milliseconds > 1000 ? milliseconds - 200 : milliseconds * 8 / 10
        let cancelTimer = watchdog.schedule(afterMilliseconds: cancelAfter) { control.stop(.timeout) }
        var promptTimer: Int?
        let socket = transport == .virtual ? VirtualKeyIO.socket(of: handle.pointer) : nil
        let card = transport == .nfc ? PCSCTransportHooks.channel(of: handle.pointer) : nil
        if let socket {
            socket.resetProtocolError()
            socket.keepAliveObserver = { status in if status == 2 { control.touchNeeded() } }
        } else if let card {
            card.channel.keepAliveObserver = { status in if status == 2 { control.touchNeeded() } }
        } else {
            // libfido2 swallows USB keep-alives, so assume a touch is wanted once the call lingers.
            promptTimer = watchdog.schedule(afterMilliseconds: 400) { control.touchNeeded() }
        }
        defer {
            control.finish()
            watchdog.cancel(cancelTimer)
            if let promptTimer { watchdog.cancel(promptTimer) }
            socket?.keepAliveObserver = nil
            card?.channel.keepAliveObserver = nil
        }
        do throws(KeyBridgeError) {
            return .success(try body(handle))
        } catch {
            switch (control.stopReason, error) {
            case (_, .transport) where socket?.protocolError != nil:
                return .failure(.transport(socket!.protocolError!))
            case (.timeout, .cancelled), (.timeout, .transport), (.timeout, .userActionTimeout):
                return .failure(.userActionTimeout)
            case (.cancelled, _): return .failure(.cancelled)
            case (_, .transport) where card?.channel.lastError != nil:
                return .failure(.transport(card!.channel.lastError!.description))
            default: return .failure(error)
            }
        }
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
