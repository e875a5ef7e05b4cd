import ArgumentParser
import Foundation
import KeyBridgeFIDO

struct UdevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev", abstract: "Install or check keybridge's udev rule for FIDO hidraw devices.",
        subcommands: [Install.self, Check.self])

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install 70-keybridge.rules, create the keybridge group and reload udev.",
            discussion: "Needs root for the default directory. JSON: {installed: PATH, groupCreated, reloaded}.")
        @OptionGroup var output: OutputOptions
        @Option(name: .customLong("rules-dir"), help: "Where to install the rule.") var rulesDirectory = UdevRules.defaultDirectory
        @Flag(name: .customLong("files-only"), help: "Only write the rule file (no group, no udev reload), e.g. for packaging.")
        var filesOnly = false

        struct Report: Encodable {
            var installed: String
            var groupCreated: Bool
            var reloaded: Bool
        }

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let path = rulesDirectory + "/" + UdevRules.fileName
                do {
                    try FileManager.default.createDirectory(atPath: rulesDirectory, withIntermediateDirectories: true)
                    try UdevRules.contents.write(toFile: path, atomically: true, encoding: .utf8)
                } catch {
                    throw KeyBridgeError.invalidArgument("cannot write \(path) (\(error.localizedDescription)); run as root")
                }
                let groupCreated = !filesOnly && Self.run("/usr/bin/getent", ["group", UdevRules.group]) != 0
                    && Self.run("/usr/sbin/groupadd", ["--system", UdevRules.group]) == 0
                let reloaded = !filesOnly && Self.run("/usr/bin/udevadm", ["control", "--reload"]) == 0
                    && Self.run("/usr/bin/udevadm", ["trigger", "-s", "hidraw"]) == 0
                let report = Report(installed: path, groupCreated: groupCreated, reloaded: reloaded)
                if output.json { return try Output.json(report) }
                Output.line("Installed \(path).")
                if groupCreated { Output.line("Created the \(UdevRules.group) group.") }
                Output.line(reloaded ? "udev reloaded; re-insert keys to apply." : "udev could not be reloaded (is udev running?).")
            }
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
            abstract: "Say whether the rule is installed and current (exit 1 if not).",
            discussion: "JSON: {check, status, detail, fix}.")
        @OptionGroup var output: OutputOptions
        @Option(name: .customLong("rules-dir"), help: "Where udev rules are installed.") var rulesDirectory = UdevRules.defaultDirectory

        func run() async throws {
            let finding = DoctorChecks.udevRules(directory: rulesDirectory)
            if output.json {
                try Output.json(finding)
            } else {
                Output.line("\(finding.status.rawValue): \(finding.detail)")
                if let fix = finding.fix { Output.line("fix: \(fix)") }
            }
            if finding.status != .ok { throw ExitCode(1) }
        }
    }
}
