import ArgumentParser
import Foundation
import KeyBridgeRegistration
import Yams

/// What every admin command shares: the directory, where it runs, and who the admin is.
struct AdminOptions: ParsableArguments {
    @OptionGroup var directory: DirectoryOptions
    @OptionGroup var client: ClientOptions
    @Option(name: .customLong("admin"), help: ArgumentHelp("Who is acting, for the audit log (default: the login name).", valueName: "name"))
    var admin: String?

    var actor: String { admin ?? LocalMachine.userName() }
}

/// JSON or YAML for policy documents.
enum DocumentFormat: String, ExpressibleByArgument, CaseIterable {
    case json, yaml

    /// The format of `path` by its extension (YAML for .yaml/.yml, else JSON).
    static func guess(_ path: String) -> DocumentFormat {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml") ? .yaml : .json
    }

    func encode<T: Encodable>(_ value: T) throws -> String {
        switch self {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        case .yaml:
            let encoder = YAMLEncoder()
            encoder.options.sortKeys = true
            return try encoder.encode(value)
        }
    }

    /// Decodes a policy document; every problem becomes `invalidPolicy` naming the member.
    func decode<T: Decodable>(_ type: T.Type, from text: String) throws(RegistrationError) -> T {
        do {
            switch self {
            case .json: return try JSONDecoder().decode(type, from: Data(text.utf8))
            case .yaml: return try YAMLDecoder().decode(type, from: text)
            }
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw .invalidPolicy(syntaxError(in: text, underlying: context.underlyingError))
            }
            throw .invalidPolicy(Self.describe(error))
        } catch {
            throw .invalidPolicy("not valid \(rawValue.uppercased()): \(error)")
        }
    }

    /// Where the document stops parsing: YAML's parser names the line and column itself; for JSON
    /// the character offset Foundation reports is turned into a line and column.
    private func syntaxError(in text: String, underlying: (any Error)?) -> String {
        if self == .yaml {
            // Yams's first line names the line and column ("6:1: error: parser: … in line 5, column 15").
            let first = underlying.map { "\($0)".split(separator: "\n").first.map(String.init) ?? "\($0)" } ?? "unreadable"
            return "not valid YAML: \(first)"
        }
        do {
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8))
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            if let match = reason.firstMatch(of: /character (\d+)/), let offset = Int(match.output.1) {
                let prefix = text.utf8.prefix(offset)
                let line = prefix.filter { $0 == 0x0A }.count + 1
                let column = prefix.count - (prefix.lastIndex(of: 0x0A).map { prefix.distance(from: prefix.startIndex, to: $0) + 1 } ?? 0) + 1
                return "not valid JSON at line \(line), column \(column): \(reason.replacingOccurrences(of: " around character \(offset)", with: ""))"
            }
            return "not valid JSON: \(reason)"
        }
        return "not valid JSON"
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the document" : String(text.drop { $0 == "." })
        }
        switch error {
        case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context): return "\(path(context.codingPath)) must be \(type)"
        case .valueNotFound(let type, let context): return "\(path(context.codingPath)) must be \(type), not null"
        @unknown default: return "\(error)"
        }
    }
}

/// The text of an input file named on the command line; `-` is stdin.
enum InputFile {
    static func text(_ path: String) throws(RegistrationError) -> String {
        if path == "-" { return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw .invalidInput("cannot read \(path)") }
        return text
    }
}
