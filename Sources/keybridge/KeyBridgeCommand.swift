import ArgumentParser

/// The root command. `main()` is ``KeyBridgeEntry``'s: it reports command-line mistakes with exit
/// status 2 (and the JSON envelope with --json), as the exit-status table promises.
struct KeyBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keybridge",
        abstract: "Enrol and manage FIDO2 security keys on Linux.",
        discussion: """
            keybridge talks to USB security keys through libfido2 and to keybridge virtual keys \
            (see `keybridge vkey serve`). Every command accepts --json for machine-readable output; \
            credentials are printed as WebAuthn JSON (RegistrationResponseJSON, \
            AuthenticationResponseJSON).

            PINs are never echoed and never logged. For automation, give them with --pin-file FILE \
            or the KEYBRIDGE_PIN environment variable (KEYBRIDGE_NEW_PIN for a new PIN).

            Virtual keys are found in $KEYBRIDGE_VKEY_DIR (default $XDG_RUNTIME_DIR/keybridge/vkeys, \
            or /tmp/keybridge-UID/vkeys), or named directly with --device vkey:/path/to/socket.

            EXIT STATUS
              0   success
              1   an unexpected failure
              2   invalid arguments or input (an unknown command or option too)
              3   no such key, or several keys and no --device
              4   PIN or user-verification problem
              5   presence denied, or no touch before the timeout
              6   no matching credential, already registered, or key full
              7   communication with the key failed
              8   the key does not support or allow the request
              9   a signature or attestation did not verify
              10  the key returned another CTAP error
              15  keybridge rig: a test failed or errored (see its reports)
              130 cancelled (Ctrl-C)
            With --json, a failure prints {"error": {"code": NAME, "message": TEXT, ...}} on stdout.
            """,
        subcommands: [
            DevicesCommand.self, InfoCommand.self, FidoCommand.self, OATHCommand.self, SecurityInfoCommand.self,
            KioskCommand.self, AdminCommand.self, ExportCommand.self, VKeyCommand.self, BenchCommand.self,
            DoctorCommand.self, UdevCommand.self, ServeCommand.self, RigCommand.self,
        ]
    )
}
