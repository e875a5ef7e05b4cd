import CFido2
import Foundation

/// Wraps the `fido_dev_t` pointer so it can be handed between the device thread and the
/// thread that cancels. libfido2 allows `fido_dev_cancel` from another thread while a call runs.
struct DeviceHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Per-operation state shared by the device thread, the timeout watchdog and the task
/// cancellation handler: who asked the key to stop, and whether a touch prompt was shown.
final class OperationControl: @unchecked Sendable {
    enum StopReason { case none, timeout, cancelled }

    private let lock = NSLock()
    private var reason = StopReason.none
    private var started = false
    private var finished = false
    private var prompted = false
    private let device: DeviceHandle
    private let onTouchNeeded: (@Sendable () -> Void)?

    init(device: DeviceHandle, onTouchNeeded: (@Sendable () -> Void)?) {
        self.device = device
        self.onTouchNeeded = onTouchNeeded
    }

    /// Why the operation was stopped, if it was.
    var stopReason: StopReason { lock.withLock { reason } }

    /// Marks the operation as running; false if it was cancelled before it began.
    func begin() -> Bool {
        lock.withLock {
            started = true
            return reason == .none
        }
    }

    /// Marks the operation as done so late timers and cancels do nothing.
    func finish() { lock.withLock { finished = true } }

    /// Asks the key to abandon the running request (`fido_dev_cancel`), once.
    func stop(_ why: StopReason) {
        let shouldCancel: Bool = lock.withLock {
            guard reason == .none, !finished else { return false }
            reason = why
            return started
        }
        if shouldCancel { _ = fido_dev_cancel(device.pointer) }
    }

    /// Shows the touch prompt at most once per operation.
    func touchNeeded() {
        let first: Bool = lock.withLock {
            guard !prompted, !finished else { return false }
            prompted = true
            return true
        }
        if first { onTouchNeeded?() }
    }
}
