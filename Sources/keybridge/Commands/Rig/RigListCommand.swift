import ArgumentParser
import Foundation
import KeyBridgeRig

/// `keybridge rig list`: the conformance tests, their sections and tags.
struct RigListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the conformance tests with their CTAP 2.1 sections and tags.",
        discussion: "JSON: [{id, title, section, tags}].")

    @OptionGroup var output: OutputOptions
    @Option(name: .long, parsing: .upToNextOption, help: "Only tests with one of these tags.") var tags: [String] = []

    struct Entry: Encodable {
        var id: String
        var title: String
        var section: String
        var tags: [String]
    }

    func run() throws {
        let tests = ConformanceSuite.selected(tags: Set(tags.flatMap { $0.split(separator: ",").map(String.init) }))
        if output.json {
            try Output.json(tests.map { Entry(id: $0.id, title: $0.title, section: $0.section, tags: $0.tags) })
            return
        }
        for test in tests {
            Output.line("\(test.id)  §\(test.section)  [\(test.tags.joined(separator: ","))]  \(test.title)")
        }
        Output.line("\(tests.count) tests; tags: \(ConformanceSuite.tags.joined(separator: ", "))")
    }
}
