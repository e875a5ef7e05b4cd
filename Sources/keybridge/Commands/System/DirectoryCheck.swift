import Foundation
import KeyBridgeRegistration

/// doctor's `directory` check: the embedded registration directory (its SQLite file, the folder
/// holding it and the key file beside it) is there, is SQLite, and this user can read and write it.
///
/// It only looks: it never creates the folder, the file or the key file (the registration module's
/// `DirectoryLocation.open()` and `SQLiteRegistrationStore(path:)` would), and it reads the tenant
/// count through a read-only SQLite connection.
enum DirectoryCheck {
    /// What creates the directory (the admin command makes the file on its first tenant).
    static let createFix = "keybridge admin tenant add …"

    /// The first 16 bytes of every SQLite 3 database file.
    static let sqliteHeader = Data("SQLite format 3\0".utf8)

    static func findings(for location: DirectoryLocation) -> [DoctorFinding] {
        let inspection = try? SQLiteRegistrationStore.inspect(path: location.databasePath)
        return [database(location)] + permissions(location)
            + firstRegistrationGate(tenants: inspection?.tenantsWithOpenFirstRegistration ?? []) + metadata(inspection?.metadata)
    }

    /// The FIDO metadata list: a warning when it was imported unsigned or its next update is past.
    static func metadata(_ summary: MetadataSummary?, now: Date = Date()) -> [DoctorFinding] {
        guard let summary else { return [] }
        let status = MetadataStatusJSON(summary, now: now)
        var problems: [String] = []
        if !summary.signed { problems.append("it was imported unsigned (its origin was not checked)") }
        if status.overdue { problems.append("its next update was due on \(status.nextUpdate)") }
        let fix = "download the BLOB from https://mds3.fidoalliance.org/ and run keybridge admin metadata import FILE"
        return [
            DoctorFinding(
                check: "metadata", status: problems.isEmpty ? .ok : .warning,
                detail: "FIDO metadata number \(summary.serial), \(summary.entries) key models"
                    + (problems.isEmpty ? ", signed, next update \(status.nextUpdate)" : ": " + problems.joined(separator: "; ")),
                fix: problems.isEmpty ? nil : fix, subject: "metadata \(summary.serial)")
        ]
    }

    /// A warning per tenant whose policy lets a first method in with no proof at all.
    static func firstRegistrationGate(tenants: [String]) -> [DoctorFinding] {
        tenants.map { tenant in
            DoctorFinding(
                check: "policy", status: .warning,
                detail: "\(tenant): a user with no method can register a first key or phone with no proof "
                    + "(registrationAccess.allowFirstRegistrationWithoutProof is on)",
                fix: "keybridge admin policy show --tenant \(tenant) > p.json; set it to false; keybridge admin policy set --tenant \(tenant) --file p.json",
                subject: tenant)
        }
    }

    private static func finding(
        _ status: DoctorFinding.Status, _ detail: String, fix: String? = nil, subject: String
    ) -> DoctorFinding {
        DoctorFinding(check: "directory", status: status, detail: detail, fix: fix, subject: subject)
    }

