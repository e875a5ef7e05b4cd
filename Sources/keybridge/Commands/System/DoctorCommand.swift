import ArgumentParser
import KeyBridgeFIDO
import KeyBridgeRegistration

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine for what keybridge needs, and say how to fix what is missing.",
        discussion: """
            Checks: libfido2 (1.12 or later), udev and fido_id, keybridge's udev rules (the seat \
            rule; the kiosk rule and its group), FIDO hidraw nodes and their permissions, pcscd, \
            readers (and a loaded vpcd driver), virtual keys, and the registration directory \
            (there, SQLite, readable and writable by this user, folder and key file closed to \
            others; doctor never creates it), and each tenant's first-registration gate (a warning \
            when a user with no method may register one with no proof). Exit status 0 when nothing is a problem, 1 otherwise. \
            JSON: [{check, status: ok|warning|problem, detail, fix, subject}], fix and subject \
            absent when there is none; checks: libfido2, udev, udevRules, hidraw, pcscd, readers, \
            virtualKeys, directory, policy, metadata (udevRules, hidraw, directory and policy can \
            repeat, one per file, node or tenant; metadata warns when the FIDO metadata list was \
            imported unsigned or is past its next update).
            """)

    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("rules-dir"), help: "Where udev rules are installed.") var rulesDirectory = UdevRules.defaultDirectory
    @Option(name: .customLong("vkey-dir"), help: "Directory of virtual-key sockets.") var virtualKeyDirectory: String?
    @OptionGroup var directory: DirectoryOptions

    func run() async throws {
        var findings = DoctorChecks.all(
            rulesDirectory: rulesDirectory,
            virtualKeyDirectory: virtualKeyDirectory ?? DeviceDiscovery.defaultVirtualKeyDirectory(),
            directory: directory.sharedURL == nil ? directory.location : nil)
        if let url = directory.sharedURL {
            findings += await SharedDirectoryCheck.findings(url: url, keyFile: try? directory.keyFilePath())
        }
        if output.json {
            try Output.json(findings)
        } else {
            for finding in findings {
                let mark = switch finding.status {
                case .ok: "ok     "
                case .warning: "warning"
                case .problem: "PROBLEM"
                }
                Output.line("\(mark)  \(finding.check): \(finding.detail)")
                if let fix = finding.fix { Output.line("         fix: \(fix)") }
            }
        }
        if findings.contains(where: { $0.status == .problem }) { throw ExitCode(1) }
    }
}
