import Documents
import Domain
import Features
import Foundation
import Hummingbird

/// Log-in steps shared by both areas: password, then the code (or, for staff without 2FA, its set-up).
struct LoginFlow {
    let areas: WebAreas
    let realm: Realm

    var base: String { realm == .staff ? "/staff" : "" }
    var cookieName: String { realm == .staff ? WebAreas.staffCookie : WebAreas.clientCookie }
    var home: String { realm == .staff ? "/staff" : "/services" }

    func sessionCookie(_ token: String) -> String { areas.cookies.set(cookieName, token) }

    func loginPage(_ visit: Visit, email: String = "", returnTo: String?, status: HTTPResponse.Status = .ok, error: String? = nil) -> Response {
        let v = visit.views
        var links: [[String: String]] = []
        if realm == .client {
            links = [["href": "/forgot-password", "label": v.s("forgot")], ["href": "/signup", "label": "\(v.s("no_account")) \(v.s("sign_up"))"]]
        }
        let model: [String: Any] = [
            "heading": realm == .staff ? "Staff log in" : v.s("log_in"), "action": base + "/login", "submit": v.s("log_in"), "returnTo": returnTo ?? "",
            "fields": [areas.field("email", v.s("email"), type: "email", value: email, autocomplete: "username"),
                       areas.field("password", v.s("password"), type: "password", autocomplete: "current-password")],
            "links": links,
        ]
        return areas.page("login", title: v.s("log_in"), model, visit, status: status, formError: error)
    }

    func codePage(_ visit: Visit, returnTo: String?, status: HTTPResponse.Status = .ok, error: String? = nil) -> Response {
        let v = visit.views
        let model: [String: Any] = [
            "heading": v.s("code_title"), "action": base + "/login/code", "submit": v.s("continue"), "returnTo": returnTo ?? "",
            "fields": [areas.field("code", v.s("code_label"), value: "", autocomplete: "one-time-code", inputmode: "numeric")],
        ]
        return areas.page("login", title: v.s("code_title"), model, visit, status: status, formError: error)
    }

    func refusalText(_ r: LoginRefusal, _ v: Views) -> (HTTPResponse.Status, String) {
        switch r {
        case .wrongCredentials: (.unauthorized, v.s("wrong_credentials"))
        case .wrongCode: (.unauthorized, v.s("wrong_code"))
        case .locked: (.tooManyRequests, v.s("locked"))
        case .expired: (.unauthorized, v.s("expired"))
        }
    }

