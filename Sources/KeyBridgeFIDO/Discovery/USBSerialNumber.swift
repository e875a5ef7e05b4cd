import CUdev
import Foundation

/// Reads a USB key's serial-number string from sysfs through libudev: the `serial` attribute
/// of the `usb`/`usb_device` device above the hidraw node (the same place libfido2 takes the
/// manufacturer and product strings from).
enum USBSerialNumber {
    /// The serial string of the USB device behind `/dev/hidrawN`; nil when the node has no USB
    /// parent or the device has no serial string.
    static func of(hidrawNode: String) -> String? {
        guard let name = hidrawNode.split(separator: "/").last, name.hasPrefix("hidraw") else { return nil }
        return of(syspath: "/sys/class/hidraw/\(name)")
    }

    /// The serial string of the `usb_device` above the sysfs device at `syspath`, else the HID
    /// device's `HID_UNIQ` (which the kernel's USB HID driver fills from the same serial string,
    /// and which a UHID device sets itself); nil when neither is there.
    static func of(syspath: String) -> String? {
        ancestorAttribute("serial", subsystem: "usb", devtype: "usb_device", syspath: syspath)
            ?? ancestorProperty("HID_UNIQ", subsystem: "hid", syspath: syspath)
    }

    /// The sysfs attribute `name` of the nearest ancestor of the device at `syspath` (symbolic
    /// links resolved) in `subsystem` and, when given, of `devtype`. Nil when there is no such
    /// ancestor or attribute, or the value is empty.
    static func ancestorAttribute(_ name: String, subsystem: String, devtype: String?, syspath: String) -> String? {
        withAncestor(subsystem: subsystem, devtype: devtype, syspath: syspath) { udev_device_get_sysattr_value($0, name) }
    }

    /// The udev property `name` of the nearest `subsystem` ancestor of the device at `syspath`.
    static func ancestorProperty(_ name: String, subsystem: String, syspath: String) -> String? {
        withAncestor(subsystem: subsystem, devtype: nil, syspath: syspath) { udev_device_get_property_value($0, name) }
    }

    /// What `read` finds on the ancestor, trimmed; nil when empty or absent.
    private static func withAncestor(
        subsystem: String, devtype: String?, syspath: String, read: (OpaquePointer) -> UnsafePointer<CChar>?
    ) -> String? {
        guard let resolved = realpath(syspath, nil) else { return nil }
        defer { free(resolved) }
        guard let udev = udev_new() else { return nil }
        defer { udev_unref(udev) }
        guard let device = udev_device_new_from_syspath(udev, resolved) else { return nil }
        defer { udev_device_unref(device) }
        // The ancestor belongs to `device`; it is released with it.
        guard let ancestor = udev_device_get_parent_with_subsystem_devtype(device, subsystem, devtype),
            let value = read(ancestor)
        else { return nil }
        let text = String(cString: value).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }
}
