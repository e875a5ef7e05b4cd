import Foundation
import KeyBridgeRegistration
import XCTest

/// `keybridge doctor` names exactly what this machine lacks, and `keybridge udev install|check`
/// installs the rules that the repository ships.
final class DoctorTests: XCTestCase {
    private typealias Finding = [String: Any]

    private let shippedRules = TestPaths.packageRoot.appendingPathComponent("udev-rules")
    private let seatRule = "70-keybridge.rules"
    private let kioskRule = "71-keybridge-kiosk.rules"

    private func findings(_ result: ProcessResult) throws -> [Finding] {
        try JSONSerialization.jsonObject(with: result.stdoutData) as? [Finding] ?? []
    }

    private func doctor(rules: URL, directory: String?, environment: [String: String] = [:]) throws -> [Finding] {
        let arguments = ["doctor", "--json", "--rules-dir", rules.path] + (directory.map { ["--directory", $0] } ?? [])
        let result = try ProcessRunner.run(TestPaths.keybridge, arguments, environment: environment)
        XCTAssertTrue(result.status == 0 || result.status == 1, result.stdout + result.stderr)
        return try findings(result)
    }

    private func rows(_ findings: [Finding], _ check: String) -> [Finding] {
        findings.filter { $0["check"] as? String == check }
    }

    private func row(_ findings: [Finding], _ check: String, subject: String) -> Finding? {
        findings.first { $0["check"] as? String == check && $0["subject"] as? String == subject }
    }

    /// The FIDO hidraw nodes this user cannot open (found the way doctor finds them: the FIDO
    /// usage page in the sysfs report descriptor).
    private func unreachableFIDONodes() -> [String] {
        let nodes = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/hidraw")) ?? []
        return nodes.sorted().compactMap { node in
            let descriptor = FileManager.default.contents(atPath: "/sys/class/hidraw/\(node)/device/report_descriptor") ?? Data()
            let isFIDO = descriptor.range(of: Data([0x06, 0xD0, 0xF1])) != nil
            return isFIDO && access("/dev/\(node)", R_OK | W_OK) != 0 ? "/dev/\(node)" : nil
        }
    }

    // MARK: What is missing

    func testDoctorNamesExactlyWhatIsMissingOnThisMachine() throws {
        let rules = try TestPaths.temporaryDirectory()
        let missingFolder = rules.appendingPathComponent("keybridge")
        let database = missingFolder.appendingPathComponent("directory.sqlite").path
        let result = try ProcessRunner.run(
            TestPaths.keybridge, ["doctor", "--json", "--rules-dir", rules.path, "--directory", database])
        XCTAssertEqual(result.status, 1, "a missing udev rule and directory are problems: \(result.stdout)")
        let found = try findings(result)

        // Exactly these are problems: the seat rule, the directory, and what this machine lacks.
        let hasUdev = ["/usr/bin/udevadm", "/bin/udevadm", "/sbin/udevadm"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        var expected = ["directory \(database)", "udevRules \(rules.path)/\(seatRule)"]
        if !hasUdev { expected.append("udev -") }
        expected += unreachableFIDONodes().map { "hidraw \($0)" }
        let problems = found.filter { $0["status"] as? String == "problem" }
            .map { "\($0["check"] as? String ?? "?") \($0["subject"] as? String ?? "-")" }
        XCTAssertEqual(problems.sorted(), expected.sorted(), result.stdout)

        // Each with its fix.
        let seat = try XCTUnwrap(row(found, "udevRules", subject: "\(rules.path)/\(seatRule)"))
        XCTAssertEqual(seat["fix"] as? String, "keybridge udev install")
        let kiosk = try XCTUnwrap(row(found, "udevRules", subject: "\(rules.path)/\(kioskRule)"))
        XCTAssertEqual(kiosk["status"] as? String, "warning", "a missing kiosk rule is not a problem")
        XCTAssertEqual(kiosk["fix"] as? String, "keybridge udev install --kiosk")
        let directory = try XCTUnwrap(row(found, "directory", subject: database))
        XCTAssertEqual(directory["fix"] as? String, "keybridge admin tenant add …")
        XCTAssertEqual(rows(found, "directory").count, 1, "no permission findings without a folder")
        if !hasUdev { XCTAssertEqual(rows(found, "udev").first?["fix"] as? String, "apt-get install udev") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missingFolder.path), "doctor must not create the directory")

        // And what is there is named as such.
        XCTAssertEqual(rows(found, "libfido2").first?["status"] as? String, "ok")
        let libfido2 = rows(found, "libfido2").first?["detail"] as? String ?? ""
        XCTAssertTrue(libfido2.contains("1.12") && libfido2.contains("NFC"), libfido2)
        // scripts/test-env runs pcscd with the vpcd driver, so pcscd answers and its readers are flagged.
        XCTAssertEqual(rows(found, "pcscd").first?["status"] as? String, "ok")
        XCTAssertEqual(rows(found, "readers").first?["status"] as? String, "warning")
        XCTAssertTrue((rows(found, "readers").first?["detail"] as? String ?? "").contains("Virtual PCD 00 00"))
        XCTAssertEqual(rows(found, "virtualKeys").first?["status"] as? String, "ok")
    }

