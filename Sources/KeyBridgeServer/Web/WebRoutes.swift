import Foundation
import HTTPTypes
import Hummingbird
import KeyBridgeRegistration
import KeyBridgeWebAuthn

/// The browser's pages: sign-in (a pass, a code or a security key) and the security-info page
/// (manage mode: the user's methods, the default, delete, add a security key). Server-rendered;
/// the only script is `/static/keybridge.js` for WebAuthn. Every rule is the registration
/// module's: sign-in is ``RegistrationService/openUserSession(upn:tenant:client:proof:userAgent:policy:now:)``,
/// every change goes through ``ManageSession``, keys through the same verifier as the API.
struct WebRoutes {
    let service: RegistrationService
    let sessions: UserSessionPolicy
    /// Whether the server speaks TLS (cookies are then `Secure`).
    let secure: Bool
    let pages: PageRenderer
    /// Where codes for new phones and e-mail addresses go (the wizard's contact steps).
    let delivery: (any CodeDelivery)?

    func register(on router: Router<APIRequestContext>) {
        let web = router.group().add(middleware: WebSecurityHeaders())
        web.get("/") { request, _ in Self.redirect("/security-info\(PageLanguage(request).query)") }
        web.get("signin") { request, context in try await signInPage(request, context) }
        web.post("signin") { request, context in try await signInWithAnswer(request, context) }
        web.post("signin/key-options") { request, context in try await keyOptions(request, context) }
        web.post("signin/key") { request, context in try await signInWithKey(request, context) }
        web.post("signout") { request, context in try await signOut(request, context) }
        web.get("security-info") { request, context in try await securityInfo(request, context) }
        web.post("security-info/default") { request, context in try await change(request, context, done: "defaultChanged") }
        web.post("security-info/delete") { request, context in try await change(request, context, done: "deleted") }
        web.post("security-info/app-password") { request, context in try await createAppPassword(request, context) }
        web.post("security-info/fido2/options") { request, context in try await creationOptions(request, context) }
        web.post("security-info/fido2") { request, context in try await addKey(request, context) }
        web.get("static/keybridge.css") { _, _ in Self.asset(pages.stylesheet, type: "text/css; charset=utf-8") }
        web.get("static/keybridge.js") { _, _ in Self.asset(pages.script, type: "text/javascript; charset=utf-8") }
    }

    // MARK: Sign-in

    private func signInPage(_ request: Request, _ context: APIRequestContext, upn: String = "", tenant formTenant: String? = nil,
        error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response
    {
        let language = PageLanguage(request)
        // `?tenant=` (switch directory) or the form's tenant: sign in to that one, even when signed in elsewhere.
        let tenant = (formTenant?.isEmpty == false ? formTenant : nil) ?? request.uri.queryParameters["tenant"].map(String.init)
        if error == nil, tenant == nil, let token = request.cookie(WebSecurity.sessionCookie),
            (try? await service.resumeUserSession(token: token, client: client(request, context), policy: sessions)) ?? nil != nil
        {
            return Self.redirect("/security-info\(language.query)")
        }
        let form = request.cookie(WebSecurity.formCookie) ?? WebSecurity.randomToken()
        var notice: String?
        if let done = request.uri.queryParameters["done"], ["signedOut", "sessionEnded"].contains(String(done)) {
            notice = pages.text(String(done), language.code)
        }
        let prefilled = upn.isEmpty ? request.uri.queryParameters["upn"].map(String.init) ?? "" : upn
        var tenantName: String?
        if let tenant { tenantName = try await service.store.tenants().first { $0.id == tenant }?.name ?? tenant }
        var response = pages.page(
            "signin", title: pages.text("signInTitle", language.code), language: language,
            values: [
                "csrf": form, "upn": prefilled, "error": error, "notice": notice, "tenant": tenant ?? "",
                "signingInTo": tenantName.map { pages.text("signingInTo", language.code).replacingOccurrences(of: "{tenant}", with: $0) },
            ], status: status)
        response.headers.append(HTTPField(name: .setCookie, value: WebSecurity.cookie(WebSecurity.formCookie, form, secure: secure)))
        return response
    }

    private func signInWithAnswer(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let form = try await Self.form(request, context)
        let upn = (form["upn"] ?? "").trimmingCharacters(in: .whitespaces)
        guard WebSecurity.matches(form["csrf"], request.cookie(WebSecurity.formCookie)) else {
            return try await signInPage(
                request, context, upn: upn, tenant: form["tenant"], error: pages.text("formExpired", language.code), status: .forbidden)
        }
        guard !upn.isEmpty else {
            return try await signInPage(request, context, error: pages.text("enterUserName", language.code), status: .badRequest)
        }
        guard let answer = form["answer"], !answer.isEmpty else {
            return try await signInPage(
                request, context, upn: upn, tenant: form["tenant"], error: pages.text("enterPassOrCode", language.code), status: .badRequest)
        }
        switch await openSession(request, context, upn: upn, tenant: form["tenant"], proof: MFAProof(typed: answer)) {
        case .success(let opened):
            return signedIn(opened.token, location: opened.next, json: false)
        case .failure(let refusal):
            let (message, status) = Self.describe(refusal, language)
            return try await signInPage(request, context, upn: upn, tenant: form["tenant"], error: message, status: status)
        }
    }

    private func keyOptions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        guard WebSecurity.matches(request.headers[Self.csrfHeader], request.cookie(WebSecurity.formCookie)) else {
            return Self.failure(pages.text("formExpired", language.code), status: .forbidden)
        }
        let body = try await Self.json(KeyUser.self, request, context)
        do throws(RegistrationError) {
            let tenant = try await service.signInTenant(upn: body.upn, chosen: body.tenant)
            let options = try await service.fido2SignInOptions(upn: body.upn, tenant: tenant)
            let lifetime = try await service.configuration(tenant).challengeLifetime
            return GraphJSON.response(["publicKey": GraphJSON.requestOptions(options, timeout: lifetime)])
        } catch {
            return Self.failure(Self.describe(error, language))
        }
    }

