import Foundation
import KeyBridgeFIDO

/// Waits, through the device watcher (udev hidraw, PC/SC card events, the virtual-key folder),
/// until exactly one FIDO2 key is present; tells the kiosk when more than one is.
enum KeyArrival {
    static func wait(
        discovery: DeviceDiscovery, onSeveral: @escaping @Sendable () -> Void
    ) async throws -> DeviceDescriptor {
        let watcher = DeviceWatcher(discovery: discovery)
        defer { watcher.stop() }
        var present: [String: DeviceDescriptor] = [:]
        var warned = false
        for await event in watcher.events() {
            try Task.checkCancellation()
            switch event.event {
            case .present, .added:
                if event.device.capabilities.contains("fido2") { present[event.device.id] = event.device }
            case .removed:
                present[event.device.id] = nil
            }
            if present.count == 1, let only = present.values.first {
                // Give a just-created virtual key or a just-tapped card a moment to be ready.
                try await Task.sleep(for: .milliseconds(150))
                return only
            }
            if present.count > 1 && !warned {
                warned = true
                onSeveral()
            }
        }
        try Task.checkCancellation()
        throw KeyBridgeError.deviceNotFound("the device watch ended")
    }
}
