import ArgumentParser
import Foundation
import KeyBridgeFIDO

struct UdevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev", abstract: "Install or check keybridge's udev rules for FIDO hidraw devices.",
        discussion: """
            70-keybridge.rules tags FIDO hidraw nodes "uaccess" (the user at the local seat). \
            71-keybridge-kiosk.rules (--kiosk) also gives them to the keybridge group, mode 0660, \
            for a kiosk service that has no seat session.
            """,
        subcommands: [Install.self, Check.self])

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install 70-keybridge.rules (and 71-keybridge-kiosk.rules with --kiosk) and reload udev.",
            discussion: """
                Needs root for the default directory. With --kiosk the keybridge group is created \
                first (groupadd --system). A kiosk rule that is already installed is brought up to \
                date even without --kiosk. Then udevadm control --reload and udevadm trigger \
                --subsystem-match=hidraw apply the rules to keys already plugged in. \
                JSON: {rulesDirectory, installed: [PATH], groupCreated, reloaded}.
                """)
        @OptionGroup var output: OutputOptions
        @Option(name: .customLong("rules-dir"), help: "Where to install the rules.") var rulesDirectory = UdevRules.defaultDirectory
        @Flag(help: "Also install the kiosk rule (group keybridge, mode 0660) and create the group.") var kiosk = false
        @Flag(name: .customLong("files-only"), help: "Only write the rule files (no group, no udev reload), e.g. for packaging.")
        var filesOnly = false

        struct Report: Encodable {
            var rulesDirectory: String
            var installed: [String]
            var groupCreated: Bool
            var reloaded: Bool
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                // The group first: udev drops a GROUP it cannot resolve when it loads the rule.
                var groupCreated = false
                if kiosk && !filesOnly && !UdevRules.groupExists() {
                    guard Self.run("/usr/sbin/groupadd", ["--system", UdevRules.group]) == 0 else {
                        throw KeyBridgeError.invalidArgument("cannot create the \(UdevRules.group) group; run as root")
                    }
                    groupCreated = true
                }
                let files = UdevRules.all.filter { file in
                    file.role == UdevRules.seat.role || kiosk
                        || UdevRules.state(of: file, in: rulesDirectory) != .missing
                }
                var installed: [String] = []
                for file in files {
                    let path = UdevRules.path(of: file, in: rulesDirectory)
                    do {
                        try FileManager.default.createDirectory(atPath: rulesDirectory, withIntermediateDirectories: true)
                        try Data(file.contents.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
                        _ = chmod(path, 0o644)
                    } catch {
                        throw KeyBridgeError.invalidArgument("cannot write \(path) (\(error.localizedDescription)); run as root")
                    }
                    installed.append(path)
                }
                let udevadm = Self.udevadm
                let reloaded = !filesOnly && udevadm.map {
                    Self.run($0, ["control", "--reload"]) == 0 && Self.run($0, ["trigger", "--subsystem-match=hidraw"]) == 0
                } ?? false
                let report = Report(rulesDirectory: rulesDirectory, installed: installed, groupCreated: groupCreated, reloaded: reloaded)
                if output.json { return try Output.json(report) }
                for path in installed { Output.line("Installed \(path).") }
                if groupCreated { Output.line("Created the \(UdevRules.group) group; add the kiosk service's user to it.") }
                if filesOnly { return }
                Output.line(
                    reloaded
                        ? "udev reloaded; re-insert keys if they are not reachable yet."
                        : "udev could not be reloaded (is udev installed and running?).")
            }
        }

        static var udevadm: String? {
            ["/usr/bin/udevadm", "/bin/udevadm", "/sbin/udevadm"].first { FileManager.default.isExecutableFile(atPath: $0) }
        }

        static func run(_ executable: String, _ arguments: [String]) -> Int32 {
            guard FileManager.default.isExecutableFile(atPath: executable) else { return 127 }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return 127 }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say for each rule file whether it is installed and current (exit 1 if something needs doing).",
            discussion: """
                The seat rule is required; the kiosk rule only with --kiosk, but an installed kiosk \
                rule that differs also needs doing. State: current, differs, missing or unreadable. \
                JSON: {rulesDirectory, ok, files: [{file, path, role: seat|kiosk, state, required, fix}]} \
                (fix absent when the file is current).
                """)
        @OptionGroup var output: OutputOptions
        @Option(name: .customLong("rules-dir"), help: "Where udev rules are installed.") var rulesDirectory = UdevRules.defaultDirectory
        @Flag(help: "Require the kiosk rule too.") var kiosk = false

        struct FileReport: Encodable {
            var file: String
            var path: String
            var role: String
            var state: UdevRules.State
            var required: Bool
            var fix: String?
        }

        struct Report: Encodable {
            var rulesDirectory: String
            var ok: Bool
            var files: [FileReport]
        }

        func run() async throws {
            let files = UdevRules.all.map { file in
                let state = UdevRules.state(of: file, in: rulesDirectory)
                return FileReport(
                    file: file.name, path: UdevRules.path(of: file, in: rulesDirectory), role: file.role, state: state,
                    required: file.role == UdevRules.seat.role || kiosk, fix: state == .current ? nil : file.installCommand)
            }
            // An optional rule that is simply absent needs nothing; anything else not current does.
            let ok = files.allSatisfy { $0.state == .current || (!$0.required && $0.state == .missing) }
            let report = Report(rulesDirectory: rulesDirectory, ok: ok, files: files)
            if output.json {
                try Output.json(report)
            } else {
                for entry in files {
                    let state = switch entry.state {
                    case .current: "installed and current"
                    case .differs: "installed but differs from this keybridge's rule"
                    case .missing: entry.required ? "missing" : "not installed (needed only for a kiosk service)"
                    case .unreadable: "cannot be read"
                    }
                    Output.line("\(entry.file) (\(entry.role)): \(state): \(entry.path)")
                    if let fix = entry.fix { Output.line("  fix: \(fix)") }
                }
            }
            if !ok { throw ExitCode(1) }
        }
    }
}
