import Foundation
import HTTPTypes
import Hummingbird
import KeyBridgeRegistration

/// Interrupt mode in the browser, right after sign-in when the planner asks for something: one
/// step per method (most secure first, as the planner orders them), "set up a different method",
/// skipping only where the seed allows, the re-confirm review, and a done page. The rules are
/// ``InterruptRegistration``'s; this file only renders and routes. Security keys are not offered
/// here (they are added on the security-info page).
struct WizardRoutes {
    let web: WebRoutes
    var service: RegistrationService { web.service }
    var pages: PageRenderer { web.pages }

    func register(on router: Router<APIRequestContext>) {
        let wizard = router.group("register").add(middleware: WebSecurityHeaders())
        wizard.get { request, context in try await step(request, context) }
        wizard.post("app") { request, context in try await finishApp(request, context) }
        wizard.post("contact/send") { request, context in try await sendCode(request, context) }
        wizard.post("contact/verify") { request, context in try await finishContact(request, context) }
        wizard.post("questions") { request, context in try await saveQuestions(request, context) }
        wizard.post("skip") { request, context in try await skip(request, context) }
        wizard.post("confirm") { request, context in try await confirm(request, context) }
        wizard.get("done") { request, context in try await done(request, context) }
    }

    /// This request's wizard (interrupt mode), with the page's CSRF token; or the response to send instead.
    private func open(_ request: Request, _ context: APIRequestContext) async -> Gate<(InterruptRegistration, String)> {
        await web.opened(request, context) { (signedIn, client) async throws(RegistrationError) in
            try await InterruptRegistration.open(service, signedIn: signedIn, client: client)
        }
    }

    /// Runs `body` for a form posted from one of these pages (session and CSRF token checked), or answers instead.
    private func withForm(
        _ request: Request, _ context: APIRequestContext, _ body: (InterruptRegistration, String, [String: String]) async throws -> Response
    ) async throws -> Response {
        switch try await openForm(request, context) {
        case .answer(let response): return response
        case .ready(let (opened, csrf, form)): return try await body(opened, csrf, form)
        }
    }

    /// A form posted from one of these pages (its CSRF token checked).
    private func openForm(_ request: Request, _ context: APIRequestContext) async throws -> Gate<(InterruptRegistration, String, [String: String])> {
        try await web.openedForm(request, context) { (signedIn, client) async throws(RegistrationError) in
            try await InterruptRegistration.open(service, signedIn: signedIn, client: client)
        }
    }

    // MARK: Pages

    /// The current step: the method asked for (`?method=`, when offered) or the planner's first.
    private func step(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let (wizard, csrf): (InterruptRegistration, String)
        switch await open(request, context) {
        case .answer(let response): return response
        case .ready(let opened): (wizard, csrf) = opened
        }
        let decision = try await wizard.decision(audited: false)
        switch decision.action {
        case .none: return WebRoutes.redirect("/register/done\(language.query)")
        case .review: return review(decision, csrf: csrf, language: language)
        case .register, .registerSkippable: break
        }
        let chosen = request.uri.queryParameters["method"].flatMap { MethodKind(rawValue: String($0)) }
        let kind = chosen.flatMap { decision.shownMethods.contains($0) || decision.alternatives.contains($0) ? $0 : nil }
            ?? decision.shownMethods.first ?? .authenticatorApp
        return try await render(kind, wizard: wizard, decision: decision, csrf: csrf, language: language)
    }

    /// The page of one step; `pending` and `error` when a code was wrong, `sentTo` once a code was sent.
    private func render(
        _ kind: MethodKind, wizard: InterruptRegistration, decision: InterruptDecision, csrf: String, language: PageLanguage,
        pending: String? = nil, sentTo: String? = nil, destination: String = "", error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let flow = StepFlow(
            formBase: "/register", heading: pages.text("keepAccountSecure", language.code), intro: pages.text("wizardIntro", language.code),
            remaining: pages.text("remaining", language.code).replacingOccurrences(of: "{count}", with: "\(decision.shownMethods.count)"),
            alternatives: (decision.shownMethods + decision.alternatives).filter { PageRenderer.stepKinds.contains($0) },
            alternativesBase: "/register?method=", skippable: decision.action == .registerSkippable)
        let state: StepState
        switch kind {
        case .authenticatorApp, .otherAuthenticatorApp:
            let name = pages.text("kind.\(kind.rawValue)", language.code)
            let started = await Self.attempt { () async throws(RegistrationError) in
                if let pending { return try await wizard.pendingAuthenticatorApp(id: pending) }
                return try await wizard.beginAuthenticatorApp(kind: kind, label: name)
            }
            switch started {
            case .success(let begun): state = .app(id: begun.id, app: begun.app)
            case .failure(let refusal): return web.refusalPage(refusal, language: language)
            }
        case .phone, .alternatePhone, .officePhone, .email:
            if let pending, let sentTo { state = .code(id: pending, sentTo: sentTo) } else { state = .contact(destination: destination) }
        case .securityQuestions:
            state = .questions
        default:
            state = .unavailable
        }
        return try pages.step(kind, flow: flow, state: state, upn: wizard.user.upn, csrf: csrf, language: language, error: error, status: status)
    }

    private func review(_ decision: InterruptDecision, csrf: String, language: PageLanguage) -> Response {
        pages.page(
            "review", title: pages.text("reviewTitle", language.code), language: language,
            values: ["signedIn": true, "csrf": csrf, "methods": rows(decision.reviewMethods, language)])
    }

