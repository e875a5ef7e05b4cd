import Foundation
import KeyBridgeOATH
import XCTest

/// Looks for a secret in the files a directory keeps on disk, in every encoding it could have
/// been written in — raw bytes, hex, Base64, Base64url, Base32 (either case), and for text also
/// lower- and upper-case and with its spaces collapsed — not only the one spelling a test typed.
enum SecretsAtRest {
    /// The spellings of `bytes` to look for.
    static func spellings(of bytes: [UInt8]) -> [Data] {
        let data = Data(bytes)
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let base64 = data.base64EncodedString()
        let base64url = base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let base32 = Base32.encode(bytes).replacingOccurrences(of: "=", with: "")
        return [data] + [hex, hex.uppercased(), base64, base64url, base32, base32.lowercased()].map { Data($0.utf8) }
    }

    /// The spellings of a text secret (a password, an answer) to look for.
    static func spellings(of text: String) -> [Data] {
        let collapsed = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return Set([text, text.lowercased(), text.uppercased(), collapsed.lowercased()]).flatMap { spellings(of: Array($0.utf8)) }
    }

    /// The files and spellings where any of `spellings` is in the database file, its write-ahead
    /// log or its shared-memory index beside `databasePath`.
    static func found(_ spellings: [Data], besides databasePath: String) -> [(path: String, spelling: Data)] {
        [databasePath, databasePath + "-wal", databasePath + "-shm"].flatMap { path in
            let bytes = FileManager.default.contents(atPath: path) ?? Data()
            return spellings.filter { bytes.firstRange(of: $0) != nil }.map { (path, $0) }
        }
    }

    /// Fails when any spelling is at rest beside `databasePath` (see ``found(_:besides:)``).
    static func assertAbsent(
        _ spellings: [Data], besides databasePath: String, _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        for (path, spelling) in found(spellings, besides: databasePath) {
            XCTFail("\(what) is at rest in \(path) as \(String(decoding: spelling.prefix(12), as: UTF8.self))…", file: file, line: line)
        }
    }
}
