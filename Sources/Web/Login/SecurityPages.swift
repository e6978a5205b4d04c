import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// The Security page (password, 2FA, login e-mail) and the password confirmation a mail session is asked for.
extension LoginFlow {
    /// The visit of a logged-in person: a client's pages speak the client's language (unless the browser chose one
    /// with `?lang=`), as the client area's other pages do.
    func accountVisit<Context: WebRequestContext>(_ req: Request, _ ctx: Context, _ session: WebSession) async throws
        -> Visit
    {
        guard realm == .client, session.realm == .client else { return areas.visit(req, ctx) }
        var visit = areas.visit(req, ctx, client: try await ClientQueries(areas.deps).client(id: session.subjectID))
        if session.stage == .full {
            visit.owed = try await InvoiceQueries(areas.deps).amountOwed(clientID: session.subjectID)
        }
        return visit
    }

    /// A form on the Security page: CSRF checked, the change made, back to the page with a note; refused input comes
    /// back as the page with its field messages (422).
    func securityForm<Context: WebRequestContext>(
        _ r: RouterGroup<Context>, _ path: RouterPath, done flash: String,
        _ change: @escaping @Sendable (WebSession, Form) async throws -> Void
    ) {
        r.post(path) { req, ctx in
            let session = try requireAccountSession(req, ctx)
            let visit = try await accountVisit(req, ctx, session)
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
    func requireSession<Context: WebRequestContext>(_ req: Request, _ ctx: Context, allowSetup: Bool = false) throws
        -> WebSession
    {
        guard let s = ctx.session, s.realm == realm else {
            // A session cookie that no longer opens a session: it ended (idle or absolute timeout, logged out
            // elsewhere), and the login page says so.
            let cookie = areas.cookies.value(realm == .staff ? WebAreas.staffCookie : WebAreas.clientCookie, in: req)
            throw Redirect(
                location: WebAreas.path(base + "/login", next: req.uri.path) + (cookie == nil ? "" : "&ended=1"))
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
    func requireAccountSession<Context: WebRequestContext>(_ req: Request, _ ctx: Context, allowSetup: Bool = false)
        throws -> WebSession
    {
        let s = try requireSession(req, ctx, allowSetup: allowSetup)
        // After the password, back to the page: a form's POST address has no page of its own.
        let page = req.method == .get || !req.uri.path.hasPrefix(base + "/security") ? req.uri.path : base + "/security"
        if s.fromMail { throw Redirect(location: WebAreas.path(Paths.confirmPassword, next: page)) }
        return s
    }

    func confirmPage(_ visit: Visit, returnTo: String?, status: HTTPResponse.Status = .ok, error: String? = nil)
        -> Response
    {
        let v = visit.views
        let model: [String: Any] = [
            "heading": v.s("confirm_title"), "intro": v.s("confirm_text"), "action": Paths.confirmPassword,
            "submit": v.s("continue"), "returnTo": returnTo ?? "",
            "fields": [areas.field("password", v.s("password"), type: "password", autocomplete: "current-password")],
        ]
        return areas.page("login", title: v.s("confirm_title"), model, visit, status: status, formError: error)
    }

    func securityPage(_ visit: Visit, _ session: WebSession, errors: [String: String] = [:], form: Form? = nil)
        async throws -> Response
    {
        let v = visit.views
        let status = try await SecurityStatus.load(realm: realm, subjectID: session.subjectID, identity: areas.identity)
        let model: [String: Any] = [
            "totpOn": status.hasSecondFactor, "canDisable": realm == .client,
            "recoveryLeft": v.f("recovery_left", String(status.unusedRecoveryCodes)),
            "disableFields": [
                areas.field(
                    "password", v.s("current_password"), type: "password", autocomplete: "current-password",
                    errors: errors),
                areas.field(
                    "code", v.s("code_label"), autocomplete: "one-time-code", errors: errors, inputmode: "numeric"),
            ],
            "emailFields": realm == .client
                ? [
                    areas.field(
                        "newEmail", v.s("new_email"), type: "email", value: form?["newEmail"] ?? "",
                        hint: v.s("email_change_hint"), autocomplete: "email", errors: errors),
                    areas.field(
                        "emailPassword", v.s("current_password"), type: "password", autocomplete: "current-password",
                        errors: errors),
                ] : [],
            "currentEmail": status.email?.value ?? "", "canChangeEmail": realm == .client,
            "passwordFields": [
                areas.field(
                    "currentPassword", v.s("current_password"), type: "password", autocomplete: "current-password",
                    errors: errors),
                areas.field(
                    "newPassword", v.s("new_password"), type: "password", hint: v.s("password_hint"),
                    autocomplete: "new-password", errors: errors),
            ],
        ]
        return areas.formPage("security", title: v.s("security_title"), model, visit, errors: errors)
    }

    func totpSetupPage(_ visit: Visit, _ session: WebSession, errors: [String: String] = [:]) async throws -> Response {
        let v = visit.views
        if try await SecurityStatus.load(realm: realm, subjectID: session.subjectID, identity: areas.identity)
            .hasSecondFactor
        {
            return areas.redirect(base + "/security", visit)
        }
        let pending = try await SetUpSecondFactor(areas.identity).begin(session)
        // The secret in groups of four to type by hand; copying it gives the letters alone.
        let groups = stride(from: 0, to: pending.secretBase32.count, by: 4).map {
            String(pending.secretBase32.dropFirst($0).prefix(4))
        }
        var model: [String: Any] = [
            "qr": QRCode.svg(pending.uri) ?? "", "secret": groups, "uri": pending.uri,
            "action": base + "/security/2fa",
            "fields":
                (SetUpSecondFactor.needsPassword(session)
                ? [
                    areas.field(
                        "password", v.s("password"), type: "password", autocomplete: "current-password", errors: errors)
                ] : [])
                + [
                    areas.field(
                        "code", v.s("totp_code"), autocomplete: "one-time-code", errors: errors, inputmode: "numeric")
                ],
        ]
        // 2FA is the client's choice: a way back. A staff member must set it up before anything else.
        if realm == .client, session.stage == .full { model["cancel"] = base + "/security" }
        return areas.page(
            "totp-setup", title: v.s("totp_enable"), model, visit, status: errors.isEmpty ? .ok : .unprocessableContent)
    }
}
