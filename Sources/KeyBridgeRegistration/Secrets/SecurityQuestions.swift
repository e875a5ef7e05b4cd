import Crypto
import Foundation
import _CryptoExtras

/// One hashed security-question answer.
struct HashedAnswer: Codable, Sendable {
    var question: String
    var salt: [UInt8]
    var hash: [UInt8]
}

/// Security questions: answers normalised (trimmed, case-folded) and hashed with PBKDF2-SHA256.
enum SecurityAnswerHasher {
    static let rounds = 210_000

    static func normalise(_ answer: String) -> String {
        answer.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func hash(_ answer: String, salt: [UInt8]) throws(RegistrationError) -> [UInt8] {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(normalise(answer).utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw .store("cannot hash a security answer")
        }
    }
}

extension ManageSession {
    /// How many questions a user must answer to register the method.
    public static let requiredSecurityQuestions = 3

    /// Registers security questions (at least three, answers of three or more characters).
    public func registerSecurityQuestions(_ answers: [(question: String, answer: String)]) async throws(RegistrationError)
        -> RegisteredMethod
    {
        try await audited("register") { () async throws(RegistrationError) -> RegisteredMethod in
            guard configuration.methods.allows(.securityQuestions, for: user) else { throw .methodDisabled(.securityQuestions) }
            guard try await !methods().contains(where: { $0.kind == .securityQuestions }) else {
                throw .limitReached(.securityQuestions, maximum: 1)
            }
            guard answers.count >= Self.requiredSecurityQuestions, Set(answers.map(\.question)).count == answers.count,
                answers.allSatisfy({ SecurityAnswerHasher.normalise($0.answer).count >= 3 })
            else {
                throw .malformedResponse(
                    "answer at least \(Self.requiredSecurityQuestions) different questions, each with 3 or more characters")
            }
            var hashed: [HashedAnswer] = []
            for entry in answers {
                let salt = RandomBytes.make(16)
                hashed.append(HashedAnswer(question: entry.question, salt: salt, hash: try SecurityAnswerHasher.hash(entry.answer, salt: salt)))
            }
            guard let json = try? JSONEncoder().encode(hashed) else { throw .store("cannot encode answers") }
            return try await service.store.addMethod(
                MethodDraft(kind: .securityQuestions, displayValue: "\(answers.count) questions"), upn: user.upn,
                tenant: tenant, sealedSecret: try service.sealer.seal(Array(json)))
        }
    }

    /// Checks answers (for password reset); true when every given question is answered right.
    public func checkSecurityAnswers(_ answers: [String: String]) async throws(RegistrationError) -> Bool {
        guard let method = try await methods().first(where: { $0.kind == .securityQuestions }),
            let state = try await service.store.otpState(methodID: method.id),
            let stored = try? JSONDecoder().decode([HashedAnswer].self, from: Data(try service.sealer.open(state.sealedSecret)))
        else { throw .methodNotFound("security questions") }
        guard !answers.isEmpty else { return false }
        for (question, answer) in answers {
            guard let entry = stored.first(where: { $0.question == question }),
                try SecurityAnswerHasher.hash(answer, salt: entry.salt) == entry.hash
            else { return false }
        }
        return true
    }
}
