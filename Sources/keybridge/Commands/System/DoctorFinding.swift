/// One thing `keybridge doctor` checked.
struct DoctorFinding: Encodable {
    enum Status: String, Encodable {
        case ok
        case warning
        case problem
    }

    /// A stable name: libfido2, udev, udevRules, hidraw, pcscd, readers, virtualKeys, directory. One
    /// check can report several findings (one per rule file, per FIDO hidraw node, per directory file).
    var check: String
    var status: Status
    var detail: String
    /// What to do about it (absent when nothing needs doing).
    var fix: String?
    /// The file or device the finding is about, when there is one.
    var subject: String?
}
