/// One thing `keybridge doctor` checked.
struct DoctorFinding: Encodable {
    enum Status: String, Encodable {
        case ok
        case warning
        case problem
    }

    /// A stable name: libfido2, hidraw, pcscd, readers, udevRules, udev, virtualKeys.
    var check: String
    var status: Status
    var detail: String
    /// What to do about it (absent when nothing needs doing).
    var fix: String?
}
