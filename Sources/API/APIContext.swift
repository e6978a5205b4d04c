import Domain
import Features
import Foundation
import Hummingbird

/// What the JSON API needs of a request context: who the bearer key belongs to. The application's one context
/// type conforms to this and to the web areas' protocol, so both route sets share one router.
public protocol APIRequestContext: RequestContext {
    var actor: Actor? { get set }
}

/// A request the API key middleware let through: handlers get the key's actor, never an optional one.
public struct AuthenticatedAPIContext<Parent: APIRequestContext>: ChildRequestContext {
    public typealias ParentContext = Parent
    public var coreContext: CoreRequestContextStorage
    public let actor: Actor

    public init(context: Parent) throws {
        // The middleware answers 401 before this; without an actor nothing may run.
        guard let actor = context.actor else { throw HTTPError(.unauthorized) }
        coreContext = context.coreContext
        self.actor = actor
    }
}

/// Bearer API keys: `Authorization: Bearer hk_…`. Unknown, revoked, expired or missing keys get 401; a key without
/// the scope the request needs gets 403.
struct APIKeyMiddleware<Context: APIRequestContext>: RouterMiddleware {
    let authenticate: AuthenticateAPIKey

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
            let key = try await authenticate(secret: String(header.dropFirst(7)))
        else {
            var r = APIResponses.error(
                .unauthorized, code: "auth.api-key", message: "Send a valid API key as Authorization: Bearer hk_….")
            r.headers[.wwwAuthenticate] = "Bearer"
            return r
        }
        let needed = APIScope.needed(method: request.method.rawValue, path: request.uri.path)
        guard APIScope.allows(key.scopes, needed) else {
            return APIResponses.error(
                .forbidden, code: "auth.scope",
                message:
                    "This API key may not do this: it needs the \(needed.rawValue) scope (it has \(APIScope.text(key.scopes)))."
            )
        }
        var context = context
        context.actor = .apiKey(key.id)
        return try await next(request, context)
    }
}

/// JSON responses and the one place where use-case errors become HTTP statuses.
enum APIResponses {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Encodable {
        struct Inner: Encodable {
            let code: String
            let message: String
            let fields: [FieldError]?
        }
        let error: Inner
    }

    static func error(_ status: HTTPResponse.Status, code: String, message: String, fields: [FieldError]? = nil)
        -> Response
    {
        json(ErrorBody(error: .init(code: code, message: message, fields: fields)), status: status)
    }

    static func map(_ error: any Error) -> Response? {
        switch error {
        case let e as UseCaseError:
            switch e {
            case .invalid(let failure):
                return self.error(
                    .unprocessableContent, code: "validation", message: "Some fields are not valid.",
                    fields: failure.errors)
            case .notFound(let what): return self.error(.notFound, code: "not-found", message: "No such \(what).")
            case .conflict(let rule, let message): return self.error(.conflict, code: rule, message: message)
            }
        case let e as ValidationFailure:
            return self.error(
                .unprocessableContent, code: "validation", message: "Some fields are not valid.", fields: e.errors)
        case is PasswordHashingBusy:
            var response = self.error(
                .serviceUnavailable, code: "busy",
                message: "Too many passwords are being hashed at this moment; try again in a minute.")
            response.headers[.retryAfter] = "30"
            return response
        default:
            return nil
        }
    }
}

/// Maps use-case errors to JSON; anything unexpected is a generic 500 logged with the request id.
struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            if let mapped = APIResponses.map(error) { return mapped }
            if let http = error as? HTTPError {
                return APIResponses.error(http.status, code: "http", message: http.body ?? http.status.reasonPhrase)
            }
            context.logger.error("unhandled API error", metadata: ["error": "\(error)"])
            return APIResponses.error(
                .internalServerError, code: "internal", message: "Something went wrong on our side; it has been logged."
            )
        }
    }
}
