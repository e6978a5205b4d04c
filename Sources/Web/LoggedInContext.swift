import Domain
import Features
import Hummingbird

/// The context of a page behind the login: the group's `SessionRequired` middleware has sent everyone else to the
/// login page, so handlers get the session as `account`, never as an optional, and a page registered on such a group
/// cannot forget the check.
struct LoggedInContext<Parent: WebRequestContext>: ChildRequestContext, WebRequestContext {
    typealias ParentContext = Parent
    var coreContext: CoreRequestContextStorage
    /// The fully logged-in session of the group's realm.
    let account: WebSession
    var session: WebSession?
    let remoteIP: String
    let peerIP: String?
    var clientAddress: String?

    init(context: Parent) throws {
        // The middleware answers before this; without a full session nothing may run.
        guard let session = context.session, session.stage == .full else { throw HTTPError(.unauthorized) }
        coreContext = context.coreContext
        account = session
        self.session = session
        remoteIP = context.remoteIP
        peerIP = context.peerIP
        clientAddress = context.clientAddress
    }
}

/// Lets through only a full session of the login flow's realm; others go to its login (and back afterwards), to the
/// second-factor step or to the 2FA set-up, as `LoginFlow.requireSession` decides.
struct SessionRequired<Context: WebRequestContext>: RouterMiddleware {
    let login: LoginFlow

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        _ = try login.requireSession(request, context)
        return try await next(request, context)
    }
}

extension RouterGroup where Context: WebRequestContext {
    /// The pages of `login`'s realm that need a logged-in person.
    func loggedIn(_ login: LoginFlow) -> RouterGroup<LoggedInContext<Context>> {
        group().add(middleware: SessionRequired<Context>(login: login)).group(context: LoggedInContext<Context>.self)
    }
}
