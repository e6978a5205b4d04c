import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Settings of the HTML areas.
public struct WebSettings: Sendable {
    public var publicBaseURL: String
    /// Cookies carry `Secure` when the public URL is https.
    public var secureCookies: Bool
    /// A clearly labelled demo gateway completes payments (demo mode only).
    public var demoPayments: Bool

    public init(publicBaseURL: String, demoPayments: Bool) {
        self.publicBaseURL = publicBaseURL
        self.secureCookies = publicBaseURL.lowercased().hasPrefix("https://")
        self.demoPayments = demoPayments
    }
}

/// The page templates, loaded once from the bundle. Views are dictionaries: swift-mustache looks keys up in a
/// dictionary directly, where a struct would go through Mirror reflection (half the speed, measured in the spike).
struct Renderer: Sendable {
    let library: MustacheLibrary
    let css: ByteBuffer
    let payScript: ByteBuffer

    static func load() throws -> Renderer {
        guard let dir = Bundle.module.url(forResource: "Templates", withExtension: nil) else { throw HTTPError(.internalServerError, message: "templates missing") }
        var library = MustacheLibrary()
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".mustache") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            try library.register(text, named: String(file.dropLast(".mustache".count)))
        }
        guard let cssURL = Bundle.module.url(forResource: "site", withExtension: "css", subdirectory: "Assets") ?? Bundle.module.url(forResource: "site", withExtension: "css") else {
            throw HTTPError(.internalServerError, message: "stylesheet missing")
        }
        guard let jsURL = Bundle.module.url(forResource: "pay", withExtension: "js", subdirectory: "Assets") ?? Bundle.module.url(forResource: "pay", withExtension: "js") else {
            throw HTTPError(.internalServerError, message: "payment script missing")
        }
        return Renderer(library: library, css: ByteBuffer(bytes: try Data(contentsOf: cssURL)), payScript: ByteBuffer(bytes: try Data(contentsOf: jsURL)))
    }

    func html(_ template: String, _ model: [String: Any]) -> String {
        library.render(model, withTemplate: template) ?? ""
    }
}

/// Headers every HTML response carries: no caching of private pages, no framing, no sniffing, a strict CSP
/// (no script at all: the areas work without JavaScript).
enum PageHeaders {
    static let policy = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// The card payment page alone runs scripts: its own and the gateway's, talking to the gateway's origins only.
    static func paymentPolicy(gatewayOrigins origins: [String]) -> String {
        let o = origins.joined(separator: " ")
        return policy + "; script-src 'self' \(o); connect-src 'self' \(o); frame-src \(o)"
    }

    /// A page whose form leads to another site (staff connecting to ANAF): browsers hold redirects after a form
    /// submission to `form-action` too.
    static func policy(alsoSubmittingTo origin: String) -> String {
        policy.replacingOccurrences(of: "form-action 'self'", with: "form-action 'self' \(origin)")
    }

    static func apply(_ headers: inout HTTPFields) {
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        headers[.contentSecurityPolicy] = policy
        headers[.xFrameOptions] = "DENY"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
    }
}

extension HTTPField.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}

/// A redirect raised from deep in a handler (e.g. "log in first"), turned into a 303 by the error middleware.
struct Redirect: Error {
    let location: String
    var cookies: [String] = []
}

/// A page-level refusal (404, 403, 409) shown as a page in the visitor's language.
struct PageError: Error {
    let status: HTTPResponse.Status
    let message: String
}
