import Foundation

/// What an API key may do. `admin` includes the others; a key holds one or more.
public enum APIScope: String, Sendable, CaseIterable, Codable {
    /// Every GET.
    case read
    /// Orders, billing runs, proformas (cancel, extension, billing data), services (suspend, lift), stornos, provisioning.
    case billing
    /// Recording payments (a bank-statement import).
    case payments
    /// Clients, billing profiles, plans and exchange rates, and everything above.
    case admin

    /// The scope a request needs: reads need `read`; recording a payment `payments`; the catalogue and clients
    /// `admin`; every other change `billing`.
    public static func needed(method: String, path: String) -> APIScope {
        if method == "GET" || method == "HEAD" { return .read }
        let parts = path.split(separator: "/").map(String.init)  // ["api", "v1", resource, …]
        let resource = parts.count > 2 ? parts[2] : ""
        if resource == "proformas", parts.last == "payments" { return .payments }
        if ["clients", "plans", "exchange-rates"].contains(resource) { return .admin }
        return .billing
    }

    public static func allows(_ held: Set<APIScope>, _ needed: APIScope) -> Bool {
        held.contains(.admin) || held.contains(needed)
    }

    /// "read,billing" → the scopes; nil when a name is unknown or none is given.
    public static func parse(_ names: [String]) -> Set<APIScope>? {
        let items = names.flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }.filter { !$0.isEmpty }
        let scopes = items.compactMap(APIScope.init(rawValue:))
        guard !items.isEmpty, scopes.count == items.count else { return nil }
        return Set(scopes)
    }

    public static func text(_ scopes: Set<APIScope>) -> String {
        allCases.filter(scopes.contains).map(\.rawValue).joined(separator: ",")
    }
}
