import ArgumentParser
import Foundation
import KeyBridgeGraphClient
import KeyBridgeRegistration

/// Whose security info, in which tenant.
struct SubjectOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The user's principal name.", valueName: "upn")) var user: String
    @Option(name: .long, help: ArgumentHelp("The tenant (default: the user's home tenant; a guest's resource tenant by id).", valueName: "id"))
    var tenant: String?

    /// The tenant to work in.
    func resolvedTenant(_ service: RegistrationService) async throws -> String {
        if let tenant { return tenant }
        guard let record = try await service.store.user(upn: user) else { throw RegistrationError.userNotFound(user) }
        return record.homeTenant
    }
}

/// A `keybridge serve` (or Microsoft Graph) to work through instead of a local directory.
struct ServerOptions: ParsableArguments {
    static let serverVariable = "KEYBRIDGE_SERVER"
    static let tokenFileVariable = "KEYBRIDGE_TOKEN_FILE"

    @Option(
        name: .customLong("server"),
        help: ArgumentHelp(
            "Work through this keybridge server (its Graph API) instead of a local directory: http(s)://host:port (default: $KEYBRIDGE_SERVER). Not with --directory.",
            valueName: "url"))
    var url: String?

    @Option(
        name: .customLong("token-file"),
        help: ArgumentHelp(
            "The file whose first line is the server's API token, from `keybridge admin token issue` (--scope manage read for security-info, --scope kiosk for the kiosk; default: $KEYBRIDGE_TOKEN_FILE); without one, security-info signs the user in with --tap-file, --otp-code or --mfa-device. The token is never printed.",
            valueName: "file"))
    var tokenFile: String?

    /// The server to work through, or nil for the local directory. A flag beats the other's
    /// environment variable; both flags, or both variables without a flag, are refused.
    func chosenURL(directory: DirectoryOptions) throws -> String? {
        let environment = ProcessInfo.processInfo.environment
        func set(_ name: String) -> Bool { environment[name].map { !$0.isEmpty } ?? false }
        if url != nil, directory.path != nil {
            throw RegistrationError.invalidInput(
                "--server and --directory are mutually exclusive: work through a server or on a local directory")
        }
        if let url { return url }
        if directory.path != nil { return nil }
        if set(Self.serverVariable), set(DirectoryLocation.environmentVariable) {
            throw RegistrationError.invalidInput(
                "both $KEYBRIDGE_SERVER and $KEYBRIDGE_DIRECTORY are set: unset one, or choose with --server or --directory")
        }
        return set(Self.serverVariable) ? environment[Self.serverVariable] : nil
    }

    private static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The bearer token, the first line of the token file; nil when no token file is named
    /// (the user then signs in with their own proof).
    func token() throws -> String? {
        guard let path = tokenFile ?? Self.environment(Self.tokenFileVariable) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RegistrationError.invalidInput("the token file \(path) cannot be read")
        }
        let first = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let token = first.trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw RegistrationError.invalidInput("the token file \(path) has no token on its first line") }
        return token
    }
}

/// Everything a security-info command needs to open the user's page.
struct SecurityInfoGate: ParsableArguments {
    @OptionGroup var subject: SubjectOptions
    @OptionGroup var directory: DirectoryOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var client: ClientOptions
    @OptionGroup var mfa: MFAOptions
    @OptionGroup var devices: DeviceOptions
    @OptionGroup var pin: PINOptions

    /// The server to work through, or nil for the local directory.
    func serverURL() throws -> String? { try server.chosenURL(directory: directory) }

    /// A client of the server when one is chosen: with an API token (its scopes, not MFA,
    /// authorize it), or else signed in as the user with their own proof (a pass, a code or a key).
    func remote() async throws -> GraphClient? {
        guard let url = try serverURL() else { return nil }
        if let token = try server.token() { return try GraphClient(server: url, token: token, tenant: subject.tenant) }
        guard let proof = try await mfa.serverProof(server: url, upn: subject.user, tenant: subject.tenant, devices: devices, pin: pin) else {
            throw RegistrationError.invalidInput(
                "--server needs --token-file (or $KEYBRIDGE_TOKEN_FILE) with an API token, or your own proof: --tap-file (or KEYBRIDGE_TAP), --otp-code or --mfa-device")
        }
        return try await GraphClient.signIn(server: url, upn: subject.user, tenant: subject.tenant, proof: proof)
    }

    /// Refuses a server for commands that work on a local directory only.
    func requireLocal(_ command: String) throws {
        guard try serverURL() == nil else {
            throw RegistrationError.invalidInput(
                "`security-info \(command)` opens a local directory; with --server this command goes through the server")
        }
    }

    /// Opens manage mode: MFA proof (asked for when needed) and the access rule.
    func open(_ command: String = "this command") async throws -> (service: RegistrationService, session: ManageSession) {
        try requireLocal(command)
        let service = try await directory.existingService()
        let tenant = try await subject.resolvedTenant(service)
        let proof = try await mfa.proof(service: service, upn: subject.user, tenant: tenant, devices: devices, pin: pin)
        let session = try await ManageSession.open(service, upn: subject.user, tenant: tenant, client: client.context, proof: proof)
        return (service, session)
    }
}

/// Reads one answer line from stdin after a prompt on stderr (codes, names).
enum LineInput {
    static func ask(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        guard let line = readLine(strippingNewline: true) else {
            throw RegistrationError.invalidInput("no answer to \"\(prompt.trimmingCharacters(in: .whitespaces))\" (stdin closed)")
        }
        return line.trimmingCharacters(in: .whitespaces)
    }
}
