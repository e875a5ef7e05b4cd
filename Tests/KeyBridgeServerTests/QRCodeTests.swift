import Foundation
@testable import KeyBridgeServer
import XCTest

/// The wizard's QR codes, read back by an independent decoder (Debian's `zbarimg`, ZBar) from
/// an image of the modules — every version keybridge can make.
final class QRCodeTests: XCTestCase {
    /// Writes the code as a PGM image (4 pixels a module, a quiet zone) and decodes it with zbarimg.
    private func decode(_ code: QRCode) throws -> String {
        let scale = 4
        let side = (code.size + 8) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for (y, row) in code.modules.enumerated() {
            for (x, dark) in row.enumerated() where dark {
                for dy in 0..<scale {
                    for dx in 0..<scale { pixels[((y + 4) * scale + dy) * side + (x + 4) * scale + dx] = 0 }
                }
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("kb-qr-\(UUID().uuidString).pgm")
        defer { try? FileManager.default.removeItem(at: file) }
        try (Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/zbarimg")
        process.arguments = ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", file.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    func testEveryVersionDecodesToItsText() throws {
        for version in 1...15 {
            let length = QRCode.capacity(version)
            let text = String((0..<length).map { index in Array("otpauth://totp/Contoso:alice%40contoso.com?secret=ABC234&issuer=Contoso")[index % 70] })
            let code = try QRCode(Array(text.utf8))
            XCTAssertEqual(code.size, 17 + 4 * version, "the smallest version for \(length) bytes")
            XCTAssertEqual(try decode(code), text, "version \(version)")
        }
    }

    func testAnOTPAuthURIAndItsSVG() throws {
        let uri = "otpauth://totp/Contoso:alice%40contoso.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Contoso&algorithm=SHA1&digits=6&period=30"
        let code = try QRCode(Array(uri.utf8))
        XCTAssertEqual(try decode(code), uri)
        let svg = code.svg()
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg)
        // The runs drawn cover exactly the dark modules.
        let runs = svg.split(separator: "M").dropFirst().compactMap { command -> Int? in
            guard let h = command.firstIndex(of: "h"), let v = command.firstIndex(of: "v") else { return nil }
            return Int(command[command.index(after: h)..<v])
        }
        XCTAssertEqual(runs.reduce(0, +), code.modules.joined().filter { $0 }.count)
    }

    func testTooLongIsRefused() {
        XCTAssertThrowsError(try QRCode([UInt8](repeating: 65, count: 500))) {
            guard case .tooLong(500) = $0 as? QRCode.Failure else { return XCTFail("\($0)") }
        }
    }
}
