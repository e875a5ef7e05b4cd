import Foundation
import KeyBridgeEnrollment

/// Why the kiosk stopped a person's flow by itself.
enum KioskStop: Error {
    /// The key had a PIN and the person did not confirm a reset.
    case keyNotReset
}

/// One JSON line of `keybridge kiosk --json`.
struct KioskEvent: Encodable {
    /// enrolled, failed or cancelled.
    var event: String
    var upn: String
    var receipt: EnrollmentReceipt?
    var code: String?
    var message: String?
    var rollback: String?
}

/// Random digits for a PIN the holder did not choose.
enum RandomPIN {
    static func make(length: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }
}

/// Sends a receipt to a print command (e.g. `lp -d frontdesk`) on its stdin.
enum ReceiptPrinter {
    static func print(lines: [String], command: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardInput = pipe
        process.standardOutput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return }
        pipe.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try? pipe.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
