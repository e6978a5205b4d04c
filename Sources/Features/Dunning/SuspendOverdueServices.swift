import Domain
import Foundation

/// Suspends, for non-payment, the services of proformas still unpaid `suspendAfterDays` after their effective due
/// date (a payment extension moves it). One active hold per (service, proforma): running it again changes nothing,
/// and a hold lifted by an extension comes back when the extended date has passed too.
public struct SuspendOverdueServices: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> DailyTaskResult {
        let graceDays = deps.policy.suspendAfterDays
        let ids = try await deps.store.read { r in
            try await r.proformasToSuspend(dueOnOrBefore: asOf.adding(days: -graceDays))
        }
        return await DailyUnits.each(ids, task: "suspend", entity: "proforma", deps: deps) { id, tx in
            guard let p = try await tx.proforma(id: id, forUpdate: true), p.state == .unpaid,
                p.effectiveDueDate.adding(days: graceDays) <= asOf
            else { return 0 }
            var count = 0
            for sid in Set(p.lines.compactMap(\.serviceID)).sorted() {
                guard let s = try await tx.service(id: sid, forUpdate: true),
                    s.state == .active || s.state == .suspended,
                    !s.holds.contains(where: { $0.reason == .nonPayment && $0.proformaID == p.id })
                else { continue }
                let hold = try await tx.insertHold(
                    serviceID: sid, reason: .nonPayment, by: .system, at: deps.instant(on: asOf),
                    note: "\(p.number) unpaid since \(p.effectiveDueDate)", proformaID: p.id)
                let now = deps.clock.now()
                try await tx.update(service: try s.suspended(by: hold), at: now)
                try await Suspensions.announce(hold: hold, service: s, proforma: p, in: tx, at: now)
                count += 1
            }
            return count
        }
    }
}
