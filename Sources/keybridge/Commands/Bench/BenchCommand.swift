import ArgumentParser
import Foundation
import KeyBridgeFIDO

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure make-credential and get-assertion latency on a key (for test rigs).",
        discussion: """
            Opens the key once, then times --iterations make-credential and get-assertion calls \
            (non-discoverable ES256, touch required). Use it on a virtual key or on a key that \
            approves presence by itself. JSON: [{operation, count, minimum, median, p95, mean, maximum}] \
            in milliseconds.
            """,
        subcommands: [ReplayCommand.self, VerifyBenchCommand.self, MetadataBenchCommand.self])

    @OptionGroup var output: OutputOptions
    @OptionGroup var deviceOptions: DeviceOptions
    @OptionGroup var pinOptions: PINOptions
    @Option(name: .long, help: "Timed calls of each operation.") var iterations = 50
    @Option(name: .long, help: "Untimed calls first.") var warmup = 3

    func validate() throws {
        try OptionRange.check(iterations, "--iterations", 1...1_000_000)
        try OptionRange.check(warmup, "--warmup", 0...10_000)
    }

    func run() async throws {
        try await Output.reporting(json: output.json) {
            let key = try await deviceOptions.open()
            let pin = try await key.info().hasPIN ? try pinOptions.requiredPIN() : nil
            var create: [Duration] = []
            var get: [Duration] = []
            let clock = ContinuousClock()
            for round in 0..<(warmup + iterations) {
                var request = MakeCredentialRequest(
                    relyingParty: RelyingParty(id: "bench.keybridge.test"),
                    user: UserEntity(id: BinaryArgument.random(count: 16), name: "bench"),
                    clientData: .challenge(BinaryArgument.random(count: 32), origin: "https://bench.keybridge.test"))
                request.algorithms = [.es256]
                request.pin = pin
                request.timeout = deviceOptions.timeoutDuration
                var registration: RegistrationResponseJSON?
                let made = try await clock.measure { registration = try await key.makeCredential(request) }
                var signIn = GetAssertionRequest(
                    relyingPartyID: "bench.keybridge.test",
                    clientData: .challenge(BinaryArgument.random(count: 32), origin: "https://bench.keybridge.test"))
                signIn.allowCredentials = [Base64URL.decode(registration!.id)!]
                signIn.timeout = deviceOptions.timeoutDuration
                let signed = try await clock.measure { _ = try await key.getAssertion(signIn) }
                if round >= warmup {
                    create.append(made)
                    get.append(signed)
                }
            }
            await key.close()
            let summaries = [
                LatencySummary(operation: "make-credential", samples: create),
                LatencySummary(operation: "get-assertion", samples: get),
            ]
            if output.json { return try Output.json(summaries) }
            Output.line(LatencySummary.header)
            summaries.forEach { Output.line($0.row) }
        }
    }
}
