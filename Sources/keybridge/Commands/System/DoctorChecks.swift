import Foundation
import KeyBridgeFIDO
import KeyBridgePCSC
import KeyBridgeRegistration

/// The checks behind `keybridge doctor`, each a small function returning its findings.
enum DoctorChecks {
    /// The libfido2 release keybridge is built against (Debian 12 ships 1.12.0).
    static let minimumLibfido2 = (major: 1, minor: 12)

    /// - Parameter directory: the embedded directory to check; nil for a shared one (checked apart).
    static func all(rulesDirectory: String, virtualKeyDirectory: String, directory: DirectoryLocation?) -> [DoctorFinding] {
        [libfido2(), udev()] + udevRules(directory: rulesDirectory) + hidraw()
            + [pcscd(), readers(), virtualKeys(virtualKeyDirectory)].compactMap { $0 }
            + (directory.map(DirectoryCheck.findings(for:)) ?? [])
    }

    /// Which libfido2 is loaded (the shared object mapped into this process, per /proc/self/maps),
    /// and whether it is at least the release keybridge is built against.
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
        let resolved = URL(fileURLWithPath: String(path)).resolvingSymlinksInPath().path
        let required = "\(minimumLibfido2.major).\(minimumLibfido2.minor)"
        let nfc = "it has no PC/SC support, so keybridge carries CTAP over NFC readers itself"
        guard let version = libfido2Version(fileName: (resolved as NSString).lastPathComponent) else {
            return DoctorFinding(
                check: "libfido2", status: .warning,
                detail: "libfido2 is loaded from \(resolved), but its file name does not tell its version "
                    + "(\(required) or later is needed); \(nfc)",
                fix: "install libfido2 \(required) or later from your distribution (Debian 12: apt-get install libfido2-1)",
                subject: resolved)
        }
        let text = version.map(String.init).joined(separator: ".")
        if version.lexicographicallyPrecedes([minimumLibfido2.major, minimumLibfido2.minor]) {
            return DoctorFinding(
                check: "libfido2", status: .problem,
                detail: "libfido2 \(text) (\(resolved)) is older than \(required), which keybridge is built against",
                fix: "install libfido2 \(required) or later from your distribution (Debian 12: apt-get install libfido2-1)",
                subject: resolved)
        }
        return DoctorFinding(
            check: "libfido2", status: .ok, detail: "libfido2 \(text) (\(resolved)); \(required) or later is needed; \(nfc)",
            subject: resolved)
    }

    /// The version in a shared object's file name: `libfido2.so.1.12.0` is [1, 12, 0].
    static func libfido2Version(fileName: String) -> [Int]? {
        guard let range = fileName.range(of: ".so.") else { return nil }
        let parts = fileName[range.upperBound...].split(separator: ".").map { Int($0) }
        guard parts.count >= 2, parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.compactMap { $0 }
    }

    /// fido_id (systemd 244 and later) recognises FIDO keys by their HID usage.
    static let fidoIDPaths = ["/usr/lib/udev/fido_id", "/lib/udev/fido_id"]

    /// udev (udevadm) is what gives hidraw nodes to users, and fido_id is how it recognises keys.
    static func udev() -> DoctorFinding {
        let found = ["/usr/bin/udevadm", "/bin/udevadm", "/sbin/udevadm"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        guard found else {
            return DoctorFinding(
                check: "udev", status: .problem, detail: "udev is not installed, so no rule can grant access to USB keys",
                fix: "apt-get install udev")
        }
        let fidoID = fidoIDPaths.contains { FileManager.default.isExecutableFile(atPath: $0) }
        return DoctorFinding(
            check: "udev", status: .ok,
            detail: fidoID
                ? "udevadm and fido_id are installed: FIDO keys are recognised by their HID usage"
                : "udevadm is installed without fido_id (systemd older than 244): only keys on the vendor list in "
                    + "\(UdevRules.seat.name) get access")
    }

    /// keybridge's rules: the seat rule (a problem when missing) and the kiosk rule (a warning
    /// when missing; when installed, its group has to exist).
    static func udevRules(directory: String) -> [DoctorFinding] {
        UdevRules.all.map { file in
            let path = UdevRules.path(of: file, in: directory)
            let isSeat = file.role == UdevRules.seat.role
            func finding(_ status: DoctorFinding.Status, _ detail: String, fix: String? = file.installCommand) -> DoctorFinding {
                DoctorFinding(check: "udevRules", status: status, detail: detail, fix: fix, subject: path)
            }
            switch UdevRules.state(of: file, in: directory) {
            case .missing where isSeat:
                return finding(
                    .problem, "\(path) is not installed: FIDO keys reach the seat user only where systemd's own rules (244 and later) give them")
            case .missing:
                return finding(.warning, "\(path) is not installed: a kiosk service without a seat session cannot open keys")
            case .unreadable:
                return finding(isSeat ? .problem : .warning, "\(path) cannot be read")
            case .differs:
                return finding(.warning, "\(path) differs from this keybridge's rule")
            case .current where !isSeat && !UdevRules.groupExists():
                return finding(
                    .problem, "\(path) is installed, but the \(UdevRules.group) group does not exist, so udev ignores its GROUP")
            case .current:
                return finding(.ok, "\(path) is installed and current", fix: nil)
            }
        }
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
                return DoctorFinding(check: "hidraw", status: .ok, detail: "\(path) is a FIDO key this user can open", subject: path)
            }
            return DoctorFinding(
                check: "hidraw", status: .problem, detail: "\(path) is a FIDO key this user cannot open",
                fix: "keybridge udev install (then re-insert the key); for a service without a seat session, "
                    + "keybridge udev install --kiosk and add its user to the \(UdevRules.group) group",
                subject: path)
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
