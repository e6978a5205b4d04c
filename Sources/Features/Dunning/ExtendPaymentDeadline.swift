import Domain
import Foundation

/// Staff give an unpaid proforma more time: a later effective due date (at most `maxExtensionDays` from today), with a
/// note. Its non-payment holds go at once, dunning counts from the new day, and the client is told by e-mail.
public struct ExtendPaymentDeadline: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(proformaID: Int64, until raw: String, note rawNote: String?, actor: Actor) async throws
        -> ProformaInvoice
    {
        var errors = FieldErrors()
        let today = deps.today()
        let latest = today.adding(days: deps.policy.maxExtensionDays)
        let until = CivilDate(raw.trimmingCharacters(in: .whitespaces))
        if let until {
            if until < today {
                errors.add("until", "date.past", "Give today or a later day.")
            } else if until > latest {
                errors.add(
                    "until", "extension.too-long",
                    "An extension reaches at most \(deps.policy.maxExtensionDays) days from today (\(latest)).")
            }
        } else {
            errors.add("until", "date.format", "Use YYYY-MM-DD.")
        }
        let note = errors.text("note", rawNote ?? "", limit: 1000)
        if note.isEmpty { errors.add("note", "required", "Say why the client gets more time.") }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        let day = until!

        return try await deps.store.write { tx in
            guard let p = try await tx.proforma(id: proformaID, forUpdate: true) else {
                throw UseCaseError.notFound("proforma")
            }
            let extended: ProformaInvoice
            do { extended = try p.extended(until: day) } catch { throw UseCaseError.mapping(error) }
            let now = deps.clock.now()
            try await tx.update(proforma: extended, at: now)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "proforma.payment_extended", entity: "proforma", entityID: p.id,
                    before: auditJSON(["dueDate": p.effectiveDueDate.description]),
                    after: auditJSON(["dueDate": day.description, "note": note]), at: now))
            try await Suspensions.liftHolds(of: p, by: actor, why: "payment extension to \(day)", in: tx, at: now)
            try await tx.enqueue(
                OutboxEvent(
                    kind: .paymentExtended, key: "extended:\(p.id):\(day)", clientID: p.clientID,
                    payload: [
                        "proformaID": String(p.id), "number": p.number, "dueDate": day.description,
                        "total": p.totals.gross.description,
                    ], createdAt: now))
            return extended
        }
    }
}
