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
