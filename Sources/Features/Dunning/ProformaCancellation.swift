import Domain
import Foundation

enum ProformaCancellation {
    /// Cancels an unpaid proforma: what was paid on it becomes the client's credit (never lost, never invoiced for a
    /// period that is not delivered), and the non-payment holds it placed are lifted.
    static func cancel(
        _ p: ProformaInvoice, why: String, by actor: Actor, in tx: any StoreTransaction, deps: AppDependencies,
        at now: Date
    ) async throws {
        let cancelled: ProformaInvoice
        do { cancelled = try p.cancelled() } catch { throw UseCaseError.mapping(error) }
        try await tx.update(proforma: cancelled, at: now)
        try await tx.append(
            AuditEntry(
                actor: actor, action: "proforma.cancelled", entity: "proforma", entityID: p.id,
                before: auditJSON(ProformaSnapshot(p)), after: auditJSON(["state": "cancelled", "why": why]), at: now))
        if p.paidMinor > 0 {
            try await Credits.add(
                Money(minor: p.paidMinor, currency: p.currency), from: p, paymentID: nil,
                note: "Paid on \(p.number), cancelled", why: "proforma cancelled", by: actor, in: tx, at: now)
        }
        try await Suspensions.liftHolds(of: p, by: actor, why: "\(p.number) cancelled", in: tx, at: now)
        try await tx.releasePeriods(proformaID: p.id)
        // What the lines billed: a pending service's order is off; a live service's periods are billed again by the
        // next daily run (with a fresh due date). Terminated services keep nothing to bill.
        var periods: [Int64: Set<Int>] = [:]
        for line in p.lines {
            if let sid = line.serviceID, let period = line.period { periods[sid, default: []].insert(period.index) }
        }
        for (sid, indexes) in periods.sorted(by: { $0.key < $1.key }) {
            guard let s = try await tx.service(id: sid, forUpdate: true), let first = indexes.min() else { continue }
            switch s.lifecycle {
            case .pending:
                try await tx.update(service: try s.terminated(on: now), at: now)
                try await tx.append(
                    AuditEntry(
                        actor: actor, action: "service.order_cancelled", entity: "service", entityID: sid,
                        before: auditJSON(["state": "pending"]),
                        after: auditJSON(["state": "terminated", "proforma": p.number, "why": why]), at: now))
            case .live:
                guard Set(first..<s.invoicedPeriods).isSubset(of: indexes) else {
                    throw UseCaseError.conflict(
                        rule: "proforma.later-period-billed",
                        message:
                            "A later period of \(s.domain) is already on another proforma: cancel that one first (or terminate the service)."
                    )
                }
                let released = try s.released(from: first)
                try await tx.update(service: released, at: now)
                try await tx.append(
                    AuditEntry(
                        actor: actor, action: "service.periods_released", entity: "service", entityID: sid,
                        before: auditJSON(["invoicedPeriods": String(s.invoicedPeriods)]),
                        after: auditJSON(["invoicedPeriods": String(released.invoicedPeriods), "proforma": p.number]),
                        at: now))
            case .terminated:
                continue
            }
        }
    }
}
