import Foundation
import KeyBridgeFIDO
import KeyBridgePCSC

/// The checks behind `keybridge doctor`, each a small function returning its findings.
enum DoctorChecks {
    static func all(rulesDirectory: String, virtualKeyDirectory: String) -> [DoctorFinding] {
        [libfido2(), udev(), udevRules(directory: rulesDirectory)] + hidraw() + [pcscd(), readers(), virtualKeys(virtualKeyDirectory)]
            .compactMap { $0 }
    }

    /// Which libfido2 is loaded (the shared object mapped into this process, per /proc/self/maps).
    static func libfido2() -> DoctorFinding {
        FidoVersionProbe.touch()
        // /proc files report size 0, so read them as a stream.
        let maps = FileHandle(forReadingAtPath: "/proc/self/maps").map {
            String(decoding: $0.readDataToEndOfFile(), as: UTF8.self)
        } ?? ""
        guard let line = maps.split(separator: "\n").first(where: { $0.contains("libfido2.so") }),
            let path = line.split(separator: " ").last
        else {
            return DoctorFinding(
                check: "libfido2", status: .problem, detail: "libfido2 is not loaded", fix: "apt-get install libfido2-1")
        }
        let file = URL(fileURLWithPath: String(path)).resolvingSymlinksInPath().lastPathComponent
        let version = file.components(separatedBy: ".so.").last ?? "unknown"
        return DoctorFinding(
            check: "libfido2", status: .ok,
            detail: "libfido2 \(version) (\(file)); built without PC/SC, keybridge carries CTAP over NFC itself")
    }

    /// udev (udevadm) is what gives hidraw nodes to users.
    static func udev() -> DoctorFinding {
        let found = ["/usr/bin/udevadm", "/bin/udevadm", "/sbin/udevadm"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        return found
            ? DoctorFinding(check: "udev", status: .ok, detail: "udevadm is installed")
            : DoctorFinding(
                check: "udev", status: .problem, detail: "udev is not installed, so no rule can grant access to USB keys",
                fix: "apt-get install udev")
    }

    /// keybridge's rule installed and current.
    static func udevRules(directory: String) -> DoctorFinding {
        let path = directory + "/" + UdevRules.fileName
        guard let installed = try? String(contentsOfFile: path, encoding: .utf8) else {
            return DoctorFinding(
                check: "udevRules", status: .problem, detail: "\(path) is not installed",
                fix: "keybridge udev install")
        }
        guard installed == UdevRules.contents else {
            return DoctorFinding(
                check: "udevRules", status: .warning, detail: "\(path) differs from this keybridge's rule",
                fix: "keybridge udev install")
        }
        return DoctorFinding(check: "udevRules", status: .ok, detail: "\(path) is installed and current")
    }

    /// FIDO hidraw nodes (found from sysfs report descriptors, as systemd's fido_id does) and
    /// whether this user can open them; libfido2 silently skips nodes it cannot open.
    static func hidraw() -> [DoctorFinding] {
        let base = "/sys/class/hidraw"
        guard let nodes = try? FileManager.default.contentsOfDirectory(atPath: base) else {
            return [DoctorFinding(check: "hidraw", status: .warning, detail: "no hidraw devices on this machine (no USB HID)")]
        }
        let fido = nodes.sorted().filter { node in
            guard let descriptor = FileManager.default.contents(atPath: "\(base)/\(node)/device/report_descriptor") else {
                return false
            }
            return isFIDODescriptor(Array(descriptor))
        }
        guard !fido.isEmpty else {
            return [DoctorFinding(check: "hidraw", status: .ok, detail: "no FIDO USB key is connected")]
        }
        return fido.map { node in
            let path = "/dev/\(node)"
            if access(path, R_OK | W_OK) == 0 {
                return DoctorFinding(check: "hidraw", status: .ok, detail: "\(path) is a FIDO key this user can open")
            }
            return DoctorFinding(
                check: "hidraw", status: .problem, detail: "\(path) is a FIDO key this user cannot open",
                fix: "keybridge udev install (then re-insert the key), or add the user to the keybridge group")
        }
    }

    /// Whether a HID report descriptor declares the FIDO usage page 0xF1D0 (short items only).
    static func isFIDODescriptor(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let prefix = bytes[index]
            let size = [0, 1, 2, 4][Int(prefix & 0x03)]
            if prefix == 0x06, index + 2 < bytes.count, bytes[index + 1] == 0xD0, bytes[index + 2] == 0xF1 { return true }
            index += 1 + size
        }
        return false
    }

    static func pcscd() -> DoctorFinding {
        do {
            _ = try PCSCContext()
            return DoctorFinding(check: "pcscd", status: .ok, detail: "pcscd answers")
        } catch {
            return DoctorFinding(
                check: "pcscd", status: .problem, detail: "pcscd is not running: NFC readers and OATH tokens are unreachable",
                fix: "apt-get install pcscd && systemctl start pcscd.socket")
        }
    }

    static func readers() -> DoctorFinding? {
        guard let context = try? PCSCContext() else { return nil }
        let readers = (try? context.readers()) ?? []
        if readers.isEmpty {
            return DoctorFinding(
                check: "readers", status: .warning, detail: "no smart-card reader is connected",
                fix: "plug in an NFC reader to use contactless keys")
        }
        var finding = DoctorFinding(check: "readers", status: .ok, detail: "readers: \(readers.joined(separator: ", "))")
        if readers.contains(where: { $0.hasPrefix("Virtual PCD") }) {
            finding.status = .warning
            finding.detail += "; vsmartcard's vpcd driver is loaded and accepts virtual cards from the network"
            finding.fix = "remove vsmartcard-vpcd on production machines and kiosks"
        }
        return finding
    }

    static func virtualKeys(_ directory: String) -> DoctorFinding {
        let keys = DeviceDiscovery(virtualKeyDirectory: directory).virtualDevices()
        return DoctorFinding(
            check: "virtualKeys", status: .ok,
            detail: keys.isEmpty ? "no virtual keys in \(directory)" : "\(keys.count) virtual key(s) in \(directory)")
    }
}
