import CFido2
import Foundation

/// Initialisation of libfido2, per thread.
///
/// `fido_init` must run before any other libfido2 call *on the calling thread*: libfido2 1.12
/// keeps its flags in thread-local storage, so a flag set on one thread does not reach a key's
/// own thread (``SecurityKey`` runs every call of a key on a thread of its own).
enum FidoLibrary {
    /// The flags for `fido_init`.
    ///
    /// `FIDO_DISABLE_U2F_FALLBACK`: a key whose CTAPHID INIT says it speaks CBOR but whose
    /// getInfo reply cannot be read is an error when it is opened. Without it libfido2 quietly
    /// treats such a key as U2F-only: a CTAP2 key with a PIN then looks PIN-less, and what follows
    /// fails with a misleading error. Keys that really are U2F-only (no CBOR flag) still work.
    ///
    /// `FIDO_DEBUG=1` in the environment turns on libfido2's own debug log (it never contains
    /// the PIN).
    private static let flags: Int32 = {
        var flags: Int32 = FIDO_DISABLE_U2F_FALLBACK
        if ProcessInfo.processInfo.environment["FIDO_DEBUG"] != nil { flags |= FIDO_DEBUG }
        return flags
    }()

    /// Initialises libfido2 for the calling thread; cheap, and safe to call again.
    static func initialiseThisThread() { fido_init(flags) }

    /// Initialises libfido2 for the calling thread (kept for callers that ran it once).
    static func ensureInitialised() { initialiseThisThread() }
}

/// Makes sure libfido2 is loaded and initialised (for tools that inspect the loaded library).
public enum FidoVersionProbe {
    public static func touch() { FidoLibrary.ensureInitialised() }
}
