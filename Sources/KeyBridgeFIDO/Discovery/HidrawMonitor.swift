import CUdev
import Foundation

/// A libudev monitor for hidraw add/remove events (hot-plugged USB keys).
final class HidrawMonitor {
    private let udev: OpaquePointer
    private let monitor: OpaquePointer
    /// The netlink socket to poll for events.
    let fileDescriptor: Int32

    /// Nil when udev events cannot be received (no udev netlink in a container, for example).
    init?() {
        guard let udev = udev_new() else { return nil }
        guard let monitor = udev_monitor_new_from_netlink(udev, "udev") else {
            udev_unref(udev)
            return nil
        }
        udev_monitor_filter_add_match_subsystem_devtype(monitor, "hidraw", nil)
        guard udev_monitor_enable_receiving(monitor) == 0 else {
            udev_monitor_unref(monitor)
            udev_unref(udev)
            return nil
        }
        self.udev = udev
        self.monitor = monitor
        fileDescriptor = udev_monitor_get_fd(monitor)
    }

    deinit {
        udev_monitor_unref(monitor)
        udev_unref(udev)
    }

    /// Drains pending events; returns whether any arrived.
    func drain() -> Bool {
        var any = false
        var pfd = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        while poll(&pfd, 1, 0) > 0 {
            guard let device = udev_monitor_receive_device(monitor) else { break }
            udev_device_unref(device)
            any = true
        }
        return any
    }
}
