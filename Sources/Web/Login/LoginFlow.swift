import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// Log-in steps shared by both areas: password, then the code (or, for staff without 2FA, its set-up).
struct LoginFlow {
    let areas: WebAreas
    let realm: Realm

    var base: String { realm == .staff ? Paths.Staff.home : "" }
    var cookieName: String { realm == .staff ? WebAreas.staffCookie : WebAreas.clientCookie }
    var home: String { realm == .staff ? Paths.Staff.home : Paths.services }

    func sessionCookie(_ token: String) -> String { areas.cookies.set(cookieName, token) }

    func loginPage(
        _ visit: Visit, email: String = "", returnTo: String?, status: HTTPResponse.Status = .ok, error: String? = nil
    ) -> Response {
        let v = visit.views
        var links: [[String: String]] = []
        if realm == .client {
            links = [
                ["href": "/forgot-password", "label": v.s("forgot")],
                ["href": Paths.signup, "label": "\(v.s("no_account")) \(v.s("sign_up"))"],
            ]
        }
        var model: [String: Any] = [
            "heading": realm == .staff ? "Staff log in" : v.s("log_in"), "action": base + "/login",
            "submit": v.s("log_in"), "returnTo": returnTo ?? "",
            "fields": [
                areas.field("email", v.s("email"), type: "email", value: email, autocomplete: "username"),
                areas.field("password", v.s("password"), type: "password", autocomplete: "current-password"),
            ],
            "links": links,
        ]
        // Sent here by a page whose session had ended: say so, or the person wonders where the page went.
        if visit.request.uri.queryParameters.get("ended") == "1" { model["intro"] = v.s("session_ended") }
        return areas.page("login", title: v.s("log_in"), model, visit, status: status, formError: error)
    }

    func codePage(_ visit: Visit, returnTo: String?, status: HTTPResponse.Status = .ok, error: String? = nil)
        -> Response
    {
        let v = visit.views
        let model: [String: Any] = [
            "heading": v.s("code_title"), "action": base + "/login/code", "submit": v.s("continue"),
            "returnTo": returnTo ?? "",
            "fields": [
                areas.field("code", v.s("code_label"), value: "", autocomplete: "one-time-code", inputmode: "numeric")
            ],
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
            switch try await LogIn(areas.identity)(
                realm: realm, email: form["email"], password: form["password"], ip: ctx.remoteIP)
            {
            case .refused(let why):
                let (status, text) = refusalText(why, visit.views)
                return loginPage(visit, email: form["email"], returnTo: returnTo, status: status, error: text)
            case .session(let token, let session):
                let next: String
                switch session.stage {
                case .secondFactor:
                    next = returnTo.map { WebAreas.path(base + "/login/code", next: $0) } ?? base + "/login/code"
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
            let session = try requireSession(req, ctx)
            return confirmPage(
                try await accountVisit(req, ctx, session),
                returnTo: WebAreas.safeReturn(req.uri.queryParameters.get("next")))
        }
        r.post("confirm-password") { req, ctx in
            let session = try requireSession(req, ctx)
            let visit = try await accountVisit(req, ctx, session)
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
        r.get("security") { req, ctx in
            let session = try requireAccountSession(req, ctx)
            return try await securityPage(try await accountVisit(req, ctx, session), session)
        }
        securityForm(r, "security/password", done: "password_changed") { session, form in
            try await ChangePassword(areas.identity)(
                session, current: form["currentPassword"], new: form["newPassword"])
        }
        securityForm(r, "security/email", done: "email_confirm_sent") { session, form in
            try await ChangeEmail(areas.identity).request(
                session, password: form["emailPassword"], newEmail: form["newEmail"],
                links: areas.settings.links, mailer: areas.mailer)
        }
        r.get("security/2fa") { req, ctx in
            let session = try requireAccountSession(req, ctx, allowSetup: true)
            return try await totpSetupPage(try await accountVisit(req, ctx, session), session)
        }
        r.post("security/2fa") { req, ctx in
            let session = try requireAccountSession(req, ctx, allowSetup: true)
            let visit = try await accountVisit(req, ctx, session)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            do {
                let enabled = try await SetUpSecondFactor(areas.identity).confirm(
                    session, code: form["code"], password: form.optional("password"))
                var after = visit
                after.csrf = enabled.session.csrfToken
                after.setCookies.append(sessionCookie(enabled.token))
                let v = visit.views
                return areas.page(
                    "recovery", title: v.s("recovery_title"),
                    ["codes": enabled.recoveryCodes, "next": base + "/security"],
                    Visit(
                        request: req, session: enabled.session, realm: realm, language: visit.language,
                        csrf: enabled.session.csrfToken, setCookies: after.setCookies))
            } catch UseCaseError.invalid(let failure) {
                return try await totpSetupPage(visit, session, errors: visit.views.errors(failure))
            }
        }
        securityForm(r, "security/2fa/disable", done: "totp_disabled") { session, form in
            try await SetUpSecondFactor(areas.identity).disable(session, password: form["password"], code: form["code"])
        }
    }
}
