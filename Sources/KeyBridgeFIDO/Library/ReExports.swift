// The WebAuthn shapes, verification and the error type live in KeyBridgeWebAuthn (which links no
// hardware library, so a server can use them alone); everything that uses a key sees them here too.
@_exported import KeyBridgeWebAuthn
