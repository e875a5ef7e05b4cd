import ArgumentParser
import Foundation
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

/// Everything a security-info command needs to open the user's page.
struct SecurityInfoGate: ParsableArguments {
    @OptionGroup var subject: SubjectOptions
    @OptionGroup var directory: DirectoryOptions
    @OptionGroup var client: ClientOptions
    @OptionGroup var mfa: MFAOptions
    @OptionGroup var devices: DeviceOptions
    @OptionGroup var pin: PINOptions

    /// Opens manage mode: MFA proof (asked for when needed) and the access rule.
    func open() async throws -> (service: RegistrationService, session: ManageSession) {
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
