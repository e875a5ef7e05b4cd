import ArgumentParser
import Foundation
import KeyBridgeRegistration

struct AddSecurityQuestions: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "security-questions",
        abstract: "Register answers to three security questions (for password reset only).",
        discussion: """
            Answers are normalised (case, spaces) and stored only as PBKDF2 hashes. Non-interactive: \
            --answers-file with a JSON array [{"question": …, "answer": …}]. JSON: {method}.
            """)
    @OptionGroup var output: OutputOptions
    @OptionGroup var gate: SecurityInfoGate
    @Option(name: .customLong("answers-file"), help: ArgumentHelp("JSON questions and answers.", valueName: "file"))
    var answersFile: String?

    struct Answer: Decodable {
        var question: String
        var answer: String
    }

    func run() async throws {
        let catalog = gate.directory.catalog
        try await Output.reporting(json: output.json, catalog: catalog) {
            // Locally the page opens (MFA) before the questions are asked; a server is asked after.
            let remote = try await gate.remote()
            let session = remote == nil ? try await gate.open("add \(Self.configuration.commandName ?? "")").session : nil
            let answers = try readAnswers()
            let method =
                if let session {
                    try await session.registerSecurityQuestions(answers)
                } else {
                    try await remote?.registerSecurityQuestions(user: gate.subject.user, answers: answers)
                }
            guard let method else { return }
            if output.json { return try Output.json(["method": MethodJSON(method, catalog: catalog)]) }
            Output.line("Registered \(method.displayValue) [\(method.id)].")
        }
    }

    /// The questions and answers, from --answers-file or asked on the terminal (answers without echo).
    private func readAnswers() throws -> [(question: String, answer: String)] {
        if let answersFile {
            guard let data = FileManager.default.contents(atPath: answersFile),
                let decoded = try? JSONDecoder().decode([Answer].self, from: data)
            else { throw RegistrationError.invalidInput("\(answersFile) is not a JSON array of {question, answer}") }
            return decoded.map { ($0.question, $0.answer) }
        }
        var answers: [(question: String, answer: String)] = []
        for number in 1...ManageSession.requiredSecurityQuestions {
            let question = try LineInput.ask("Question \(number): ")
            let answer = PINInput.readWithoutEcho(prompt: "Answer \(number) (not shown): ") ?? ""
            answers.append((question, answer))
        }
        return answers
    }
}

struct AddAppPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app-password",
        abstract: "Create an app password (users enforced through per-user MFA only).",
        discussion: "The password is printed once and stored only as a salted hash. JSON: {method, password}.")
    @OptionGroup var output: OutputOptions
    @OptionGroup var gate: SecurityInfoGate
    @Option(name: .long, help: ArgumentHelp("What it is for, e.g. \"mail client\".", valueName: "text")) var name: String

    struct Created: Encodable {
        var method: MethodJSON
        var password: String
    }

    func run() async throws {
        let catalog = gate.directory.catalog
        try await Output.reporting(json: output.json, catalog: catalog) {
            let (method, password) =
                if let remote = try await gate.remote() {
                    try await remote.createAppPassword(user: gate.subject.user, name: name)
                } else {
                    try await gate.open("add \(Self.configuration.commandName ?? "")").session.createAppPassword(name: name)
                }
            if output.json { return try Output.json(Created(method: MethodJSON(method, catalog: catalog), password: password)) }
            Output.line("App password for \"\(name)\" (shown once): \(password)")
        }
    }
}
