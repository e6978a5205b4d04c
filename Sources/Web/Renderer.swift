import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// Settings of the HTML areas.
public struct WebSettings: Sendable {
    public var publicBaseURL: String
    /// The addresses the account e-mails link to, from `publicBaseURL`.
    public var links: ClientAreaLinks { ClientAreaLinks(baseURL: publicBaseURL) }
    /// Cookies carry `Secure` when the public URL is https.
    public var secureCookies: Bool
    /// A clearly labelled demo gateway completes payments (demo mode only).
    public var demoPayments: Bool
    /// The hours SMS are sent in, as the sign-up and My Details pages promise them.
    public var smsWindow: SmsSendingWindow
    /// Where clients reach a person; every page's footer and every "contact support" show it.
    public var support: SupportContact

    public init(
        publicBaseURL: String, demoPayments: Bool,
        smsWindow: SmsSendingWindow = SmsSendingWindow(timeZone: TimeZone(identifier: "Europe/Bucharest")!),
        support: SupportContact = SupportContact(email: "support@hostico.example", url: nil)
    ) {
        self.support = support
        self.publicBaseURL = publicBaseURL
        self.secureCookies = publicBaseURL.lowercased().hasPrefix("https://")
        self.demoPayments = demoPayments
        self.smsWindow = smsWindow
    }

    /// "09:00" and "19:00" for the default window.
    var smsHours: (String, String) {
        (String(format: "%02d:00", smsWindow.startHour), String(format: "%02d:00", smsWindow.endHour))
    }
}

/// The page templates, loaded once from the bundle. Views are dictionaries: swift-mustache looks keys up in a
/// dictionary directly, where a struct would go through Mirror reflection (half the speed, measured in the spike).
///
/// The interface texts (`{{t.key}}`) are baked into one library per language at load, escaped once: each lookup
/// climbs the context stack through dynamic casts, and they were a quarter of the tags of an invoice page.
struct Renderer: Sendable {
    let libraries: [Language: MustacheLibrary]
    let css: ByteBuffer
    let payScript: ByteBuffer

    static func load() throws -> Renderer {
        guard let dir = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw HTTPError(.internalServerError, message: "templates missing")
        }
        MustacheContentTypes.register(ByteHTMLEscaping(), named: ByteHTMLEscaping.name)
        var texts: [(String, String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".mustache") {
            texts.append(
                (
                    String(file.dropLast(".mustache".count)),
                    try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
                ))
        }
        var libraries: [Language: MustacheLibrary] = [:]
        for language in Language.allCases {
            var library = MustacheLibrary()
            for (name, text) in texts {
                // Every template (partials too: each starts with the library's own HTML escaping) escapes with ours.
                try library.register(
                    "{{% CONTENT_TYPE: \(ByteHTMLEscaping.name)}}\n" + bake(text, language), named: name)
            }
            libraries[language] = library
        }
        guard
            let cssURL = Bundle.module.url(forResource: "site", withExtension: "css", subdirectory: "Assets")
                ?? Bundle.module.url(forResource: "site", withExtension: "css")
        else {
            throw HTTPError(.internalServerError, message: "stylesheet missing")
        }
        guard
            let jsURL = Bundle.module.url(forResource: "pay", withExtension: "js", subdirectory: "Assets")
                ?? Bundle.module.url(forResource: "pay", withExtension: "js")
        else {
            throw HTTPError(.internalServerError, message: "payment script missing")
        }
        return Renderer(
            libraries: libraries, css: ByteBuffer(bytes: try Data(contentsOf: cssURL)),
            payScript: ByteBuffer(bytes: try Data(contentsOf: jsURL)))
    }

    /// `{{t.key}}` → the key's text in `language` (English when the language lacks it), HTML-escaped.
    static func bake(_ template: String, _ language: Language) -> String {
        let views = Views(language)
        var out = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{t.") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let key = String(rest[open.upperBound..<close.lowerBound])
            out += ByteHTMLEscaping().escapeText(views.s(key))
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    func html(_ template: String, _ model: [String: Any], language: Language) -> String {
        libraries[language]?.render(model, withTemplate: template) ?? ""
    }
}

/// A string renders as itself. Without this, swift-mustache tries a lambda, an optional and `String(describing:)`
/// on every `{{name}}` holding a string, each a dynamic cast (the casts are most of its time on an invoice page).
extension String: @retroactive MustacheCustomRenderable {
    public var renderText: String { self }
    public var isNull: Bool { false }
}

/// The same five characters as swift-mustache's HTML escaping, over UTF-8 bytes (the library's walks Characters
/// through a dictionary: 12 % of an invoice page's CPU in the profile). Text without them is returned as it is.
struct ByteHTMLEscaping: MustacheContentType {
    static let name = "HTMLBYTES"

    func escapeText(_ text: String) -> String {
        guard
            text.utf8.contains(where: {
                $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "&")
                    || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'")
            })
        else {
            return text
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 32)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "<"): out += Array("&lt;".utf8)
            case UInt8(ascii: ">"): out += Array("&gt;".utf8)
            case UInt8(ascii: "&"): out += Array("&amp;".utf8)
            case UInt8(ascii: "\""): out += Array("&quot;".utf8)
            case UInt8(ascii: "'"): out += Array("&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Headers every HTML response carries: no caching of private pages, no framing, no sniffing, a strict CSP
/// (no script at all: the areas work without JavaScript).
enum PageHeaders {
    static let policy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

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
