import Foundation
import KeyBridgeEnrollment
import KeyBridgeRegistration
import Synchronization

/// The kiosk on a `keybridge serve` directory, reached with a `kiosk` API token: the server
/// checks the operator's group and sign-in, tells whether a new hire needs a pass, issues passes,
/// and every new hire's key is registered in the hire's own session (opened with their pass), so
/// the server's gate, access rule and verifier decide — the same as in a local directory. The
/// access rule sees the kiosk's address as the server sees the connection.
public final class GraphKioskDirectory: KioskDirectory {
    /// The kiosk's client (its bearer is the kiosk token).
    public let client: GraphClient
    public let tenant: String
    /// The operator's signed-in client, signed out when the kiosk closes.
    private let operatorSession = Mutex<GraphClient?>(nil)

    /// - Parameter client: a client with a token of the `kiosk` scope; its tenant is set to `tenant`.
    public init(client: GraphClient, tenant: String) {
        var client = client
        client.tenant = tenant
        self.client = client
        self.tenant = tenant
    }

    /// The tenant the token acts in: `chosen`, else the only one (``RegistrationError/invalidInput(_:)`` when several).
    public static func tenant(client: GraphClient, chosen: String?) async throws -> String {
        if let chosen { return chosen }
        let tenants = try await client.tenants()
        guard tenants.count == 1 else {
            throw RegistrationError.invalidInput("the token acts in \(tenants.count) tenants: choose one with --tenant")
        }
        return tenants[0]
    }

    public func trusts(device: String) async -> Bool? { nil }

    public func isOperator(upn: String, group: String) async throws -> Bool {
        do {
            return try await client.groups(user: upn).contains(group)
        } catch RegistrationError.userNotFound {
            return false
        }
    }

    public func signInOperator(upn: String, proof: MFAProof) async throws {
        let signedIn = try await GraphClient.signIn(server: client.baseURL.absoluteString, upn: upn, tenant: tenant, proof: proof, timeout: client.timeout)
        let previous = operatorSession.withLock { session in
            defer { session = signedIn }
            return session
        }
        try? await previous?.signOut()
    }

    public func newHire(upn: String) async throws -> KioskNewHire {
        let name = try await client.displayName(user: upn)
        return KioskNewHire(upn: upn, displayName: name, needsPass: try await client.requiresMFA(user: upn))
    }

    public func issuePass(for hire: KioskNewHire, operatorUPN: String) async throws -> String {
        try await client.issueTemporaryAccessPass(user: hire.upn).pass
    }

    /// The hire signs in with their pass; their session registers the key and is signed out at the
    /// end. A hire who needs no pass gets one issued for this sign-in alone (deleted right after,
    /// in case the tenant's passes are not one-time).
    public func openEnrollment(for hire: KioskNewHire, pass: String?, operatorUPN: String) async throws -> KioskEnrollmentSession {
        var proof = pass
        var issuedID: String?
        if proof == nil {
            let issued = try await client.issueTemporaryAccessPass(user: hire.upn)
            (proof, issuedID) = (issued.pass, issued.id)
        }
        let signedIn: GraphClient
        do {
            signedIn = try await GraphClient.signIn(
                server: client.baseURL.absoluteString, upn: hire.upn, tenant: tenant, proof: .temporaryAccessPass(proof ?? ""),
                timeout: client.timeout)
        } catch {
            if let issuedID { try? await client.deleteTemporaryAccessPass(user: hire.upn, id: issuedID) }
            throw error
        }
        if let issuedID { try? await client.deleteTemporaryAccessPass(user: hire.upn, id: issuedID) }
        return KioskEnrollmentSession(directory: GraphEnrollmentDirectory(client: signedIn, user: hire.upn)) {
            try? await signedIn.signOut()
        }
    }

    public func close() async {
        let session = operatorSession.withLock { session in
            defer { session = nil }
            return session
        }
        try? await session?.signOut()
    }
}
