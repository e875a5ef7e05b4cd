/// Client-side PIN checks made before a PIN is sent to a key (CTAP 2.1 §6.5.1).
public enum PINPolicy {
    /// A PIN must be at least 4 Unicode code points and at most 63 UTF-8 bytes, without NUL.
    public static func validateFormat(_ pin: String, minimumLength: Int = 4) throws(KeyBridgeError) {
        if pin.unicodeScalars.count < minimumLength {
            throw .pinPolicyViolation("a PIN needs at least \(minimumLength) characters")
        }
        if pin.utf8.count > 63 { throw .pinPolicyViolation("a PIN may be at most 63 bytes of UTF-8") }
        if pin.utf8.contains(0) { throw .pinPolicyViolation("a PIN may not contain a NUL character") }
    }
}
