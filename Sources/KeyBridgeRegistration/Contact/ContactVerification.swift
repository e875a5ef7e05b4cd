import Crypto
import Foundation

/// A phone number or e-mail address waiting for the code sent to it.
public struct PendingContact: Sendable {
    public let id: String
    public var kind: MethodKind { draftKind.methodKind }
    let draftKind: MethodDraft.Kind
    public let destination: String
    let codeHash: [UInt8]
    let expires: Date
}

extension ManageSession {
    /// Sends a 6-digit code to a new phone (SMS, or voice for office/alternate phones) or e-mail
    /// address, in the catalog's language.
    public func beginContact(
        _ kind: MethodKind, destination: String, delivery: any CodeDelivery, catalog: MessageCatalog = MessageCatalog(language: "en")
    ) async throws(RegistrationError) -> PendingContact {
        try await audited("sendCode") { () async throws(RegistrationError) -> PendingContact in
            guard [.phone, .alternatePhone, .officePhone, .email].contains(kind), let draftKind = MethodDraft.Kind(kind) else {
                throw .cannotRegister(kind)
            }
            guard configuration.methods.allows(kind, for: user) else { throw .methodDisabled(kind) }
            if kind != .email {
                let digits = destination.filter { $0.isNumber || $0 == "+" }
                if configuration.methods.virtualNumberPrefixes.contains(where: { digits.hasPrefix($0) }) {
                    throw .virtualPhoneNumber(destination)
                }
            }
            let code = String(format: "%06d", UInt32.random(in: 0..<1_000_000))
            let channel: DeliveryChannel = kind == .email ? .email : (kind == .phone ? .sms : .voice)
            try delivery.deliver(catalog.text("code.message", ["code": code]), to: destination, via: channel)
            return PendingContact(
                id: UUID().uuidString, draftKind: draftKind, destination: destination,
                codeHash: Array(SHA256.hash(data: Array((destination + code).utf8))), expires: Date().addingTimeInterval(600))
        }
    }

    /// Adds the phone or address when `code` is the one sent (rate-limited, within 10 minutes).
    public func completeContact(_ pending: PendingContact, code: String) async throws(RegistrationError) -> RegisteredMethod {
        try await audited("register") { () async throws(RegistrationError) -> RegisteredMethod in
            try await checkContactCode(pending, code: code)
            return try await service.store.addMethod(
                MethodDraft(kind: pending.draftKind, displayValue: pending.destination), upn: user.upn, tenant: tenant)
        }
    }

    /// Checks `code` against the one sent for `pending` (rate-limited, within 10 minutes).
    func checkContactCode(_ pending: PendingContact, code: String) async throws(RegistrationError) {
        let limiterKey = "\(tenant)/\(user.upn)/contact"
        try await service.codeAttempts.claim(limiterKey)
        guard pending.expires > Date() else { throw .challengeExpired }
        let candidate = Array(SHA256.hash(data: Array((pending.destination + code).utf8)))
        guard ConstantTime.equal(candidate, pending.codeHash) else {
            throw .mfaProofRejected("the code is wrong")
        }
        try await service.codeAttempts.reset(limiterKey)
    }
}
