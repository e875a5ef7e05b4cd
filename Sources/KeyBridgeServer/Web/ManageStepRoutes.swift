import Foundation
import HTTPTypes
import Hummingbird
import KeyBridgeRegistration

/// The security-info page's "add a method" (every kind the policy allows the user, each verified:
/// an app by its code, a phone or address by the code sent to it) and "change" of a phone number
/// or e-mail address (re-verified by a code to the new one). Manage mode; the rules are
/// ``ManageSession``'s.
struct ManageStepRoutes {
    let web: WebRoutes
    var service: RegistrationService { web.service }
    var pages: PageRenderer { web.pages }

    func register(on router: Router<APIRequestContext>) {
        let steps = router.group("security-info").add(middleware: WebSecurityHeaders())
        steps.get("add") { request, context in try await add(request, context) }
        steps.get("change") { request, context in try await change(request, context) }
        steps.post("add/app") { request, context in try await finishApp(request, context) }
        steps.post("add/contact/send") { request, context in try await sendCode(request, context) }
        steps.post("add/contact/verify") { request, context in try await finishContact(request, context) }
        steps.post("add/questions") { request, context in try await saveQuestions(request, context) }
    }

    /// This request's manage session, with the page's CSRF token; or the response to send instead.
    private func open(_ request: Request, _ context: APIRequestContext) async -> Gate<(ManageSession, String)> {
        await web.opened(request, context) { (signedIn, client) async throws(RegistrationError) in
            try await ManageSession.open(service, signedIn: signedIn, client: client)
        }
    }

    /// Runs `body` for a form posted from one of these pages (session and CSRF token checked), or answers instead.
    private func withForm(
        _ request: Request, _ context: APIRequestContext, _ body: (ManageSession, String, [String: String]) async throws -> Response
    ) async throws -> Response {
        switch try await openForm(request, context) {
        case .answer(let response): return response
        case .ready(let (opened, csrf, form)): return try await body(opened, csrf, form)
        }
    }

    /// A form posted from one of these pages (its CSRF token checked).
    private func openForm(_ request: Request, _ context: APIRequestContext) async throws -> Gate<(ManageSession, String, [String: String])> {
        try await web.openedForm(request, context) { (signedIn, client) async throws(RegistrationError) in
            try await ManageSession.open(service, signedIn: signedIn, client: client)
        }
    }

    private func flow(_ manage: ManageSession, language: PageLanguage, changing: String? = nil) -> StepFlow {
        StepFlow(
            formBase: "/security-info/add", heading: pages.text(changing == nil ? "addMethod" : "changeMethod", language.code),
            intro: pages.text("addMethodIntro", language.code), remaining: nil,
            alternatives: changing == nil ? manage.registrableKinds.filter { PageRenderer.stepKinds.contains($0) } : [],
            alternativesBase: "/security-info/add?method=", cancelable: true, changing: changing)
    }

    /// `?method=kind`: the step for one kind the policy allows (the first one when absent).
    private func add(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let (manage, csrf): (ManageSession, String)
        switch await open(request, context) {
        case .answer(let response): return response
        case .ready(let opened): (manage, csrf) = opened
        }
        let allowed = manage.registrableKinds.filter { PageRenderer.stepKinds.contains($0) }
        let asked = request.uri.queryParameters["method"].flatMap { MethodKind(rawValue: String($0)) }
        guard let kind = asked ?? allowed.first, allowed.contains(kind) else {
            return web.refusalPage(.methodDisabled(asked ?? .authenticatorApp), language: language)
        }
        return try await render(kind, manage: manage, csrf: csrf, language: language)
    }

    /// `?id=`: a new number or address for an existing phone or e-mail method.
    private func change(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let (manage, csrf): (ManageSession, String)
        switch await open(request, context) {
        case .answer(let response): return response
        case .ready(let opened): (manage, csrf) = opened
        }
        let id = request.uri.queryParameters["id"].map(String.init) ?? ""
        guard let method = try await manage.methods().first(where: { $0.id == id }), method.kind.userCanChange else {
            return web.refusalPage(.methodNotFound(id), language: language)
        }
        return try pages.step(
            method.kind, flow: flow(manage, language: language, changing: id), state: .contact(destination: method.displayValue),
            upn: manage.user.upn, csrf: csrf, language: language)
    }

