import Domain
import Foundation

/// Reading payments, for staff and integrations: by client, proforma, method and the day the money arrived.
public struct PaymentQueries: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// Newest first.
    public func list(_ filter: PaymentFilter, limit: Int, offset: Int) async throws -> [PaymentRecord] {
        try await deps.store.read { r in try await r.payments(filter, limit: limit, offset: offset) }
    }

    /// A client's credit: the balance per currency (none when nothing is left) and the ledger, newest first.
    public struct Credit: Sendable {
        public let balances: [Money]
        public let entries: [CreditEntry]
    }

    public func credit(clientID: Int64, limit: Int = 100, offset: Int = 0) async throws -> Credit {
        try await deps.store.read { r in
            guard try await r.client(id: clientID) != nil else { throw UseCaseError.notFound("client") }
            let balances = try await r.creditBalances(clientID: clientID)
            return Credit(
                balances: balances.filter { $0.value != 0 }.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                    Money(minor: $0.value, currency: $0.key)
                },
                entries: try await r.creditEntries(clientID: clientID, limit: limit, offset: offset))
        }
    }
}

extension PaymentFilter {
    /// A listing's query parameters, checked field by field (`UseCaseError.invalid` names every bad one).
    public static func parse(
        clientID: Int64?, proformaID: Int64?, method: String?, receivedFrom: String?, receivedThrough: String?
    ) throws -> PaymentFilter {
        var errors = FieldErrors()
        var filter = PaymentFilter(clientID: clientID, proformaID: proformaID)
        if let method {
            filter.method = PaymentMethod(rawValue: method)
            if filter.method == nil { errors.add("method", "method.enum", "Choose bank_transfer, card or demo.") }
        }
        for (field, text, keyPath) in [
            ("from", receivedFrom, \PaymentFilter.receivedFrom), ("to", receivedThrough, \.receivedThrough),
        ] {
            guard let text else { continue }
            if let day = CivilDate(text) {
                filter[keyPath: keyPath] = day
            } else {
                errors.add(field, "date.format", "Use YYYY-MM-DD.")
            }
        }
        if let from = filter.receivedFrom, let to = filter.receivedThrough, from > to {
            errors.add("to", "range", "The last day comes on or after the first.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        return filter
    }
}
