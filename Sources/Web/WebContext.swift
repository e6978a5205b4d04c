import Domain
import Features
import Foundation
import Hummingbird

/// What the HTML areas need of a request context: the session (if any) and the caller's address.
public protocol WebRequestContext: RequestContext {
    var session: WebSession? { get set }
    /// The remote address, for throttling and the audit log.
    var remoteIP: String { get }
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
            func unescape(_ s: Substring) -> String { s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
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

/// Cookie attributes in one place: HttpOnly, SameSite=Lax, Path=/, Secure when the public URL is https.
struct CookieJar: Sendable {
    let secure: Bool

    func set(_ name: String, _ value: String, maxAge: Int? = nil) -> String {
        var c = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if secure { c += "; Secure" }
        if let maxAge { c += "; Max-Age=\(maxAge)" }
        return c
    }

    func clear(_ name: String) -> String { set(name, "", maxAge: 0) }

    static func value(_ name: String, in request: Request) -> String? {
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
