import Foundation

/// Formats 16 bytes as a lowercase UUID string (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`).
public enum UUIDFormatting {
    public static func string(_ bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return bytes.map { String(format: "%02x", $0) }.joined() }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex[hex.index(hex.startIndex, offsetBy: range.lowerBound)..<hex.index(hex.startIndex, offsetBy: range.upperBound)])
        }
        return parts.joined(separator: "-")
    }
}
