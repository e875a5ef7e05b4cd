/// The inputs of authenticatorGetAssertion.
public struct GetAssertionRequest: Sendable {
    /// The relying party id the credentials belong to.
    public var relyingPartyID: String
    public var clientData: ClientDataInput
    /// Credential ids to try; empty means "any discoverable credential for this RP".
    public var allowCredentials: [[UInt8]] = []
    /// Require a touch (user presence). Silent assertions set this to false.
    public var userPresence = true
    /// Require user verification (PIN or built-in UV).
    public var userVerification = false
    /// One or two 32-byte salts for the hmac-secret extension.
    public var hmacSalt: [UInt8]?
    /// The PIN, when user verification through the PIN is wanted.
    public var pin: String?
    /// How long to wait, touch included.
    public var timeout: Duration = .seconds(30)

    public init(relyingPartyID: String, clientData: ClientDataInput) {
        self.relyingPartyID = relyingPartyID
        self.clientData = clientData
    }
}
