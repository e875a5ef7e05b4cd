import Foundation

/// Builds compact JWS strings for the BLOB tests.
enum TestJWT {
    static func base64url(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `header.payload` for a header `{alg, typ: "JWT", x5c}` (x5c standard base64).
    static func signingInput(alg: String, x5c: [[UInt8]], payload: Data) throws -> String {
        let header: [String: Any] = [
            "alg": alg, "typ": "JWT", "x5c": x5c.map { Data($0).base64EncodedString() },
        ]
        let headerJSON = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        return base64url(headerJSON) + "." + base64url(payload)
    }

    /// A signed JWT: `signingInput` plus the key's signature.
    static func sign(alg: String, x5c: [[UInt8]], payload: Data, key: TestKey) throws -> String {
        let input = try signingInput(alg: alg, x5c: x5c, payload: payload)
        return input + "." + base64url(try key.jwsSignature(over: Data(input.utf8), alg: alg))
    }

    /// A payload with two FIDO2 entries, serial 42, nextUpdate 2030-04-01.
    static func samplePayload(serial: Int = 42) -> Data {
        Data(
            """
            {"legalHeader": "test", "no": \(serial), "nextUpdate": "2030-04-01", "entries": [
              {"aaguid": "11111111-2222-3333-4444-555555555555",
               "metadataStatement": {"description": "Test Key One", "attestationRootCertificates": []},
               "statusReports": [{"status": "FIDO_CERTIFIED_L1", "effectiveDate": "2029-01-02"}],
               "timeOfLastStatusChange": "2029-01-02"},
              {"aaguid": "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE",
               "metadataStatement": {"description": "Test Key Two"},
               "statusReports": [{"status": "ATTESTATION_KEY_COMPROMISE", "effectiveDate": "2029-06-01"},
                                 {"status": "FIDO_CERTIFIED", "effectiveDate": "2029-01-01"}]}
            ]}
            """.utf8)
    }
}
