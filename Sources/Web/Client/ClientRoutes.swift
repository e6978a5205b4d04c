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
        registerServices(on: r)
        registerOrders(on: r)
        registerInvoices(on: r)
        registerCardPayments(on: r)
        registerDetails(on: r)
    }

    /// Ordering, cancelling and changing plans commit money or end a service: a session opened from an e-mail link
    /// confirms the password first, then comes back to `page` (a form's POST address has no page of its own).
    func requireAccount<Context: WebRequestContext>(_ req: Request, _ ctx: Context, returnTo page: String) throws {
        if try login.requireSession(req, ctx).fromMail {
            throw Redirect(location: WebAreas.path(Paths.confirmPassword, next: page))
        }
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
}