    /// The database file: missing, unreachable, not SQLite, not keybridge's, or fine (with its tenant count).
    static func database(_ location: DirectoryLocation) -> DoctorFinding {
        let path = location.databasePath
        let folder = location.folder
        var info = stat()
        guard stat(path, &info) == 0 else {
            let error = errno
            guard error == ENOENT || error == ENOTDIR else {
                return finding(
                    .problem, "\(path) cannot be reached by \(userName()) (\(String(cString: strerror(error))))",
                    fix: ownershipFix(location), subject: path)
            }
            let folderNote = FileManager.default.fileExists(atPath: folder) ? "" : "; the folder \(folder) does not exist either"
            return finding(.problem, "there is no directory at \(path)\(folderNote)", fix: createFix, subject: path)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return finding(
                .problem, "\(path) is not a file (it is \(kind(info.st_mode))); the directory is one SQLite file",
                fix: "pass the directory's SQLite file with --directory or $\(DirectoryLocation.environmentVariable)",
                subject: path)
        }
        guard access(path, R_OK) == 0, let handle = FileHandle(forReadingAtPath: path) else {
            return finding(.problem, "\(userName()) cannot read \(path)", fix: ownershipFix(location), subject: path)
        }
        let header = (try? handle.read(upToCount: sqliteHeader.count)) ?? Data()
        try? handle.close()
        guard header == sqliteHeader else {
            return finding(
                .problem, "\(path) is not a SQLite file",
                fix: "point --directory or $\(DirectoryLocation.environmentVariable) at the directory's file, or restore it from a backup",
                subject: path)
        }
        guard access(path, W_OK) == 0, access(folder, W_OK | X_OK) == 0 else {
            return finding(
                .problem,
                "\(userName()) can read \(path) but cannot write it or its folder (SQLite writes its -wal and -shm files beside it)",
                fix: ownershipFix(location), subject: path)
        }
        do {
            let contents = try SQLiteRegistrationStore.inspect(path: path)
            let tenants = contents.tenants
            return finding(.ok, "\(path) opens: \(tenants) tenant\(tenants == 1 ? "" : "s"); \(keyFileNote(location))", subject: path)
        } catch {
            return finding(
                .problem, "\(path) does not open as a keybridge directory (\(error.detail ?? error.code))",
                fix: "point --directory or $\(DirectoryLocation.environmentVariable) at the directory's file, or restore it from a backup",
                subject: path)
        }
    }

    private static func keyFileNote(_ location: DirectoryLocation) -> String {
        FileManager.default.fileExists(atPath: location.keyFilePath)
            ? "key file \(location.keyFilePath)" : "no key file yet (it is made when the first secret is sealed)"
    }

    /// The folder and the key file: readable by this user, and closed to group and others.
    static func permissions(_ location: DirectoryLocation) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let folder = location.folder
        var info = stat()
        if stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_mode & 0o077 != 0 {
            findings.append(
                finding(
                    .warning, "the directory folder \(folder) is open to group or others (mode \(mode(info)))",
                    fix: "chmod 700 \(folder)", subject: folder))
        }
        let keyFile = location.keyFilePath
        guard stat(keyFile, &info) == 0 else { return findings }
        if info.st_mode & 0o044 != 0 {
            findings.append(
                finding(
                    .warning,
                    "the key file \(keyFile) is readable by group or others (mode \(mode(info))); "
                        + "whoever reads it can decrypt the sealed secrets",
                    fix: "chmod 600 \(keyFile)", subject: keyFile))
        }
        if access(keyFile, R_OK) != 0 {
            findings.append(
                finding(.problem, "\(userName()) cannot read the key file \(keyFile)", fix: ownershipFix(location), subject: keyFile))
        } else if info.st_size != 32 {
            findings.append(
                finding(
                    .problem, "the key file \(keyFile) holds \(info.st_size) bytes, not 32",
                    fix: "restore the key file from a backup", subject: keyFile))
        }
        return findings
    }

    /// Run as the owner (the kiosk user), or hand the directory to the user that runs keybridge.
    private static func ownershipFix(_ location: DirectoryLocation) -> String {
        var info = stat()
        let owned = stat(location.databasePath, &info) == 0 || stat(location.folder, &info) == 0
        let owner = owned ? "\(userName(info.st_uid)), its owner" : "the kiosk user"
        return "run keybridge as \(owner), or give the directory to the user that runs keybridge: "
            + "chown -R \(userName()) \(location.folder) && chmod 700 \(location.folder) && chmod 600 \(location.databasePath)"
    }

    private static func userName(_ uid: uid_t = geteuid()) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return String(cString: name)
    }

    private static func mode(_ info: stat) -> String { String(info.st_mode & 0o7777, radix: 8) }

    private static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFLNK: "a symbolic link"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFIFO: "a pipe"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