    private func render(
        _ kind: MethodKind, manage: ManageSession, csrf: String, language: PageLanguage, pending: String? = nil,
        error: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let state: StepState
        switch kind {
        case .authenticatorApp, .otherAuthenticatorApp:
            let name = pages.text("kind.\(kind.rawValue)", language.code)
            let started = await WizardRoutes.attempt { () async throws(RegistrationError) in
                if let pending { return try await manage.resumeAuthenticatorAppStep(id: pending) }
                return try await manage.beginAuthenticatorAppStep(kind: kind, label: name)
            }
            switch started {
            case .success(let begun): state = .app(id: begun.id, app: begun.app)
            case .failure(let refusal): return web.refusalPage(refusal, language: language)
            }
        case .securityQuestions:
            state = .questions
        default:
            state = .contact(destination: "")
        }
        return try pages.step(
            kind, flow: flow(manage, language: language), state: state, upn: manage.user.upn, csrf: csrf, language: language, error: error,
            status: status)
    }

    private func saveQuestions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        return try await withForm(request, context) { manage, csrf, form in
            let saved = await WizardRoutes.attempt { () async throws(RegistrationError) in
                try await manage.registerSecurityQuestions(PageRenderer.answers(form))
            }
            guard case .failure(let refusal) = saved else { return WebRoutes.redirect("/security-info\(language.with("done=methodAdded"))") }
            let (message, status) = WebRoutes.describe(refusal, language)
            return try await render(.securityQuestions, manage: manage, csrf: csrf, language: language, error: message, status: status)
        }
    }

    private func finishApp(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        return try await withForm(request, context) { manage, csrf, form in
            do throws(PendingStepError) {
                let method = try await manage.completeAuthenticatorAppStep(id: form["pending"] ?? "", code: (form["code"] ?? "").filter { !$0.isWhitespace })
                _ = method
                return WebRoutes.redirect("/security-info\(language.with("done=methodAdded"))")
            } catch {
                let (message, status) = WebRoutes.describe(error.refusal, language)
                guard let retry = error.retryID else { return web.refusalPage(error.refusal, language: language) }
                let resumed = await WizardRoutes.attempt { () async throws(RegistrationError) in try await manage.resumeAuthenticatorAppStep(id: retry) }
                guard case .success(let begun) = resumed else { return web.refusalPage(error.refusal, language: language) }
                return try pages.step(
                    begun.app.kind, flow: flow(manage, language: language), state: .app(id: begun.id, app: begun.app), upn: manage.user.upn,
                    csrf: csrf, language: language, error: message, status: status)
            }
        }
    }

    private func sendCode(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        return try await withForm(request, context) { manage, csrf, form in
            let kind = MethodKind(rawValue: form["kind"] ?? "") ?? .phone
            let destination = (form["destination"] ?? "").trimmingCharacters(in: .whitespaces)
            let changing = (form["changing"]).flatMap { $0.isEmpty ? nil : $0 }
            let sent = await WizardRoutes.attempt { () async throws(RegistrationError) in
                guard let delivery = web.delivery else { throw .methodDisabled(kind) }
                guard !destination.isEmpty, destination.count <= 254 else { throw .invalidInput("enter a phone number or e-mail address") }
                let catalog = MessageCatalog(language: language.code)
                if let changing {
                    return try await manage.beginContactChange(methodID: changing, destination: destination, delivery: delivery, catalog: catalog)
                }
                return try await manage.beginContactStep(kind, destination: destination, delivery: delivery, catalog: catalog)
            }
            let flow = flow(manage, language: language, changing: changing)
            switch sent {
            case .success(let pending):
                return try pages.step(
                    kind, flow: flow, state: .code(id: pending, sentTo: destination), upn: manage.user.upn, csrf: csrf, language: language)
            case .failure(let refusal):
                let (message, status) = WebRoutes.describe(refusal, language)
                return try pages.step(
                    kind, flow: flow, state: .contact(destination: destination), upn: manage.user.upn, csrf: csrf, language: language,
                    error: message, status: status)
            }
        }
    }

    private func finishContact(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        return try await withForm(request, context) { manage, csrf, form in
            let changing = (form["changing"]).flatMap { $0.isEmpty ? nil : $0 }
            do throws(PendingStepError) {
                _ = try await manage.completeContactStep(id: form["pending"] ?? "", code: (form["code"] ?? "").filter { !$0.isWhitespace })
                return WebRoutes.redirect("/security-info\(language.with(changing == nil ? "done=methodAdded" : "done=contactChanged"))")
            } catch {
                let (message, status) = WebRoutes.describe(error.refusal, language)
                let kind = MethodKind(rawValue: form["kind"] ?? "") ?? .phone
                let state: StepState = error.retryID.map { .code(id: $0, sentTo: form["sentTo"] ?? "") } ?? .contact(destination: "")
                return try pages.step(
                    kind, flow: flow(manage, language: language, changing: changing), state: state, upn: manage.user.upn, csrf: csrf,
                    language: language, error: message, status: status)
            }
        }
    }
}
