import Foundation
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// The hardware-token CSV import: RFC 4180 quoting (a quoted field may hold a comma, a quote and a
/// newline), all rows or none, bad rows named by the line they start on, and the inventory checked
/// against serials already there — on SQLite and PostgreSQL.
final class TokenImportTests: XCTestCase {
    func testQuotedFieldsAllOrNothingAndLinesOnSQLite() async throws { try await importRules(.sqlite) }

    func testQuotedFieldsAllOrNothingAndLinesOnPostgreSQL() async throws { try await importRules(.postgres) }

    private func importRules(_ backend: DirectoryFixture.Backend) async throws {
        let directory = try DirectoryFixture(backend: backend)
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        let file = directory.folder.appendingPathComponent("tokens.csv").path
        func importing(_ text: String) throws -> (status: Int32, report: [String: Any]) {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let result = try directory.keybridge(
                ["admin", "tokens", "import", "--tenant", "contoso", "--file", file, "--json", "--admin", "it@contoso.com", "--client-address", "10.0.0.1"])
            return (result.status, (try? JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]) ?? ["raw": result.stdout + result.stderr])
        }
        // A quoted model holds a comma, a doubled quote and a newline: one record over two lines.
        let good = """
            upn,serial number,secret key,time interval,manufacturer,model
            dana@contoso.com,TK-1,\(secret),30,Contoso,"OTP c200, ""blue""
            edition"
            dana@contoso.com,TK-2,\(secret),60,Contoso,OTP c300

            """
        // The same two and a bad row (line 5: the quoted newline makes record 3 start there).
        let bad = good.replacingOccurrences(of: "TK-1", with: "TK-3").replacingOccurrences(of: "TK-2", with: "TK-4")
            + "dana@contoso.com,TK-5,not base32!,30,Contoso,OTP c200\n"
        var result = try importing(bad)
        XCTAssertEqual(result.status, 2, "[\(backend)] \(result.report)")
        XCTAssertEqual(result.report["imported"] as? [String], [], "[\(backend)] all or nothing")
        let errors = result.report["errors"] as? [[String: Any]] ?? []
        XCTAssertEqual(errors.map { $0["line"] as? Int }, [5], "[\(backend)] \(errors)")
        XCTAssertTrue((errors.first?["message"] as? String ?? "").contains("Base32"))
        await XCTAssertEqualAsync(try await directory.withStore { try await $0.tokens(tenant: "contoso").count }, 0, "[\(backend)]")

        result = try importing(good)
        XCTAssertEqual(result.status, 0, "[\(backend)] \(result.report)")
        XCTAssertEqual(result.report["imported"] as? [String], ["TK-1", "TK-2"])
        let tokens = try await directory.withStore { try await $0.tokens(tenant: "contoso") }
        XCTAssertEqual(tokens.first?.model, "OTP c200, \"blue\"\nedition", "[\(backend)] RFC 4180 quoting")
        XCTAssertEqual(tokens.map(\.interval), [30, 60])

        // Again: both serials are in the inventory now; nothing changes.
        result = try importing(good)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual((result.report["errors"] as? [[String: Any]])?.compactMap { $0["line"] as? Int }, [2, 4])
        let audit = try await directory.audit().filter { $0.action == "importHardwareTokens" }.map(\.reason)
        XCTAssertEqual(audit, ["nothing imported: 1 of 3 rows rejected", "2 imported", "nothing imported: 2 of 2 rows rejected"])
    }
}
