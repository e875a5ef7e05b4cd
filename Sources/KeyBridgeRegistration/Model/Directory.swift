import Crypto
import Foundation

/// A directory (tenant).
public struct Tenant: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// How MFA registration is enforced for a user.
public enum MFAEnforcement: String, Codable, Sendable {
    case identityProtection
    case perUserMFA
    case conditionalAccess
    case none
}

/// A person in the directory: home tenant, guest memberships, business phone, groups. Its JSON
/// (`admin user … --json`) is its Codable form.
public struct DirectoryUser: Codable, Sendable, Hashable {
    public var upn: String
    public var displayName: String
    public var homeTenant: String
    public var guestTenants: [String]
    public var businessPhone: String?
    public var groups: [String]
    public var mfaEnforcement: MFAEnforcement

    public init(
        upn: String, displayName: String, homeTenant: String, guestTenants: [String] = [],
        businessPhone: String? = nil, groups: [String] = [], mfaEnforcement: MFAEnforcement = .none
    ) {
        self.upn = upn
        self.displayName = displayName
        self.homeTenant = homeTenant
        self.guestTenants = guestTenants
        self.businessPhone = businessPhone
        self.groups = groups
        self.mfaEnforcement = mfaEnforcement
    }

    /// Whether the user belongs to `tenant`, at home or as a guest.
    public func isMember(of tenant: String) -> Bool { homeTenant == tenant || guestTenants.contains(tenant) }
}

/// A FIDO2 key as stored after manage-mode verification.
public struct FIDO2KeyRecord: Codable, Sendable, Hashable {
    public var credentialID: [UInt8]
    public var publicKeyCOSE: [UInt8]
    public var aaguid: [UInt8]
    public var signCount: UInt32
    /// `basic` (a certificate chain), `self` or `none`.
    public var attestationLevel: String
    public var model: String?
    /// Whether the attestation chained to one of the tenant's trust anchors (nil in records stored
    /// before this was kept).
    public var attestationTrusted: Bool? = nil
    /// The key model's certification level in the FIDO metadata at registration
    /// (`FIDO_CERTIFIED_L2`, …); nil when the metadata had no entry for its AAGUID.
    public var certificationLevel: String? = nil

    public init(
        credentialID: [UInt8], publicKeyCOSE: [UInt8], aaguid: [UInt8], signCount: UInt32, attestationLevel: String, model: String?,
        attestationTrusted: Bool? = nil, certificationLevel: String? = nil
    ) {
        self.credentialID = credentialID
        self.publicKeyCOSE = publicKeyCOSE
        self.aaguid = aaguid
        self.signCount = signCount
        self.attestationLevel = attestationLevel
        self.model = model
        self.attestationTrusted = attestationTrusted
        self.certificationLevel = certificationLevel
    }
}

/// One registered method of one user in one tenant (security info is per user per tenant).
public struct RegisteredMethod: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var tenant: String
    public var upn: String
    public var kind: MethodKind
    /// What the user sees: a phone number, an address, an app or key name.
    public var displayValue: String
    public var friendlyName: String?
    public var fido2: FIDO2KeyRecord?
    public var isDefault: Bool
    public var created: Date

    /// A method as a directory reports it. Making one stores nothing: only a store adds methods,
    /// and a FIDO2 key only from a ``VerifiedFIDO2Registration`` (a remote directory's client
    /// uses this to describe what the server stored).
    public init(
        id: String, tenant: String, upn: String, kind: MethodKind, displayValue: String, friendlyName: String? = nil,
        fido2: FIDO2KeyRecord? = nil, isDefault: Bool = false, created: Date
    ) {
        self.id = id
        self.tenant = tenant
        self.upn = upn
        self.kind = kind
        self.displayValue = displayValue
        self.friendlyName = friendlyName
        self.fido2 = fido2
        self.isDefault = isDefault
        self.created = created
    }
}

/// A method to add, for every kind except FIDO2 keys — those exist only as a
/// ``VerifiedFIDO2Registration`` made by a manage session. ``Kind`` has no FIDO2 case, so no
/// draft can describe a key: the restriction is in the type, not in a check.
public struct MethodDraft: Sendable, Hashable {
    /// Every method kind except FIDO2 security keys.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case authenticatorApp, otherAuthenticatorApp, hardwareToken, phone, alternatePhone, officePhone, email
        case securityQuestions, appPassword

        /// The same kind in the method table.
        public var methodKind: MethodKind { MethodKind(rawValue: rawValue)! }

        /// The draft kind for `kind`; nil for FIDO2 security keys.
        public init?(_ kind: MethodKind) { self.init(rawValue: kind.rawValue) }
    }

    public var kind: Kind
    public var displayValue: String
    public var friendlyName: String?

    public init(kind: Kind, displayValue: String, friendlyName: String? = nil) {
        self.kind = kind
        self.displayValue = displayValue
        self.friendlyName = friendlyName
    }

    /// The method-table kind of this draft.
    public var methodKind: MethodKind { kind.methodKind }
}

extension DirectoryUser {
    /// The user's stable object id (a UUID derived from the UPN, which never changes), for APIs
    /// that address users by id as Microsoft Graph does.
    public var objectID: String { Self.objectID(upn: upn) }

    /// The object id of the user with this UPN.
    public static func objectID(upn: String) -> String {
        var bytes = Array(SHA256.hash(data: Array("keybridge-user:\(upn.lowercased())".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: custom
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
            bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15])).uuidString.lowercased()
    }
}
