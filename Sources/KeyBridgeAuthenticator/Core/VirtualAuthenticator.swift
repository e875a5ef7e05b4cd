import Crypto
import Foundation
import KeyBridgeCBOR

/// A complete CTAP 2.1 authenticator in software: the core of keybridge's virtual security key.
///
/// It knows nothing of transports: CTAPHID (``CTAPHIDDevice``) and ISO 7816 (the virtual card)
/// both hand it whole requests. Commands run one at a time; the control surface (``touch()``,
/// ``powerCycle()``, ``statistics``) may be used from any thread.
public final class VirtualAuthenticator: @unchecked Sendable {
    let commandLock = NSLock()
    let stateLock = NSRecursiveLock()
    var configuration: AuthenticatorConfiguration
    var state: AuthenticatorState
    let store: StateStore
    let presence: PresenceGate
    let poweredUp = Date()

    // Volatile state, lost at power cycle.
    var keyAgreementKey = P256.KeyAgreement.PrivateKey()
    var consecutivePINFailures = 0
    var token: PINToken?
    var assertionQueue: AssertionQueue?
    var enumeration: CredentialEnumeration?
    var stats = AuthenticatorStatistics()
    var presenceWaitSeconds = 0.0

    /// Creates the authenticator, loading its state file if there is one, and provisioning
    /// its attestation CA on first start.
    public init(configuration: AuthenticatorConfiguration) throws {
        self.configuration = configuration
        store = StateStore(path: configuration.stateFile)
        presence = PresenceGate(mode: configuration.presence)
        state = store.load() ?? AuthenticatorState()
        if state.attestationLeafDER.isEmpty {
            try AttestationAuthority.provision(
                &state, aaguid: configuration.aaguid, serial: configuration.serialNumber)
            store.save(state)
        }
    }

    // MARK: Control surface

    /// Delivers a touch (for presence mode `wait`).
    public func touch() { presence.touch() }

    /// Changes how presence requests are answered.
    public func setPresenceMode(_ mode: PresenceMode) { presence.currentMode = mode }

    /// Simulates removing and re-inserting the key: clears the three-wrong-PINs block,
    /// regenerates the key agreement key and drops tokens and pending enumerations.
    public func powerCycle() {
        stateLock.withLock {
            consecutivePINFailures = 0
            keyAgreementKey = P256.KeyAgreement.PrivateKey()
            token = nil
            assertionQueue = nil
            enumeration = nil
        }
    }

    /// Per-command statistics (time in the core, presence waits excluded).
    public var statistics: AuthenticatorStatistics { stateLock.withLock { stats } }

    /// The attestation root CA certificate (PEM), to configure as a relying party's trust anchor.
    public var attestationRootPEM: String { AttestationAuthority.pem(state.attestationRootDER) }

    /// The attestation root CA certificate (DER).
    public var attestationRootDER: [UInt8] { state.attestationRootDER }

    /// The current settings.
    public var currentConfiguration: AuthenticatorConfiguration { stateLock.withLock { configuration } }

    /// A summary for the control socket's `info` command.
    public var summary: [String: String] {
        stateLock.withLock {
            [
                "aaguid": UUID(uuid: configuration.aaguid.withUnsafeBytes { $0.load(as: uuid_t.self) }).uuidString.lowercased(),
                "serial": configuration.serialNumber,
                "attestation": configuration.attestation.rawValue,
                "credentials": String(state.credentials.count),
                "pinSet": state.pinHash == nil ? "false" : "true",
            ]
        }
    }

    // MARK: Dispatch

    /// Handles one CTAP2 request (command byte + CBOR) and returns status byte + CBOR.
    public func handleCTAP2(_ request: [UInt8], context: RequestContext = RequestContext()) -> [UInt8] {
        commandLock.lock()
        defer { commandLock.unlock() }
        guard let commandByte = request.first else { return [CTAPStatus.invalidLength.rawValue] }
        guard request.count <= max(configuration.maxMessageSize, 1024) + 1 else {
            return [CTAPStatus.requestTooLarge.rawValue]
        }
        guard let command = CTAPCommand(rawValue: commandByte) else { return [CTAPStatus.invalidCommand.rawValue] }
        let parameters: CBOR
        if request.count > 1 {
            do {
                parameters = try CBORDecoder(strict: true).decode(Array(request.dropFirst()))
            } catch {
                return [CTAPStatus.invalidCBOR.rawValue]
            }
            guard parameters.mapValue != nil else { return [CTAPStatus.cborUnexpectedType.rawValue] }
        } else {
            parameters = .map([:])
        }
        if command != .getNextAssertion { stateLock.withLock { assertionQueue = nil } }
        let started = Date()
        stateLock.withLock { presenceWaitSeconds = 0 }
        let result: Result<CBOR?, CTAPStatus>
        do {
            result = .success(try run(command, parameters, context))
        } catch let status as CTAPStatus {
            result = .failure(status)
        } catch {
            result = .failure(.other)
        }
        stateLock.withLock {
            stats.record(command.name, seconds: Date().timeIntervalSince(started) - presenceWaitSeconds)
        }
        switch result {
        case .success(let reply?): return [0x00] + CBOREncoder.encode(reply)
        case .success(nil): return [0x00]
        case .failure(let status): return [status.rawValue]
        }
    }

    private func run(_ command: CTAPCommand, _ parameters: CBOR, _ context: RequestContext) throws -> CBOR? {
        switch command {
        case .getInfo: return getInfo()
        case .makeCredential: return try makeCredential(parameters, context)
        case .getAssertion: return try getAssertion(parameters, context)
        case .getNextAssertion: return try getNextAssertion()
        case .clientPIN: return try clientPIN(parameters)
        case .reset: return try reset(context)
        case .credentialManagement, .credentialManagementPreview: return try credentialManagement(parameters)
        case .selection:
            try requirePresence(context)
            return nil
        case .config: return try config(parameters)
        }
    }

    // MARK: Shared helpers

    /// Waits for the user's touch as the presence mode says.
    func requirePresence(_ context: RequestContext) throws {
        context.keepAlive(2)
        let start = Date()
        let outcome = presence.requestPresence(
            timeout: Double(configuration.userActionTimeoutMilliseconds) / 1000, isCancelled: context.isCancelled)
        stateLock.withLock { presenceWaitSeconds += Date().timeIntervalSince(start) }
        switch outcome {
        case .approved: return
        case .denied: throw CTAPStatus.operationDenied
        case .timedOut: throw CTAPStatus.userActionTimeout
        case .cancelled: throw CTAPStatus.keepAliveCancel
        }
    }

    /// Saves the state file (if any) after a change.
    func persist() { store.save(state) }

    /// The next signature counter value.
    func nextSignCount() -> UInt32 {
        state.signCount &+= 1
        persist()
        return state.signCount
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

extension VirtualAuthenticator {
    /// Whether a touch is available right now without waiting (for applets that cannot block,
    /// such as a touch-required OATH account).
    public func presenceAvailableNow() -> Bool { presence.presenceAvailableNow() }
}
