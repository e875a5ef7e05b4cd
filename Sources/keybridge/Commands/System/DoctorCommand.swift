import ArgumentParser
import KeyBridgeFIDO

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check this machine for what keybridge needs, and say how to fix what is missing.",
        discussion: """
            Checks: libfido2 version, udev, keybridge's udev rule, FIDO hidraw nodes and their \\
            permissions, pcscd, readers (and a loaded vpcd driver), virtual keys. Exit status 0 when \\
            nothing is a problem, 1 otherwise. JSON: [{check, status: ok|warning|problem, detail, fix}].
            """)

    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("rules-dir"), help: "Where udev rules are installed.") var rulesDirectory = UdevRules.defaultDirectory
    @Option(name: .customLong("vkey-dir"), help: "Directory of virtual-key sockets.") var virtualKeyDirectory: String?

    func run() async throws {
        let findings = DoctorChecks.all(
            rulesDirectory: rulesDirectory,
            virtualKeyDirectory: virtualKeyDirectory ?? DeviceDiscovery.defaultVirtualKeyDirectory())
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
