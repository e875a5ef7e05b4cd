import Foundation

/// What an API token lets its holder do on `keybridge serve`.
public enum APIScope: String, Codable, Sendable, CaseIterable {
    /// Read users, their methods and policies.
    case read
    /// Open manage sessions on a user's behalf: add (FIDO2 included, through the verifier), change
    /// and delete methods, issue Temporary Access Passes.
    case manage
    /// Change tenants, users and policies.
    case admin
    /// A kiosk: enroll keys for new hires with their Temporary Access Pass.
    case kiosk
}

/// An API token as stored: only a salted hash of the secret part is kept.
public struct StoredAPIToken: Codable, Sendable, Hashable {
    /// The public part of the token (`kb_<id>_<secret>`).
    public var id: String
    public var name: String
    /// The tenant it may act in; nil for every tenant.
    public var tenant: String?
    public var scopes: [APIScope]
    public var salt: [UInt8]
    public var hash: [UInt8]
    public var created: Date
    public var expires: Date?
    public var revoked: Bool
    public var issuedBy: String

    public init(
        id: String, name: String, tenant: String?, scopes: [APIScope], salt: [UInt8], hash: [UInt8], created: Date,
        expires: Date?, revoked: Bool = false, issuedBy: String
    ) {
        self.id = id
        self.name = name
        self.tenant = tenant
        self.scopes = scopes
        self.salt = salt
        self.hash = hash
        self.created = created
        self.expires = expires
        self.revoked = revoked
        self.issuedBy = issuedBy
    }
}
