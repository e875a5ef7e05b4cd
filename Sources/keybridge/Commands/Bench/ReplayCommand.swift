import ArgumentParser
import Foundation
import KeyBridgeFIDO
import KeyBridgePCSC

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Time bare SCardTransmit replays of recorded APDU sequences (the PC/SC floor for a benchmark).",
        discussion: """
            Reads a JSON object {"name": ["hex APDU", …], …} and, for each named sequence, sends its APDUs \
            with nothing but SCardTransmit, --iterations times. Sequences whose name starts with "_" are \
            sent once first, untimed (for example the SELECT of the applet). JSON: [{operation, count, minimum, median, \
            p95, mean, maximum}] in milliseconds per sequence.
            """)

    @OptionGroup var output: OutputOptions
    @Option(name: .long, help: "The PC/SC reader.") var reader: String
    @Option(name: .long, help: "JSON file of named APDU sequences.") var apdus: String
    @Option(name: .long, help: "Timed replays of each sequence.") var iterations = 100

    func validate() throws { try OptionRange.check(iterations, "--iterations", 1...1_000_000) }

    func run() async throws {
        try await Output.reporting(json: output.json) {
            guard let data = FileManager.default.contents(atPath: apdus),
                let object = try JSONSerialization.jsonObject(with: data) as? [String: [String]]
            else { throw KeyBridgeError.invalidArgument("\(apdus) must hold {\"name\": [\"hex APDU\", …]}") }
            let card: PCSCCard
            do {
                card = try PCSCContext().connect(reader: reader, exclusive: true)
            } catch {
                throw KeyBridgeError.transport("\(error)")
            }
            defer { card.disconnect() }
            var summaries: [LatencySummary] = []
            let clock = ContinuousClock()
            for name in object.keys.sorted() where name.hasPrefix("_") {
                for apdu in object[name]!.map(Self.bytes) {
                    do { _ = try card.transmit(apdu) } catch { throw KeyBridgeError.transport("\(error)") }
                }
            }
            for name in object.keys.sorted() where !name.hasPrefix("_") {
                let sequence = object[name]!.map(Self.bytes)
                var samples: [Duration] = []
                for round in 0..<(iterations + 3) {
                    let elapsed = try clock.measure {
                        for apdu in sequence {
                            do { _ = try card.transmit(apdu) } catch { throw KeyBridgeError.transport("\(error)") }
                        }
                    }
                    if round >= 3 { samples.append(elapsed) }
                }
                summaries.append(LatencySummary(operation: name, samples: samples))
            }
            if output.json { return try Output.json(summaries) }
            Output.line(LatencySummary.header)
            summaries.forEach { Output.line($0.row) }
        }
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
