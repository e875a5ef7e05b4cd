import ArgumentParser
import Foundation
import KeyBridgeFIDO
import KeyBridgeRig

/// `keybridge rig run`: the test runner for hardware rigs.
struct RigRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the conformance, endurance and latency suites on many keys in parallel.",
        discussion: """
            One worker per key (USB HID, NFC readers and virtual keys, mixed), at most --parallel at \
            a time. Keys are named in reports by serial number and AAGUID, so a key that comes back \
            on another hidraw node after a power cycle is found again. A key that dies or is pulled \
            fails its own remaining tests; the others go on.

            SUITES
              conformance  tests written from the CTAP 2.1 specification, each naming its section \
            (`keybridge rig list`). It ERASES every key it runs on (authenticatorReset before each \
            test that needs a known state), so it needs --allow-reset. A test whose feature getInfo \
            does not list is skipped.
              endurance    --operations make-credential, get-assertion and PIN-token calls per key, \
            every reply checked; the signature counter must only rise and the rig's memory stay \
            flat. With --allow-reset the key is reset and given the suite's PIN first.
              latency      --latency-operations getInfo, make-credential and get-assertion calls.
            Latencies are HdrHistograms: p50, p90, p99 and maximum per operation per key.

            POWER AND PRESENCE
            Tests that need a power cycle (three wrong PINs, eight wrong PINs) use --power-hook; \
            without one, keybridge cycles what it controls itself: a virtual key through its control \
            socket, a contactless card by powering it down through PC/SC. Otherwise they are reported \
            needs-power-cycle, not failed. When a key waits for a touch (KEEPALIVE UPNEEDED), \
            --presence-hook is run, or a virtual key is touched through its control socket. Hooks run \
            through /bin/sh -c with KEYBRIDGE_RIG_ACTION (power-cycle or touch), KEYBRIDGE_RIG_DEVICE, \
            KEYBRIDGE_RIG_SERIAL and KEYBRIDGE_RIG_AAGUID set, and must exit 0.

            REPORTS
            --junit FILE writes JUnit XML (one <testsuite> per key), --json FILE the JSON report \
            (schema keybridge.rig/1, described in the README). Both are rewritten as results come, so \
            an interrupted run keeps what it did. A summary table goes to stderr; --json-stdout prints \
            the JSON report on stdout too.

            EXIT STATUS
              0   every test passed or was skipped
              2   invalid arguments
              3   no key matched --devices
              15  a test failed or errored (see the reports)
              130 interrupted (reports hold the results so far)
            """)

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Keys to test: all, or device ids / serial numbers (`keybridge devices`).", valueName: "all|ID"))
    var devices: [String] = ["all"]
    @Option(name: .long, help: ArgumentHelp("conformance, endurance, latency, or all; several separated by commas.", valueName: "suites"))
    var suite = "conformance"
    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("Only conformance tests with one of these tags (see `keybridge rig list`).", valueName: "tag"))
    var tags: [String] = []
    @Option(name: .long, help: "Keys tested at the same time.") var parallel = 8
    @Option(name: .long, help: ArgumentHelp("Write JUnit XML here.", valueName: "file")) var junit: String?
    @Option(name: .customLong("json"), help: ArgumentHelp("Write the JSON report here.", valueName: "file")) var jsonPath: String?
    @Flag(name: .customLong("json-stdout"), help: "Also print the JSON report on stdout.") var jsonStdout = false
    @Option(name: .customLong("presence-hook"), help: ArgumentHelp("Command that touches the key.", valueName: "cmd")) var presenceHook: String?
    @Option(name: .customLong("power-hook"), help: ArgumentHelp("Command that cycles the key's power.", valueName: "cmd")) var powerHook: String?
    @Option(name: .long, help: "Endurance operations of each kind per key.") var operations = 200
    @Option(name: .customLong("latency-operations"), help: "Latency operations of each kind per key.") var latencyOperations = 50
    @Flag(name: .customLong("allow-reset"), help: "Allow erasing the keys (the conformance suite needs it).") var allowReset = false
    @Option(name: .long, help: "Seconds one request may take, touches included.") var timeout = 30.0
    @OptionGroup var pinOptions: PINOptions

    var suites: [RigSuite] {
        get throws {
            var list: [RigSuite] = []
            for name in suite.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if name == "all" { return RigSuite.allCases }
                guard let one = RigSuite(rawValue: name) else {
                    throw ValidationError("--suite \(name): use conformance, endurance, latency or all")
                }
                if !list.contains(one) { list.append(one) }
            }
            return list
        }
    }

    func validate() throws {
        try OptionRange.check(parallel, "--parallel", 1...256)
        try OptionRange.check(operations, "--operations", 1...10_000_000)
        try OptionRange.check(latencyOperations, "--latency-operations", 1...1_000_000)
        try OptionRange.check(timeout, "--timeout", OptionRange.waitSeconds)
        let chosen = try suites
        if chosen.contains(.conformance) && !allowReset {
            throw ValidationError("the conformance suite erases every key it tests: add --allow-reset to go on")
        }
        let known = Set(ConformanceSuite.tags)
        for tag in tags.flatMap({ $0.split(separator: ",").map(String.init) }) where !known.contains(tag) {
            throw ValidationError("--tags \(tag): no test has it; tags are \(known.sorted().joined(separator: ", "))")
        }
    }

    func run() throws {
        let keys = try selectKeys()
        let pin = try pinOptions.currentPIN(prompt: "PIN of the keys under test (empty for none): ").flatMap { $0.isEmpty ? nil : $0 }
        let plan = RigPlan(
            suites: try suites, tags: Set(tags.flatMap { $0.split(separator: ",").map(String.init) }),
            enduranceOperations: operations, latencyOperations: latencyOperations, pin: pin, allowReset: allowReset,
            requestTimeout: timeout)
        let files = ReportFiles(jsonPath: jsonPath, junitPath: junit)
        let progress = RigProgress(keys: keys.count)
        let runner = RigRunner(
            keys: keys.map { RigKey(descriptor: $0, hooks: RigHooks(powerHook: powerHook, presenceHook: presenceHook, timeout: timeout)) },
            plan: plan, parallel: parallel
        ) { report in
            do {
                try files.update(report)
            } catch {
                Output.note("keybridge: cannot write the reports: \(error)")
            }
            progress.show(report)
        }
        let interrupt = RigInterrupt { try? files.update(runner.current, force: true) }
        defer { interrupt.stop() }
        Output.note("keybridge rig: \(keys.count) key(s), suites \(plan.suites.map(\.rawValue).joined(separator: ",")), up to \(parallel) at a time")
        let report = runner.run()
        try files.update(report, force: true)
        progress.finish()
        FileHandle.standardError.write(Data(SummaryTable.render(report).utf8))
        if jsonStdout { FileHandle.standardOutput.write(try ReportFiles.json(report) + Data("\n".utf8)) }
        if report.counts.anyFailure { throw ExitCode(15) }
    }

    /// The keys named by --devices (exit 3, naming the missing one, when one is not connected).
    private func selectKeys() throws -> [DeviceDescriptor] {
        do {
            return try RigKeySelection.keys(devices)
        } catch {
            if case .deviceNotFound("") = error {
                Output.note("keybridge rig: no security key is connected")
            } else {
                Output.note("keybridge rig: \(error)")
            }
            throw ExitCode(3)
        }
    }
}
