import Bootstrap
import Domain
import Features
import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import TestSupport
import Testing

@testable import Web

/// The whole application in process on a fresh SQLite file, on a manual clock, with a deterministic random source
/// (so pages are byte-for-byte repeatable for snapshots).
struct WebHarness: Sendable {
    let deps: AppDependencies
    let clock: ManualClock
    let db: Database
    let config: AppConfig
    let outbox: URL
    let fixtures: Fixtures

    static func make(environment extra: [String: String] = [:], database kind: DatabaseKind = .sqlite) async throws
        -> WebHarness
    {
        let db = try await TestDatabase.open(kind)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let outbox = FileManager.default.temporaryDirectory.appendingPathComponent("hostico-web-\(UUID().uuidString)")
        let config = try await AppConfig.load(
            environment: ["DEV_OUTBOX_DIR": outbox.path, "PUBLIC_BASE_URL": "https://billing.example.test"].merging(
                extra
            ) { _, b in b })
        return WebHarness(deps: deps, clock: clock, db: db, config: config, outbox: outbox, fixtures: Fixtures(deps))
    }

    func app() throws -> some ApplicationProtocol {
        try buildApplication(LiveServices(config: config, deps: deps, database: db))
    }

    /// Runs `body`, then closes the database whatever happened (SQLite asserts on a connection left open).
    func closingDatabase(after body: () async throws -> Void) async throws {
        do { try await body() } catch {
            await db.close()
            throw error
        }
        await db.close()
    }

    /// Runs the test against the application in process, then closes the database.
    func run(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await closingDatabase { try await app().test(.router, test) }
    }

    /// The same, served on a real loopback port (for peers that call back, like the card gateway's webhooks).
    func runLive(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await closingDatabase { try await app().test(.live, test) }
    }

    func totpCode(secretBase32: String, at date: Date? = nil) -> String {
        let totp = TOTP(secret: Base32.decode(secretBase32)!) {
            CryptoMessageAuthentication().hmacSHA1(key: $0, message: $1)
        }
        return totp.code(step: totp.step(unixTime: Int64((date ?? clock.now()).timeIntervalSince1970)))
    }

    /// The e-mails written to the development outbox, oldest first: each one's headers and its base64 parts decoded.
    func emails() throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(
            at: outbox, includingPropertiesForKeys: [.contentModificationDateKey]
        )
        .filter { $0.pathExtension == "eml" }
        .sorted {
            (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast
                < (try? $1.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate)
                ?? .distantPast
        }
        return try files.map { file in
            let raw = try String(contentsOf: file, encoding: .utf8)
            var text = raw
            for part in raw.components(separatedBy: "Content-Transfer-Encoding: base64").dropFirst() {
                let body = part.components(separatedBy: "--")[0].filter { !$0.isWhitespace }
                if let data = Data(base64Encoded: body) { text += "\n" + String(decoding: data, as: UTF8.self) }
            }
            return text
        }
    }

    /// The newest of them ("" when there is none).
    func lastEmail() throws -> String { try emails().last ?? "" }

    /// The first link in `mail` that starts with `path` on the public base URL, whole.
    func link(_ path: String, in mail: String) throws -> String {
        let start = try #require(mail.range(of: config.publicBaseURL + path))
        return String(mail[start.lowerBound...].prefix { !$0.isWhitespace && $0 != ">" && $0 != "\"" && $0 != "<" })
    }
}

/// A browser in miniature over the test client: keeps cookies, reads the CSRF token of the last page, follows
/// nothing by itself (tests look at each redirect).
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    /// Sent with every request (e.g. the `X-Forwarded-For` a reverse proxy adds).
    var extraHeaders: HTTPFields = [:]
    var lastBody = ""
    var lastSetCookies: [String] = []

    init(_ client: any TestClientProtocol) { self.client = client }

    struct Page {
        let status: HTTPResponse.Status
        let body: String
        let location: String?
        let headers: HTTPFields
    }

    var csrf: String {
        guard let r = lastBody.range(of: #"name="_csrf" value=""#) else { return "" }
        return String(lastBody[r.upperBound...].prefix { $0 != "\"" })
    }

    @discardableResult
    func get(_ uri: String) async throws -> Page { try await send(uri, .get, nil) }

    /// Posts a form; the CSRF token of the last page is added unless the test gives one.
    @discardableResult
    func post(_ uri: String, _ fields: [(String, String)], csrf: String? = nil) async throws -> Page {
        var all = fields
        if !fields.contains(where: { $0.0 == "_csrf" }) { all.append(("_csrf", csrf ?? self.csrf)) }
        let body = all.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        return try await send(uri, .post, body)
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    private func send(_ uri: String, _ method: HTTPRequest.Method, _ body: String?) async throws -> Page {
        var headers = extraHeaders
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if body != nil { headers[.contentType] = "application/x-www-form-urlencoded" }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        lastSetCookies = response.headers[values: .setCookie]
        for c in lastSetCookies {
            let pair = c.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || c.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        let text = String(buffer: response.body)
        if response.headers[.contentType]?.hasPrefix("text/html") == true { lastBody = text }
        return Page(
            status: response.status, body: text, location: response.headers[.location], headers: response.headers)
    }

    /// Logs a staff member in and sets up the 2FA that staff must have before any other page.
    func logInStaffSettingUp2FA(_ email: String, _ password: String, _ h: WebHarness) async throws {
        try await logIn(email, password, base: "/staff")
        let setup = try await get("/staff/security/2fa")
        let secret = setup.body.totpSecret
        try await post("/staff/security/2fa", [("code", h.totpCode(secretBase32: secret))])
    }

    /// Logs in with the password (and a code when asked); returns the page the login lands on.
    @discardableResult
    func logIn(_ email: String, _ password: String, base: String = "", code: (() -> String)? = nil) async throws -> Page
    {
        try await get(base + "/login")
        var page = try await post(base + "/login", [("email", email), ("password", password)])
        if page.location?.hasPrefix(base + "/login/code") == true, let code {
            try await get(page.location!)
            page = try await post(base + "/login/code", [("code", code())])
        }
        return page
    }
}

extension String {
    /// The visible text of a page region (tags dropped, whitespace folded), for assertions about what a person reads.
    /// Block tags separate words; inline ones (a link, a span around a number) do not, as in a browser.
    var visibleText: String {
        var out = ""
        var inTag = false
        var i = startIndex
        while i < endIndex {
            let ch = self[i]
            if ch == "<" {
                inTag = true
                let name = self[index(after: i)...].drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }
                if !Self.inlineTags.contains(name.lowercased()) { out.append(" ") }
            } else if ch == ">" {
                inTag = false
            } else if !inTag {
                out.append(ch)
            }
            i = index(after: i)
        }
        return out.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&quot;", with: "\"")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The 2FA set-up page's secret, its groups of four joined as an app reads it.
    var totpSecret: String {
        let code = components(separatedBy: #"id="totp-secret">"#)[1].components(separatedBy: "</code>")[0]
        return code.replacingOccurrences(of: "<span>", with: "").replacingOccurrences(of: "</span>", with: "")
    }

    private static let inlineTags: Set<String> = ["a", "span", "strong", "b", "em", "i", "code", "small", "abbr"]
}
