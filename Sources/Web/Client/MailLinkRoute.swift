import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// "Log in from mail": the invoice number in an e-mail opens the invoice.
extension ClientRoutes {
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

    func openMailLink<Context: WebRequestContext>(_ req: Request, _ ctx: Context, confirmed: Bool) async throws
        -> Response
    {
        guard let kind = ctx.parameters.get("kind").flatMap(InvoiceRef.Kind.init(rawValue:)),
            let id = ctx.parameters.get("id", as: Int64.self),
            let token = ctx.parameters.get("token")
        else { throw UseCaseError.notFound("link") }
        let invoice = InvoiceRef(kind, id)
        let visit = areas.visit(req, ctx)
        var response: Response
        switch try await MailLinks(areas.identity).open(
            token: token, invoice: invoice, ip: ctx.remoteIP, current: ctx.session, confirmed: confirmed)
        {
        case .session(let newToken, _):
            response = areas.redirect(Paths.invoice(invoice), visit, cookies: [login.sessionCookie(newToken)])
        case .keepCurrent:
            response = areas.redirect(Paths.invoice(invoice), visit)
        case .login:
            response = areas.redirect(
                WebAreas.path("/login", next: Paths.invoice(invoice)), visit, flash: "mail_link_login")
        case .rateLimited:
            response = login.loginPage(
                visit, returnTo: Paths.invoice(invoice), status: .tooManyRequests,
                error: visit.views.s("mail_link_limited"))
        case .confirmSwitch:
            let v = visit.views
            response = areas.page(
                "login", title: v.s("mail_link_switch_title"),
                [
                    "heading": v.s("mail_link_switch_title"), "intro": v.s("mail_link_switch_text"),
                    "action": req.uri.path, "submit": v.s("mail_link_switch"),
                    "fields": [[String: Any]](), "links": [["href": Paths.services, "label": v.s("mail_link_stay")]],
                ], visit)
        }
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
