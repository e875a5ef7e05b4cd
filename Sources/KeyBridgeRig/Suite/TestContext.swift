import Crypto
import Foundation
import KeyBridgeCBOR

/// What a test body works with: the key's link and client, what getInfo said, and helpers to
/// check, observe, and put the key in a known state.
public final class TestContext: @unchecked Sendable {
    /// The relying party the suite registers under.
    public static let rpID = "rig.keybridge.test"
    /// The PIN the suite sets on a fresh key.
    public static let pin = "rig-1234"

    let key: RigKey
    public private(set) var link: any CTAPLink
    public private(set) var client: CTAP2Client
    public private(set) var info: AuthenticatorInfo
    private(set) var observations: [String] = []

    init(key: RigKey, link: any CTAPLink, info: AuthenticatorInfo, timeout: TimeInterval) {
        self.key = key
        self.link = link
        self.info = info
        client = CTAP2Client(link: link, timeout: timeout)
        installKeepAliveHandler()
    }

    func beginTest() { observations = [] }

    /// Records something seen, for the report.
    public func observe(_ note: String) { observations.append(note) }

    /// Fails the test unless `condition` holds.
    public func check(_ condition: Bool, _ message: @autoclosure () -> String) throws(CheckFailure) {
        if !condition { throw CheckFailure(message()) }
    }

    /// Fails the test unless `reply` carries `expected`; records the status seen.
    public func expect(_ reply: CTAPReply, _ expected: CTAPStatusCode, _ what: String) throws(CheckFailure) {
        observe("\(what): \(reply.status)")
        if reply.status != expected { throw CheckFailure("\(what): expected \(expected), got \(reply.status)") }
    }

    /// Skips unless getInfo lists `option` (with any value, or with `value` when given).
    public func require(option: String, _ value: Bool? = nil) throws(SkipTest) {
        guard let present = info.options[option] else { throw SkipTest("getInfo has no option \(option)") }
        if let value, present != value { throw SkipTest("getInfo option \(option) is \(present)") }
    }

    /// Skips unless getInfo lists `extension`.
    public func require(extension name: String) throws(SkipTest) {
        guard info.extensions.contains(name) else { throw SkipTest("getInfo lists no \(name) extension") }
    }

    /// Skips unless the key is reached over `kind`.
    public func require(transport kind: RigTransportKind) throws(SkipTest) {
        guard link.kind == kind else { throw SkipTest("a \(kind.rawValue) transport test; this key is on \(link.kind.rawValue)") }
    }

    /// Skips unless the key implements CTAP 2.1.
    public func requireCTAP21() throws(SkipTest) {
        guard info.isCTAP21 else { throw SkipTest("getInfo versions have no FIDO_2_1") }
    }

    /// Skips unless the key speaks PIN/UV auth protocol `version`.
    public func require(pinProtocol version: Int) throws(SkipTest) {
        guard info.pinUvAuthProtocols.contains(version) else {
            throw SkipTest("getInfo pinUvAuthProtocols has no \(version)")
        }
    }

    /// The PIN protocol the suite uses by default: 2 when offered, else 1.
    public var pinProtocol: PinUvAuthProtocol {
        PinUvAuthProtocol(version: info.pinUvAuthProtocols.contains(2) ? 2 : 1)
    }

    /// A token for `pin` (default: the suite's) with `permissions` for the suite's relying party,
    /// asked the CTAP 2.1 way (getPinUvAuthTokenUsingPinWithPermissions) when the key is a 2.1 key
    /// and with getPinToken otherwise; nil when the key refuses.
    public func pinToken(_ pin: String = TestContext.pin, permissions: UInt8, rpID: String? = TestContext.rpID) throws -> [UInt8]? {
        try client.pinToken(pin, pinProtocol, permissions: info.isCTAP21 ? permissions : nil, rpID: info.isCTAP21 ? rpID : nil).token
    }

    /// Reads getInfo again (after a change of PIN or configuration).
    @discardableResult
    public func refreshInfo() throws -> AuthenticatorInfo {
        info = AuthenticatorInfo(try client.send(.getInfo).map("getInfo"))
        return info
    }

    // MARK: Known states

