import CFido2
import Foundation

/// One-time initialisation of libfido2 for this process.
enum FidoLibrary {
    /// `fido_init` must run once before any other libfido2 call. `FIDO_DEBUG=1` in the
    /// environment turns on libfido2's own debug log (it never contains the PIN).
    private static let initialised: Bool = {
        var flags: Int32 = 0
        if ProcessInfo.processInfo.environment["FIDO_DEBUG"] != nil { flags |= FIDO_DEBUG }
        fido_init(flags)
        return true
    }()

    static func ensureInitialised() { _ = initialised }

}

/// Makes sure libfido2 is loaded and initialised (for tools that inspect the loaded library).
public enum FidoVersionProbe {
    public static func touch() { FidoLibrary.ensureInitialised() }
}
