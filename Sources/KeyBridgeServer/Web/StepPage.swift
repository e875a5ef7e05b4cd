import Foundation
import HTTPTypes
import Hummingbird
import KeyBridgeRegistration

/// The page of one verified registration step, shared by the wizard (interrupt mode) and the
/// security-info page's "add a method" and "change" (manage mode): what surrounds the step
/// (``StepFlow``) and where the step stands (``StepState``).
struct StepFlow {
    /// Where the step's forms post (`/register` or `/security-info/add`).
    var formBase: String
    var heading: String
    var intro: String
    /// The wizard's "methods still to set up".
    var remaining: String?
    /// Other kinds to choose instead, linked at `alternativesBase` + kind.
    var alternatives: [MethodKind] = []
    var alternativesBase: String
    var skippable = false
    /// Whether the page links back to security info (manage mode).
    var cancelable = false
    /// For a contact change: the method that changes.
    var changing: String?
}

enum StepState {
    /// An app pending under an id: its QR code, its key as text, the code field.
    case app(id: String, app: PendingAuthenticatorApp)
    /// A phone or e-mail address to enter (prefilled with `destination`).
    case contact(destination: String)
    /// A code was sent to `sentTo`; the step is pending under `id`.
    case code(id: String, sentTo: String)
    /// Security questions to choose and answer.
    case questions
    /// A kind these pages do not set up.
    case unavailable
}

extension PageRenderer {
    func step(
        _ kind: MethodKind, flow: StepFlow, state: StepState, upn: String, csrf: String, language: PageLanguage, error: String? = nil,
        status: HTTPResponse.Status = .ok
    ) throws -> Response {
        let name = text("kind.\(kind.rawValue)", language.code)
        var values: [String: Any?] = [
            "signedIn": true, "upn": upn, "csrf": csrf, "stepKind": kind.rawValue, "error": error, "heading": flow.heading,
            "intro": flow.intro, "remainingText": flow.remaining, "formBase": flow.formBase, "changing": flow.changing ?? "",
            "stepTitle": name, "skippable": flow.skippable, "cancelable": flow.cancelable, "alternativesBase": flow.alternativesBase,
            "lngAmp": language.query.isEmpty ? "" : "&" + language.query.dropFirst(),
        ]
        let others = flow.alternatives.filter { $0 != kind }
        values["alternatives"] = others.map { ["kind": $0.rawValue, "name": text("kind.\($0.rawValue)", language.code)] }
        values["hasAlternatives"] = !others.isEmpty
        switch state {
        case .app(let id, let app):
            let code = try QRCode(Array(app.otpauthURI.utf8))
            values["app"] = true
            values["pending"] = id
            values["qr"] = Data(code.svg().utf8).base64EncodedString()
            values["qrSize"] = (code.size + 8) * 4
            values["secret"] = Self.secretText(app.otpauthURI)
            values["passwordless"] = app.requiresPasswordlessSignInInApp
        case .contact(let destination):
            values["contact"] = true
            values["destination"] = destination
            values["destinationLabel"] = text(kind == .email ? "destinationEmail" : "destinationPhone", language.code)
            values["inputType"] = kind == .email ? "email" : "tel"
            values["autocomplete"] = kind == .email ? "email" : "tel"
        case .code(let id, let sentTo):
            values["code"] = true
            values["pending"] = id
            values["sentTo"] = sentTo
            values["codeSentTo"] = text("codeSent", language.code).replacingOccurrences(of: "{destination}", with: sentTo)
        case .questions:
            let choices = (1...Self.questionCount).map { text("question.\($0)", language.code) }
            values["questions"] = (1...ManageSession.requiredSecurityQuestions).map { index in
                [
                    "index": index, "label": text("questionLabel", language.code).replacingOccurrences(of: "{index}", with: "\(index)"),
                    "choices": choices.enumerated().map { ["text": $0.element, "selected": $0.offset == index - 1] },
                ] as [String: Any]
            }
            values["hasQuestions"] = true
        case .unavailable:
            values["unavailable"] = true
        }
        return page("register", title: flow.heading, language: language, values: values, status: status)
    }

    /// The kinds these pages set up with a step.
    static let stepKinds: Set<MethodKind> = [
        .authenticatorApp, .otherAuthenticatorApp, .phone, .alternatePhone, .officePhone, .email, .securityQuestions,
    ]

    /// How many predefined questions the strings offer (`question.1` …).
    static let questionCount = 8

    /// The chosen questions and their answers from a questions form.
    static func answers(_ form: [String: String]) -> [(question: String, answer: String)] {
        (1...ManageSession.requiredSecurityQuestions).map { (form["question\($0)"] ?? "", form["answer\($0)"] ?? "") }
    }

    /// The Base32 secret of an otpauth URI in groups of four, for typing into an app.
    static func secretText(_ uri: String) -> String {
        let secret = URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return stride(from: 0, to: secret.count, by: 4).map { start in
            let from = secret.index(secret.startIndex, offsetBy: start)
            return String(secret[from..<(secret.index(from, offsetBy: 4, limitedBy: secret.endIndex) ?? secret.endIndex)])
        }.joined(separator: " ")
    }
}
