import Foundation
import KeyBridgeEnrollment
import KeyBridgeFIDO
import KeyBridgeRegistration

/// Graph's JSON as keybridge's types: creation options, methods, errors. Accepts what
/// `keybridge serve` emits and what Entra ID's Graph emits (with or without a `value` wrapper;
/// credential ids in base64url or in Entra's base64url-plus-padding-digit form).
public enum GraphDecoding {
    /// A body that is not the shape it should be.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    /// The relying party id of Entra ID's security-key registration.
    public static let entraRelyingParty = "login.microsoft.com"

    // MARK: Creation options

    /// Graph's `webauthnCredentialCreationOptions` (`{challengeTimeoutDateTime, publicKey}`,
    /// optionally inside `value`). The origin is keybridge's `@keybridge.origin` annotation when
    /// present; `https://login.microsoft.com` for Entra's relying party; else `https://` + rp id.
    public static func creationOptions(_ data: Data, now: Date = Date()) throws -> FIDO2CreationOptions {
        let object = try single(data)
        guard let publicKey = object["publicKey"] as? [String: Any] else { throw Failure("creation options without publicKey") }
        guard let challengeText = publicKey["challenge"] as? String, let challenge = Base64URL.decode(challengeText), !challenge.isEmpty
        else { throw Failure("publicKey.challenge is missing or not base64url") }
        guard let rp = publicKey["rp"] as? [String: Any], let rpID = rp["id"] as? String, !rpID.isEmpty else {
            throw Failure("publicKey.rp.id is missing")
        }
        guard let user = publicKey["user"] as? [String: Any], let userIDText = user["id"] as? String,
            let userHandle = credentialIDCandidates(userIDText, keybridge: true).first ?? credentialIDCandidates(userIDText).first,
            let userName = user["name"] as? String
        else { throw Failure("publicKey.user needs id (base64url) and name") }
        let keybridgeOrigin = object["@keybridge.origin"] as? String
        let origin = keybridgeOrigin ?? (rpID == entraRelyingParty ? "https://login.microsoft.com" : "https://\(rpID)")

        let excluded = (publicKey["excludeCredentials"] as? [[String: Any]] ?? []).flatMap { entry -> [[UInt8]] in
            guard let id = entry["id"] as? String else { return [] }
            return credentialIDCandidates(id, keybridge: keybridgeOrigin != nil)
        }
        let selection = publicKey["authenticatorSelection"] as? [String: Any] ?? [:]
        let residentKey: Bool = switch selection["residentKey"] as? String {
        case "required", "preferred": true
        case "discouraged": false
        default: selection["requireResidentKey"] as? Bool ?? false
        }
        let userVerification = (selection["userVerification"] as? String ?? "preferred") != "discouraged"
        let attestation = (publicKey["attestation"] as? String ?? "none") == "none" ? "none" : "direct"

        let timeoutMS = (publicKey["timeout"] as? NSNumber)?.doubleValue
        let expires = (object["challengeTimeoutDateTime"] as? String).flatMap(dateTime)
            ?? timeoutMS.map { now.addingTimeInterval($0 / 1000) } ?? now.addingTimeInterval(300)
        return FIDO2CreationOptions(
            challenge: challenge, expires: expires, relyingParty: RelyingParty(id: rpID, name: rp["name"] as? String),
            origin: origin, userHandle: userHandle, userName: userName,
            userDisplayName: user["displayName"] as? String ?? userName, excludeCredentials: excluded,
            residentKey: residentKey, userVerification: userVerification, attestation: attestation)
    }

    /// Every byte string a credential id from Graph can stand for: plain base64url (keybridge,
    /// WebAuthn), or Entra's form — base64url without padding followed by one digit, the number
    /// of `=` removed. With `keybridge` only the plain form is read. Where a text is valid in both
    /// forms both are returned (an extra excluded id costs nothing; a missing one lets a key register twice).
    public static func credentialIDCandidates(_ text: String, keybridge: Bool = false) -> [[UInt8]] {
        var candidates: [[UInt8]] = []
        if let last = text.last, let digit = Int(String(last)), (0...2).contains(digit), !keybridge {
            let body = String(text.dropLast())
            if (body.count + digit) % 4 == 0, let bytes = canonical(body) { candidates.append(bytes) }
        }
        if let bytes = canonical(text), !candidates.contains(bytes) { candidates.append(bytes) }
        return candidates
    }

