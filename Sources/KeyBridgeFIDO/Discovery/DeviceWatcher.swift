import Foundation
import KeyBridgePCSC

/// A change in the set of reachable keys.
public struct DeviceEvent: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Present when watching began.
        case present
        case added
        case removed
    }

    public var event: Kind
    public var device: DeviceDescriptor
    /// When the change was seen (ISO 8601).
    public var time: String
}

/// Watches for keys coming and going: PC/SC reader and card events (`SCardGetStatusChange`,
/// with the PnP pseudo-reader for readers), libudev hidraw events for USB keys, and the
/// virtual-key socket directory. Runs on its own thread.
public final class DeviceWatcher: @unchecked Sendable {
    private let discovery: DeviceDiscovery
    private let lock = NSLock()
    private var running = true
    private var context: PCSCContext?
    /// NFC capabilities per reader, re-probed only when the reader's card events change.
    private var nfcCache: [String: (eventCount: UInt, device: DeviceDescriptor?)] = [:]

    public init(discovery: DeviceDiscovery) {
        self.discovery = discovery
    }

    /// The stream of events; the devices already present come first as `.present`.
    public func events() -> AsyncStream<DeviceEvent> {
        AsyncStream { continuation in
            let thread = Thread { [self] in
                run { continuation.yield($0) }
                continuation.finish()
            }
            thread.name = "keybridge device watcher"
            continuation.onTermination = { [weak self] _ in self?.stop() }
            thread.start()
        }
    }

    /// Ends the watch.
    public func stop() {
        lock.withLock { running = false }
        context?.cancel()
    }

    private var isRunning: Bool { lock.withLock { running } }

    private func run(_ emit: (DeviceEvent) -> Void) {
        let udev = HidrawMonitor()
        var known = snapshot()
        for device in known.values.sorted(by: { $0.id < $1.id }) { emit(event(.present, device)) }
        while isRunning {
            waitForSomething(udev: udev)
            guard isRunning else { return }
            let current = snapshot()
            for (id, device) in current.sorted(by: { $0.key < $1.key }) where known[id] == nil {
                emit(event(.added, device))
            }
            for (id, device) in known.sorted(by: { $0.key < $1.key }) where current[id] == nil {
                emit(event(.removed, device))
            }
            known = current
        }
    }

    /// Blocks up to half a second for a PC/SC change (or polls udev and the socket directory).
    private func waitForSomething(udev: HidrawMonitor?) {
        if context == nil { context = try? PCSCContext() }
        if let context {
            // Tell pcscd what we last saw (without the CHANGED bit), so it wakes us on a difference.
            var current: [String: UInt] = [:]
            for status in (try? context.statuses()) ?? [] { current[status.reader] = status.eventState & ~UInt(0x02) }
            do {
                _ = try context.waitForChange(known: current, timeoutMilliseconds: 500)
            } catch .timeout {
            } catch .cancelled {
                return
            } catch {
                self.context = nil  // pcscd went away; reconnect on the next round
                Thread.sleep(forTimeInterval: 0.5)
            }
        } else {
            Thread.sleep(forTimeInterval: 0.5)
        }
        _ = udev?.drain()
    }

    private func snapshot() -> [String: DeviceDescriptor] {
        var devices: [String: DeviceDescriptor] = [:]
        for device in discovery.usbDevices() + nfcDevices() + discovery.virtualDevices() { devices[device.id] = device }
        return devices
    }

    /// Cards on readers, probing a reader again only when its card events changed.
    private func nfcDevices() -> [DeviceDescriptor] {
        guard let context = context ?? (try? PCSCContext()), let statuses = try? context.statuses() else {
            lock.withLock { nfcCache = [:] }
            return []
        }
        var result: [DeviceDescriptor] = []
        var cache: [String: (eventCount: UInt, device: DeviceDescriptor?)] = [:]
        for status in statuses {
            let previous = lock.withLock { nfcCache[status.reader] }
            let device: DeviceDescriptor?
            if !status.cardPresent {
                device = nil
            } else if let previous, previous.eventCount == status.eventCount, let known = previous.device {
                device = known
            } else {
                // A card held exclusively by a session cannot be probed: it is still there.
                device =
                    NFCDiscovery.probeCard(context: context, reader: status.reader).descriptor(reader: status.reader)
                    ?? previous?.device
            }
            cache[status.reader] = (status.eventCount, device)
            if let device { result.append(device) }
        }
        lock.withLock { nfcCache = cache }
        return result
    }

    private func event(_ kind: DeviceEvent.Kind, _ device: DeviceDescriptor) -> DeviceEvent {
        DeviceEvent(event: kind, device: device, time: ISO8601DateFormatter().string(from: Date()))
    }
}
