import Foundation

/// A JWS in compact serialisation (`header.payload.signature`), split and decoded but not yet verified.
struct JWSCompact {
    /// The ASCII bytes of `header.payload`, which the signature covers.
    var signingInput: Data
    /// The decoded protected header's `alg`.
    var algorithm: String
    /// The decoded header's `x5c`: DER certificates, leaf first.
    var certificateChain: [[UInt8]]
    /// The decoded payload bytes.
    var payload: Data
    /// The decoded signature bytes.
    var signature: [UInt8]

    /// Splits and decodes `text`; throws ``MetadataError/malformed(_:)`` for anything that is not a compact JWS
    /// with a JSON header carrying a string `alg` and an `x5c` array of standard base64 strings.
    init(_ text: String) throws(MetadataError) {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw .malformed("the BLOB is not a JWT: expected 3 dot-separated parts, found \(parts.count)")
        }
        guard let headerBytes = Base64Decoding.url(parts[0]) else { throw .malformed("the JWT header is not base64url") }
        guard let payloadBytes = Base64Decoding.url(parts[1]) else { throw .malformed("the JWT payload is not base64url") }
        guard let signatureBytes = Base64Decoding.url(parts[2]) else {
            throw .malformed("the JWT signature is not base64url")
        }
        guard let header = (try? JSONSerialization.jsonObject(with: Data(headerBytes))) as? [String: Any] else {
            throw .malformed("the JWT header is not a JSON object")
        }
        guard let algorithm = header["alg"] as? String else { throw .malformed("the JWT header has no \"alg\"") }
        guard let chainTexts = header["x5c"] as? [Any], !chainTexts.isEmpty else {
            throw .malformed("the JWT header has no \"x5c\" certificate chain")
        }
        var chain: [[UInt8]] = []
        for (position, value) in chainTexts.enumerated() {
            guard let text = value as? String, let der = Base64Decoding.standard(text) else {
                throw .malformed("x5c certificate \(position) is not standard base64")
            }
            chain.append(der)
        }
        signingInput = Data(parts[0].utf8) + Data(".".utf8) + Data(parts[1].utf8)
        self.algorithm = algorithm
        certificateChain = chain
        payload = Data(payloadBytes)
        signature = signatureBytes
    }
}
