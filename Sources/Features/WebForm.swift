import Foundation

/// `application/x-www-form-urlencoded` and URL origins, as the HTTP adapters (Stripe, ANAF) and pages need them.
public enum WebForm {
    /// `a=1&b=x%20y`: every byte but the unreserved ones escaped (RFC 3986 §2.3), so no value can split a pair.
    public static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    public static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// `https://host[:port]` of a URL (what a Content-Security-Policy names).
    public static func origin(of url: String) -> String? {
        guard let u = URL(string: url), let scheme = u.scheme, let host = u.host else { return nil }
        return "\(scheme)://\(host)" + (u.port.map { ":\($0)" } ?? "")
    }
}
