import Foundation

/// Runs a plan on many keys at once: one worker thread per key (at most `parallel` at a time),
/// every result handed to `onUpdate` as it comes so reports can be written while the run goes on.
///
/// Workers are plain threads because every call they make blocks (hidraw, sockets,
/// SCardTransmit); none runs on Swift's cooperative pool.
public final class RigRunner: @unchecked Sendable {
    public let keys: [RigKey]
    public let plan: RigPlan
    public let parallel: Int
    private let lock = NSLock()
    private var report: RigReport
    private let onUpdate: @Sendable (RigReport) -> Void

    public init(keys: [RigKey], plan: RigPlan, parallel: Int, onUpdate: @escaping @Sendable (RigReport) -> Void) {
        self.keys = keys
        self.plan = plan
        self.parallel = max(1, parallel)
        self.onUpdate = onUpdate
        report = RigReport(
            startedAt: Date(), suites: plan.suites,
            keys: keys.map { KeyReport(device: DeviceReport($0.descriptor)) })
    }

    /// The report so far.
    public var current: RigReport { lock.withLock { report } }

    /// Runs every key's worker and returns when all have finished.
    public func run() -> RigReport {
        let slots = DispatchSemaphore(value: parallel)
        let done = DispatchGroup()
        for (index, key) in keys.enumerated() {
            done.enter()
            let thread = Thread { [self] in
                slots.wait()
                defer {
                    slots.signal()
                    done.leave()
                }
                KeyWorker(key: key, plan: plan) { keyReport in self.update(index, keyReport) }.run()
            }
            thread.name = "rig \(key.name)"
            thread.stackSize = 1 << 22
            thread.start()
        }
        done.wait()
        let final = lock.withLock {
            report.finishedAt = Date()
            return report
        }
        onUpdate(final)
        return final
    }

    private func update(_ index: Int, _ keyReport: KeyReport) {
        let snapshot = lock.withLock {
            report.keys[index] = keyReport
            return report
        }
        onUpdate(snapshot)
    }
}