    // MARK: udev install and check

    func testUdevInstallWritesEveryShippedRuleAndCheckAgrees() throws {
        let rules = try TestPaths.temporaryDirectory()
        let before = try ProcessRunner.run(TestPaths.keybridge, ["udev", "check", "--json", "--rules-dir", rules.path])
        XCTAssertEqual(before.status, 1)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: before.stdoutData) as? [String: Any])
        XCTAssertEqual(report["ok"] as? Bool, false)
        let files = report["files"] as? [[String: Any]] ?? []
        XCTAssertEqual(files.map { $0["file"] as? String }, [seatRule, kioskRule])
        XCTAssertEqual(files.map { $0["state"] as? String }, ["missing", "missing"])
        XCTAssertEqual(files.map { $0["fix"] as? String }, ["keybridge udev install", "keybridge udev install --kiosk"])

        let install = try ProcessRunner.run(
            TestPaths.keybridge, ["udev", "install", "--files-only", "--kiosk", "--rules-dir", rules.path, "--json"])
        XCTAssertEqual(install.status, 0, install.stdout + install.stderr)
        let installed = try XCTUnwrap(JSONSerialization.jsonObject(with: install.stdoutData) as? [String: Any])
        XCTAssertEqual(installed["installed"] as? [String], ["\(rules.path)/\(seatRule)", "\(rules.path)/\(kioskRule)"])
        XCTAssertEqual(installed["groupCreated"] as? Bool, false)
        XCTAssertEqual(installed["reloaded"] as? Bool, false)

        // Every file in udev-rules/ is installed byte for byte, and nothing else.
        let shipped = try FileManager.default.contentsOfDirectory(atPath: shippedRules.path).sorted()
        XCTAssertEqual(shipped, [seatRule, kioskRule])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rules.path).sorted(), shipped)
        for name in shipped {
            XCTAssertEqual(
                try Data(contentsOf: rules.appendingPathComponent(name)), try Data(contentsOf: shippedRules.appendingPathComponent(name)),
                "the binary installs exactly udev-rules/\(name)")
        }

        for arguments in [["udev", "check"], ["udev", "check", "--kiosk"]] {
            let after = try ProcessRunner.run(TestPaths.keybridge, arguments + ["--rules-dir", rules.path])
            XCTAssertEqual(after.status, 0, after.stdout)
            XCTAssertEqual(after.stdout.components(separatedBy: "installed and current").count, 3, after.stdout)
        }

        // doctor agrees; the kiosk rule also needs its group, which --files-only does not create.
        let found = try doctor(rules: rules, directory: "/nonexistent/directory.sqlite")
        XCTAssertEqual(row(found, "udevRules", subject: "\(rules.path)/\(seatRule)")?["status"] as? String, "ok")
        let kiosk = try XCTUnwrap(row(found, "udevRules", subject: "\(rules.path)/\(kioskRule)"))
        if getgrnam("keybridge") != nil {
            XCTAssertEqual(kiosk["status"] as? String, "ok")
        } else {
            XCTAssertEqual(kiosk["status"] as? String, "problem")
            XCTAssertTrue((kiosk["detail"] as? String ?? "").contains("keybridge group does not exist"))
            XCTAssertEqual(kiosk["fix"] as? String, "keybridge udev install --kiosk")
        }
    }

    func testUdevCheckNeedsTheKioskRuleOnlyWhenAskedAndFlagsAChangedRule() throws {
        let rules = try TestPaths.temporaryDirectory()
        let install = try ProcessRunner.run(TestPaths.keybridge, ["udev", "install", "--files-only", "--rules-dir", rules.path])
        XCTAssertEqual(install.status, 0, install.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: rules.path), [seatRule])
        XCTAssertEqual(try ProcessRunner.run(TestPaths.keybridge, ["udev", "check", "--rules-dir", rules.path]).status, 0)
        let kiosk = try ProcessRunner.run(TestPaths.keybridge, ["udev", "check", "--kiosk", "--rules-dir", rules.path])
        XCTAssertEqual(kiosk.status, 1)
        XCTAssertTrue(kiosk.stdout.contains("\(kioskRule) (kiosk): missing"), kiosk.stdout)
        XCTAssertTrue(kiosk.stdout.contains("fix: keybridge udev install --kiosk"), kiosk.stdout)

        let seat = rules.appendingPathComponent(seatRule)
        try (String(contentsOf: seat, encoding: .utf8) + "# edited\n").write(to: seat, atomically: true, encoding: .utf8)
        let changed = try ProcessRunner.run(TestPaths.keybridge, ["udev", "check", "--json", "--rules-dir", rules.path])
        XCTAssertEqual(changed.status, 1)
        let files = (try JSONSerialization.jsonObject(with: changed.stdoutData) as? [String: Any])?["files"] as? [[String: Any]]
        XCTAssertEqual(files?.first?["state"] as? String, "differs")
        let found = try doctor(rules: rules, directory: "/nonexistent/directory.sqlite")
        XCTAssertEqual(row(found, "udevRules", subject: seat.path)?["status"] as? String, "warning")
        XCTAssertEqual(row(found, "udevRules", subject: seat.path)?["fix"] as? String, "keybridge udev install")
    }

    // MARK: The rules themselves

    func testShippedRuleFilesAreValidUdevSyntax() throws {
        // udevadm verify (systemd 253+) where there is one; this machine's 252 has none.
        let udevadm = ["/usr/bin/udevadm", "/bin/udevadm"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let verify = udevadm.flatMap { try? ProcessRunner.run($0, ["verify", "--help"]) }?.status == 0 ? udevadm : nil
        for name in try FileManager.default.contentsOfDirectory(atPath: shippedRules.path).sorted() {
            let path = shippedRules.appendingPathComponent(name).path
            XCTAssertNoThrow(try UdevRuleFile(String(contentsOfFile: path, encoding: .utf8)), name)
            if let verify {
                let result = try ProcessRunner.run(verify, ["verify", path])
                XCTAssertEqual(result.status, 0, "udevadm verify \(name): \(result.stdout)\(result.stderr)")
            }
        }
        // The checker itself rejects what udev would.
        for broken in [
            #"SUBSYSTEM=="hidraw", GOTO="nowhere""#, #"SUBSYSTEM="hidraw", TAG+="uaccess""#, #"ENV{X}="1", TAG+="uaccess""#,
            #"SUBSYSTEM=="hidraw",TAG+="uaccess""#, #"ATTRS{idVendor}=="1050", MODE="660""#, #"ATTRS{idVendor}=="1050", GROUP="a b""#,
            #"ATTRS{idVendor}=="1050", FOO="1""#, #"ATTRS{idVendor}=="1050", TAG+=uaccess"#, #"ATTRS{idVendor}=="1050", LABEL="x""#,
            #"ATTRS{idVendor}=="10F0", TAG+="uaccess""#,
        ] {
            XCTAssertThrowsError(try UdevRuleFile(broken + "\n"), broken) {
                XCTAssertTrue(($0 as? RuleError)?.description.hasPrefix("line 1: ") == true, "\(broken): \($0)")
            }
        }
    }

    /// The rules run, in udev's order, over made-up devices: what gets uaccess and the group.
    func testRulesGiveAccessToFIDOInterfacesOnly() throws {
        let seat = try UdevRuleFile(String(contentsOf: shippedRules.appendingPathComponent(seatRule), encoding: .utf8))
        let kiosk = try UdevRuleFile(String(contentsOf: shippedRules.appendingPathComponent(kioskRule), encoding: .utf8))
        typealias Device = UdevRuleFile.Device
        func run(_ device: Device, fidoID: Bool) throws -> Device {
            var device = device
            let files: Set<String> = fidoID ? ["/usr/lib/udev/fido_id", "/lib/udev/fido_id"] : []
            try seat.apply(to: &device, existingFiles: files)
            try kiosk.apply(to: &device, existingFiles: files)
            return device
        }
        func assertAccess(_ device: Device, fidoID: Bool, _ expected: Bool, _ what: String, line: UInt = #line) throws {
            let result = try run(device, fidoID: fidoID)
            XCTAssertEqual(result.tags.contains("uaccess"), expected, "uaccess: \(what)", line: line)
            XCTAssertEqual(result.group == "keybridge" && result.mode == "0660", expected, "group: \(what)", line: line)
            XCTAssertEqual(result.properties["KEYBRIDGE_FIDO"] == "1", expected, "marker: \(what)", line: line)
            if !expected { XCTAssertNil(result.group, what, line: line) }
        }
        var marked = Device.usbHID(vendor: "abcd", product: "0001")
        marked.properties["ID_FIDO_TOKEN"] = "1"
        let yubikeyFIDO = Device.usbHID(vendor: "1050", product: "0407")
        let yubikeyOTP = Device.usbHID(vendor: "1050", product: "0407", interface: ("03", "01", "01"))

        // With fido_id (systemd 244+): its verdict, whatever the maker.
        try assertAccess(marked, fidoID: true, true, "a key fido_id recognised")
        try assertAccess(yubikeyFIDO, fidoID: true, false, "a node fido_id did not mark, even from a listed vendor")
        // Without fido_id: the vendor list, generic HID interfaces only.
        try assertAccess(yubikeyFIDO, fidoID: false, true, "a YubiKey's FIDO interface")
        try assertAccess(yubikeyOTP, fidoID: false, false, "a YubiKey's OTP keyboard interface")
        try assertAccess(Device.usbHID(vendor: "18d1", product: "5026"), fidoID: false, true, "a Titan key")
        try assertAccess(Device.usbHID(vendor: "18d1", product: "4ee1"), fidoID: false, false, "a Pixel phone (Google, not a key)")
        try assertAccess(Device.usbHID(vendor: "096e", product: "0858"), fidoID: false, true, "a Feitian key")
        try assertAccess(Device.usbHID(vendor: "096e", product: "0807"), fidoID: false, false, "a Feitian ePass2003 (not FIDO)")
        try assertAccess(Device.usbHID(vendor: "046d", product: "c52b"), fidoID: false, false, "a mouse receiver")
        // Other events and subsystems are left alone.
        var removed = marked
        removed.action = "remove"
        try assertAccess(removed, fidoID: true, false, "a remove event")
        var usb = marked
        usb.subsystem = "usb"
        try assertAccess(usb, fidoID: true, false, "the USB device node")

        // Yubico and Token2 are the only vendors listed whole.
        let wholeVendors = seat.rules.compactMap { rule -> String? in
            let keys = rule.pairs.map { $0.attribute ?? $0.key }
            return keys.contains("idVendor") && !keys.contains("idProduct") ? rule.pairs.first?.value : nil
        }
        XCTAssertEqual(wholeVendors, ["1050", "349e"])
    }

    // MARK: The directory

    /// A directory made the way the registration module makes it: folder 0700, key file 0600.
    private func makeDirectory(tenants: [String]) async throws -> DirectoryLocation {
        let folder = try TestPaths.temporaryDirectory().appendingPathComponent("keybridge")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let location = DirectoryLocation(databasePath: folder.appendingPathComponent("directory.sqlite").path)
        do {
            let store = try SQLiteRegistrationStore(path: location.databasePath)
            for tenant in tenants { try await store.save(tenant: Tenant(id: tenant, name: tenant.capitalized)) }
            _ = try SecretSealer(keyFile: location.keyFilePath)
        }
        return location
    }

    func testADirectoryThatOpensIsOKWithItsTenantCount() async throws {
        let location = try await makeDirectory(tenants: ["contoso", "fabrikam"])
        let before = try FileManager.default.contentsOfDirectory(atPath: location.folder).sorted()
        let found = try doctor(rules: try TestPaths.temporaryDirectory(), directory: location.databasePath)
        let directory = rows(found, "directory")
        XCTAssertEqual(directory.count, 1, "\(directory)")
        XCTAssertEqual(directory.first?["status"] as? String, "ok")
        XCTAssertEqual(directory.first?["subject"] as? String, location.databasePath)
        XCTAssertTrue((directory.first?["detail"] as? String ?? "").contains("2 tenants"), "\(directory)")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: location.folder).sorted(), before, "doctor only reads")

        // $KEYBRIDGE_DIRECTORY is the default.
        let fromEnvironment = try doctor(
            rules: try TestPaths.temporaryDirectory(), directory: nil,
            environment: [DirectoryLocation.environmentVariable: location.databasePath])
        XCTAssertEqual(rows(fromEnvironment, "directory").first?["subject"] as? String, location.databasePath)
        XCTAssertEqual(rows(fromEnvironment, "directory").first?["status"] as? String, "ok")
    }

    func testAPathThatIsNotTheDirectoryFileIsAProblem() throws {
        let scratch = try TestPaths.temporaryDirectory()
        let folder = scratch.appendingPathComponent("a-folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = scratch.appendingPathComponent("notes.txt")
        try Data("not a database\n".utf8).write(to: text)
        let fake = scratch.appendingPathComponent("fake.sqlite")
        try Data("SQLite format 3\0but nothing after".utf8).write(to: fake)
        let cases: [(path: String, detail: String)] = [
            (folder.path, "is not a file (it is a folder)"),
            (text.path, "is not a SQLite file"),
            (fake.path, "does not open as a keybridge directory"),
        ]
        for (path, detail) in cases {
            let found = try doctor(rules: scratch, directory: path)
            let finding = try XCTUnwrap(row(found, "directory", subject: path), path)
            XCTAssertEqual(finding["status"] as? String, "problem", path)
            XCTAssertTrue((finding["detail"] as? String ?? "").contains(detail), "\(finding)")
            XCTAssertNotNil(finding["fix"], path)
        }
    }

    func testAnOpenFolderAndAReadableKeyFileAreWarnings() async throws {
        let location = try await makeDirectory(tenants: ["contoso"])
        XCTAssertEqual(chmod(location.folder, 0o755), 0)
        XCTAssertEqual(chmod(location.keyFilePath, 0o644), 0)
        let found = try doctor(rules: try TestPaths.temporaryDirectory(), directory: location.databasePath)
        XCTAssertEqual(row(found, "directory", subject: location.databasePath)?["status"] as? String, "ok")
        let folder = try XCTUnwrap(row(found, "directory", subject: location.folder))
        XCTAssertEqual(folder["status"] as? String, "warning")
        XCTAssertEqual(folder["fix"] as? String, "chmod 700 \(location.folder)")
        let key = try XCTUnwrap(row(found, "directory", subject: location.keyFilePath))
        XCTAssertEqual(key["status"] as? String, "warning")
        XCTAssertTrue((key["detail"] as? String ?? "").contains("readable by group or others (mode 644)"), "\(key)")
        XCTAssertEqual(key["fix"] as? String, "chmod 600 \(location.keyFilePath)")
    }
}