    private func signInWithKey(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        guard WebSecurity.matches(request.headers[Self.csrfHeader], request.cookie(WebSecurity.formCookie)) else {
            return Self.failure(pages.text("formExpired", language.code), status: .forbidden)
        }
        let body = try await Self.json(KeySignIn.self, request, context)
        switch await openSession(request, context, upn: body.upn, tenant: body.tenant, proof: .fido2Assertion(body.credential.authenticationResponse())) {
        case .success(let opened): return signedIn(opened.token, location: opened.next, json: true)
        case .failure(let refusal): return Self.failure(Self.describe(refusal, language))
        }
    }

    /// Signs the user in to their home tenant and decides interrupt mode (audited once per
    /// sign-in): the session token and the page to go to (the wizard when sign-in asks for
    /// something), or the refusal.
    private func openSession(_ request: Request, _ context: APIRequestContext, upn: String, tenant chosen: String?, proof: MFAProof) async
        -> Result<(token: String, next: String), RegistrationError>
    {
        let language = PageLanguage(request)
        do throws(RegistrationError) {
            let tenant = try await service.signInTenant(upn: upn, chosen: chosen)
            let (token, signedIn) = try await service.openUserSession(
                upn: upn, tenant: tenant, client: client(request, context), proof: proof, userAgent: request.headers[.userAgent],
                policy: sessions)
            let decision = try await InterruptRegistration.open(service, signedIn: signedIn, client: client(request, context)).decision()
            return .success((token, decision.action == .none ? "/security-info\(language.query)" : "/register\(language.query)"))
        } catch {
            return .failure(error)
        }
    }

    /// The answer to a sign-in: the session cookie, the form cookie gone, and where to go.
    private func signedIn(_ token: String, location: String, json: Bool) -> Response {
        var response = json ? GraphJSON.response(["location": location]) : Self.redirect(location)
        response.headers.append(HTTPField(name: .setCookie, value: WebSecurity.cookie(WebSecurity.sessionCookie, token, secure: secure)))
        response.headers.append(HTTPField(name: .setCookie, value: WebSecurity.cookie(WebSecurity.formCookie, "", secure: secure)))
        return response
    }

    private func signOut(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let form = try await Self.form(request, context)
        guard let token = request.cookie(WebSecurity.sessionCookie), WebSecurity.matches(form["csrf"], WebSecurity.csrfToken(session: token))
        else { return Self.redirect("/signin\(language.query)") }
        try await service.closeUserSession(token: token, client: client(request, context))
        var response = Self.redirect("/signin\(language.with("done=signedOut"))")
        response.headers.append(HTTPField(name: .setCookie, value: WebSecurity.cookie(WebSecurity.sessionCookie, "", secure: secure)))
        return response
    }