    private func done(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let (wizard, csrf): (InterruptRegistration, String)
        switch await open(request, context) {
        case .answer(let response): return response
        case .ready(let opened): (wizard, csrf) = opened
        }
        guard try await wizard.decision(audited: false).action == .none else { return WebRoutes.redirect("/register\(language.query)") }
        return pages.page(
            "done", title: pages.text("allSet", language.code), language: language,
            values: ["signedIn": true, "upn": wizard.user.upn, "csrf": csrf, "methods": rows(try await wizard.methods(), language)])
    }

    private func rows(_ methods: [RegisteredMethod], _ language: PageLanguage) -> [[String: Any]] {
        methods.map {
            ["kind": $0.kind.rawValue, "kindName": pages.text("kind.\($0.kind.rawValue)", language.code), "displayValue": $0.friendlyName ?? $0.displayValue]
        }
    }

    // MARK: Steps

    private func finishApp(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        return try await withForm(request, context) { wizard, csrf, form in
            do throws(PendingStepError) {
                _ = try await wizard.completeAuthenticatorApp(id: form["pending"] ?? "", code: (form["code"] ?? "").filter { !$0.isWhitespace })
                return WebRoutes.redirect("/register\(language.query)")
            } catch {
                let (message, status) = WebRoutes.describe(error.refusal, language)
                let decision = try await wizard.decision(audited: false)
                let kind = decision.shownMethods.first { $0 == .authenticatorApp || $0 == .otherAuthenticatorApp } ?? .authenticatorApp
                return try await render(
                    kind, wizard: wizard, decision: decision, csrf: csrf, language: language, pending: error.retryID, error: message, status: status)
            }
        }
    }

    private func sendCode(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        return try await withForm(request, context) { wizard, csrf, form in
            let kind = MethodKind(rawValue: form["kind"] ?? "") ?? .phone
            let destination = (form["destination"] ?? "").trimmingCharacters(in: .whitespaces)
            let decision = try await wizard.decision(audited: false)
            let sent = await Self.attempt { () async throws(RegistrationError) in
                guard let delivery = web.delivery else { throw .methodDisabled(kind) }
                guard !destination.isEmpty, destination.count <= 254 else { throw .invalidInput("enter a phone number or e-mail address") }
                return try await wizard.beginContact(kind, destination: destination, delivery: delivery, catalog: MessageCatalog(language: language.code))
            }
            switch sent {
            case .success(let pending):
                return try await render(kind, wizard: wizard, decision: decision, csrf: csrf, language: language, pending: pending, sentTo: destination)
            case .failure(let refusal):
                let (message, status) = WebRoutes.describe(refusal, language)
                return try await render(
                    kind, wizard: wizard, decision: decision, csrf: csrf, language: language, destination: destination, error: message, status: status)
            }
        }
    }

    private func finishContact(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        return try await withForm(request, context) { wizard, csrf, form in
            do throws(PendingStepError) {
                _ = try await wizard.completeContact(id: form["pending"] ?? "", code: (form["code"] ?? "").filter { !$0.isWhitespace })
                return WebRoutes.redirect("/register\(language.query)")
            } catch {
                let (message, status) = WebRoutes.describe(error.refusal, language)
                let kind = MethodKind(rawValue: form["kind"] ?? "") ?? .phone
                let decision = try await wizard.decision(audited: false)
                // With the step still pending, ask for the code again; otherwise start the step over.
                return try await render(
                    kind, wizard: wizard, decision: decision, csrf: csrf, language: language, pending: error.retryID,
                    sentTo: error.retryID == nil ? nil : form["sentTo"], error: message, status: status)
            }
        }
    }

    private func saveQuestions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        return try await withForm(request, context) { wizard, csrf, form in
            let saved = await Self.attempt { () async throws(RegistrationError) in try await wizard.registerSecurityQuestions(PageRenderer.answers(form)) }
            guard case .failure(let refusal) = saved else { return WebRoutes.redirect("/register\(language.query)") }
            let (message, status) = WebRoutes.describe(refusal, language)
            return try await render(
                .securityQuestions, wizard: wizard, decision: try await wizard.decision(audited: false), csrf: csrf, language: language,
                error: message, status: status)
        }
    }

    private func skip(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        switch try await openForm(request, context) {
        case .answer(let response): return response
        case .ready(let (wizard, _, _)):
            do throws(RegistrationError) {
                try await wizard.skip()
                return WebRoutes.redirect("/security-info\(language.with("done=skipped"))")
            } catch {
                return web.refusalPage(error, language: language)
            }
        }
    }

    private func confirm(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        switch try await openForm(request, context) {
        case .answer(let response): return response
        case .ready(let (wizard, _, _)):
            do throws(RegistrationError) {
                try await wizard.confirmReview()
                return WebRoutes.redirect("/security-info\(language.with("done=reviewConfirmed"))")
            } catch {
                return web.refusalPage(error, language: language)
            }
        }
    }

    /// A step's outcome as a value, so the page for a refusal can be rendered outside the typed `do`.
    static func attempt<T>(_ body: () async throws(RegistrationError) -> T) async -> Result<T, RegistrationError> {
        do throws(RegistrationError) { return .success(try await body()) } catch { return .failure(error) }
    }
}

/// Either what a wizard request needs, or the response to send instead (sign-in, a refusal page).
enum Gate<Value> {
    case ready(Value)
    case answer(Response)
}