    /// Decodes base64url only when it is the canonical encoding of its bytes (no stray bits).
    private static func canonical(_ text: String) -> [UInt8]? {
        let unpadded = text.replacingOccurrences(of: "=", with: "")
        guard !unpadded.isEmpty, unpadded.count % 4 != 1, let bytes = Base64URL.decode(unpadded), Base64URL.encode(bytes) == unpadded
        else { return nil }
        return bytes
    }

    // MARK: Methods

    /// A user's methods as a server listed them.
    public struct MethodList: Sendable {
        /// The tenant the server acted in: keybridge's `@keybridge.tenant` annotation, else the
        /// one asked for; nil when neither says (Entra: the token's tenant).
        public var tenant: String?
        public var methods: [RegisteredMethod]
    }

    /// A collection (`{value: [...]}` or a bare array) as the methods keybridge's table knows.
    public static func methods(_ data: Data, upn: String, tenant asked: String?) throws -> MethodList {
        let json = try parse(data)
        let items: [[String: Any]]
        var tenant = asked
        if let array = json as? [[String: Any]] {
            items = array
        } else if let object = json as? [String: Any], let array = object["value"] as? [[String: Any]] {
            items = array
            tenant = object["@keybridge.tenant"] as? String ?? asked
        } else {
            throw Failure("a collection is {\"value\": [...]}")
        }
        return MethodList(tenant: tenant, methods: items.compactMap { method($0, upn: upn, tenant: tenant ?? "") })
    }

    /// One method object (optionally inside `value`); nil for a Graph type keybridge has no kind for.
    public static func method(_ data: Data, upn: String, tenant: String) throws -> RegisteredMethod? {
        method(try single(data), upn: upn, tenant: tenant)
    }

    static func method(_ object: [String: Any], upn: String, tenant: String) -> RegisteredMethod? {
        guard let type = object["@odata.type"] as? String, let id = object["id"] as? String else { return nil }
        let tenant = object["@keybridge.tenant"] as? String ?? tenant
        let name = object["displayName"] as? String
        let created = (object["createdDateTime"] as? String).flatMap(dateTime) ?? Date(timeIntervalSince1970: 0)
        let isDefault = object["isDefault"] as? Bool ?? false
        func make(_ kind: MethodKind, _ value: String?, fido2: FIDO2KeyRecord? = nil, friendlyName: String? = nil) -> RegisteredMethod {
            RegisteredMethod(
                id: id, tenant: tenant, upn: upn, kind: kind, displayValue: value ?? "", friendlyName: friendlyName, fido2: fido2,
                isDefault: isDefault, created: created)
        }
        switch type.split(separator: ".").last.map(String.init) ?? type {
        case "fido2AuthenticationMethod":
            let model = object["model"] as? String
            // keybridge shows a key as its model (or "Security key"); displayName is the name given at registration.
            let value = model ?? "Security key"
            let aaguid = (object["aaGuid"] as? String).flatMap(UUID.init(uuidString:)).map { uuid in
                withUnsafeBytes(of: uuid.uuid) { Array($0) }
            } ?? []
            let attested = object["attestationLevel"] as? String == "attested"
            let level = attested ? "basic" : "none"
            let record = FIDO2KeyRecord(
                credentialID: [], publicKeyCOSE: [], aaguid: aaguid, signCount: 0, attestationLevel: level, model: model,
                attestationTrusted: attested)
            return make(.fido2SecurityKey, value, fido2: record, friendlyName: name == value ? nil : name)
        case "microsoftAuthenticatorAuthenticationMethod": return make(.authenticatorApp, name)
        case "softwareOathAuthenticationMethod": return make(.otherAuthenticatorApp, name)
        case "hardwareOathAuthenticationMethod": return make(.hardwareToken, name)
        case "phoneAuthenticationMethod":
            let kind: MethodKind = switch object["phoneType"] as? String {
            case "alternateMobile": .alternatePhone
            case "office": .officePhone
            default: .phone
            }
            return make(kind, object["phoneNumber"] as? String)
        case "emailAuthenticationMethod": return make(.email, object["emailAddress"] as? String)
        case "securityQuestionsAuthenticationMethod": return make(.securityQuestions, name)
        case "appPasswordAuthenticationMethod": return make(.appPassword, name)
        default: return nil
        }
    }