    /// Erases the key (authenticatorReset), cycling its power first when the key allows reset
    /// only just after power-up; with `pin`, sets that PIN. Every test that changes state starts here.
    public func freshKey(pin: String? = nil) throws {
        var reply = try client.send(.reset)
        if reply.status == .notAllowed {
            try powerCycle()
            reply = try client.send(.reset)
        }
        guard reply.status == .ok else { throw CheckFailure("authenticatorReset to start from a known state failed: \(reply.status)") }
        try refreshInfo()
        if let pin {
            guard info.options["clientPin"] != nil else { throw SkipTest("getInfo has no clientPin option") }
            let set = try client.setPIN(pin, pinProtocol)
            guard set.status == .ok else { throw CheckFailure("setPIN on a fresh key failed: \(set.status)") }
            try refreshInfo()
        }
    }

    /// Cycles the key's power (hook, control socket or PC/SC) and reconnects.
    public func powerCycle() throws {
        let newLink = try key.powerCycle(closing: link)
        if newLink !== link {
            link = newLink
            client = CTAP2Client(link: newLink, timeout: client.timeout)
            installKeepAliveHandler()
        }
        observe("power cycled (\(key.powerMethod?.name ?? "?"))")
    }

    /// Whether the rig can cycle the power without a person.
    public var canPowerCycle: Bool { key.powerMethod != nil }

    private func installKeepAliveHandler() {
        let key = self.key
        let touched = TouchLatch()
        link.onKeepAlive = { status in
            if status == 2, touched.first() { key.touch() }
        }
    }

    // MARK: Request builders

    /// SHA-256 of `text`: a client data hash stand-in.
    public static func hash(_ text: String) -> [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }

    /// A makeCredential request map with ES256 and the suite's relying party.
    public func makeCredentialRequest(
        userID: [UInt8] = Array("rig-user".utf8), name: String = "rig@example.test", rk: Bool = false,
        extensions: [CBOR: CBOR]? = nil, exclude: [[UInt8]] = [], token: [UInt8]? = nil
    ) -> [CBOR: CBOR] {
        let clientDataHash = Self.hash("makeCredential \(UUID())")
        var request: [CBOR: CBOR] = [
            1: .bytes(clientDataHash),
            2: ["id": .text(Self.rpID), "name": "keybridge rig"],
            3: ["id": .bytes(userID), "name": .text(name), "displayName": "Rig User"],
            4: [["type": "public-key", "alg": -7]],
        ]
        if rk { request[7] = ["rk": true] }
        if let extensions { request[6] = .map(extensions) }
        if !exclude.isEmpty { request[5] = .array(exclude.map { ["type": "public-key", "id": .bytes($0)] }) }
        if let token {
            request[8] = .bytes(pinProtocol.authenticate(token: token, clientDataHash))
            request[9] = .int(pinProtocol.version)
        }
        return request
    }

    /// A getAssertion request map for the suite's relying party.
    public func getAssertionRequest(
        allow: [[UInt8]] = [], options: [CBOR: CBOR]? = nil, extensions: [CBOR: CBOR]? = nil, token: [UInt8]? = nil
    ) -> [CBOR: CBOR] {
        let clientDataHash = Self.hash("getAssertion \(UUID())")
        var request: [CBOR: CBOR] = [1: .text(Self.rpID), 2: .bytes(clientDataHash)]
        if !allow.isEmpty { request[3] = .array(allow.map { ["type": "public-key", "id": .bytes($0)] }) }
        if let extensions { request[4] = .map(extensions) }
        if let options { request[5] = .map(options) }
        if let token {
            request[6] = .bytes(pinProtocol.authenticate(token: token, clientDataHash))
            request[7] = .int(pinProtocol.version)
        }
        return request
    }

    /// Makes a credential and returns its parsed attestation; needs a key without a PIN, or `token`.
    public func makeCredential(
        rk: Bool = false, userID: [UInt8] = Array("rig-user".utf8), extensions: [CBOR: CBOR]? = nil,
        token: [UInt8]? = nil
    ) throws -> MadeCredential {
        let request = makeCredentialRequest(userID: userID, rk: rk, extensions: extensions, token: token)
        let reply = try client.send(.makeCredential, .map(request))
        return try MadeCredential(reply.map("makeCredential"), clientDataHash: request[1]!.bytesValue!)
    }
}

/// Lets a keep-alive asking for a touch deliver one, at most every half second (a touch that
/// arrives early is kept by the key for the request that waits).
final class TouchLatch: @unchecked Sendable {
    private var last = Date.distantPast
    private let lock = NSLock()
    func first() -> Bool {
        lock.withLock {
            guard Date().timeIntervalSince(last) > 0.5 else { return false }
            last = Date()
            return true
        }
    }
}
