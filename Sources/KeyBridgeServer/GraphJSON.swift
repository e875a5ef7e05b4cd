import Foundation
import HTTPTypes
import Hummingbird
import KeyBridgeWebAuthn
import KeyBridgeRegistration
import NIOCore

/// Microsoft Graph's JSON shapes (beta `authentication` resources) for keybridge's model.
enum GraphJSON {
    static let context = "https://graph.microsoft.com/beta/$metadata"

    /// Graph's `DateTimeOffset` text: ISO 8601 UTC with seconds (`2026-12-02T09:00:00Z`).
    static func dateTime(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// A JSON response (keys sorted, so bodies are stable).
    static func response(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A collection: `{"@odata.context": …, "value": [...]}`; with `tenant`, the tenant the request
    /// acted in as the `@keybridge.tenant` annotation (Graph has no member for it).
    static func collection(_ items: [[String: Any]], context name: String, tenant: String? = nil) -> Response {
        var body: [String: Any] = ["@odata.context": "\(context)#\(name)", "value": items]
        if let tenant { body["@keybridge.tenant"] = tenant }
        return response(body)
    }

    /// One registered method as its Graph type, with `@odata.type`.
    /// WebAuthn request options (`PublicKeyCredentialRequestOptionsJSON`) for signing in with a
    /// key, as the API and the pages both hand them to a client.
    static func requestOptions(_ options: FIDO2SignInOptions, timeout: TimeInterval) -> [String: Any] {
        [
            "challenge": Base64URL.encode(options.challenge), "timeout": Int(timeout * 1000), "rpId": options.relyingPartyID,
            "allowCredentials": options.allowCredentials.map { ["type": "public-key", "id": Base64URL.encode($0)] },
            "userVerification": options.userVerification ? "required" : "discouraged",
        ]
    }

    /// A `microsoft.graph.user` with the members keybridge keeps.
    static func user(_ user: DirectoryUser) -> [String: Any] {
        ["id": user.objectID, "userPrincipalName": user.upn, "displayName": user.displayName]
    }

    static func method(_ method: RegisteredMethod) -> [String: Any] {
        let created = dateTime(method.created)
        let name = method.friendlyName ?? method.displayValue
        switch method.kind {
        case .fido2SecurityKey:
            return fido2(method)
        case .authenticatorApp:
            return [
                "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": method.id,
                "displayName": name, "createdDateTime": created, "deviceTag": "SoftwareTokenActivated",
                "phoneAppVersion": NSNull(), "isDefault": method.isDefault,
            ]
        case .otherAuthenticatorApp:
            return [
                "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", "id": method.id, "secretKey": NSNull(),
                "displayName": name, "createdDateTime": created, "isDefault": method.isDefault,
            ]
        case .hardwareToken:
            return [
                "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod", "id": method.id, "displayName": name,
                "createdDateTime": created, "isDefault": method.isDefault,
            ]
        case .phone, .alternatePhone, .officePhone:
            let type = method.kind == .phone ? "mobile" : (method.kind == .alternatePhone ? "alternateMobile" : "office")
            return [
                "@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": method.id, "phoneNumber": method.displayValue,
                "phoneType": type, "smsSignInState": "notSupported", "isDefault": method.isDefault,
            ]
        case .email:
            return ["@odata.type": "#microsoft.graph.emailAuthenticationMethod", "id": method.id, "emailAddress": method.displayValue]
        case .securityQuestions:
            return ["@odata.type": "#keybridge.securityQuestionsAuthenticationMethod", "id": method.id, "createdDateTime": created]
        case .appPassword:
            return [
                "@odata.type": "#keybridge.appPasswordAuthenticationMethod", "id": method.id, "displayName": name,
                "createdDateTime": created,
            ]
        }
    }

    /// A `fido2AuthenticationMethod`.
    static func fido2(_ method: RegisteredMethod) -> [String: Any] {
        let key = method.fido2
        return [
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": method.id,
            "displayName": method.friendlyName ?? method.displayValue, "createdDateTime": dateTime(method.created),
            "aaGuid": key.map { UUIDFormatting.string($0.aaguid) } ?? NSNull(), "model": key?.model ?? NSNull(),
            "attestationCertificates": [String](),
            // Graph's "attested": the attestation chained to a trusted root, not merely present.
            "attestationLevel": key?.attestationTrusted == true ? "attested" : "notAttested",
        ]
    }

    /// A `temporaryAccessPassAuthenticationMethod`; the pass itself only when it was just issued.
    static func temporaryAccessPass(_ pass: StoredAccessPass, issued: Date? = nil, lifetime: TimeInterval, text: String? = nil)
        -> [String: Any]
    {
        let start = pass.expires.addingTimeInterval(-lifetime)
        let usable = !pass.used && pass.expires > Date()
        var object: [String: Any] = [
            "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod", "id": pass.id,
            "createdDateTime": dateTime(issued ?? start), "startDateTime": dateTime(start),
            "lifetimeInMinutes": Int((lifetime / 60).rounded()), "isUsableOnce": pass.oneTime, "isUsable": usable,
            "methodUsabilityReason": usable ? "EnabledByPolicy" : (pass.used ? "OneTimeUsed" : "Expired"),
        ]
        if let text { object["temporaryAccessPass"] = text }
        return object
    }

    /// Graph's `webauthnCredentialCreationOptions` for options a manage session issued, with the
    /// tenant's origin as the `@keybridge.origin` annotation.
    static func creationOptions(_ options: FIDO2CreationOptions) -> [String: Any] {
        let timeout = max(0, Int(options.expires.timeIntervalSinceNow * 1000))
        return [
            "@odata.context": "\(context)#microsoft.graph.webauthnCredentialCreationOptions",
            // An OData instance annotation (clients ignore those they do not know): the origin the
            // tenant's verifier expects in clientDataJSON, which Graph's type has no member for.
            "@keybridge.origin": options.origin,
            "challengeTimeoutDateTime": dateTime(options.expires),
            "publicKey": [
                "challenge": Base64URL.encode(options.challenge),
                "timeout": timeout,
                "attestation": options.attestation,
                "rp": ["id": options.relyingParty.id, "name": options.relyingParty.name ?? options.relyingParty.id],
                "user": [
                    "id": Base64URL.encode(options.userHandle), "name": options.userName, "displayName": options.userDisplayName,
                ],
                "pubKeyCredParams": [-7, -8, -257].map { ["type": "public-key", "alg": $0] },
                "excludeCredentials": options.excludeCredentials.map { ["type": "public-key", "id": Base64URL.encode($0)] },
                "authenticatorSelection": [
                    "authenticatorAttachment": "cross-platform",
                    "requireResidentKey": options.residentKey,
                    "residentKey": options.residentKey ? "required" : "discouraged",
                    "userVerification": options.userVerification ? "required" : "discouraged",
                ],
                "extensions": [
                    "credentialProtectionPolicy": "userVerificationOptional", "enforceCredentialProtectionPolicy": false,
                    "hmacCreateSecret": true,
                ] as [String: Any],
            ] as [String: Any],
        ]
    }
}