    /// Fills in what a registration response tells about a key the server just stored: its
    /// credential id, signature counter and its attestation kind as the local directory records it
    /// — `basic` (packed with a certificate), `self` (packed without one) or `none`. The server's
    /// `attested` says more: that the certificate chained to a trusted root.
    public static func complete(_ method: inout RegisteredMethod, with response: RegistrationResponseJSON) {
        guard var record = method.fido2 else { return }
        record.credentialID = Base64URL.decode(response.id) ?? []
        if let bytes = Base64URL.decode(response.response.attestationObject), let attestation = try? AttestationObject(bytes) {
            record.signCount = attestation.authenticatorData.signCount
            if attestation.format == "packed" {
                record.attestationLevel = attestation.statement[textKey: "x5c"] == nil ? "self" : "basic"
            }
            if record.aaguid.isEmpty, let aaguid = attestation.authenticatorData.attestedCredential?.aaguid { record.aaguid = aaguid }
        }
        method.fido2 = record
    }

    // MARK: Errors

    /// Graph's `{"error": {code, message, innerError: {code}}}` as the error a caller handles:
    /// keybridge's refusal when `innerError.code` names one; a 404 without one as `notFound`;
    /// HTTP 5xx, 401/403 without a refusal, and bodies that are not Graph errors as
    /// ``RemoteDirectoryError`` naming the server.
    public static func error(status: Int, body: Data, server: String, notFound: RegistrationError) -> any Error {
        let envelope = ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any])?["error"] as? [String: Any]
        let code = envelope?["code"] as? String
        let message = envelope?["message"] as? String ?? "HTTP \(status)"
        let inner = (envelope?["innerError"] as? [String: Any])?["code"] as? String
        if status >= 500 {
            return RemoteDirectoryError(
                .serverFailure, server: server, message: "The server \(server) failed (HTTP \(status)): \(message)", status: status)
        }
        if let inner, let refusal = registrationError(code: inner, message: message) { return refusal }
        switch status {
        case 401, 403:
            return RemoteDirectoryError(
                .unauthorized, server: server, message: "The server \(server) refused the token (HTTP \(status)): \(message)",
                status: status)
        case 404 where code == "itemNotFound" || code == nil:
            return notFound
        default:
            guard envelope != nil else {
                return RemoteDirectoryError(
                    .unexpectedResponse, server: server, message: "The server \(server) answered HTTP \(status) without a Graph error.",
                    status: status)
            }
            return RemoteDirectoryError(
                .refused, server: server, message: "The server \(server) refused the request (HTTP \(status), \(code ?? "?")): \(message)",
                status: status)
        }
    }

    /// keybridge's refusal for its stable name, with the specifics read back from the message
    /// (the server writes them in parentheses at its end); nil for names it does not have.
    public static func registrationError(code: String, message: String) -> RegistrationError? {
        let detail = trailingParenthetical(message) ?? ""
        let kind = MethodKind(rawValue: detail)
        switch code {
        case "userNotFound": return .userNotFound(detail)
        case "tenantNotFound": return .tenantNotFound(detail)
        case "alreadyExists": return .alreadyExists(detail)
        case "invalidPolicy": return .invalidPolicy(detail)
        case "invalidInput": return .invalidInput(detail)
        case "notAMember": return .notAMember(tenant: detail.hasPrefix("not a member of ") ? String(detail.dropFirst(16)) : detail)
        case "mfaRequired": return .mfaRequired
        case "temporaryAccessPassRequired": return .temporaryAccessPassRequired
        case "mfaProofRejected": return .mfaProofRejected(detail)
        case "accessDenied": return .accessDenied(detail)
        case "methodDisabled": return kind.map { .methodDisabled($0) }
        case "cannotRegister": return kind.map { .cannotRegister($0) }
        case "cannotChange": return kind.map { .cannotChange($0) }
        case "notDefaultCapable": return kind.map { .notDefaultCapable($0) }
        case "limitReached":
            // "at most 5 authenticatorApp"
            let words = detail.split(separator: " ")
            guard words.count == 4, let maximum = Int(words[2]), let kind = MethodKind(rawValue: String(words[3])) else { return nil }
            return .limitReached(kind, maximum: maximum)
        case "fido2SelfServiceDisabled": return .fido2SelfServiceDisabled
        case "methodNotFound": return .methodNotFound(detail)
        case "challengeUnknownOrUsed": return .challengeUnknownOrUsed
        case "challengeExpired": return .challengeExpired
        case "wrongCeremonyType": return .wrongCeremonyType(detail)
        case "wrongOrigin":
            // "expected origin X, got Y"
            guard detail.hasPrefix("expected origin "), let comma = detail.range(of: ", got ") else {
                return .wrongOrigin(expected: "", got: "")
            }
            return .wrongOrigin(
                expected: String(detail[detail.index(detail.startIndex, offsetBy: 16)..<comma.lowerBound]),
                got: String(detail[comma.upperBound...]))
        case "wrongRelyingParty": return .wrongRelyingParty
        case "userPresenceMissing": return .userPresenceMissing
        case "userVerificationMissing": return .userVerificationMissing
        case "signatureInvalid": return .signatureInvalid
        case "attestationRequired": return .attestationRequired
        case "attestationUntrusted": return .attestationUntrusted(detail)
        case "authenticatorCompromised": return .authenticatorCompromised(detail)
        case "certificationInsufficient": return .certificationInsufficient(detail)
        case "aaguidBlocked": return .aaguidBlocked(detail)
        case "aaguidNotAllowed": return .aaguidNotAllowed(detail)
        case "duplicateCredential": return .duplicateCredential
        case "malformedResponse": return .malformedResponse(detail)
        case "virtualPhoneNumber": return .virtualPhoneNumber(detail)
        default: return nil
        }
    }

    /// The text inside the parentheses that end `message` (balanced), if it ends with one.
    static func trailingParenthetical(_ message: String) -> String? {
        let text = message.trimmingCharacters(in: .whitespaces)
        guard text.hasSuffix(")") else { return nil }
        var depth = 0
        var index = text.endIndex
        while index > text.startIndex {
            index = text.index(before: index)
            switch text[index] {
            case ")": depth += 1
            case "(":
                depth -= 1
                if depth == 0 {
                    guard index > text.startIndex, text[text.index(before: index)] == " " else { return nil }
                    return String(text[text.index(after: index)..<text.index(before: text.endIndex)])
                }
            default: break
            }
        }
        return nil
    }

    // MARK: JSON helpers

    private static func parse(_ data: Data) throws -> Any {
        do { return try JSONSerialization.jsonObject(with: data) } catch { throw Failure("the body is not JSON") }
    }

    /// One object, or the object inside `value`.
    private static func single(_ data: Data) throws -> [String: Any] {
        guard let object = try parse(data) as? [String: Any] else { throw Failure("expected a JSON object") }
        if object["publicKey"] == nil, object["@odata.type"] == nil, let inner = object["value"] as? [String: Any] {
            var merged = inner
            for (key, value) in object where key.hasPrefix("@") && merged[key] == nil { merged[key] = value }
            return merged
        }
        return object
    }

    /// Graph's `DateTimeOffset`: ISO 8601 with or without fractional seconds (Entra writes seven digits).
    static func dateTime(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        // Drop the fraction, parse, then add it back.
        guard let dot = text.firstIndex(of: ".") else { return nil }
        var end = text.index(after: dot)
        while end < text.endIndex, text[end].isNumber { end = text.index(after: end) }
        let fraction = Double("0" + text[dot..<end]) ?? 0
        return formatter.date(from: String(text[..<dot]) + String(text[end...])).map { $0.addingTimeInterval(fraction) }
    }
}
