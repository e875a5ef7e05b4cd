import Crypto
import Foundation
import KeyBridgeCBOR
import KeyBridgeWebAuthn
import XCTest
import _CryptoExtras

/// RS256 (no virtual key makes it): a registration with self attestation and an assertion, built
/// here with an RSA-2048 key, verify; a wrong signature and a wrong relying party do not.
final class RS256VerificationTests: XCTestCase {
    private let rpID = "example.com"

    private func coseKey(_ key: _RSA.Signing.PublicKey) throws -> CBOR {
        // n and e from the PKCS #1 DER (SEQUENCE { INTEGER n, INTEGER e }).
        let der = Array(key.pkcs1DERRepresentation)
        var index = 0
        func readLength() -> Int {
            let first = Int(der[index]); index += 1
            guard first & 0x80 != 0 else { return first }
            var length = 0
            for _ in 0..<(first & 0x7F) { length = length << 8 | Int(der[index]); index += 1 }
            return length
        }
        func readInteger() -> [UInt8] {
            XCTAssertEqual(der[index], 0x02); index += 1
            let length = readLength()
            defer { index += length }
            return Array(der[index..<index + length].drop { $0 == 0 })
        }
        XCTAssertEqual(der[index], 0x30); index += 1
        _ = readLength()
        let modulus = readInteger()
        let exponent = readInteger()
        return .map([.int(1): .int(3), .int(3): .int(-257), .int(-1): .bytes(modulus), .int(-2): .bytes(exponent)])
    }

    private func authenticatorData(credentialKey: CBOR?, flags: UInt8, counter: UInt32 = 1) -> [UInt8] {
        var data = Array(SHA256.hash(data: Array(rpID.utf8))) + [flags] + withUnsafeBytes(of: counter.bigEndian, Array.init)
        if let credentialKey {
            let credentialID = Array(repeating: UInt8(7), count: 32)
            data += Array(repeating: 0, count: 16) + [0, 32] + credentialID + CBOREncoder.encode(credentialKey)
        }
        return data
    }

    func testRS256SelfAttestationAndAssertionVerifyAndForgeriesDoNot() throws {
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let cose = try coseKey(privateKey.publicKey)
        let clientData = Array(#"{"type":"webauthn.create","challenge":"AAAA","origin":"https://example.com"}"#.utf8)
        let authData = authenticatorData(credentialKey: cose, flags: 0x41)
        let signed = authData + Array(SHA256.hash(data: clientData))
        let signature = try privateKey.signature(for: signed, padding: .insecurePKCS1v1_5).rawRepresentation
        func registration(_ signature: Data) -> RegistrationResponseJSON {
            let statement: [CBOR: CBOR] = [.text("alg"): .int(-257), .text("sig"): .bytes(Array(signature))]
            let fields: [CBOR: CBOR] = [.text("fmt"): .text("packed"), .text("authData"): .bytes(authData), .text("attStmt"): .map(statement)]
            let object = CBOREncoder.encode(.map(fields))
            return try! RegistrationResponseJSON(
                id: Base64URL.encode(Array(repeating: UInt8(7), count: 32)), clientDataJSON: Base64URL.encode(clientData),
                attestationObject: Base64URL.encode(object))
        }
        let verified = try WebAuthnVerifier.verifyRegistration(registration(signature), rpID: rpID)
        XCTAssertEqual(verified.algorithm, -257)
        XCTAssertTrue(verified.attestationSignatureChecked)
        var wrong = signature
        wrong[wrong.startIndex + 10] ^= 0x01
        XCTAssertThrowsError(try WebAuthnVerifier.verifyRegistration(registration(wrong), rpID: rpID)) {
            guard case .verificationFailed(let message) = $0 as? KeyBridgeError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("self-attestation signature does not verify"), message)
        }
        XCTAssertThrowsError(try WebAuthnVerifier.verifyRegistration(registration(signature), rpID: "evil.example")) {
            guard case .verificationFailed(let message) = $0 as? KeyBridgeError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("rpIdHash does not match evil.example"), message)
        }

        let getData = Array(#"{"type":"webauthn.get","challenge":"BBBB","origin":"https://example.com"}"#.utf8)
        let assertionData = authenticatorData(credentialKey: nil, flags: 0x01, counter: 2)
        let assertionSignature = try privateKey.signature(for: assertionData + Array(SHA256.hash(data: getData)), padding: .insecurePKCS1v1_5)
        let assertion = AuthenticationResponseJSON(
            id: "id", rawId: "id", type: "public-key",
            response: .init(
                clientDataJSON: Base64URL.encode(getData), authenticatorData: Base64URL.encode(assertionData),
                signature: Base64URL.encode(Array(assertionSignature.rawRepresentation)), userHandle: nil),
            authenticatorAttachment: "cross-platform", clientExtensionResults: ClientExtensionResults())
        XCTAssertNoThrow(try WebAuthnVerifier.verifyAssertion(assertion, rpID: rpID, publicKey: verified.publicKey))
        var forged = assertion
        forged.response.clientDataJSON = Base64URL.encode(Array(#"{"type":"webauthn.get","challenge":"CCCC"}"#.utf8))
        XCTAssertThrowsError(try WebAuthnVerifier.verifyAssertion(forged, rpID: rpID, publicKey: verified.publicKey)) {
            guard case .verificationFailed(let message) = $0 as? KeyBridgeError else { return XCTFail("\($0)") }
            XCTAssertTrue(message.contains("assertion signature does not verify"), message)
        }
    }
}
