import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// What the HTML areas need of a request context: the session (if any) and the caller's address.
public protocol WebRequestContext: RequestContext {
    var session: WebSession? { get set }
    /// The client's address (behind trusted proxies, the forwarded one), for throttling and the audit log.
    var remoteIP: String { get }
    /// The socket peer's address.
    var peerIP: String? { get }
    /// The forwarded client address, once `ClientAddressMiddleware` found it.
    var clientAddress: String? { get set }
}

/// Finds the client's address: the socket peer, or behind a trusted reverse proxy the right-most untrusted hop of
/// `X-Forwarded-For`. Without trusted proxies the header is ignored (anyone can send it).
public struct ClientAddressMiddleware<Context: WebRequestContext>: RouterMiddleware {
    let trusted: [IPNetwork]
    public init(trusted: [IPNetwork]) { self.trusted = trusted }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if !trusted.isEmpty, let peer = context.peerIP {
            context.clientAddress = ClientAddress.resolve(
                peer: peer, forwardedFor: request.headers[values: .xForwardedFor], trusted: trusted)
        }
        return try await next(request, context)
    }
}

/// `Strict-Transport-Security` on every answer when the public URL is https: browsers then never try http.
public struct StrictTransportMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var response = try await next(request, context)
        response.headers[.strictTransportSecurity] = "max-age=31536000"
        return response
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}

/// A URL-encoded form body, parsed once. Repeated names keep the last value; a checkbox is present or absent.
struct Form: Sendable {
    let values: [String: String]

    init(_ values: [String: String]) { self.values = values }

    static func parse(_ request: Request, limit: Int = 64 * 1024) async throws -> Form {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        return Form(decode(String(buffer: buffer)))
    }

    static func decode(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func unescape(_ s: Substring) -> String {
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            out[unescape(parts[0])] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return out
    }

    subscript(_ name: String) -> String { values[name] ?? "" }
    func optional(_ name: String) -> String? {
        guard let v = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !v.isEmpty else { return nil }
        return v
    }
    func checked(_ name: String) -> Bool { values[name] != nil }
}

/// Cookie attributes in one place: HttpOnly, SameSite=Lax, Path=/; over https also Secure and the `__Host-` name
/// prefix, which browsers accept only from a secure origin, for Path=/ and without Domain (no subdomain can plant it).
struct CookieJar: Sendable {
    let secure: Bool

    /// The name on the wire of cookie `name`.
    func name(_ name: String) -> String { secure ? "__Host-" + name : name }

    func set(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var c = "\(self.name(name))=\(value); Path=/; HttpOnly; SameSite=Lax"
        if secure { c += "; Secure" }
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        return c
    }

    func clear(_ name: String) -> String { set(name, "", maxAge: 0) }

    func value(_ name: String, in request: Request) -> String? { Self.value(self.name(name), in: request) }

    private static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            // Every request reads its session cookie here: plain slicing, no Foundation trimming (3 % of a page).
            for part in header.split(separator: ";") {
                let pair = part.drop(while: { $0 == " " || $0 == "\t" })
                guard let eq = pair.firstIndex(of: "="), pair[..<eq] == name else { continue }
                var value = pair[pair.index(after: eq)...]
                while let last = value.last, last == " " || last == "\t" { value = value.dropLast() }
                return String(value)
            }
        }
        return nil
    }
}
