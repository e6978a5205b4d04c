import Domain
import Foundation

/// Cancels order proformas still unpaid `orderCancelDays` after their due date, with the pending services they
/// would have started (the order lapsed; nothing was delivered). An upgrade's proforma (a live service) never lapses.
public struct CancelLapsedOrders: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> DailyTaskResult {
        let days = deps.policy.orderCancelDays
        let ids = try await deps.store.read { r in
            try await r.unpaidProformas(dueOnOrBefore: asOf.adding(days: -days), origin: .order)
        }
        return await DailyUnits.each(ids, task: "cancel-order", entity: "proforma", deps: deps) { id, tx in
            guard let p = try await tx.proforma(id: id, forUpdate: true), p.state == .unpaid, p.origin == .order,
                p.effectiveDueDate.adding(days: days) <= asOf
            else { return 0 }
            // An upgrade's difference bills a live service: it is dunned like a renewal (reminders, suspension),
            // never dropped, or the upgrade would be free.
            for sid in Set(p.lines.compactMap(\.serviceID)) {
                if case .live? = try await tx.service(id: sid, forUpdate: false)?.lifecycle { return 0 }
            }
            let now = deps.clock.now()
            // The pending services end first, on the day the order lapsed (a catch-up run must not stamp today).
            for sid in Set(p.lines.compactMap(\.serviceID)).sorted() {
                guard let s = try await tx.service(id: sid, forUpdate: true), s.state == .pending else { continue }
                try await tx.update(service: try s.terminated(on: deps.instant(on: asOf)), at: now)
                try await tx.append(
                    AuditEntry(
                        actor: .system, action: "service.order_lapsed", entity: "service", entityID: sid,
                        before: auditJSON(["state": "pending"]),
                        after: auditJSON(["state": "terminated", "proforma": p.number]), at: now))
            }
            try await ProformaCancellation.cancel(
                p, why: "order unpaid \(days) days after its due date", by: .system, in: tx, deps: deps, at: now)
            return 1
        }
    }
}
