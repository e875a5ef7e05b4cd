/// The udev rule keybridge installs (the same text as `udev-rules/70-keybridge.rules`; a test keeps
/// the two identical).
enum UdevRules {
    static let fileName = "70-keybridge.rules"
    static let defaultDirectory = "/etc/udev/rules.d"
    static let group = "keybridge"

    static let contents = """
        # keybridge: access to FIDO security keys on hidraw.
        #
        # systemd's 60-fido-id.rules runs fido_id, which reads the HID report descriptor and sets
        # ID_FIDO_TOKEN=1 for FIDO devices (usage page 0xF1D0). This file, numbered after it, gives those
        # nodes to the user at the local seat (uaccess) and to the "keybridge" group, so a kiosk service
        # without a seat session can open them too. Create the group first: groupadd --system keybridge
        ACTION=="remove", GOTO="keybridge_end"
        SUBSYSTEM!="hidraw", GOTO="keybridge_end"

        ENV{ID_FIDO_TOKEN}=="1", TAG+="uaccess", GROUP="keybridge", MODE="0660"

        LABEL="keybridge_end"

        """
}
