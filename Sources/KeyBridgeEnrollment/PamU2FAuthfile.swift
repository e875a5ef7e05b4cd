import Foundation
import KeyBridgeCBOR

/// One credential as pam_u2f's authfile holds it.
public struct PamU2FCredential: Sendable, Equatable {
    /// The credential id; nil is pam_u2f's `*` (a discoverable credential, found without a handle).
    public var keyHandle: [UInt8]?
    /// ES256: the raw point X‖Y (64 bytes). RS256: the 256-byte modulus followed by the 3-byte exponent.
    public var publicKey: [UInt8]
    /// `es256` or `rs256` (pam_u2f 1.1 knows no other type).
    public var coseType: String
    /// pam_u2f's attributes: `+presence`, `+verification`, `+pin`, concatenated.
    public var options: String

    public init(keyHandle: [UInt8]?, publicKey: [UInt8], coseType: String, options: String) {
        self.keyHandle = keyHandle
        self.publicKey = publicKey
        self.coseType = coseType
        self.options = options
    }
}

/// Reads and writes pam_u2f authfile lines (`login:handle,key,type,options[:…]`, base64 with
/// padding), so a key registered in the directory also unlocks the Linux workstation.
public enum PamU2FAuthfile {
    public enum Failure: Error, Sendable, Equatable {
        /// The key's algorithm has no pam_u2f form (pam_u2f 1.1 takes ES256 and RS256 only).
        case unsupportedKey(String)
        case malformedLine(String)
        case invalidLogin(String)
    }

    /// pam_u2f's form of a COSE public key (as stored in the directory).
    public static func credential(cose: [UInt8], credentialID: [UInt8]?, options: String) throws(Failure) -> PamU2FCredential {
        guard let key = try? CBORDecoder(strict: false).decode(cose) else { throw .unsupportedKey("the stored COSE key does not decode") }
        switch (key[intKey: 1]?.intValue, key[intKey: 3]?.intValue) {
        case (2, -7):
            guard key[intKey: -1]?.intValue == 1, let x = key[intKey: -2]?.bytesValue, let y = key[intKey: -3]?.bytesValue,
                x.count == 32, y.count == 32
            else { throw .unsupportedKey("an ES256 key that is not a P-256 point") }
            return PamU2FCredential(keyHandle: credentialID, publicKey: x + y, coseType: "es256", options: options)
        case (3, -257):
            guard var modulus = key[intKey: -1]?.bytesValue, let exponent = key[intKey: -2]?.bytesValue else {
                throw .unsupportedKey("an RS256 key without modulus or exponent")
            }
            while modulus.first == 0 && modulus.count > 256 { modulus.removeFirst() }
            guard modulus.count == 256 else { throw .unsupportedKey("pam_u2f takes 2048-bit RSA keys only") }
            let paddedExponent = [UInt8](repeating: 0, count: max(0, 3 - exponent.count)) + exponent
            guard paddedExponent.count == 3 else { throw .unsupportedKey("pam_u2f takes a 3-byte RSA exponent only") }
            return PamU2FCredential(keyHandle: credentialID, publicKey: modulus + paddedExponent, coseType: "rs256", options: options)
        case (_, let algorithm):
            throw .unsupportedKey("COSE algorithm \(algorithm.map(String.init) ?? "?") (pam_u2f 1.1 takes es256 and rs256)")
        }
    }

    /// The authfile line for `login` with every credential on it.
    public static func line(login: String, credentials: [PamU2FCredential]) throws(Failure) -> String {
        guard isValidLogin(login) else { throw .invalidLogin(login) }
        let entries = credentials.map { credential in
            [
                credential.keyHandle.map { Data($0).base64EncodedString() } ?? "*",
                Data(credential.publicKey).base64EncodedString(), credential.coseType, credential.options,
            ].joined(separator: ",")
        }
        return ([login] + entries).joined(separator: ":")
    }

    /// Parses a line back (the inverse of ``line(login:credentials:)``).
    public static func parse(_ line: String) throws(Failure) -> (login: String, credentials: [PamU2FCredential]) {
        let parts = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, isValidLogin(parts[0]) else { throw .malformedLine("expected login:credential[:credential…]") }
        var credentials: [PamU2FCredential] = []
        for (index, entry) in parts.dropFirst().enumerated() {
            let fields = entry.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { throw .malformedLine("credential \(index + 1) has \(fields.count) fields, not 4") }
            let handle: [UInt8]?
            if fields[0] == "*" {
                handle = nil
            } else {
                guard let data = Data(base64Encoded: fields[0]) else { throw .malformedLine("credential \(index + 1): key handle is not base64") }
                handle = Array(data)
            }
            guard let key = Data(base64Encoded: fields[1]) else { throw .malformedLine("credential \(index + 1): public key is not base64") }
            guard ["es256", "rs256"].contains(fields[2]) else { throw .malformedLine("credential \(index + 1): type \(fields[2])") }
            credentials.append(PamU2FCredential(keyHandle: handle, publicKey: Array(key), coseType: fields[2], options: fields[3]))
        }
        return (parts[0], credentials)
    }

    /// `existing` authfile text with `line` replacing the line of the same login (or appended);
    /// pam_u2f reads only the last line of a login, so exactly one is kept.
    public static func merge(_ line: String, into existing: String) -> String {
        let login = String(line.prefix { $0 != ":" })
        var lines = existing.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        lines.removeAll { $0.prefix { $0 != ":" } == login }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }

    static func isValidLogin(_ login: String) -> Bool {
        !login.isEmpty && !login.contains { $0 == ":" || $0 == "," || $0.isWhitespace }
    }
}
