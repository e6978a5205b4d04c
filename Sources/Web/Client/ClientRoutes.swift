import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// The client area's pages.
struct ClientRoutes {
    let areas: WebAreas
    var deps: AppDependencies { areas.deps }
    var login: LoginFlow { LoginFlow(areas: areas, realm: .client) }

    func register<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        login.register(on: r)
        r.get("/") { req, ctx in
            areas.redirect(
                ctx.session?.stage == .full && ctx.session?.realm == .client ? Paths.services : "/login",
                areas.visit(req, ctx))
        }
        registerAccount(on: r)
        registerMailLinks(on: r)
        registerEmailConfirmation(on: r)
        let account = r.loggedIn(login)
        registerServices(on: account)
        registerOrders(on: account)
        registerInvoices(on: account)
        registerCardPayments(on: account)
        registerDetails(on: account)
    }

    /// Ordering, cancelling and changing plans commit money or end a service: a session opened from an e-mail link
    /// confirms the password first, then comes back to `page` (a form's POST address has no page of its own).
    func requireAccount<Parent>(_ req: Request, _ ctx: LoggedInContext<Parent>, returnTo page: String) throws {
        if ctx.account.fromMail {
            throw Redirect(location: WebAreas.path(Paths.confirmPassword, next: page))
        }
    }

    /// The logged-in client and the visit in the client's language.
    func clientVisit<Parent>(_ req: Request, _ ctx: LoggedInContext<Parent>) async throws -> (Client, Visit) {
        do {
            let client = try await ClientQueries(deps).client(id: ctx.account.subjectID)
            var visit = areas.visit(req, ctx, client: client)
            visit.owed = try await InvoiceQueries(deps).amountOwed(clientID: client.id)
            return (client, visit)
        } catch UseCaseError.notFound {
            throw Redirect(location: "/login")
        }
    }
}
