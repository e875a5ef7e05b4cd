/// A relying party as the key sees it.
public struct RelyingParty: Codable, Sendable, Equatable {
    /// The RP id, a registrable domain such as `example.com`.
    public var id: String
    /// A human-friendly name (defaults to the id).
    public var name: String?
    public init(id: String, name: String? = nil) {
        self.id = id
        self.name = name
    }
}

/// The account a credential is made for.
public struct UserEntity: Codable, Sendable, Equatable {
    /// The user handle: 1–64 opaque bytes, never personally identifying.
    public var id: [UInt8]
    /// The account name, such as an e-mail address or UPN.
    public var name: String
    /// The name shown to people.
    public var displayName: String?
    public init(id: [UInt8], name: String, displayName: String? = nil) {
        self.id = id
        self.name = name
        self.displayName = displayName
    }
}