    // MARK: Security info

    /// A page of a signed-in user, opened by `open` (in interrupt or manage mode), with the page's
    /// CSRF token; or the response to send instead (sign-in when the session ended, a refusal page).
    func opened<Mode>(
        _ request: Request, _ context: APIRequestContext,
        _ open: (SignedInUser, ClientContext) async throws(RegistrationError) -> Mode
    ) async -> Gate<(Mode, String)> {
        let language = PageLanguage(request)
        switch await resume(request, context) {
        case .failure(let refusal): return .answer(refusalPage(refusal, language: language))
        case .success(nil): return .answer(Self.redirect("/signin\(language.with("done=sessionEnded"))"))
        case .success(let (signedIn, token)?):
            do throws(RegistrationError) {
                return .ready((try await open(signedIn, client(request, context)), WebSecurity.csrfToken(session: token)))
            } catch {
                return .answer(refusalPage(error, language: language))
            }
        }
    }

    /// A form posted from such a page: as ``opened(_:_:_:)``, and the form's CSRF token must be the page's.
    func openedForm<Mode>(
        _ request: Request, _ context: APIRequestContext,
        _ open: (SignedInUser, ClientContext) async throws(RegistrationError) -> Mode
    ) async throws -> Gate<(Mode, String, [String: String])> {
        let form = try await Self.form(request, context)
        switch await opened(request, context, open) {
        case .answer(let response): return .answer(response)
        case .ready(let (mode, csrf)):
            guard WebSecurity.matches(form["csrf"], csrf) else {
                let language = PageLanguage(request)
                return .answer(
                    pages.page(
                        "message", title: pages.text("errorTitle", language.code), language: language,
                        values: ["error": pages.text("formExpired", language.code)], status: .forbidden))
            }
            return .ready((mode, csrf, form))
        }
    }

    /// The signed-in user of this request and the session token; nil inside when there is no
    /// live session; a refusal when the access rule refuses this address.
    func resume(_ request: Request, _ context: APIRequestContext) async -> Result<(SignedInUser, String)?, RegistrationError> {
        guard let token = request.cookie(WebSecurity.sessionCookie) else { return .success(nil) }
        do throws(RegistrationError) {
            return .success(try await service.resumeUserSession(token: token, client: client(request, context), policy: sessions).map { ($0, token) })
        } catch {
            return .failure(error)
        }
    }

    /// The signed-in user of this request, or nil (no live session, or refused here).
    func signedInUser(_ request: Request, _ context: APIRequestContext) async -> (SignedInUser, String)? {
        guard let token = request.cookie(WebSecurity.sessionCookie),
            let user = try? await service.resumeUserSession(token: token, client: client(request, context), policy: sessions)
        else { return nil }
        return (user, token)
    }

