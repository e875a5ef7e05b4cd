import Foundation
import KeyBridgeMetadata
import KeyBridgeWebAuthn
import SwiftASN1
import X509

// The policy document: how a tenant's configuration reads as JSON or YAML (`keybridge admin
// policy show|set`) and how the store keeps it. Every member but the relying party and origin may
// be left out and takes its default; a value out of range is an error that names it.

extension TenantConfiguration: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case relyingParty, origin, challengeLifetimeSeconds, authenticationMethods, sspr, registrationAccess
    }

    public init(from decoder: any Decoder) throws {
        try PolicyMembers.refuseUnknown(decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            methods: try container.decodeIfPresent(AuthenticationMethodsPolicy.self, forKey: .authenticationMethods)
                ?? AuthenticationMethodsPolicy(enabled: [:]),
            sspr: try container.decodeIfPresent(SSPRPolicy.self, forKey: .sspr)
                ?? SSPRPolicy(scope: .off, allowedMethods: []),
            access: try container.decodeIfPresent(RegistrationAccessRule.self, forKey: .registrationAccess)
                ?? RegistrationAccessRule(),
            relyingParty: try container.decode(RelyingParty.self, forKey: .relyingParty),
            origin: try container.decode(String.self, forKey: .origin))
        // What keys take: a domain name, and a name they keep whole (CTAP 2.1 §6.1.2: 64 bytes).
        guard relyingParty.id.count <= 253 else {
            throw PolicyField.invalid(.relyingParty, container, "id must be a domain name of at most 253 characters")
        }
        if let name = relyingParty.name, name.utf8.count > 64 {
            throw PolicyField.invalid(.relyingParty, container, "name is \(name.utf8.count) bytes; keys keep at most 64 (CTAP 2.1 §6.1.2)")
        }
        if let problem = Self.originProblem(origin: origin, relyingPartyID: relyingParty.id) {
            throw PolicyField.invalid(.origin, container, problem)
        }
        challengeLifetime = try container.decodeIfPresent(Double.self, forKey: .challengeLifetimeSeconds) ?? 300
        guard (10...3600).contains(challengeLifetime) else {
            throw PolicyField.invalid(.challengeLifetimeSeconds, container, "must be 10 to 3600 seconds")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(relyingParty, forKey: .relyingParty)
        try container.encode(origin, forKey: .origin)
        try container.encode(challengeLifetime, forKey: .challengeLifetimeSeconds)
        try container.encode(methods, forKey: .authenticationMethods)
        try container.encode(sspr, forKey: .sspr)
        try container.encode(access, forKey: .registrationAccess)
    }
}

extension PolicyTarget {
    enum CodingKeys: String, CodingKey, CaseIterable { case allUsers, groups, excludedGroups }

    public init(from decoder: any Decoder) throws {
        try PolicyMembers.refuseUnknown(decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            allUsers: try container.decodeIfPresent(Bool.self, forKey: .allUsers) ?? true,
            groups: try container.decodeIfPresent([String].self, forKey: .groups) ?? [],
            excludedGroups: try container.decodeIfPresent([String].self, forKey: .excludedGroups) ?? [])
    }
}

