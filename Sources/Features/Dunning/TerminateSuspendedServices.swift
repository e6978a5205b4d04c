import Domain
import Foundation

/// Terminates services held for non-payment longer than `terminateAfterDays` (counted in days, from the day the
/// oldest active non-payment hold was placed, to `asOf`). Termination settles the future: the service's unpaid
/// lines are removed from their proformas (a proforma left empty is cancelled, its payments become credit), so
/// no period after the end is ever invoiced.
public struct TerminateSuspendedServices: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> DailyTaskResult {
        // Holds placed on or before this day have run their course by `asOf`.
        let before = deps.startOfDay(asOf.adding(days: 1 - deps.policy.terminateAfterDays))
        let ids = try await deps.store.read { r in try await r.servicesSuspendedSince(placedBefore: before) }
        return await DailyUnits.each(ids, task: "terminate", entity: "service", deps: deps) { sid, tx in
            guard let s = try await tx.service(id: sid, forUpdate: true),
                let oldest = s.holds.filter({ $0.reason == .nonPayment }).map(\.placedAt).min(), oldest < before
            else { return 0 }
            try await ServiceEnding.end(
                s, on: asOf, reason: .unpaid, why: "unpaid \(deps.policy.terminateAfterDays) days", by: .system, in: tx,
                deps: deps,
                at: deps.clock.now())
            return 1
        }
    }
}