    private func securityInfo(_ request: Request, _ context: APIRequestContext, error: String? = nil,
        status: HTTPResponse.Status = .ok, newAppPassword: String? = nil) async throws -> Response
    {
        let language = PageLanguage(request)
        let (manage, csrf): (ManageSession, String)
        switch await opened(request, context, { (signedIn, client) async throws(RegistrationError) in
            try await ManageSession.open(service, signedIn: signedIn, client: client)
        }) {
        case .answer(let response): return response
        case .ready(let page): (manage, csrf) = page
        }
        let configuration = try await service.configuration(manage.tenant)
        let methods = try await manage.methods().sorted {
            $0.kind.securityRank != $1.kind.securityRank ? $0.kind.securityRank > $1.kind.securityRank : $0.created < $1.created
        }
        let rows: [[String: Any]] = methods.map { method in
            [
                "id": method.id, "kind": method.kind.rawValue, "kindName": pages.text("kind.\(method.kind.rawValue)", language.code),
                "displayValue": method.friendlyName ?? method.displayValue, "isDefault": method.isDefault,
                "canBeDefault": method.kind.canBeDefaultMFA && !method.isDefault, "canChange": method.kind.userCanChange,
            ]
        }
        var notice: String?
        if let done = request.uri.queryParameters["done"], ["deleted", "defaultChanged", "keyAdded", "reviewConfirmed", "skipped", "methodAdded", "contactChanged"].contains(String(done)) {
            notice = pages.text(String(done), language.code)
        }
        let tenantName = try await service.store.tenants().first { $0.id == manage.tenant }?.name
        let addable = manage.registrableKinds.filter { PageRenderer.stepKinds.contains($0) }
        let tenants = try await service.store.tenants()
        let others = ([manage.user.homeTenant] + manage.user.guestTenants).filter { $0 != manage.tenant }.map { id in
            [
                "id": id, "name": tenants.first { $0.id == id }?.name ?? id,
                "href": "/signin?tenant=\(Self.queryValue(id))&upn=\(Self.queryValue(manage.user.upn))\(language.query.isEmpty ? "" : "&" + language.query.dropFirst())",
            ]
        }
        return pages.page(
            "security-info", title: pages.text("securityInfoTitle", language.code), language: language,
            values: [
                "signedIn": true, "upn": manage.user.upn, "tenantName": tenantName, "csrf": csrf,
                "methods": rows, "hasMethods": !rows.isEmpty, "defaultMethod": rows.first { $0["isDefault"] as? Bool == true },
                "canAddKey": configuration.methods.allows(.fido2SecurityKey, for: manage.user) && configuration.methods.fido2.selfServiceSetup,
                "notice": notice, "error": error,
                "addable": addable.map { ["kind": $0.rawValue, "name": pages.text("kind.\($0.rawValue)", language.code)] },
                "canCreateAppPassword": manage.registrableKinds.contains(.appPassword), "newAppPassword": newAppPassword,
                "hasAddable": !addable.isEmpty, "otherDirectories": others, "hasOtherDirectories": !others.isEmpty, "lngAmp": language.query.isEmpty ? "" : "&" + language.query.dropFirst(),
            ],
            status: status)
    }

    /// Make default or delete, from the page's forms.
    /// The manage session of a form posted from the security-info page (its CSRF token checked).
    private func manageForm(_ request: Request, _ context: APIRequestContext) async throws -> Gate<(ManageSession, String, [String: String])> {
        try await openedForm(request, context) { (signedIn, client) async throws(RegistrationError) in
            try await ManageSession.open(service, signedIn: signedIn, client: client)
        }
    }

    private func change(_ request: Request, _ context: APIRequestContext, done: String) async throws -> Response {
        let language = PageLanguage(request)
        let (manage, form): (ManageSession, [String: String])
        switch try await manageForm(request, context) {
        case .answer(let response): return response
        case .ready(let opened): (manage, form) = (opened.0, opened.2)
        }
        let changed = await WizardRoutes.attempt { () async throws(RegistrationError) in
            let id = form["id"] ?? ""
            if done == "deleted" { try await manage.delete(methodID: id) } else { try await manage.setDefault(methodID: id) }
        }
        guard case .failure(let refusal) = changed else { return Self.redirect("/security-info\(language.with("done=\(done)"))") }
        let (message, status) = Self.describe(refusal, language)
        return try await securityInfo(request, context, error: message, status: status)
    }

    /// A new app password (per-user MFA only), shown once on the page that answers.
    private func createAppPassword(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let (manage, form): (ManageSession, [String: String])
        switch try await manageForm(request, context) {
        case .answer(let response): return response
        case .ready(let opened): (manage, form) = (opened.0, opened.2)
        }
        let name = String((form["name"] ?? "").trimmingCharacters(in: .whitespaces).prefix(100))
        let created = await WizardRoutes.attempt { () async throws(RegistrationError) in
            try await manage.createAppPassword(name: name.isEmpty ? pages.text("kind.appPassword", language.code) : name).password
        }
        switch created {
        case .success(let password): return try await securityInfo(request, context, status: .created, newAppPassword: password)
        case .failure(let refusal):
            let (message, status) = Self.describe(refusal, language)
            return try await securityInfo(request, context, error: message, status: status)
        }
    }

