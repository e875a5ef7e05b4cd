import ArgumentParser
import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeGraphClient
import KeyBridgeRegistration

/// How the user proves MFA before their security info opens (needed once they have an
/// MFA-capable method, or when the access rule demands it), or gives the Temporary Access Pass
/// a first registration needs.
struct MFAOptions: ParsableArguments {
    @Option(
        name: .customLong("tap-file"),
        help: ArgumentHelp("Read a Temporary Access Pass from this file (or set KEYBRIDGE_TAP).", valueName: "file"))
    var tapFile: String?

    @Option(
        name: .customLong("otp-code"),
        help: ArgumentHelp("A current code from one of your authenticator apps or hardware tokens.", valueName: "code"))
    var otpCode: String?

    @Option(name: .customLong("otp-method"), help: ArgumentHelp("Which OTP method the code is from (default: any).", valueName: "id"))
    var otpMethod: String?

    @Option(
        name: .customLong("mfa-device"),
        help: ArgumentHelp("Prove MFA by signing in with this registered security key (as in `keybridge devices`).", valueName: "id"))
    var mfaDevice: String?

    /// The proof, or nil when none is needed. Without any option, on a terminal, it is asked for:
    /// a code, a pass, or Enter to use a security key.
    func proof(
        service: RegistrationService, upn: String, tenant: String, devices: DeviceOptions, pin: PINOptions
    ) async throws -> MFAProof? {
        // A proof given is always passed on: the directory checks it (and uses a pass up) even
        // when it would not have asked for one.
        if let given = try givenProof() { return given }
        guard try await service.requiresProof(upn: upn, tenant: tenant) else { return nil }
        if let mfaDevice { return try await keyProof(service, upn: upn, tenant: tenant, device: mfaDevice, devices: devices, pin: pin) }
        let firstMethod = try await !service.requiresMFA(upn: upn, tenant: tenant)
        guard isatty(STDIN_FILENO) != 0 else {
            // No proof: the directory refuses (and audits the refusal) when the page is opened.
            Output.note(
                firstMethod
                    ? "A first method needs a Temporary Access Pass from your administrator: --tap-file or KEYBRIDGE_TAP."
                    : "Prove MFA with --otp-code, --tap-file (or KEYBRIDGE_TAP) or --mfa-device.")
            return nil
        }
        if firstMethod {
            let pass = PINInput.readWithoutEcho(prompt: "You have no sign-in method yet. Temporary Access Pass from your administrator: ")?
                .trimmingCharacters(in: .whitespaces) ?? ""
            return pass.isEmpty ? nil : .temporaryAccessPass(pass)
        }
        let answer = PINInput.readWithoutEcho(
            prompt: "Verify your identity: a code from your authenticator app, a Temporary Access Pass, or Enter to use your security key: "
        )?.trimmingCharacters(in: .whitespaces) ?? ""
        if answer.isEmpty { return try await keyProof(service, upn: upn, tenant: tenant, device: nil, devices: devices, pin: pin) }
        return MFAProof(typed: answer, otpMethod: otpMethod)
    }


    /// The pass (--tap-file or KEYBRIDGE_TAP) or code (--otp-code) given on the command line, if any.
    private func givenProof() throws -> MFAProof? {
        if tapFile != nil || ProcessInfo.processInfo.environment["KEYBRIDGE_TAP"].map({ !$0.isEmpty }) == true {
            return .temporaryAccessPass(try PINInput.read(file: tapFile, environment: "KEYBRIDGE_TAP", prompt: "") ?? "")
        }
        return otpCode.map { .oneTimeCode(methodID: otpMethod, code: $0) }
    }

    /// A pass (from --tap-file or KEYBRIDGE_TAP) or a code (--otp-code), as a server sign-in takes
    /// them; asked for on a terminal when neither is given; nil otherwise.
    func typedProof() throws -> MFAProof? {
        if let given = try givenProof() { return given }
        guard isatty(STDIN_FILENO) != 0 else { return nil }
        let answer = PINInput.readWithoutEcho(prompt: "Sign in: a code from your authenticator app or a Temporary Access Pass: ")?
            .trimmingCharacters(in: .whitespaces) ?? ""
        return answer.isEmpty ? nil : MFAProof(typed: answer, otpMethod: otpMethod)
    }

    /// The user's own proof for signing in to a server: `--mfa-device` signs with that key over
    /// the server's request options; else a pass or a code (``typedProof()``).
    func serverProof(server: String, upn: String, tenant: String?, devices: DeviceOptions, pin: PINOptions) async throws -> MFAProof? {
        guard let mfaDevice else { return try typedProof() }
        let options = try await GraphClient.signInOptions(server: server, upn: upn, tenant: tenant)
        let key = try await SecurityKey.open(try devices.discovery.device(id: mfaDevice))
        defer { Task { await key.close() } }
        let prompt = TouchPrompt(message: "Touch your registered security key", timeout: devices.timeoutDuration)
        defer { prompt.finish() }
        return try await KeySignIn.proof(
            key: key, options: options, pin: options.userVerification ? try pin.requiredPIN() : nil, timeout: devices.timeoutDuration,
            onTouchNeeded: prompt.callback)
    }

    private func keyProof(
        _ service: RegistrationService, upn: String, tenant: String, device: String?, devices: DeviceOptions, pin: PINOptions
    ) async throws -> MFAProof {
        let key = try await SecurityKey.open(try devices.discovery.device(id: device ?? devices.device))
        defer { Task { await key.close() } }
        let needsPIN = try await service.configuration(tenant).methods.fido2.requireUserVerification
        let prompt = TouchPrompt(message: "Touch your registered security key", timeout: devices.timeoutDuration)
        defer { prompt.finish() }
        return try await KeySignIn.proof(
            key: key, service: service, upn: upn, tenant: tenant, pin: needsPIN ? try pin.requiredPIN() : nil,
            timeout: devices.timeoutDuration, onTouchNeeded: prompt.callback)
    }
}
