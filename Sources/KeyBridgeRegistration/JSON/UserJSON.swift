import Foundation

/// A directory user as every interface prints it (`--json`, server responses): the same members
/// as ``DirectoryUser``, enums as their names.
public struct UserJSON: Encodable, Sendable, Equatable {
    public var upn: String
    public var displayName: String
    public var homeTenant: String
    public var guestTenants: [String]
    public var businessPhone: String?
    public var groups: [String]
    public var mfaEnforcement: String

    public init(_ user: DirectoryUser) {
        upn = user.upn
        displayName = user.displayName
        homeTenant = user.homeTenant
        guestTenants = user.guestTenants
        businessPhone = user.businessPhone
        groups = user.groups
        mfaEnforcement = user.mfaEnforcement.rawValue
    }
}