    /// The manage session of a script request from the security-info page (the CSRF token in
    /// `X-CSRF-Token`), or the `{"message"}` refusal to answer instead.
    private func scriptSession(_ request: Request, _ context: APIRequestContext) async -> Gate<ManageSession> {
        let language = PageLanguage(request)
        guard let (signedIn, token) = await signedInUser(request, context) else {
            return .answer(Self.failure(pages.text("sessionEnded", language.code), status: .unauthorized))
        }
        guard WebSecurity.matches(request.headers[Self.csrfHeader], WebSecurity.csrfToken(session: token)) else {
            return .answer(Self.failure(pages.text("formExpired", language.code), status: .forbidden))
        }
        let opened = await WizardRoutes.attempt { () async throws(RegistrationError) in
            try await ManageSession.open(service, signedIn: signedIn, client: client(request, context))
        }
        switch opened {
        case .success(let manage): return .ready(manage)
        case .failure(let refusal): return .answer(Self.failure(Self.describe(refusal, language)))
        }
    }

    private func creationOptions(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let manage: ManageSession
        switch await scriptSession(request, context) {
        case .answer(let response): return response
        case .ready(let opened): manage = opened
        }
        let options = await WizardRoutes.attempt { () async throws(RegistrationError) in try await manage.beginFIDO2Registration() }
        switch options {
        case .success(let options): return GraphJSON.response(GraphJSON.creationOptions(options))
        case .failure(let refusal): return Self.failure(Self.describe(refusal, language))
        }
    }

    private func addKey(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let language = PageLanguage(request)
        let manage: ManageSession
        switch await scriptSession(request, context) {
        case .answer(let response): return response
        case .ready(let opened): manage = opened
        }
        let body = try await Self.json(GraphFIDO2Registration.self, request, context)
        guard case .success(let response) = Result(catching: { try body.registrationResponse() }) else {
            return Self.failure(pages.text("keyCancelled", language.code), status: .badRequest)
        }
        let name = body.displayName?.trimmingCharacters(in: .whitespaces)
        let added = await WizardRoutes.attempt { () async throws(RegistrationError) in
            try await manage.completeFIDO2Registration(response, friendlyName: name?.isEmpty == false ? name : nil)
        }
        switch added {
        case .success: return GraphJSON.response(["location": "/security-info\(language.with("done=keyAdded"))"], status: .created)
        case .failure(let refusal): return Self.failure(Self.describe(refusal, language))
        }
    }

    func refusalPage(_ refusal: RegistrationError, language: PageLanguage) -> Response {
        let (message, status) = Self.describe(refusal, language)
        return pages.page("message", title: pages.text("errorTitle", language.code), language: language, values: ["error": message], status: status)
    }

    // MARK: Helpers

    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// The browser's address (from the connection) and its user agent, for the access rule and the audit.
    func client(_ request: Request, _ context: APIRequestContext) -> ClientContext {
        ClientContext(address: context.clientAddress, userAgent: request.headers[.userAgent])
    }

    /// A value for a query string.
    static func queryValue(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func asset(_ bytes: ByteBuffer, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"], body: .init(byteBuffer: bytes))
    }

    /// A refusal's sentence in the page's language and its HTTP status.
    static func describe(_ refusal: RegistrationError, _ language: PageLanguage) -> (String, HTTPResponse.Status) {
        (MessageCatalog(language: language.code).sentence(for: refusal), GraphError(refusal).status)
    }

    static func failure(_ described: (String, HTTPResponse.Status)) -> Response { failure(described.0, status: described.1) }

    /// A refusal for the page's script: `{"message"}` in the page's language.
    static func failure(_ message: String, status: HTTPResponse.Status) -> Response {
        GraphJSON.response(["message": message], status: status)
    }

    /// An `application/x-www-form-urlencoded` body as names and values (the last of repeated names).
    static func form(_ request: Request, _ context: APIRequestContext) async throws -> [String: String] {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        var components = URLComponents()
        components.percentEncodedQuery = String(buffer: body).replacingOccurrences(of: "+", with: "%20")
        var values: [String: String] = [:]
        for item in components.queryItems ?? [] { values[item.name] = item.value ?? "" }
        return values
    }

    static func json<T: Decodable>(_ type: T.Type, _ request: Request, _ context: APIRequestContext) async throws -> T {
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        do { return try JSONDecoder().decode(T.self, from: Data(buffer: body)) } catch {
            throw GraphError.badRequest("The request body is not the JSON this page sends.")
        }
    }
}

/// The body of `/signin/key-options`.
private struct KeyUser: Decodable {
    var upn: String
    var tenant: String?
}

/// The body of `/signin/key`: the user and the key's assertion.
private struct KeySignIn: Decodable {
    var upn: String
    var tenant: String?
    var credential: AssertionCredential
}
