import Foundation

/// The udev rules keybridge installs. Each file's text here is the same as the file of that name in
/// `udev-rules/` (a test compares every file byte for byte).
enum UdevRules {
    /// One rules file.
    struct RuleFile: Sendable {
        /// Its file name in the rules directory.
        var name: String
        /// `seat` (uaccess for the local session) or `kiosk` (group access for a service account).
        var role: String
        var contents: String
        /// What installs it (and so the fix when it is missing or out of date).
        var installCommand: String
    }

    /// How an installed file compares with this keybridge's text.
    enum State: String, Encodable, Sendable {
        case current
        case differs
        case missing
        case unreadable
    }

    static let defaultDirectory = "/etc/udev/rules.d"
    /// The group that 71-keybridge-kiosk.rules gives FIDO hidraw nodes to.
    static let group = "keybridge"

    static let seat = RuleFile(
        name: "70-keybridge.rules", role: "seat", contents: seatContents, installCommand: "keybridge udev install")
    static let kiosk = RuleFile(
        name: "71-keybridge-kiosk.rules", role: "kiosk", contents: kioskContents,
        installCommand: "keybridge udev install --kiosk")
    static let all = [seat, kiosk]

    static func path(of file: RuleFile, in directory: String) -> String {
        (directory as NSString).appendingPathComponent(file.name)
    }

    /// Whether `file` is installed in `directory` with exactly this keybridge's text.
    static func state(of file: RuleFile, in directory: String) -> State {
        let path = path(of: file, in: directory)
        guard FileManager.default.fileExists(atPath: path) else { return .missing }
        guard let installed = FileManager.default.contents(atPath: path) else { return .unreadable }
        return installed == Data(file.contents.utf8) ? .current : .differs
    }

    /// Whether the kiosk rule's group exists on this machine (udev ignores a GROUP it cannot resolve).
    static func groupExists() -> Bool { getgrnam(group) != nil }

    // MARK: The files

