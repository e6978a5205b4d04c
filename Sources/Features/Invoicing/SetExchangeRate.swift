import Domain
import Foundation

/// Stores a BNR exchange rate (RON per unit, four decimals) for a day.
public struct SetExchangeRate: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// What a form or a JSON body sends, checked field by field (`UseCaseError.invalid` names every bad field).
    public static func parse(currency: String, rate: String, date: String) throws -> ExchangeRate {
        var errors = FieldErrors()
        let cur = Currency(rawValue: currency)
        if cur == nil || cur == .RON { errors.add("currency", "currency.enum", "Choose EUR or USD.") }
        let d = CivilDate(date)
        if d == nil { errors.add("date", "date.format", "Use YYYY-MM-DD.") }
        let parts = rate.split(separator: ".", omittingEmptySubsequences: false)
        var e4: Int64?
        if parts.count <= 2, let whole = Int64(parts[0]),
            parts.count == 1 || (parts[1].count <= 4 && parts[1].allSatisfy(\.isNumber)),
            let frac = Int64(
                parts.count == 2 ? String(parts[1]) + String(repeating: "0", count: 4 - parts[1].count) : "0")
        {
            e4 = whole * 10_000 + frac
        }
        if (e4 ?? 0) <= 0 {
            errors.add("rate", "rate.format", "Give RON per unit with up to four decimals, e.g. 4.9771.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        guard let cur, let d, let e4 else { throw UseCaseError.invalid(ValidationFailure(errors.errors)) }
        return ExchangeRate(currency: cur, ronPerUnitE4: e4, date: d)
    }

    public func callAsFunction(_ r: ExchangeRate, actor: Actor) async throws -> ExchangeRate {
        guard r.currency != .RON, r.ronPerUnitE4 > 0 else {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "rate", rule: "rate.format", message: "A rate is RON per unit of EUR or USD, above zero."))
        }
        let now = deps.clock.now()
        try await deps.store.write { tx in
            try await tx.upsert(rate: r)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "exchange_rate.set", entity: "exchange_rate", entityID: 0, before: nil,
                    after: auditJSON(r), at: now))
        }
        return r
    }
}