    func register<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        r.get("login") { req, ctx in
            let visit = areas.visit(req, ctx)
            let returnTo = WebAreas.safeReturn(req.uri.queryParameters.get("next"))
            if ctx.session?.stage == .full { return areas.redirect(returnTo ?? home, visit) }
            return loginPage(visit, returnTo: returnTo)
        }
        r.post("login") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let returnTo = WebAreas.safeReturn(form.optional("return_to"))
            switch try await LogIn(areas.identity)(realm: realm, email: form["email"], password: form["password"], ip: ctx.remoteIP) {
            case .refused(let why):
                let (status, text) = refusalText(why, visit.views)
                return loginPage(visit, email: form["email"], returnTo: returnTo, status: status, error: text)
            case .session(let token, let session):
                let next: String
                switch session.stage {
                case .secondFactor: next = returnTo.map { WebAreas.path(base + "/login/code", next: $0) } ?? base + "/login/code"
                case .setupSecondFactor: next = base + "/security/2fa"
                case .full: next = returnTo ?? home
                }
                return areas.redirect(next, visit, cookies: [sessionCookie(token)])
            }
        }
        r.get("login/code") { req, ctx in
            let visit = areas.visit(req, ctx)
            guard ctx.session?.stage == .secondFactor else { return areas.redirect(base + "/login", visit) }
            return codePage(visit, returnTo: WebAreas.safeReturn(req.uri.queryParameters.get("next")))
        }
        r.post("login/code") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let returnTo = WebAreas.safeReturn(form.optional("return_to"))
            guard let session = ctx.session, session.stage == .secondFactor else {
                return loginPage(visit, returnTo: returnTo, status: .unauthorized, error: visit.views.s("expired"))
            }
            switch try await VerifySecondFactor(areas.identity)(session, code: form["code"], ip: ctx.remoteIP) {
            case .refused(let why):
                let (status, text) = refusalText(why, visit.views)
                return codePage(visit, returnTo: returnTo, status: status, error: text)
            case .session(let token, _):
                return areas.redirect(returnTo ?? home, visit, cookies: [sessionCookie(token)])
            }
        }
        r.post("logout") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            if let s = ctx.session { try await areas.identity.logOut(s) }
            return areas.redirect(base + "/login", visit, cookies: [areas.cookies.clear(cookieName)])
        }

        r.get("confirm-password") { req, ctx in
            _ = try requireSession(req, ctx)
            return confirmPage(areas.visit(req, ctx), returnTo: WebAreas.safeReturn(req.uri.queryParameters.get("next")))
        }
        r.post("confirm-password") { req, ctx in
            let session = try requireSession(req, ctx)
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let returnTo = WebAreas.safeReturn(form.optional("return_to"))
            switch try await ConfirmPassword(areas.identity)(session, password: form["password"], ip: ctx.remoteIP) {
            case .refused(let why):
                let (status, text) = refusalText(why, visit.views)
                return confirmPage(visit, returnTo: returnTo, status: status, error: text)
            case .session(let token, _):
                return areas.redirect(returnTo ?? home, visit, cookies: [sessionCookie(token)])
            }
        }

        // Security: password and 2FA (staff pass here before anything else when 2FA is not yet set up).
        r.get("security") { req, ctx in try await securityPage(areas.visit(req, ctx), try requireAccountSession(req, ctx)) }
        securityForm(r, "security/password", done: "password_changed") { session, form in
            try await ChangePassword(areas.identity)(session, current: form["currentPassword"], new: form["newPassword"])
        }
        securityForm(r, "security/email", done: "email_confirm_sent") { session, form in
            try await ChangeEmail(areas.identity).request(session, password: form["emailPassword"], newEmail: form["newEmail"],
                                                              baseURL: areas.settings.publicBaseURL, mailer: areas.mailer)
        }
        r.get("security/2fa") { req, ctx in
            let session = try requireAccountSession(req, ctx, allowSetup: true)
            return try await totpSetupPage(areas.visit(req, ctx), session)
        }
        r.post("security/2fa") { req, ctx in
            let session = try requireAccountSession(req, ctx, allowSetup: true)
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            do {
                let enabled = try await SetUpSecondFactor(areas.identity).confirm(session, code: form["code"], password: form.optional("password"))
                var after = visit
                after.csrf = enabled.session.csrfToken
                after.setCookies.append(sessionCookie(enabled.token))
                let v = visit.views
                return areas.page("recovery", title: v.s("recovery_title"), ["codes": enabled.recoveryCodes, "next": base + "/security"],
                                  Visit(request: req, session: enabled.session, realm: realm, language: visit.language, csrf: enabled.session.csrfToken, setCookies: after.setCookies))
            } catch UseCaseError.invalid(let failure) {
                return try await totpSetupPage(visit, session, errors: visit.views.errors(failure))
            }
        }
        securityForm(r, "security/2fa/disable", done: "totp_disabled") { session, form in
            try await SetUpSecondFactor(areas.identity).disable(session, password: form["password"], code: form["code"])
        }
    }

    /// A form on the Security page: CSRF checked, the change made, back to the page with a note; refused input comes
    /// back as the page with its field messages (422).
    func securityForm<Context: WebRequestContext>(_ r: RouterGroup<Context>, _ path: RouterPath, done flash: String,
                                                  _ change: @escaping @Sendable (WebSession, Form) async throws -> Void) {
        r.post(path) { req, ctx in
            let session = try requireAccountSession(req, ctx)
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            do {
                try await change(session, form)
                return areas.redirect(base + "/security", visit, flash: flash)
            } catch UseCaseError.invalid(let failure) {
                return try await securityPage(visit, session, errors: visit.views.errors(failure), form: form)
            }
        }
    }

    /// The session of this realm, fully logged in; otherwise to the login page (and back here afterwards).
    func requireSession<Context: WebRequestContext>(_ req: Request, _ ctx: Context, allowSetup: Bool = false) throws -> WebSession {
        guard let s = ctx.session, s.realm == realm else {
            throw Redirect(location: WebAreas.path(base + "/login", next: req.uri.path))
        }
        switch s.stage {
        case .full: return s
        case .setupSecondFactor:
            if allowSetup { return s }
            throw Redirect(location: base + "/security/2fa")
        case .secondFactor: throw Redirect(location: base + "/login/code")
        }
    }

    /// For pages that change how the account is reached (password, 2FA, phone, SMS consent): a session opened from
    /// an e-mail link must confirm the password first.
    func requireAccountSession<Context: WebRequestContext>(_ req: Request, _ ctx: Context, allowSetup: Bool = false) throws -> WebSession {
        let s = try requireSession(req, ctx, allowSetup: allowSetup)
        // After the password, back to the page: a form's POST address has no page of its own.
        let page = req.method == .get || !req.uri.path.hasPrefix(base + "/security") ? req.uri.path : base + "/security"
        if s.fromMail { throw Redirect(location: WebAreas.path("/confirm-password", next: page)) }
        return s
    }

    func confirmPage(_ visit: Visit, returnTo: String?, status: HTTPResponse.Status = .ok, error: String? = nil) -> Response {
        let v = visit.views
        let model: [String: Any] = [
            "heading": v.s("confirm_title"), "intro": v.s("confirm_text"), "action": "/confirm-password", "submit": v.s("continue"), "returnTo": returnTo ?? "",
            "fields": [areas.field("password", v.s("password"), type: "password", autocomplete: "current-password")],
        ]
        return areas.page("login", title: v.s("confirm_title"), model, visit, status: status, formError: error)
    }

    func securityPage(_ visit: Visit, _ session: WebSession, errors: [String: String] = [:], form: Form? = nil) async throws -> Response {
        let v = visit.views
        let status = try await SecurityStatus.load(realm: realm, subjectID: session.subjectID, identity: areas.identity)
        let model: [String: Any] = [
            "totpOn": status.hasSecondFactor, "canDisable": realm == .client,
            "recoveryLeft": v.f("recovery_left", String(status.unusedRecoveryCodes)),
            "disableFields": [areas.field("password", v.s("current_password"), type: "password", autocomplete: "current-password", errors: errors),
                              areas.field("code", v.s("code_label"), autocomplete: "one-time-code", errors: errors, inputmode: "numeric")],
            "emailFields": realm == .client ? [areas.field("newEmail", v.s("new_email"), type: "email", value: form?["newEmail"] ?? "", hint: v.s("email_change_hint"), autocomplete: "email", errors: errors),
                                               areas.field("emailPassword", v.s("current_password"), type: "password", autocomplete: "current-password", errors: errors)] : [],
            "currentEmail": status.email?.value ?? "", "canChangeEmail": realm == .client,
            "passwordFields": [areas.field("currentPassword", v.s("current_password"), type: "password", autocomplete: "current-password", errors: errors),
                               areas.field("newPassword", v.s("new_password"), type: "password", hint: v.s("password_hint"), autocomplete: "new-password", errors: errors)],
        ]
        return areas.formPage("security", title: v.s("security_title"), model, visit, errors: errors)
    }

    func totpSetupPage(_ visit: Visit, _ session: WebSession, errors: [String: String] = [:]) async throws -> Response {
        let v = visit.views
        if try await SecurityStatus.load(realm: realm, subjectID: session.subjectID, identity: areas.identity).hasSecondFactor {
            return areas.redirect(base + "/security", visit)
        }
        let pending = try await SetUpSecondFactor(areas.identity).begin(session)
        let model: [String: Any] = [
            "qr": QRCode.svg(pending.uri) ?? "", "secret": pending.secretBase32, "uri": pending.uri, "action": base + "/security/2fa",
            "fields": (SetUpSecondFactor.needsPassword(session) ? [areas.field("password", v.s("password"), type: "password", autocomplete: "current-password", errors: errors)] : [])
                + [areas.field("code", v.s("totp_code"), autocomplete: "one-time-code", errors: errors, inputmode: "numeric")],
        ]
        return areas.page("totp-setup", title: v.s("totp_enable"), model, visit, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}

/// The client area's pages.
struct ClientRoutes {
    let areas: WebAreas
    var deps: AppDependencies { areas.deps }
    var login: LoginFlow { LoginFlow(areas: areas, realm: .client) }

    func register<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        login.register(on: r)
        r.get("/") { req, ctx in
            areas.redirect(ctx.session?.stage == .full && ctx.session?.realm == .client ? "/services" : "/login", areas.visit(req, ctx))
        }
        registerAccount(on: r)
        registerMailLinks(on: r)
        registerEmailConfirmation(on: r)
        registerServicesAndInvoices(on: r)
        registerCardPayments(on: r)
        registerDetails(on: r)
    }

    /// The logged-in client and the visit in the client's language.
    func clientVisit<Context: WebRequestContext>(_ req: Request, _ ctx: Context) async throws -> (Client, Visit) {
        let session = try login.requireSession(req, ctx)
        do {
            let client = try await ClientQueries(deps).client(id: session.subjectID)
            return (client, areas.visit(req, ctx, client: client))
        } catch UseCaseError.notFound {
            throw Redirect(location: "/login")
        }
    }

    // MARK: Sign-up and password reset

    func signupPage(_ visit: Visit, _ form: Form?, errors: [String: String] = [:], limited: Bool = false) -> Response {
        let v = visit.views
        let language = form.flatMap { Language(rawValue: $0["language"]) } ?? visit.language
        var partyValues: [String: String] = ["kind": "person", "country": "RO"]
        if let form { partyValues = Views.partyDraft(form).1 }
        var model: [String: Any] = [
            "fields": [areas.field("email", v.s("email"), type: "email", value: form?["email"] ?? "", autocomplete: "email", errors: errors),
                       areas.field("password", v.s("password"), type: "password", hint: v.s("password_hint"), autocomplete: "new-password", errors: errors),
                       areas.field("phone", v.s("phone"), type: "tel", value: form?["phone"] ?? "", hint: v.s("phone_hint"), autocomplete: "tel", errors: errors),
                       areas.languageField(language, v, errors: errors)],
            "sms": areas.checkbox("smsOptIn", v.s("sms_optin"), checked: form?.checked("smsOptIn") ?? false, hint: v.f("sms_hint", areas.settings.smsHours.0, areas.settings.smsHours.1), errors: errors),
        ]
        model.merge(v.partyForm(partyValues, errors: errors)) { a, _ in a }
        if limited { return areas.page("signup", title: v.s("sign_up"), model, visit, status: .tooManyRequests, formError: v.s("signup_limited")) }
        return areas.formPage("signup", title: v.s("sign_up"), model, visit, errors: errors)
    }

    func registerAccount<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        r.get("signup") { req, ctx in signupPage(areas.visit(req, ctx), nil) }
        r.post("signup") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let (draft, _) = Views.partyDraft(form)
            let input = ClientRegistration(email: form["email"], password: form["password"], phone: form.optional("phone"), language: form["language"],
                                           smsOptIn: form.checked("smsOptIn"), profile: draft)
            do {
                let client = try await RegisterClient(deps)(input, source: .signup) { [identity = areas.identity, ip = ctx.remoteIP] in
                    try await identity.admitSignUp(ip: ip)
                }
                let (token, _) = try await areas.identity.startSession(clientID: client.id)
                return areas.redirect("/services", visit, cookies: [login.sessionCookie(token), areas.cookies.set(WebAreas.languageCookie, client.language.rawValue, maxAge: 365 * 86400)], flash: "welcome")
            } catch UseCaseError.invalid(let failure) {
                return signupPage(visit, form, errors: visit.views.errors(failure))
            } catch is SignUpLimited {
                return signupPage(visit, form, limited: true)
            }
        }
        r.get("forgot-password") { req, ctx in forgotPage(areas.visit(req, ctx)) }
        r.post("forgot-password") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            try await ResetPassword(areas.identity).request(email: form["email"], ip: ctx.remoteIP, baseURL: areas.settings.publicBaseURL, mailer: areas.mailer)
            let v = visit.views
            return areas.message(visit, status: .ok, heading: v.s("forgot_title"), text: v.s("forgot_sent"), link: ("/login", v.s("log_in")))
        }
        r.get("reset-password") { req, ctx in
            let visit = areas.visit(req, ctx)
            return resetPage(visit, token: req.uri.queryParameters.get("token") ?? "")
        }
        r.post("reset-password") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let v = visit.views
            do {
                _ = try await ResetPassword(areas.identity).complete(token: form["token"], newPassword: form["password"])
                return areas.message(visit, status: .ok, heading: v.s("forgot_title"), text: v.s("reset_done"), link: ("/login", v.s("log_in")))
            } catch UseCaseError.invalid(let failure) {
                return resetPage(visit, token: form["token"], errors: v.errors(failure))
            } catch UseCaseError.conflict {
                return areas.message(visit, status: .gone, heading: v.s("forgot_title"), text: v.s("reset_invalid"), link: ("/forgot-password", v.s("forgot")))
            }
        }
    }

    /// The link sent to a new login e-mail: a page that asks to confirm (a click, not the GET itself: mail scanners
    /// open links), then the change.
    func registerEmailConfirmation<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        r.get("confirm-email") { req, ctx in
            let visit = areas.visit(req, ctx)
            let v = visit.views
            let token = req.uri.queryParameters.get("token") ?? ""
            guard let change = try await ChangeEmail(areas.identity).pending(token: token) else { return emailConfirmInvalid(visit) }
            var tokenField = areas.field("token", "", type: "hidden", value: token)
            tokenField["label"] = ""
            return areas.page("login", title: v.s("email_confirm_title"), [
                "heading": v.s("email_confirm_title"), "intro": v.f("email_confirm_intro", change.newEmail.value), "action": "/confirm-email",
                "submit": v.s("email_confirm"), "fields": [tokenField],
            ], visit)
        }
        r.post("confirm-email") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let v = visit.views
            do {
                let email = try await ChangeEmail(areas.identity).confirm(token: form["token"], session: ctx.session, mailer: areas.mailer)
                let loggedIn = ctx.session?.realm == .client && ctx.session?.stage == .full
                return areas.message(visit, status: .ok, heading: v.s("email_confirm_title"), text: v.f("email_changed", email.value),
                                     link: loggedIn ? ("/security", v.s("security_title")) : ("/login", v.s("log_in")))
            } catch UseCaseError.invalid(let failure) {
                return areas.message(visit, status: .conflict, heading: v.s("email_confirm_title"), text: v.errors(failure)["newEmail"] ?? "", link: ("/security", v.s("security_title")))
            } catch UseCaseError.conflict {
                return emailConfirmInvalid(visit)
            }
        }
    }

    func emailConfirmInvalid(_ visit: Visit) -> Response {
        let v = visit.views
        return areas.message(visit, status: .gone, heading: v.s("email_confirm_title"), text: v.s("email_confirm_invalid"), link: ("/security", v.s("security_title")))
    }

    func forgotPage(_ visit: Visit) -> Response {
        let v = visit.views
        return areas.page("login", title: v.s("forgot_title"), [
            "heading": v.s("forgot_title"), "action": "/forgot-password", "submit": v.s("forgot_send"),
            "fields": [areas.field("email", v.s("email"), type: "email", autocomplete: "email")],
        ], visit)
    }

    func resetPage(_ visit: Visit, token: String, errors: [String: String] = [:]) -> Response {
        let v = visit.views
        var tokenField = areas.field("token", "", type: "hidden", value: token)
        tokenField["label"] = ""
        return areas.page("login", title: v.s("forgot_title"), [
            "heading": v.s("forgot_title"), "action": "/reset-password", "submit": v.s("save"),
            "fields": [areas.field("password", v.s("new_password"), type: "password", hint: v.s("password_hint"), autocomplete: "new-password", errors: errors), tokenField],
        ], visit, status: errors.isEmpty ? .ok : .unprocessableContent)
    }

    // MARK: Log in from mail

    /// `/mail/:kind/:id/:token`: a working link logs the client in and redirects to the invoice (the token leaves the
    /// address bar); anything else leads to the login page with the invoice as destination and one neutral message.
    /// A browser logged in as another client is asked first (GET shows the question, POST with the form's CSRF
    /// token answers it).
    func registerMailLinks<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        r.get("mail/:kind/:id/:token") { req, ctx in try await openMailLink(req, ctx, confirmed: false) }
        r.post("mail/:kind/:id/:token") { req, ctx in
            try areas.checkCSRF(try await Form.parse(req), areas.visit(req, ctx))
            return try await openMailLink(req, ctx, confirmed: true)
        }
    }

    func openMailLink<Context: WebRequestContext>(_ req: Request, _ ctx: Context, confirmed: Bool) async throws -> Response {
            guard let kind = ctx.parameters.get("kind").flatMap(InvoiceRef.Kind.init(rawValue:)), let id = ctx.parameters.get("id", as: Int64.self),
                  let token = ctx.parameters.get("token") else { throw UseCaseError.notFound("link") }
            let invoice = InvoiceRef(kind, id)
            let visit = areas.visit(req, ctx)
            var response: Response
            switch try await MailLinks(areas.identity).open(token: token, invoice: invoice, ip: ctx.remoteIP, current: ctx.session, confirmed: confirmed) {
            case .session(let newToken, _):
                response = areas.redirect(invoice.path, visit, cookies: [login.sessionCookie(newToken)])
            case .keepCurrent:
                response = areas.redirect(invoice.path, visit)
            case .login:
                response = areas.redirect(WebAreas.path("/login", next: invoice.path), visit, flash: "mail_link_login")
            case .rateLimited:
                response = login.loginPage(visit, returnTo: invoice.path, status: .tooManyRequests, error: visit.views.s("mail_link_limited"))
            case .confirmSwitch:
                let v = visit.views
                response = areas.page("login", title: v.s("mail_link_switch_title"), [
                    "heading": v.s("mail_link_switch_title"), "intro": v.s("mail_link_switch_text"), "action": req.uri.path, "submit": v.s("mail_link_switch"),
                    "fields": [[String: Any]](), "links": [["href": "/services", "label": v.s("mail_link_stay")]],
                ], visit)
            }
            response.headers[.referrerPolicy] = "no-referrer"
            response.headers[.cacheControl] = "no-store"
            return response
    }

    // MARK: Services and invoices

    func registerServicesAndInvoices<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        r.get("services") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let v = visit.views
            let rows: [[String: Any]] = try await ServiceQueries(deps).ofClient(client.id).map { c in
                let s = c.service
                var row: [String: Any] = ["id": s.id, "domain": s.domain, "plan": c.planName, "cycle": v.cycle(s.cycle),
                                          "nextDue": s.state == .terminated ? "—" : s.nextDueDate.description, "state": v.serviceState(s.state), "stateCode": s.state.rawValue]
                switch c.hold {
                case .nonPayment?:
                    if let invoice = c.invoiceToPay, let number = c.invoiceToPayNumber {
                        row["why"] = v.s("why_non_payment")
                        row["payHref"] = invoice.path
                        row["payNumber"] = number
                    } else {
                        row["why"] = v.s("why_non_payment_plain")
                    }
                case .abuse?: row["why"] = v.s("why_abuse")
                case .other?: row["why"] = v.s("why_other")
                case nil: break
                }
                return row
            }
            return areas.page("services", title: v.s("services_title"), ["services": rows, "hasServices": !rows.isEmpty], visit)
        }
        r.get("invoices") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let v = visit.views
            let invoices = try await InvoiceQueries(deps).ofClient(client.id)
            var rows: [(CivilDate, Int, [String: Any])] = invoices.proformas.map { p in
                var row: [String: Any] = ["number": p.number, "type": v.s("proforma"), "issued": p.issueDate.description, "due": p.effectiveDueDate.description,
                                          "total": p.totals.gross.description, "status": v.status(p.state), "statusCode": p.state.rawValue,
                                          "href": "/invoices/proforma/\(p.id)", "pdf": "/invoices/proforma/\(p.id)/pdf"]
                if p.state == .unpaid { row["edit"] = "/invoices/proforma/\(p.id)/billing-data" }
                return (p.issueDate, 0, row)
            }
            rows += invoices.fiscalInvoices.map { f in
                (f.issueDate, 1, ["number": f.displayNumber, "type": v.s(f.kind == .storno ? "storno" : "fiscal"), "issued": f.issueDate.description, "due": "—",
                                  "total": f.totals.gross.description, "status": v.s("status_paid"), "statusCode": "paid",
                                  "href": "/invoices/fiscal/\(f.id)", "pdf": "/invoices/fiscal/\(f.id)/pdf"] as [String: Any])
            }
            // Newest first; on one day the fiscal invoice sits above the proforma it came from.
            rows.sort { ($0.0, $0.1) > ($1.0, $1.1) }
            return areas.page("invoices", title: v.s("invoices_title"), ["invoices": rows.map(\.2), "hasInvoices": !rows.isEmpty], visit)
        }
        r.get("invoices/proforma/:id") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            var model = proformaModel(p, visit)
            guard let cards = areas.cards, p.state == .unpaid, var pay = model["pay"] as? [String: Any] else { return areas.page("invoice", title: p.number, model, visit) }
            let v = visit.views
            pay["card"] = ["key": cards.gateway.publishableKey, "script": cards.gateway.scriptURL, "action": "/invoices/proforma/\(p.id)/card",
                           "label": v.f("card_pay", pay["open"] as? String ?? ""), "working": v.s("card_working"), "failed": v.s("card_failed")]
            if let last = try await cards.attempts(proformaID: p.id).first, let reason = last.failure {
                pay["cardFailure"] = v.f("card_failure", reason)
            }
            model["pay"] = pay
            var response = areas.page("invoice", title: p.number, model, visit)
            response.headers[.contentSecurityPolicy] = PageHeaders.paymentPolicy(gatewayOrigins: cards.gateway.pageOrigins)
            return response
        }
        r.get("invoices/proforma/:id/pdf") { req, ctx in
            let (client, _) = try await clientVisit(req, ctx)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            return areas.pdf(InvoicePDF.render(p, seller: deps.seller), name: p.number)
        }
        r.get("invoices/fiscal/:id") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let f = try await areas.fiscal(ctx, ownedBy: client.id)
            return areas.page("invoice", title: f.displayNumber, fiscalModel(f, visit), visit)
        }
        r.get("invoices/fiscal/:id/pdf") { req, ctx in
            let (client, _) = try await clientVisit(req, ctx)
            let f = try await areas.fiscal(ctx, ownedBy: client.id)
            return areas.pdf(InvoicePDF.render(f), name: f.displayNumber)
        }
        // There is no edit form for a fiscal invoice; a forged POST gets the rule, and nothing changes.
        r.post("invoices/fiscal/:id/billing-data") { req, ctx -> Response in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            _ = try await areas.fiscal(ctx, ownedBy: client.id)
            throw UseCaseError.conflict(rule: "fiscal.immutable", message: visit.views.s("fiscal_note"))
        }
        r.post("invoices/proforma/:id/pay") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            guard areas.settings.demoPayments else { throw PageError(status: .notFound, message: visit.views.s("not_found")) }
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            // A second click (or a resent form) pays nothing twice.
            _ = try await RecordPayment(deps)(proformaID: p.id, .init(amount: Money(minor: p.openMinor, currency: p.currency), method: .demo, reference: "demo-\(p.number)-\(p.version)",
                                                                      idempotencyKey: "demo:\(p.number)-\(p.version)"), actor: .client(client.id))
            return areas.redirect("/invoices/proforma/\(p.id)", visit, flash: "payment_recorded")
        }
        r.get("invoices/proforma/:id/billing-data") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            guard p.state == .unpaid else { throw UseCaseError.conflict(rule: "proforma.not-unpaid", message: visit.views.s("not_editable")) }
            return try await editPage(p, client: client, visit, form: nil)
        }
        r.post("invoices/proforma/:id/billing-data") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let id = try ctx.parameters.require("id", as: Int64.self)
            let buyer: EditProformaBillingData.NewBuyer
            if form["source"].hasPrefix("profile:"), let pid = Int64(form["source"].dropFirst(8)) {
                buyer = .profile(pid)
            } else {
                // Saving the data as a billing profile changes the account: a session from an e-mail link confirms
                // the password first (editing the proforma alone does not need it).
                if form.checked("saveProfile"), form["step"] == "save" { _ = try login.requireAccountSession(req, ctx) }
                buyer = .data(Views.partyDraft(form).0, saveAsProfile: form.checked("saveProfile"))
            }
            let edit = EditProformaBillingData(deps)
            do {
                if form["step"] == "save" {
                    _ = try await edit(proformaID: id, clientID: client.id, buyer: buyer, actor: .client(client.id))
                    return areas.redirect("/invoices/proforma/\(id)", visit, flash: "edited")
                }
                let preview = try await edit.preview(proformaID: id, clientID: client.id, buyer: buyer)
                return try await editPage(preview, client: client, visit, form: form, preview: preview)
            } catch UseCaseError.invalid(let failure) {
                let p = try await areas.proforma(ctx, ownedBy: client.id)
                return try await editPage(p, client: client, visit, form: form, errors: visit.views.errors(failure))
            }
        }
    }

    func proformaModel(_ p: ProformaInvoice, _ visit: Visit) -> [String: Any] {
        let v = visit.views
        var m = v.body(buyer: p.buyer, seller: deps.seller, lines: p.lines, totals: p.totals, vat: p.vat)
        m["heading"] = "\(v.s("proforma")) \(p.number)"
        m["status"] = v.status(p.state)
        m["statusCode"] = p.state.rawValue
        m["issued"] = p.issueDate.description
        m["due"] = p.effectiveDueDate.description
        m["note"] = v.s("proforma_note")
        m["pdf"] = "/invoices/proforma/\(p.id)/pdf"
        if p.state == .unpaid {
            m["edit"] = "/invoices/proforma/\(p.id)/billing-data"
            let open = Money(minor: p.openMinor, currency: p.currency).description
            var pay: [String: Any] = [
                "bankText": v.f("bank_details", open, deps.seller.name, deps.seller.iban, deps.seller.bank, p.number),
                "paid": Money(minor: p.paidMinor, currency: p.currency).description, "open": open,
            ]
            if areas.settings.demoPayments { pay["demo"] = ["action": "/invoices/proforma/\(p.id)/pay"] }
            m["pay"] = pay
        }
        return m
    }

    func fiscalModel(_ f: FiscalInvoice, _ visit: Visit) -> [String: Any] {
        let v = visit.views
        var m = v.body(buyer: f.buyer, seller: f.seller, lines: f.lines, totals: f.totals, vat: f.vat, exchange: f.exchangeRate.map { ($0, f.vatRONMinor) })
        m["heading"] = "\(v.s(f.kind == .storno ? "storno" : "fiscal")) \(f.displayNumber)"
        m["status"] = v.s("status_paid")
        m["statusCode"] = "paid"
        m["issued"] = f.issueDate.description
        m["note"] = v.s("fiscal_note")
        m["pdf"] = "/invoices/fiscal/\(f.id)/pdf"
        if let n = f.correctsNumber {
            m["reference"] = ["label": v.s("storno"), "value": v.f("corrects", n)]
        } else if let n = f.proformaNumber {
            m["reference"] = ["label": v.s("proforma"), "value": v.f("from_proforma", n)]
        }
        return m
    }

    func editPage(_ p: ProformaInvoice, client: Client, _ visit: Visit, form: Form?, preview: ProformaInvoice? = nil, errors: [String: String] = [:]) async throws -> Response {
        let v = visit.views
        let profiles = try await ClientQueries(deps).billingProfiles(clientID: client.id)
        let source = form?["source"] ?? (p.billingProfileID.map { "profile:\($0)" } ?? "new")
        var model: [String: Any] = [
            "heading": v.f("edit_title", p.number), "action": "/invoices/proforma/\(p.id)/billing-data", "back": "/invoices/proforma/\(p.id)",
            "profiles": profiles.map { ["id": $0.id, "label": v.partyLabel($0.party), "checked": source == "profile:\($0.id)"] as [String: Any] },
            "hasProfiles": !profiles.isEmpty, "newChecked": source == "new" || profiles.isEmpty,
            "saveProfile": areas.checkbox("saveProfile", v.s("save_as_profile"), checked: form?.checked("saveProfile") ?? false),
        ]
        let values = form.map { Views.partyDraft($0).1 } ?? Views.partyValues(p.buyer)
        model.merge(v.partyForm(values, errors: errors)) { a, _ in a }
        if let preview { model["preview"] = v.body(buyer: preview.buyer, seller: deps.seller, lines: preview.lines, totals: preview.totals, vat: preview.vat) }
        return areas.formPage("edit-proforma", title: v.f("edit_title", p.number), model, visit, errors: errors)
    }

    // MARK: My Details

    func detailsPage(_ client: Client, _ visit: Visit, form: Form? = nil, errors: [String: String] = [:]) async throws -> Response {
        let v = visit.views
        let profiles = try await ClientQueries(deps).billingProfiles(clientID: client.id)
        let language = form.flatMap { Language(rawValue: $0["language"]) } ?? client.language
        var model: [String: Any] = [
            "email": client.email.value,
            "fields": [areas.field("phone", v.s("phone"), type: "tel", value: form?["phone"] ?? client.phone?.e164 ?? "", hint: v.s("phone_hint"), autocomplete: "tel", errors: errors),
                       areas.languageField(language, v, errors: errors),
                       areas.field("timeZone", v.s("time_zone"), value: form?["timeZone"] ?? client.timeZone?.identifier ?? "", hint: v.s("time_zone_hint"), errors: errors),
                       areas.checkbox("smsOptIn", v.s("sms_optin"), checked: form?.checked("smsOptIn") ?? client.sms.optedIn, hint: v.f("sms_hint", areas.settings.smsHours.0, areas.settings.smsHours.1), errors: errors)],
            "profiles": profiles.map { ["id": $0.id, "label": v.partyLabel($0.party), "isDefault": $0.isDefault] as [String: Any] },
        ]
        if visit.session?.fromMail == true { model["confirmFirst"] = WebAreas.path("/confirm-password", next: "/details") }
        if let at = client.sms.changedAt, let source = client.sms.source {
            model["consent"] = v.f("sms_since", Self.timestamp(at, deps), source.rawValue)
        }
        return areas.formPage("details", title: v.s("details_title"), model, visit, errors: errors)
    }

    static func timestamp(_ d: Date, _ deps: AppDependencies) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = deps.timeZone
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: d)
    }

    func profilePage(_ visit: Visit, heading: String, action: String, values: [String: String], errors: [String: String] = [:], makeDefault: Bool?) -> Response {
        let v = visit.views
        var model: [String: Any] = ["heading": heading, "action": action]
        model.merge(v.partyForm(values, errors: errors)) { a, _ in a }
        if let makeDefault { model["makeDefault"] = areas.checkbox("makeDefault", v.s("make_default"), checked: makeDefault) }
        return areas.formPage("profile", title: heading, model, visit, errors: errors)
    }

    func registerDetails<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        r.get("details") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            return try await detailsPage(client, visit)
        }
        r.post("details") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            do {
                let updated = try await UpdateClientDetails(deps)(
                    clientID: client.id, .init(phone: form.optional("phone"), language: form["language"], smsOptIn: form.checked("smsOptIn"), timeZone: form.optional("timeZone")),
                    source: .myDetails, actor: .client(client.id), session: visit.session)
                return areas.redirect("/details", visit, cookies: [areas.cookies.set(WebAreas.languageCookie, updated.language.rawValue, maxAge: 365 * 86400)], flash: "saved")
            } catch UseCaseError.invalid(let failure) {
                return try await detailsPage(client, visit, form: form, errors: visit.views.errors(failure))
            } catch is PasswordConfirmationRequired {
                throw Redirect(location: WebAreas.path("/confirm-password", next: "/details"))
            }
        }
        r.get("details/profiles/new") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (_, visit) = try await clientVisit(req, ctx)
            return profilePage(visit, heading: visit.views.s("add_profile"), action: "/details/profiles/new", values: ["kind": "person", "country": "RO"], makeDefault: false)
        }
        r.post("details/profiles/new") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let (draft, values) = Views.partyDraft(form)
            do {
                _ = try await AddBillingProfile(deps)(clientID: client.id, draft: draft, makeDefault: form.checked("makeDefault"), actor: .client(client.id))
                return areas.redirect("/details", visit, flash: "saved")
            } catch UseCaseError.invalid(let failure) {
                return profilePage(visit, heading: visit.views.s("add_profile"), action: "/details/profiles/new", values: values, errors: visit.views.errors(failure), makeDefault: form.checked("makeDefault"))
            }
        }
        r.get("details/profiles/:id") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (client, visit) = try await clientVisit(req, ctx)
            let id = try ctx.parameters.require("id", as: Int64.self)
            let p = try await ClientQueries(deps).billingProfile(id: id, ownedBy: client.id)
            return profilePage(visit, heading: visit.views.s("edit_profile"), action: "/details/profiles/\(id)", values: Views.partyValues(p.party), makeDefault: nil)
        }
        r.post("details/profiles/:id") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let id = try ctx.parameters.require("id", as: Int64.self)
            let (draft, values) = Views.partyDraft(form)
            do {
                _ = try await UpdateBillingProfile(deps)(clientID: client.id, profileID: id, draft: draft, actor: .client(client.id))
                return areas.redirect("/details", visit, flash: "saved")
            } catch UseCaseError.invalid(let failure) {
                return profilePage(visit, heading: visit.views.s("edit_profile"), action: "/details/profiles/\(id)", values: values, errors: visit.views.errors(failure), makeDefault: nil)
            }
        }
        r.post("details/profiles/:id/default") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            try await UpdateBillingProfile(deps).makeDefault(clientID: client.id, profileID: try ctx.parameters.require("id", as: Int64.self), actor: .client(client.id))
            return areas.redirect("/details", visit, flash: "saved")
        }
    }
}