extension AuthenticationMethodsPolicy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case enabled, fido2, voiceCallsEnabled, temporaryAccessPass, authenticatorPasswordless, virtualNumberPrefixes
    }

    struct AccessPassSettings: Codable {
        var lifetimeMinutes: Double
        var oneTime: Bool

        enum CodingKeys: String, CodingKey, CaseIterable { case lifetimeMinutes, oneTime }

        init(lifetimeMinutes: Double, oneTime: Bool) {
            self.lifetimeMinutes = lifetimeMinutes
            self.oneTime = oneTime
        }

        init(from decoder: any Decoder) throws {
            try PolicyMembers.refuseUnknown(decoder, known: CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            lifetimeMinutes = try container.decode(Double.self, forKey: .lifetimeMinutes)
            oneTime = try container.decode(Bool.self, forKey: .oneTime)
        }
    }

    public init(from decoder: any Decoder) throws {
        try PolicyMembers.refuseUnknown(decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let names = try container.decodeIfPresent([String: PolicyTarget].self, forKey: .enabled) ?? [:]
        var enabled: [MethodKind: PolicyTarget] = [:]
        for (name, target) in names {
            guard let kind = MethodKind(rawValue: name) else {
                throw PolicyField.invalid(.enabled, container, "unknown method \"\(name)\"; known: \(MethodKind.documentNames)")
            }
            enabled[kind] = target
        }
        self.init(enabled: enabled)
        fido2 = try container.decodeIfPresent(FIDO2Settings.self, forKey: .fido2) ?? FIDO2Settings()
        voiceCallsEnabled = try container.decodeIfPresent(Bool.self, forKey: .voiceCallsEnabled) ?? true
        if let pass = try container.decodeIfPresent(AccessPassSettings.self, forKey: .temporaryAccessPass) {
            // Entra's range: one hour to thirty days… keybridge also allows shorter passes for kiosks.
            guard (10...43_200).contains(pass.lifetimeMinutes) else {
                throw PolicyField.invalid(.temporaryAccessPass, container, "lifetimeMinutes must be 10 to 43200")
            }
            temporaryAccessPassLifetime = pass.lifetimeMinutes * 60
            temporaryAccessPassOneTime = pass.oneTime
        }
        authenticatorPasswordless = try container.decodeIfPresent(Bool.self, forKey: .authenticatorPasswordless) ?? false
        virtualNumberPrefixes = try container.decodeIfPresent([String].self, forKey: .virtualNumberPrefixes) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(
            Dictionary(uniqueKeysWithValues: enabled.map { ($0.key.rawValue, $0.value) }), forKey: .enabled)
        try container.encode(fido2, forKey: .fido2)
        try container.encode(voiceCallsEnabled, forKey: .voiceCallsEnabled)
        try container.encode(
            AccessPassSettings(lifetimeMinutes: temporaryAccessPassLifetime / 60, oneTime: temporaryAccessPassOneTime),
            forKey: .temporaryAccessPass)
        try container.encode(authenticatorPasswordless, forKey: .authenticatorPasswordless)
        try container.encode(virtualNumberPrefixes, forKey: .virtualNumberPrefixes)
    }
}

extension FIDO2Settings {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case selfServiceSetup, enforceAttestation, keyRestriction, trustAnchors, requireResidentKey, requireUserVerification
        case trustMetadata, minimumCertificationLevel, refuseCompromisedKeys
    }

    /// `{"mode": "none" | "allow" | "block", "aaguids": [...]}`.
    struct RestrictionDocument: Codable {
        var mode: String
        var aaguids: [String]?

        enum CodingKeys: String, CodingKey, CaseIterable { case mode, aaguids }

        init(mode: String, aaguids: [String]?) {
            self.mode = mode
            self.aaguids = aaguids
        }

        init(from decoder: any Decoder) throws {
            try PolicyMembers.refuseUnknown(decoder, known: CodingKeys.self)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            mode = try container.decode(String.self, forKey: .mode)
            aaguids = try container.decodeIfPresent([String].self, forKey: .aaguids)
        }
    }

    public init(from decoder: any Decoder) throws {
        try PolicyMembers.refuseUnknown(decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        selfServiceSetup = try container.decodeIfPresent(Bool.self, forKey: .selfServiceSetup) ?? true
        enforceAttestation = try container.decodeIfPresent(Bool.self, forKey: .enforceAttestation) ?? false
        requireResidentKey = try container.decodeIfPresent(Bool.self, forKey: .requireResidentKey) ?? false
        requireUserVerification = try container.decodeIfPresent(Bool.self, forKey: .requireUserVerification) ?? false
        if let document = try container.decodeIfPresent(RestrictionDocument.self, forKey: .keyRestriction) {
            let aaguids = (document.aaguids ?? []).map { $0.lowercased() }
            if let bad = aaguids.first(where: { UUID(uuidString: $0) == nil }) {
                throw PolicyField.invalid(.keyRestriction, container, "\"\(bad)\" is not an AAGUID (8-4-4-4-12 hex)")
            }
            switch document.mode {
            case "none": restriction = .none
            case "allow": restriction = .allow(aaguids)
            case "block": restriction = .block(aaguids)
            default: throw PolicyField.invalid(.keyRestriction, container, "mode must be none, allow or block")
            }
        }
        let pems = try container.decodeIfPresent([String].self, forKey: .trustAnchors) ?? []
        trustAnchorsDER = try pems.map { pem in
            guard let certificate = try? Certificate(pemEncoded: pem) else {
                throw PolicyField.invalid(.trustAnchors, container, "an entry is not a PEM certificate")
            }
            return try DERCoding.serialize(certificate)
        }
        trustMetadata = try container.decodeIfPresent(Bool.self, forKey: .trustMetadata) ?? false
        refuseCompromisedKeys = try container.decodeIfPresent(Bool.self, forKey: .refuseCompromisedKeys) ?? true
        if let level = try container.decodeIfPresent(String.self, forKey: .minimumCertificationLevel) {
            guard CertificationLevel(status: level) != nil else {
                throw PolicyField.invalid(
                    .minimumCertificationLevel, container,
                    "\"\(level)\" is not a certification level: one of \(CertificationLevel.allCases.map(\.status).joined(separator: ", "))")
            }
            minimumCertificationLevel = level
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(selfServiceSetup, forKey: .selfServiceSetup)
        try container.encode(enforceAttestation, forKey: .enforceAttestation)
        let document: RestrictionDocument = switch restriction {
        case .none: RestrictionDocument(mode: "none", aaguids: [])
        case .allow(let list): RestrictionDocument(mode: "allow", aaguids: list)
        case .block(let list): RestrictionDocument(mode: "block", aaguids: list)
        }
        try container.encode(document, forKey: .keyRestriction)
        try container.encode(
            try trustAnchorsDER.map { try Certificate(derEncoded: $0).serializeAsPEM().pemString }, forKey: .trustAnchors)
        try container.encode(requireResidentKey, forKey: .requireResidentKey)
        try container.encode(requireUserVerification, forKey: .requireUserVerification)
        try container.encode(trustMetadata, forKey: .trustMetadata)
        try container.encodeIfPresent(minimumCertificationLevel, forKey: .minimumCertificationLevel)
        try container.encode(refuseCompromisedKeys, forKey: .refuseCompromisedKeys)
    }
}

extension SSPRPolicy {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case scope, group, methodsRequired, allowedMethods, requireRegistrationAtSignIn, reconfirmDays
    }

    public init(from decoder: any Decoder) throws {
        try PolicyMembers.refuseUnknown(decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let scope: Scope
        switch try container.decodeIfPresent(String.self, forKey: .scope) ?? "off" {
        case "off": scope = .off
        case "all": scope = .all
        case "group":
            guard let group = try container.decodeIfPresent(String.self, forKey: .group), !group.isEmpty else {
                throw PolicyField.invalid(.group, container, "scope \"group\" needs the group's name")
            }
            scope = .group(group)
        case let other: throw PolicyField.invalid(.scope, container, "\"\(other)\" is not off, all or group")
        }
        let required = try container.decodeIfPresent(Int.self, forKey: .methodsRequired) ?? 1
        guard (1...2).contains(required) else { throw PolicyField.invalid(.methodsRequired, container, "must be 1 or 2") }
        let days = try container.decodeIfPresent(Int.self, forKey: .reconfirmDays) ?? 180
        guard (0...730).contains(days) else { throw PolicyField.invalid(.reconfirmDays, container, "must be 0 to 730") }
        var allowed: Set<MethodKind> = []
        for name in try container.decodeIfPresent([String].self, forKey: .allowedMethods) ?? [] {
            guard let kind = MethodKind(rawValue: name) else {
                throw PolicyField.invalid(.allowedMethods, container, "unknown method \"\(name)\"; known: \(MethodKind.documentNames)")
            }
            allowed.insert(kind)
        }
        self.init(
            scope: scope, methodsRequired: required, allowedMethods: allowed,
            requireRegistrationAtSignIn: try container.decodeIfPresent(Bool.self, forKey: .requireRegistrationAtSignIn) ?? true,
            reconfirmDays: days)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch scope {
        case .off: try container.encode("off", forKey: .scope)
        case .all: try container.encode("all", forKey: .scope)
        case .group(let group):
            try container.encode("group", forKey: .scope)
            try container.encode(group, forKey: .group)
        }
        try container.encode(methodsRequired, forKey: .methodsRequired)
        try container.encode(allowedMethods.map(\.rawValue).sorted(), forKey: .allowedMethods)
        try container.encode(requireRegistrationAtSignIn, forKey: .requireRegistrationAtSignIn)
        try container.encode(reconfirmDays, forKey: .reconfirmDays)
    }
}

extension RegistrationAccessRule {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case allowedNetworks, trustedDevices, requireMFA, allowFirstRegistrationWithoutProof
    }

    public init(from decoder: any Decoder) throws {
        try PolicyMembers.refuseUnknown(decoder, known: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let networks = try container.decodeIfPresent([String].self, forKey: .allowedNetworks) ?? []
        if let bad = networks.first(where: { CIDR($0) == nil }) {
            throw PolicyField.invalid(.allowedNetworks, container, "\"\(bad)\" is not an IPv4 CIDR range such as 10.0.0.0/8")
        }
        self.init(
            allowedNetworks: networks,
            trustedDevices: try container.decodeIfPresent([String].self, forKey: .trustedDevices) ?? [],
            requireMFA: try container.decodeIfPresent(Bool.self, forKey: .requireMFA) ?? false,
            allowFirstRegistrationWithoutProof: try container.decodeIfPresent(Bool.self, forKey: .allowFirstRegistrationWithoutProof)
                ?? false)
    }
}

extension MethodKind {
    /// The method names a policy document uses, for error messages.
    static var documentNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Builds the decoding errors of the policy document, naming the member.
enum PolicyField {
    static func invalid<Key: CodingKey>(_ key: Key, _ container: KeyedDecodingContainer<Key>, _ message: String) -> DecodingError {
        DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: message)
    }
}

/// DER bytes of a certificate.
enum DERCoding {
    static func serialize(_ certificate: Certificate) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return serializer.serializedBytes
    }
}
