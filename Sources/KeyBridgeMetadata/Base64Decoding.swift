import Foundation

/// The two base64 alphabets MDS uses: standard (certificates, `x5c`) and base64url without padding (JWS parts).
enum Base64Decoding {
    /// Strict standard base64 (RFC 4648 §4) with padding; nil on any other character.
    static func standard(_ text: String) -> [UInt8]? {
        guard !text.isEmpty, let data = Data(base64Encoded: text) else { return nil }
        return [UInt8](data)
    }

    /// base64url (RFC 4648 §5), padding optional; nil on characters outside that alphabet.
    static func url(_ text: Substring) -> [UInt8]? {
        var converted = String(text)
        guard !converted.contains("+"), !converted.contains("/") else { return nil }
        converted = converted.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if !converted.contains("=") {
            let remainder = converted.utf8.count % 4
            guard remainder != 1 else { return nil }
            if remainder != 0 { converted += String(repeating: "=", count: 4 - remainder) }
        }
        guard let data = Data(base64Encoded: converted) else { return nil }
        return [UInt8](data)
    }
}
