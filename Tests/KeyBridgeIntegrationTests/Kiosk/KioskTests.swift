import Foundation
import KeyBridgeFIDO
import KeyBridgeRegistration
import KeyBridgeTestSupport
import XCTest

/// `keybridge kiosk` run as a person would, in tmux: an operator signs in, new hires enroll with
/// virtual keys (over the HID socket and as a contactless card through pcscd), receipts are
/// checked; a key pulled out, Ctrl-C and a directory made unwritable mid-flow leave nothing behind.
/// Every scenario runs on a local directory here and through `keybridge serve` in
/// ``KioskServerTests`` (the same test bodies).
class KioskTests: XCTestCase {
    enum Mode { case local, server }

    /// Where the kiosk's directory is.
    class var mode: Mode { .local }

    private var directory: DirectoryFixture!
    private var keys: URL!
    private var receipts: URL!
    private var operatorPass = ""
    private var server: ServerProcess?
    private var tokenFile = ""

    override func setUpWithError() throws {
        if Self.mode == .server {
            // A server sees the kiosk's address (loopback here), not the device name it claims.
            directory = try DirectoryFixture(
                policy: DirectoryFixture.kioskPolicy.replacingOccurrences(of: #"["10.0.0.0/8"]"#, with: #"["10.0.0.0/8", "127.0.0.0/8"]"#))
        } else {
            directory = try DirectoryFixture()
        }
        try directory.addUser("hr@contoso.com", name: "HR Desk", groups: ["kiosk-operators"])
        try directory.addUser("dana@contoso.com", name: "Dana Scully")
        try directory.addUser("fox@contoso.com", name: "Fox Mulder")
        operatorPass = try directory.issuePass("hr@contoso.com")
        keys = try TestPaths.temporaryDirectory()
        receipts = directory.folder.appendingPathComponent("receipts")
        guard Self.mode == .server else { return }
        let issued = try directory.admin(["token", "issue", "--name", "hr-kiosk-1", "--scope", "kiosk", "--tenant", "contoso", "--json"])
        let token = try XCTUnwrap((try JSONSerialization.jsonObject(with: issued.stdoutData) as? [String: Any])?["token"] as? String)
        tokenFile = directory.folder.appendingPathComponent("kiosk.token").path
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        server = try ServerProcess(directory: directory.databasePath)
    }

    override func tearDown() {
        server?.stop()
        server = nil
    }

    /// The options naming this mode's directory (local: the environment's, with the kiosk's address).
    private var target: [String] {
        switch Self.mode {
        case .local: ["--client-address", "10.1.2.3"]
        case .server: ["--server", server?.baseURL ?? "", "--token-file", tokenFile]
        }
    }

    /// Starts the kiosk and signs the operator in; with `events`, its stdout (JSON lines with
    /// `--json`) goes to that file and the pages to the terminal.
    private func startKiosk(_ extra: [String] = [], events: String? = nil) throws -> TmuxSession {
        let arguments = [TestPaths.keybridge, "kiosk", "--kiosk-name", "hr-kiosk-1", "--receipts", receipts.path, "--timeout", "20"]
            + target + extra
        let command = events.map { ["/bin/sh", "-c", arguments.map(TmuxSession.quote).joined(separator: " ") + " > " + TmuxSession.quote($0)] }
        let kiosk = try TmuxSession(
            command ?? arguments, environment: directory.environment.merging(["KEYBRIDGE_VKEY_DIR": keys.path]) { $1 })
        try kiosk.waitFor("Operator (user principal name):")
        try kiosk.type("hr@contoso.com")
        try kiosk.waitFor("One-time code or Temporary Access Pass")
        try kiosk.type(operatorPass)
        try kiosk.waitFor("New hire (user principal name)")
        XCTAssertTrue(kiosk.screen().contains("hr@contoso.com"), "the operator is shown in the frame")
        return kiosk
    }

    /// Takes the kiosk from "New hire" to the PIN question with a pass issued on the spot.
    private func bringHire(_ upn: String, kiosk: TmuxSession, pass: String = "") throws {
        try kiosk.type(upn)
        try kiosk.waitFor("Temporary Access Pass (not shown")
        try kiosk.type(pass)
        try kiosk.waitFor("Insert the security key")
    }

    private func choosePIN(_ pin: String, kiosk: TmuxSession) throws {
        try kiosk.waitFor("choose a PIN for your key")
        try kiosk.type(pin)
        try kiosk.waitFor("Type the PIN again")
        try kiosk.type(pin)
    }

    private func credentialsOnKey(_ deviceID: String, pin: String) throws -> [String] {
        let result = try ProcessRunner.run(
            TestPaths.keybridge, ["fido", "credentials", "list", "--json", "--device", deviceID], environment: ["KEYBRIDGE_PIN": pin])
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        let object = try JSONSerialization.jsonObject(with: result.stdoutData) as? [String: Any]
        return (object?["credentials"] as? [[String: Any]] ?? []).compactMap { $0["credentialId"] as? String }
    }

    /// The serial number discovery reports for `deviceID` (retried while the kiosk still holds the card).
    private func cardSerial(_ deviceID: String) throws -> String? {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let listed = try ProcessRunner.run(TestPaths.keybridge, ["devices", "--json"], environment: ["KEYBRIDGE_VKEY_DIR": keys.path])
            let devices = (try? JSONDecoder().decode([DeviceDescriptor].self, from: listed.stdoutData)) ?? []
            if let serial = devices.first(where: { $0.id == deviceID })?.serialNumber { return serial }
            usleep(200_000)
        }
        return nil
    }

    func testTwoNewHiresBackToBackOverUSBAndNFCWithReceipts() async throws {
        let kiosk = try startKiosk()

        // 1. Dana, USB-style key; the operator issues her pass on the spot.
        try bringHire("dana@contoso.com", kiosk: kiosk)
        let state = keys.appendingPathComponent("dana.state").path
        var danaKey: VirtualKeyProcess? = try VirtualKeyProcess(
            options: ["--attestation", "packed", "--serial", "KB-HIRE-1", "--state", state], directory: keys, name: "dana.sock")
        var screen = try kiosk.waitFor("choose a PIN for your key")
        XCTAssertTrue(screen.contains("KB-HIRE-1"), "the key's serial number is shown:\n\(screen)")
        XCTAssertTrue(screen.contains("f1d0f1d0-6b65-7962-7269-646765000001"), "and its AAGUID")
        XCTAssertTrue(screen.contains("keybridge Virtual Key"), "and its model")
        try kiosk.type("12")  // too short: asked again
        try kiosk.waitFor("at least 6 characters. Try again")
        try choosePIN("246810", kiosk: kiosk)
        screen = try kiosk.waitFor("security key is registered")
        XCTAssertTrue(screen.contains("Dana Scully"), screen)
        try kiosk.waitFor("Remove the key")
        danaKey?.stop()
        danaKey = nil
        try kiosk.type("")

        // 2. Fox, contactless key through pcscd, with a pass HR gave him earlier (one-time).
        let foxPass = try directory.issuePass("fox@contoso.com")
        try kiosk.waitFor("New hire (user principal name)")
        try bringHire("fox@contoso.com", kiosk: kiosk, pass: foxPass)
        let card = try VirtualCardProcess(options: ["--attestation", "packed", "--serial", "KB-HIRE-2"])
        screen = try kiosk.waitFor("choose a PIN for your key")
        XCTAssertTrue(screen.contains("nfc"), screen)
        try choosePIN("135790", kiosk: kiosk)
        screen = try kiosk.waitFor("Fox Mulder's security key is registered", timeout: 40)
        // Once the kiosk lets go of the card, discovery reads its UID: the serial on the receipt.
        let cardUID = try XCTUnwrap(try cardSerial(card.deviceID), "the card's UID")
        XCTAssertTrue(screen.contains("Serial:        \(cardUID)"), "the card's UID is its serial number here:\n\(screen)")
        card.stop()
        try kiosk.type("")
        try kiosk.waitFor("New hire (user principal name)")
        try kiosk.type("quit")
        try kiosk.waitFor("[exited 0]")

        // Receipts: one CSV line and one JSON line each; no PIN (the hires chose theirs).
        let csv = try String(contentsOf: receipts.appendingPathComponent("enrollments.csv"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        XCTAssertEqual(csv.count, 3, csv.joined(separator: "\n"))
        XCTAssertEqual(csv[0], "time,upn,tenant,key model,aaguid,serial number,credential id,kiosk,operator,pin")
        let json = try String(contentsOf: receipts.appendingPathComponent("enrollments.jsonl"), encoding: .utf8)
            .split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        XCTAssertEqual(json.map { $0["upn"] as? String }, ["dana@contoso.com", "fox@contoso.com"])
        XCTAssertEqual(json.map { $0["serialNumber"] as? String }, ["KB-HIRE-1", cardUID])
        XCTAssertTrue(json.allSatisfy { $0["pin"] == nil && $0["kiosk"] as? String == "hr-kiosk-1" && $0["operatorUPN"] as? String == "hr@contoso.com" })
        XCTAssertTrue(json.allSatisfy { $0["aaguid"] as? String == "f1d0f1d0-6b65-7962-7269-646765000001" })
        for (index, upn) in ["dana@contoso.com", "fox@contoso.com"].enumerated() {
            let fields = csv[index + 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            XCTAssertEqual(fields[1], upn)
            XCTAssertEqual(fields[9], "", "no PIN in the CSV")
            // The directory holds exactly the credential on the receipt.
            let stored = try await directory.methods(upn)
            XCTAssertEqual(stored.map(\.kind), [.fido2SecurityKey])
            XCTAssertEqual(stored.first?.fido2.map { Base64URL.encode($0.credentialID) }, json[index]["credentialID"] as? String)
            XCTAssertEqual(fields[6], json[index]["credentialID"] as? String)
        }

        // The key itself holds Dana's credential (restarted from its state file), under her PIN.
        let restarted = try VirtualKeyProcess(options: ["--state", state], directory: keys, name: "dana.sock")
        XCTAssertEqual(try credentialsOnKey(restarted.deviceID, pin: "246810"), [json[0]["credentialID"] as? String ?? "?"])
        // Fox's one-time pass is used up: one opening with it (a server signs him in with it).
        let opening = Self.mode == .local ? "start" : "signIn"
        await XCTAssertEqualAsync(
            try await directory.audit().filter { $0.upn == "fox@contoso.com" && $0.action == opening }.map(\.outcome), [.success])
        if Self.mode == .server {
            // The kiosk's pass for Dana was issued through the server, under the kiosk's token.
            await XCTAssertEqualAsync(
                try await directory.audit().filter { $0.upn == "dana@contoso.com" && $0.action == "issueTemporaryAccessPass" }.map(\.reason),
                ["token:hr-kiosk-1"])
        }
        let reuse = try directory.keybridge(
            ["security-info", "list", "--user", "fox@contoso.com", "--client-device", "hr-kiosk-1", "--json"],
            environment: ["KEYBRIDGE_TAP": foxPass])
        XCTAssertEqual(reuse.status, 12, "a one-time pass works once: \(reuse.stdout)")
    }

    func testRandomPINIsPrintedOnTheReceiptAndTheKeyDemandsAChange() throws {
        let kiosk = try startKiosk(["--random-pin", "--min-pin-length", "8"])
        try bringHire("dana@contoso.com", kiosk: kiosk)
        let key = try VirtualKeyProcess(options: ["--serial", "KB-RANDOM"], directory: keys, name: "dana.sock")
        let screen = try kiosk.waitFor("security key is registered")
        XCTAssertTrue(screen.contains("A random PIN will be printed") || screen.contains("PIN (change it at first use)"), screen)
        // The PIN is on the screen for the new hire; the receipt files say one was issued, not which.
        let pin = try XCTUnwrap(screen.firstMatch(of: /PIN \(change it at first use\): (\d{8})/).map { String($0.output.1) }, screen)
        let receipt = try String(contentsOf: receipts.appendingPathComponent("enrollments.jsonl"), encoding: .utf8)
        let object = try JSONSerialization.jsonObject(with: Data(receipt.utf8)) as? [String: Any]
        XCTAssertNil(object?["pin"], "no PIN in the JSON receipt")
        XCTAssertEqual(object?["pinIssued"] as? Bool, true)
        let csv = try String(contentsOf: receipts.appendingPathComponent("enrollments.csv"), encoding: .utf8)
        XCTAssertFalse(csv.contains(pin) || receipt.contains(pin), "the PIN is in no receipt file")
        XCTAssertTrue(csv.hasSuffix(",issued\n"), csv)
        let info = try ProcessRunner.run(TestPaths.keybridge, ["info", "--json", "--device", key.deviceID])
        let details = (try JSONSerialization.jsonObject(with: info.stdoutData) as? [String: Any])?["info"] as? [String: Any]
        XCTAssertEqual(details?["forcePINChange"] as? Bool, true, "the key demands a new PIN at first use")
        XCTAssertEqual(details?["minPINLength"] as? Int, 8)
    }

    func testAKeyAlreadyHoldingAPINIsResetOnlyAfterConfirmation() throws {
        let kiosk = try startKiosk()
        try bringHire("dana@contoso.com", kiosk: kiosk)
        let key = try VirtualKeyProcess(directory: keys, name: "used.sock")
        XCTAssertEqual(try ProcessRunner.run(
            TestPaths.keybridge, ["fido", "pin", "set", "--device", key.deviceID], environment: ["KEYBRIDGE_NEW_PIN": "999999"]).status, 0)
        try kiosk.waitFor("already has a PIN")
        try kiosk.type("")  // not confirmed
        try kiosk.waitFor("was not reset")
        XCTAssertEqual(try ProcessRunner.run(
            TestPaths.keybridge, ["fido", "pin", "retries", "--device", key.deviceID, "--json"]).status, 0, "the key is untouched")
        try kiosk.type("")
        try bringHire("dana@contoso.com", kiosk: kiosk)
        try kiosk.waitFor("already has a PIN")
        try kiosk.type("RESET")
        try choosePIN("135790", kiosk: kiosk)
        try kiosk.waitFor("security key is registered")
        XCTAssertEqual(try credentialsOnKey(key.deviceID, pin: "135790").count, 1)
    }

    func testAKeyPulledMidFlowLeavesNothingOnTheKeyAndNothingInTheDirectory() async throws {
        let events = keys.appendingPathComponent("events.jsonl").path
        let kiosk = try startKiosk(["--json"], events: events)
        try bringHire("dana@contoso.com", kiosk: kiosk)
        let state = keys.appendingPathComponent("pulled.state").path
        let key = try VirtualKeyProcess(options: ["--presence", "wait", "--state", state], directory: keys, name: "pulled.sock")
        try choosePIN("246810", kiosk: kiosk)
        try kiosk.waitFor("Touch your security key")
        key.stop()  // pulled out while it waits for the touch
        let screen = try kiosk.waitFor("Not registered")
        XCTAssertTrue(screen.contains("nothing is left on the key"), screen)
        await XCTAssertTrueAsync(try await directory.methods("dana@contoso.com").isEmpty, "nothing stored")
        let again = try VirtualKeyProcess(options: ["--state", state], directory: keys, name: "pulled.sock")
        XCTAssertEqual(try credentialsOnKey(again.deviceID, pin: "246810"), [], "no credential on the key")
        try kiosk.type("")
        try kiosk.waitFor("New hire (user principal name)")
        // --json: the outcome as a JSON line on stdout (the pages went to stderr).
        let line = try XCTUnwrap(try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n").first)
        let event = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(event["event"] as? String, "failed")
        XCTAssertEqual(event["upn"] as? String, "dana@contoso.com")
        XCTAssertEqual(event["rollback"] as? String, "nothingCreated")
        XCTAssertNotNil(event["code"] as? String)
    }

    func testCtrlCMidFlowCancelsThatPersonOnly() async throws {
        let kiosk = try startKiosk()
        try bringHire("dana@contoso.com", kiosk: kiosk)
        let key = try VirtualKeyProcess(options: ["--presence", "wait"], directory: keys, name: "wait.sock")
        try choosePIN("246810", kiosk: kiosk)
        try kiosk.waitFor("Touch your security key")
        try kiosk.interrupt()
        let screen = try kiosk.waitFor("Not registered")
        XCTAssertTrue(screen.contains("Cancelled"), screen)
        await XCTAssertTrueAsync(try await directory.methods("dana@contoso.com").isEmpty)
        XCTAssertEqual(try credentialsOnKey(key.deviceID, pin: "246810"), [])
        try kiosk.type("")
        try kiosk.waitFor("New hire (user principal name)", timeout: 10)
        XCTAssertFalse(kiosk.screen().contains("[exited"), "Ctrl-C does not end the kiosk")
    }

    /// Local: the directory file made immutable; through a server: the server killed.
    func testADirectoryThatFailsMidFlowDeletesTheCredentialFromTheKeyAgain() async throws {
        let kiosk = try startKiosk()
        try bringHire("dana@contoso.com", kiosk: kiosk)
        let key = try VirtualKeyProcess(options: ["--presence", "wait"], directory: keys, name: "ro.sock")
        try choosePIN("246810", kiosk: kiosk)
        try kiosk.waitFor("Touch your security key")
        if Self.mode == .server {
            server?.kill()
            try key.control(["cmd": "touch"])
            let screen = try kiosk.waitFor("Not registered", timeout: 60)
            XCTAssertTrue(screen.contains("deleted from the key again"), screen)
            await XCTAssertTrueAsync(try await directory.methods("dana@contoso.com").isEmpty, "nothing stored")
            XCTAssertEqual(try credentialsOnKey(key.deviceID, pin: "246810"), [], "the credential was deleted from the key")
            return
        }
        // Read-only for everyone, root included: the immutable attribute on the database and its
        // write-ahead log (not on the shared-memory index: SQLite maps it, and a mapped page that
        // cannot be written is a SIGBUS, not an error — no file system goes read-only that way).
        let files = ["directory.sqlite", "directory.sqlite-wal"].map { directory.folder.appendingPathComponent($0).path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        let frozen = try ProcessRunner.run("/usr/bin/chattr", ["+i"] + files + [directory.folder.path])
        XCTAssertEqual(frozen.status, 0, "chattr +i must work on the test folder's file system: \(frozen.stderr)")
        defer { _ = try? ProcessRunner.run("/usr/bin/chattr", ["-i"] + files + [directory.folder.path]) }
        try key.control(["cmd": "touch"])
        let screen = try kiosk.waitFor("Not registered")
        XCTAssertTrue(screen.contains("deleted from the key again"), screen)
        _ = try ProcessRunner.run("/usr/bin/chattr", ["-i"] + files + [directory.folder.path])
        await XCTAssertTrueAsync(try await directory.methods("dana@contoso.com").isEmpty, "nothing stored")
        XCTAssertEqual(try credentialsOnKey(key.deviceID, pin: "246810"), [], "the credential was deleted from the key")
        try kiosk.type("")
        try kiosk.waitFor("New hire (user principal name)")
    }
}

/// The same kiosk scenarios through `keybridge serve` on the directory, with a kiosk API token.
final class KioskServerTests: KioskTests {
    override class var mode: Mode { .server }

    // Declared here so that test discovery on Linux finds them (it lists a class's own methods).
    override func testTwoNewHiresBackToBackOverUSBAndNFCWithReceipts() async throws { try await super.testTwoNewHiresBackToBackOverUSBAndNFCWithReceipts() }
    override func testRandomPINIsPrintedOnTheReceiptAndTheKeyDemandsAChange() throws { try super.testRandomPINIsPrintedOnTheReceiptAndTheKeyDemandsAChange() }
    override func testAKeyAlreadyHoldingAPINIsResetOnlyAfterConfirmation() throws { try super.testAKeyAlreadyHoldingAPINIsResetOnlyAfterConfirmation() }
    override func testAKeyPulledMidFlowLeavesNothingOnTheKeyAndNothingInTheDirectory() async throws { try await super.testAKeyPulledMidFlowLeavesNothingOnTheKeyAndNothingInTheDirectory() }
    override func testCtrlCMidFlowCancelsThatPersonOnly() async throws { try await super.testCtrlCMidFlowCancelsThatPersonOnly() }
    override func testADirectoryThatFailsMidFlowDeletesTheCredentialFromTheKeyAgain() async throws { try await super.testADirectoryThatFailsMidFlowDeletesTheCredentialFromTheKeyAgain() }
}
