import Domain
import Foundation

/// Staff suspend a service for abuse or another reason, with a note. Independent of billing.
public struct SuspendService: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(serviceID: Int64, reason: String, note: String?, actor: Actor) async throws
        -> HostingService
    {
        guard let reason = HoldReason(rawValue: reason), reason != .nonPayment else {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "reason", rule: "reason.enum",
                    message: "Staff suspend for abuse or other; non-payment suspension is automatic."))
        }
        var errors = FieldErrors()
        let note = note.map { errors.text("note", $0, limit: 1000) }
        if reason == .other, note?.isEmpty ?? true {
            errors.add("note", "required", "Say why the service is suspended.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        return try await deps.store.write { tx in
            guard let s = try await tx.service(id: serviceID, forUpdate: true) else {
                throw UseCaseError.notFound("service")
            }
            guard case .live = s.lifecycle else {
                throw UseCaseError.from(ServiceTransitionError.notAllowed(from: s.state, action: "suspend"))
            }
            let now = deps.clock.now()
            let hold = try await tx.insertHold(
                serviceID: serviceID, reason: reason, by: actor, at: now, note: note.flatMap { $0.isEmpty ? nil : $0 },
                proformaID: nil)
            let next = try s.suspended(by: hold)
            try await tx.update(service: next, at: now)
            try await Suspensions.announce(hold: hold, service: s, proforma: nil, in: tx, at: now)
            return next
        }
    }
}