    /// `udev-rules/70-keybridge.rules`.
    static let seatContents = """
        # keybridge: USB FIDO security keys on hidraw, for the user at the local seat.
        #
        # This file marks the hidraw node of a FIDO security key with ENV{KEYBRIDGE_FIDO}="1" and the
        # "uaccess" tag. For a tagged node, logind gives the user of the active local session read-write
        # access through an ACL; libfido2 needs that to list and open the key. Owner, group and mode stay
        # as they are. Services, kiosk daemons and SSH logins have no seat session: for them, install
        # 71-keybridge-kiosk.rules as well (keybridge udev install --kiosk).
        #
        # A node counts as a FIDO key by one of two tests:
        #  1. systemd 244 and later ship fido_id, which 60-fido-id.rules runs for every hidraw node. It
        #     reads the HID report descriptor from sysfs and sets ID_FIDO_TOKEN=1 when the device declares
        #     the FIDO usage (page 0xF1D0, usage 0x01). This is exact: it takes any maker's key, and only
        #     its FIDO interface. Where fido_id is installed, its verdict is final.
        #  2. Older udev has no fido_id, so this file falls back to the USB vendor and product ids of
        #     security-key makers below. The list is ours and is not complete; a key that is missing from
        #     it gets no access on such a system (keybridge doctor reports that key).
        #
        # The trade-off of the fallback: a udev rule cannot look at the report descriptor, so the ids
        # match the whole USB device. Two limits keep it narrow. Only generic HID interfaces qualify
        # (class 03, subclass 00, protocol 00, as FIDO interfaces are); a key's OTP keyboard or any other
        # boot keyboard or mouse interface is left alone. And a vendor that also makes other HID devices
        # is listed product by product; only Yubico and Token2, whose USB products are all security keys,
        # are listed whole. What remains: another generic HID interface of a listed key, such as a vendor
        # configuration channel, gets the same access as its FIDO interface.

        ACTION=="remove", GOTO="keybridge_end"
        SUBSYSTEM!="hidraw", GOTO="keybridge_end"

        # 1. fido_id's verdict, where fido_id exists.
        ENV{ID_FIDO_TOKEN}=="1", GOTO="keybridge_fido"
        TEST=="/usr/lib/udev/fido_id", GOTO="keybridge_end"
        TEST=="/lib/udev/fido_id", GOTO="keybridge_end"

        # 2. The fallback list, for generic USB HID interfaces only.
        SUBSYSTEMS=="usb", ATTRS{bInterfaceClass}=="03", ATTRS{bInterfaceSubClass}=="00", ATTRS{bInterfaceProtocol}=="00", GOTO="keybridge_vendors"
        SUBSYSTEM=="hidraw", GOTO="keybridge_end"

        LABEL="keybridge_vendors"
        # Yubico: YubiKey NEO, 4, 5 and Bio, Security Key by Yubico
        ATTRS{idVendor}=="1050", GOTO="keybridge_fido"
        # Token2
        ATTRS{idVendor}=="349e", GOTO="keybridge_fido"
        # Google Titan Security Key, first and second generation
        ATTRS{idVendor}=="18d1", ATTRS{idProduct}=="5026", GOTO="keybridge_fido"
        ATTRS{idVendor}=="18d1", ATTRS{idProduct}=="9470", GOTO="keybridge_fido"
        # Feitian FIDO keys (ePass FIDO, MultiPass, BioPass and others)
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0850", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0852", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0853", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0854", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0856", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0858", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="085a", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="085b", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="085d", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0866", GOTO="keybridge_fido"
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0867", GOTO="keybridge_fido"
        # HyperFIDO (Hypersecu), early keys under Feitian's vendor id and later ones under its own
        ATTRS{idVendor}=="096e", ATTRS{idProduct}=="0880", GOTO="keybridge_fido"
        ATTRS{idVendor}=="2ccf", ATTRS{idProduct}=="0880", GOTO="keybridge_fido"
        # SoloKeys: Solo and Somu (STMicroelectronics' vendor id), Solo Hacker and its bootloader,
        # Solo 2 (pid.codes)
        ATTRS{idVendor}=="0483", ATTRS{idProduct}=="a2ca", GOTO="keybridge_fido"
        ATTRS{idVendor}=="1209", ATTRS{idProduct}=="5070", GOTO="keybridge_fido"
        ATTRS{idVendor}=="1209", ATTRS{idProduct}=="50b0", GOTO="keybridge_fido"
        ATTRS{idVendor}=="1209", ATTRS{idProduct}=="beee", GOTO="keybridge_fido"
        # Nitrokey FIDO U2F, FIDO2 and Nitrokey 3 (Clay Logic's vendor id), Nitrokey U2F (Plug-up's)
        ATTRS{idVendor}=="20a0", ATTRS{idProduct}=="4287", GOTO="keybridge_fido"
        ATTRS{idVendor}=="20a0", ATTRS{idProduct}=="42b1", GOTO="keybridge_fido"
        ATTRS{idVendor}=="20a0", ATTRS{idProduct}=="42b2", GOTO="keybridge_fido"
        ATTRS{idVendor}=="2581", ATTRS{idProduct}=="f1d0", GOTO="keybridge_fido"
        # Thetis (Excelsecu) U2F and FIDO2 keys
        ATTRS{idVendor}=="1ea8", ATTRS{idProduct}=="f025", GOTO="keybridge_fido"
        ATTRS{idVendor}=="1ea8", ATTRS{idProduct}=="fc25", GOTO="keybridge_fido"
        # OnlyKey (OpenMoko's vendor id)
        ATTRS{idVendor}=="1d50", ATTRS{idProduct}=="60fc", GOTO="keybridge_fido"
        SUBSYSTEM=="hidraw", GOTO="keybridge_end"

        LABEL="keybridge_fido"
        SUBSYSTEM=="hidraw", ENV{KEYBRIDGE_FIDO}="1", TAG+="uaccess"

        LABEL="keybridge_end"

        """

    /// `udev-rules/71-keybridge-kiosk.rules`.
    static let kioskContents = """
        # keybridge kiosk: FIDO security keys for a service account that has no seat session.
        #
        # The uaccess tag from 70-keybridge.rules only reaches the user of the active local session. A
        # kiosk daemon, another system service or an SSH login has none, so this file gives the nodes that
        # 70-keybridge.rules marked with ENV{KEYBRIDGE_FIDO}="1" to the group "keybridge", read-write
        # (mode 0660). Run the service as a user in that group.
        #
        # It relies on 70-keybridge.rules, which runs before it. The group has to exist before udev loads
        # this file, or udev ignores the GROUP: keybridge udev install --kiosk creates it (by hand:
        # groupadd --system keybridge, then udevadm control --reload).
        #
        # Every member of the group can use every FIDO key plugged into this machine, whether or not
        # anyone is logged in. Add only the kiosk's service account.

        ACTION=="remove", GOTO="keybridge_kiosk_end"
        SUBSYSTEM!="hidraw", GOTO="keybridge_kiosk_end"

        ENV{KEYBRIDGE_FIDO}=="1", GROUP="keybridge", MODE="0660"

        LABEL="keybridge_kiosk_end"

        """
}
