import ArgumentParser
import KeyBridgeRegistration

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group", abstract: "Group membership (policies target groups).",
        subcommands: [AddMember.self, RemoveMember.self, List.self])

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Put a user in a group.", discussion: "JSON: the user.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long) var group: String
        @Option(name: .long, help: ArgumentHelp("User principal name.", valueName: "upn")) var upn: String

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let user = try await UserCommand.edit(options, upn: upn) { if !$0.groups.contains(group) { $0.groups.append(group) } }
                if output.json { return try Output.json(user) }
                Output.line("\(upn) is in \(group).")
            }
        }
    }

    struct RemoveMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove-member", abstract: "Take a user out of a group.", discussion: "JSON: the user.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions
        @Option(name: .long) var group: String
        @Option(name: .long, help: ArgumentHelp("User principal name.", valueName: "upn")) var upn: String

        func run() async throws {
            try await Output.reporting(json: output.json) {
                let user = try await UserCommand.edit(options, upn: upn) { $0.groups.removeAll { $0 == group } }
                if output.json { return try Output.json(user) }
                Output.line("\(upn) is no longer in \(group).")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every group and its members.", discussion: "JSON: {GROUP: [upn]}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var options: AdminOptions

        func run() async throws {
            try await Output.reporting(json: output.json) {
                var groups: [String: [String]] = [:]
                for user in try await options.directory.existingService().store.users() {
                    for group in user.groups { groups[group, default: []].append(user.upn) }
                }
                if output.json { return try Output.json(groups) }
                for (group, members) in groups.sorted(by: { $0.key < $1.key }) { Output.line("\(group): \(members.joined(separator: ", "))") }
            }
        }
    }
}
