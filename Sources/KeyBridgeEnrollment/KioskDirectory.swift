import KeyBridgeRegistration

/// A new hire as the kiosk greets them.
public struct KioskNewHire: Sendable, Equatable {
    public var upn: String
    public var displayName: String
    /// Whether opening their security info needs a proof (a Temporary Access Pass at the kiosk).
    public var needsPass: Bool

    public init(upn: String, displayName: String, needsPass: Bool) {
        self.upn = upn
        self.displayName = displayName
        self.needsPass = needsPass
    }
}

/// One new hire's security info, opened for enrolling their key: the ``EnrollmentDirectory`` a
/// ``KeyEnrollment`` registers through, and what ends it when the person is done (a server
/// session signed out).
public struct KioskEnrollmentSession: Sendable {
    public let directory: any EnrollmentDirectory
    public let end: @Sendable () async -> Void

    public init(directory: any EnrollmentDirectory, end: @escaping @Sendable () async -> Void = {}) {
        self.directory = directory
        self.end = end
    }
}

/// The directory side of the HR-onboarding kiosk: who may run it, who the new hire is, their
/// pass, and the security info their key is registered into. Two directories implement it: the
/// embedded or shared store in this process (``LocalKioskDirectory``), and a `keybridge serve`
/// reached with a `kiosk` API token (`KeyBridgeGraphClient`). The rules are the directory's in
/// both: the gate, the access rule, the verifier and the manage-only path for keys.
///
/// Requirements throw ``RegistrationError`` for a refusal (the same whichever directory it is),
/// `RemoteDirectoryError` when a server cannot be reached or fails.
public protocol KioskDirectory: Sendable {
    /// The tenant new hires are enrolled into.
    var tenant: String { get }

    /// Whether `device` is one of the tenant's trusted devices; nil when the directory does not
    /// judge device names (a server sees the kiosk's address, not a name it claims).
    func trusts(device: String) async -> Bool?

    /// Whether `upn` is a member of the tenant in `group` (asked before their proof).
    func isOperator(upn: String, group: String) async throws -> Bool

    /// Signs the operator in with an MFA proof (always asked, even without registered methods).
    func signInOperator(upn: String, proof: MFAProof) async throws

    /// The new hire, when they are a member of the tenant (``RegistrationError/userNotFound(_:)`` otherwise).
    func newHire(upn: String) async throws -> KioskNewHire

    /// Issues the new hire a Temporary Access Pass on the spot (the operator issues it).
    func issuePass(for hire: KioskNewHire, operatorUPN: String) async throws -> String

    /// Opens the new hire's security info with their pass (nil when ``KioskNewHire/needsPass`` is false).
    func openEnrollment(for hire: KioskNewHire, pass: String?, operatorUPN: String) async throws -> KioskEnrollmentSession

    /// The kiosk closes: the operator's sign-in ends.
    func close() async

    /// The FIDO metadata's name for the key model `aaguid`; nil when the directory has none (or
    /// does not say: a server does not show its metadata to a kiosk token).
    func modelName(aaguid: String) async -> String?
}

extension KioskDirectory {
    public func modelName(aaguid: String) async -> String? { nil }
}

/// The kiosk on a directory in this process: the same ``RegistrationService`` rules a server runs.
public struct LocalKioskDirectory: KioskDirectory {
    public let service: RegistrationService
    public let tenant: String
    /// The kiosk as the access rule sees it (its address and trusted-device name).
    public let client: ClientContext

    public init(service: RegistrationService, tenant: String, client: ClientContext) {
        self.service = service
        self.tenant = tenant
        self.client = client
    }

    public func trusts(device: String) async -> Bool? {
        guard let rule = try? await service.configuration(tenant).access else { return nil }
        return rule.trustedDevices.contains(device)
    }

    public func isOperator(upn: String, group: String) async throws -> Bool {
        try await service.isKioskOperator(upn: upn, tenant: tenant, group: group)
    }

    public func signInOperator(upn: String, proof: MFAProof) async throws {
        _ = try await service.signIn(upn: upn, tenant: tenant, client: client, proof: proof)
    }

    public func newHire(upn: String) async throws -> KioskNewHire {
        guard let user = try await service.store.user(upn: upn), user.isMember(of: tenant) else { throw RegistrationError.userNotFound(upn) }
        return KioskNewHire(upn: user.upn, displayName: user.displayName, needsPass: try await service.requiresMFA(upn: upn, tenant: tenant))
    }

    public func issuePass(for hire: KioskNewHire, operatorUPN: String) async throws -> String {
        try await service.issueTemporaryAccessPass(upn: hire.upn, tenant: tenant, admin: operatorUPN, client: client).pass
    }

    /// A hire who needs no pass for MFA still needs one under the default gate (no first method
    /// without proof): the operator, who checked them in person, issues one for this opening alone
    /// (deleted right after, in case the tenant's passes are not one-time) — as a server kiosk does.
    public func openEnrollment(for hire: KioskNewHire, pass: String?, operatorUPN: String) async throws -> KioskEnrollmentSession {
        if let pass {
            let session = try await ManageSession.open(service, upn: hire.upn, tenant: tenant, client: client, proof: .temporaryAccessPass(pass))
            return KioskEnrollmentSession(directory: session)
        }
        guard try await service.requiresProof(upn: hire.upn, tenant: tenant) else {
            return KioskEnrollmentSession(directory: try await ManageSession.open(service, upn: hire.upn, tenant: tenant, client: client))
        }
        let issued = try await service.issueTemporaryAccessPass(upn: hire.upn, tenant: tenant, admin: operatorUPN, client: client)
        let session: ManageSession
        do {
            session = try await ManageSession.open(
                service, upn: hire.upn, tenant: tenant, client: client, proof: .temporaryAccessPass(issued.pass))
        } catch {
            try? await service.deleteTemporaryAccessPass(id: issued.record.id, upn: hire.upn, tenant: tenant, admin: operatorUPN, client: client)
            throw error
        }
        try? await service.deleteTemporaryAccessPass(id: issued.record.id, upn: hire.upn, tenant: tenant, admin: operatorUPN, client: client)
        return KioskEnrollmentSession(directory: session)
    }

    public func close() async {}

    public func modelName(aaguid: String) async -> String? {
        try? await service.metadataEntry(aaguid: aaguid)?.description
    }
}
