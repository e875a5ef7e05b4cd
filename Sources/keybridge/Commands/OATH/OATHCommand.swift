import ArgumentParser
import KeyBridgePCSC
import Foundation
import KeyBridgeYKOATH

struct OATHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oath",
        abstract: "OATH (TOTP/HOTP) accounts on a hardware token (the YKOATH applet) over PC/SC.",
        discussion: """
            Works with any token that has the YKOATH applet (YubiKeys and compatible keys) on a \
            PC/SC reader, and with keybridge's virtual card (`keybridge vkey serve --vpcd`). \
            A password-protected applet is unlocked with --password-file or KEYBRIDGE_OATH_PASSWORD.
            """,
        subcommands: [List.self, Code.self, Add.self, Delete.self, Rename.self, Password.self, Reset.self])

    struct AccountJSON: Encodable {
        var name: String
        var issuer: String?
        var account: String
        var type: String
        var algorithm: String
        var period: Int
        var touchRequired: Bool?

        init(_ credential: OATHCredential) {
            name = credential.name
            issuer = credential.issuer
            account = credential.account
            type = credential.kind.rawValue
            algorithm = credential.algorithm.rawValue
            period = credential.period
            touchRequired = credential.touchRequired
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the accounts on the token.",
            discussion: "JSON: [{name, issuer, account, type, algorithm, period}].")
        @OptionGroup var output: OutputOptions
        @OptionGroup var oath: OATHOptions

        func run() async throws {
            try await OATHReporting.run(json: output.json) {
                let (session, card) = try oath.open()
                defer { card.disconnect() }
                let accounts = try session.list()
                if output.json { return try Output.json(accounts.map(AccountJSON.init)) }
                accounts.forEach { Output.line($0.name) }
            }
        }
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show current codes (optionally only accounts whose name contains QUERY).",
            discussion: """
                TOTP codes for every account are computed in one exchange; HOTP accounts and accounts \
                that need a touch are computed only when the query selects exactly that account. \
                JSON: [{name, issuer, account, type, code, validFrom, validTo, status}] where status is \
                "ok", "hotp" (not computed) or "touchRequired".
                """)
        @OptionGroup var output: OutputOptions
        @OptionGroup var oath: OATHOptions
        @Argument(help: "Only accounts whose name contains this text (case-insensitive).") var query: String?

        struct CodeJSON: Encodable {
            var name: String
            var issuer: String?
            var account: String
            var type: String
            var code: String?
            var validFrom: Int?
            var validTo: Int?
            var status: String
        }

        func run() async throws {
            try await OATHReporting.run(json: output.json) {
                let (session, card) = try oath.open()
                defer { card.disconnect() }
                let now = Date()
                var results = try session.calculateAll(at: now)
                if let query {
                    results = results.filter { $0.0.name.lowercased().contains(query.lowercased()) }
                    if results.count == 1, results[0].1 != .value("") {
                        // A single selected account: compute HOTP / touch codes too.
                        let (credential, code) = results[0]
                        if case .value = code {} else {
                            let full = try session.list().first { $0.name == credential.name } ?? credential
                            results = [(full, .value(try session.calculate(full, at: now)))]
                        }
                    }
                }
                let rows = results.map { credential, code -> CodeJSON in
                    let step = Int(now.timeIntervalSince1970) / credential.period * credential.period
                    switch code {
                    case .value(let value):
                        return CodeJSON(
                            name: credential.name, issuer: credential.issuer, account: credential.account,
                            type: credential.kind.rawValue, code: value,
                            validFrom: credential.kind == .totp ? step : nil,
                            validTo: credential.kind == .totp ? step + credential.period : nil, status: "ok")
                    case .hotpNotComputed:
                        return CodeJSON(
                            name: credential.name, issuer: credential.issuer, account: credential.account, type: "hotp",
                            status: "hotp")
                    case .touchRequired:
                        return CodeJSON(
                            name: credential.name, issuer: credential.issuer, account: credential.account, type: "totp",
                            status: "touchRequired")
                    }
                }
                if output.json { return try Output.json(rows) }
                for row in rows {
                    let shown = row.code ?? (row.status == "hotp" ? "[HOTP: name it to compute]" : "[touch required]")
                    Output.line("\(row.name.padding(toLength: max(24, row.name.count), withPad: " ", startingAt: 0))  \(shown)")
                }
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add an account from an otpauth:// URI or from fields.",
            discussion: "JSON: {\"added\": NAME}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var oath: OATHOptions
        @Option(name: .long, help: "An otpauth://totp/… or otpauth://hotp/… URI.") var uri: String?
        @Option(name: .long, help: "Account name (with --secret).") var account: String?
        @Option(name: .long, help: "Issuer.") var issuer: String?
        @Option(name: .long, help: "Base32 secret (with --account).") var secret: String?
        @Option(name: .long, help: "totp or hotp.") var type = "totp"
        @Option(name: .long, help: "SHA1, SHA256 or SHA512.") var algorithm = "SHA1"
        @Option(name: .long, help: "Digits, 6 to 8.") var digits = 6
        @Option(name: .long, help: "TOTP period in seconds.") var period = 30
        @Option(name: .long, help: "HOTP initial counter.") var counter: UInt64 = 0
        @Flag(name: .long, help: "Require a touch to compute codes.") var touch = false

        func validate() throws {
            try OptionRange.check(digits, "--digits", 6...8)
            try OptionRange.check(period, "--period", 1...86_400)
        }

        func run() async throws {
            try await OATHReporting.run(json: output.json) {
                let parsed: OTPAuthURI
                if let uri {
                    parsed = try OTPAuthURI(parsing: uri)
                } else {
                    guard let account, let secret else {
                        throw OATHError.invalidCredential("give --uri, or --account with --secret")
                    }
                    guard let bytes = Base32.decode(secret), !bytes.isEmpty else {
                        throw OATHError.invalidCredential("the secret is not Base32")
                    }
                    guard let kind = OTPAuthURI.Kind(rawValue: type.lowercased()) else {
                        throw OATHError.invalidCredential("--type must be totp or hotp")
                    }
                    guard let hash = OTPAlgorithm(name: algorithm) else {
                        throw OATHError.invalidCredential("--algorithm must be SHA1, SHA256 or SHA512")
                    }
                    parsed = OTPAuthURI(
                        kind: kind, issuer: issuer, account: account, secret: bytes, algorithm: hash, digits: digits,
                        period: period, counter: counter)
                }
                let (session, card) = try oath.open()
                defer { card.disconnect() }
                try session.put(parsed, touchRequired: touch)
                let name = OATHCredential(
                    issuer: parsed.issuer, account: parsed.account, kind: parsed.kind == .hotp ? .hotp : .totp,
                    period: parsed.period
                ).name
                if output.json { return try Output.json(["added": name]) }
                Output.line("Added \(name).")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account.", discussion: "JSON: {\"deleted\": NAME}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var oath: OATHOptions
        @Argument(help: "The account's full name, as `oath list` shows it.") var name: String

        func run() async throws {
            try await OATHReporting.run(json: output.json) {
                let (session, card) = try oath.open()
                defer { card.disconnect() }
                try session.delete(name: name)
                if output.json { return try Output.json(["deleted": name]) }
                Output.line("Deleted \(name).")
            }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rename an account (applet 5.3.1 or later).", discussion: "JSON: {\"renamed\": OLD, \"to\": NEW}.")
        @OptionGroup var output: OutputOptions
        @OptionGroup var oath: OATHOptions
        @Argument(help: "The current full name.") var name: String
        @Argument(help: "The new full name ([issuer:]account).") var newName: String

        func run() async throws {
            try await OATHReporting.run(json: output.json) {
                let (session, card) = try oath.open()
                defer { card.disconnect() }
                try session.rename(name: name, to: newName)
                if output.json { return try Output.json(["renamed": name, "to": newName]) }
                Output.line("Renamed \(name) to \(newName).")
            }
        }
    }

    struct Password: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set or clear the applet password.", subcommands: [Set.self, Clear.self])

        struct Set: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Set a new password (from --new-password-file, KEYBRIDGE_OATH_NEW_PASSWORD or a prompt).",
                discussion: "JSON: {\"passwordSet\": true}.")
            @OptionGroup var output: OutputOptions
            @OptionGroup var oath: OATHOptions
            @Option(name: .customLong("new-password-file"), help: "Read the new password from this file.")
            var newPasswordFile: String?

            func run() async throws {
                try await OATHReporting.run(json: output.json) {
                    guard let newPassword = try PINInput.read(
                        file: newPasswordFile, environment: "KEYBRIDGE_OATH_NEW_PASSWORD", prompt: "New OATH password: "),
                        !newPassword.isEmpty
                    else { throw OATHError.invalidCredential("no new password given") }
                    let (session, card) = try oath.open()
                    defer { card.disconnect() }
                    try session.setPassword(newPassword)
                    if output.json { return try Output.json(["passwordSet": true]) }
                    Output.line("OATH password set.")
                }
            }
        }

        struct Clear: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove the password.", discussion: "JSON: {\"passwordCleared\": true}.")
            @OptionGroup var output: OutputOptions
            @OptionGroup var oath: OATHOptions

            func run() async throws {
                try await OATHReporting.run(json: output.json) {
                    let (session, card) = try oath.open()
                    defer { card.disconnect() }
                    try session.clearPassword()
                    if output.json { return try Output.json(["passwordCleared": true]) }
                    Output.line("OATH password removed.")
                }
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase every OATH account and the password.",
            discussion: "Needs --yes. Works on a locked applet. JSON: {\"reset\": true}.")
        @OptionGroup var output: OutputOptions
        @Option(name: .long, help: "The token (nfc:<reader>).") var device: String?
        @Flag(name: .long, help: "Confirm erasing every account.") var yes = false

        func run() async throws {
            try await OATHReporting.run(json: output.json) {
                guard yes else { throw OATHError.invalidCredential("a reset erases every account: confirm with --yes") }
                // Reset works while locked: connect without unlocking.
                let card: PCSCCard
                do {
                    let context = try PCSCContext()
                    var reader = try context.statuses().first(where: \.cardPresent)?.reader ?? ""
                    if let device { reader = device.hasPrefix("nfc:") ? String(device.dropFirst(4)) : device }
                    card = try context.connect(reader: reader)
                } catch let error as PCSCError {
                    throw OATHError.pcsc(error)
                }
                defer { card.disconnect() }
                try OATHSession(card: card).reset()
                if output.json { return try Output.json(["reset": true]) }
                Output.line("OATH applet reset.")
            }
        }
    }
}
