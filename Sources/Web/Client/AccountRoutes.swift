import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// Sign-up, password reset and the confirmation of a new login e-mail.
extension ClientRoutes {
    func signupPage(_ visit: Visit, _ form: Form?, errors: [String: String] = [:], limited: Bool = false) -> Response {
        let v = visit.views
        let language = form.flatMap { Language(rawValue: $0["language"]) } ?? visit.language
        var partyValues: [String: String] = ["kind": "person", "country": "RO"]
        if let form { partyValues = Views.partyDraft(form).1 }
        var model: [String: Any] = [
            "fields": [
                areas.field(
                    "email", v.s("email"), type: "email", value: form?["email"] ?? "", autocomplete: "email",
                    errors: errors),
                areas.field(
                    "password", v.s("password"), type: "password", hint: v.s("password_hint"),
                    autocomplete: "new-password", errors: errors),
                areas.field(
                    "phone", v.s("phone"), type: "tel", value: form?["phone"] ?? "", hint: v.s("phone_hint"),
                    autocomplete: "tel", errors: errors),
                areas.languageField(language, v, errors: errors),
            ],
            "sms": areas.checkbox(
                "smsOptIn", v.s("sms_optin"), checked: form?.checked("smsOptIn") ?? false,
                hint: v.f("sms_hint", areas.settings.smsHours.0, areas.settings.smsHours.1), errors: errors),
        ]
        model.merge(v.partyForm(partyValues, errors: errors)) { a, _ in a }
        if limited {
            return areas.page(
                "signup", title: v.s("sign_up"), model, visit, status: .tooManyRequests,
                formError: v.s("signup_limited"))
        }
        return areas.formPage("signup", title: v.s("sign_up"), model, visit, errors: errors)
    }

    func registerAccount<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        r.get("signup") { req, ctx in signupPage(areas.visit(req, ctx), nil) }
        r.post("signup") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let (draft, _) = Views.partyDraft(form)
            do {
                let input = try ClientRegistration.parse(
                    email: form["email"], password: form["password"], phone: form.optional("phone"),
                    language: form["language"], smsOptIn: form.checked("smsOptIn"), profile: draft)
                let client = try await RegisterClient(deps)(input, source: .signup) {
                    [identity = areas.identity, ip = ctx.remoteIP] in
                    try await identity.admitSignUp(ip: ip)
                }
                let (token, _) = try await areas.identity.startSession(clientID: client.id)
                return areas.redirect(
                    Paths.services, visit,
                    cookies: [
                        login.sessionCookie(token),
                        areas.cookies.set(WebAreas.languageCookie, client.language.rawValue, maxAge: 365 * 86400),
                    ], flash: "welcome")
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
            try await ResetPassword(areas.identity).request(
                email: form["email"], ip: ctx.remoteIP, links: areas.settings.links, mailer: areas.mailer)
            let v = visit.views
            return areas.message(
                visit, status: .ok, heading: v.s("forgot_title"), text: v.s("forgot_sent"),
                link: ("/login", v.s("log_in")))
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
                _ = try await ResetPassword(areas.identity).complete(
                    token: form["token"], newPassword: form["password"])
                return areas.message(
                    visit, status: .ok, heading: v.s("forgot_title"), text: v.s("reset_done"),
                    link: ("/login", v.s("log_in")))
            } catch UseCaseError.invalid(let failure) {
                return resetPage(visit, token: form["token"], errors: v.errors(failure))
            } catch UseCaseError.conflict {
                return areas.message(
                    visit, status: .gone, heading: v.s("forgot_title"), text: v.s("reset_invalid"),
                    link: ("/forgot-password", v.s("forgot")))
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
            guard let change = try await ChangeEmail(areas.identity).pending(token: token) else {
                return emailConfirmInvalid(visit)
            }
            var tokenField = areas.field("token", "", type: "hidden", value: token)
            tokenField["label"] = ""
            return areas.page(
                "login", title: v.s("email_confirm_title"),
                [
                    "heading": v.s("email_confirm_title"), "intro": v.f("email_confirm_intro", change.newEmail.value),
                    "action": Paths.confirmEmail,
                    "submit": v.s("email_confirm"), "fields": [tokenField],
                ], visit)
        }
        r.post("confirm-email") { req, ctx in
            let visit = areas.visit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let v = visit.views
            do {
                let email = try await ChangeEmail(areas.identity).confirm(
                    token: form["token"], session: ctx.session, mailer: areas.mailer)
                let loggedIn = ctx.session?.realm == .client && ctx.session?.stage == .full
                return areas.message(
                    visit, status: .ok, heading: v.s("email_confirm_title"), text: v.f("email_changed", email.value),
                    link: loggedIn ? ("/security", v.s("security_title")) : ("/login", v.s("log_in")))
            } catch UseCaseError.invalid(let failure) {
                return areas.message(
                    visit, status: .conflict, heading: v.s("email_confirm_title"),
                    text: v.errors(failure)["newEmail"] ?? "", link: ("/security", v.s("security_title")))
            } catch UseCaseError.conflict {
                return emailConfirmInvalid(visit)
            }
        }
    }

    func emailConfirmInvalid(_ visit: Visit) -> Response {
        let v = visit.views
        return areas.message(
            visit, status: .gone, heading: v.s("email_confirm_title"), text: v.s("email_confirm_invalid"),
            link: ("/security", v.s("security_title")))
    }

    func forgotPage(_ visit: Visit) -> Response {
        let v = visit.views
        return areas.page(
            "login", title: v.s("forgot_title"),
            [
                "heading": v.s("forgot_title"), "action": "/forgot-password", "submit": v.s("forgot_send"),
                "fields": [areas.field("email", v.s("email"), type: "email", autocomplete: "email")],
            ], visit)
    }

    func resetPage(_ visit: Visit, token: String, errors: [String: String] = [:]) -> Response {
        let v = visit.views
        var tokenField = areas.field("token", "", type: "hidden", value: token)
        tokenField["label"] = ""
        return areas.page(
            "login", title: v.s("forgot_title"),
            [
                "heading": v.s("forgot_title"), "action": Paths.resetPassword, "submit": v.s("save"),
                "fields": [
                    areas.field(
                        "password", v.s("new_password"), type: "password", hint: v.s("password_hint"),
                        autocomplete: "new-password", errors: errors), tokenField,
                ],
            ], visit, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
