import KeyBridgeFIDO

/// Decoding of binary command-line values.
enum BinaryArgument {
    /// base64url bytes, or a typed error naming the option.
    static func decode(_ text: String, option: String) throws -> [UInt8] {
        guard let bytes = Base64URL.decode(text) else {
            throw KeyBridgeError.invalidArgument("\(option) must be base64url, got \"\(text)\"")
        }
        return bytes
    }

    /// Random bytes for challenges and user handles.
    static func random(count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
