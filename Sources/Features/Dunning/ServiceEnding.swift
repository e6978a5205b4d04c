import Domain
import Foundation

enum ServiceEnding {
    /// Why a service ended, for the client's e-mail.
    enum Reason: String {
        /// Held for non-payment longer than the policy allows.
        case unpaid
        /// The client cancelled at the end of the paid period.
        case cancelled
        /// Staff terminated it at once.
        case staff
    }

    /// Terminates a service on `day`: audited, deprovisioned, its unpaid future settled, the client told.
    static func end(
        _ s: HostingService, on day: CivilDate, reason: Reason, why: String, by actor: Actor,
        in tx: any StoreTransaction, deps: AppDependencies, at now: Date
    ) async throws {
        let next = try s.terminated(on: deps.instant(on: day))
        try await tx.update(service: next, at: now)
        try await tx.append(
            AuditEntry(
                actor: actor, action: "service.terminated", entity: "service", entityID: s.id,
                before: auditJSON(["state": s.state.rawValue]),
                after: auditJSON(["state": "terminated", "on": day.description, "why": why]), at: now))
        try await ProvisioningRequests.request(.terminate, for: next, holds: [], key: "terminated", in: tx, at: now)
        let settled = try await settleUnpaidLines(of: next, in: tx, deps: deps, at: now)
        let reversed = try await reverseUndeliveredPeriods(
            of: next, endedOn: day, by: actor, in: tx, deps: deps, at: now)
        try await tx.enqueue(
            OutboxEvent(
                kind: .serviceTerminated, key: "terminated:\(s.id)", clientID: s.clientID,
                payload: [
                    "serviceID": String(s.id), "domain": s.domain, "ending": reason.rawValue,
                    "settled": settled.joined(separator: ", "),
                    "reversed": reversed.joined(separator: ", "),
                ], createdAt: now))
    }

    /// Periods paid ahead that the service will not have (a later renewal paid while it was held for an earlier
    /// one): each standing fiscal invoice with such a period is reversed by a storno, its other lines are invoiced
    /// again on a new fiscal invoice, and what the reversed periods cost becomes the client's credit. Returns the
    /// numbers of the reversed invoices.
    static func reverseUndeliveredPeriods(
        of service: HostingService, endedOn day: CivilDate, by actor: Actor, in tx: any StoreTransaction,
        deps: AppDependencies, at now: Date
    ) async throws -> [String] {
        let invoices = try await tx.fiscalInvoices(clientID: service.clientID, limit: Int(Int32.max), offset: 0)
        let stornoed = Set(invoices.compactMap(\.correctsID))
        let today = deps.today()
        var numbers: [String] = []
        for f in invoices.sorted(by: { $0.id < $1.id }) where f.kind == .invoice && !stornoed.contains(f.id) {
            let undelivered = { (line: InvoiceLine) in
                line.serviceID == service.id && (line.period.map { $0.start > day } ?? false)
            }
            guard f.lines.contains(where: undelivered) else { continue }
            let storno = try await FiscalIssuing.reverse(
                f, then: "service \(service.id) ended \(day)", by: actor, deps: deps, in: tx, at: now)
            let kept = f.lines.filter { !undelivered($0) }
            var remainder: FiscalInvoice?
            if !kept.isEmpty {
                let draft: FiscalInvoiceDraft
                do { draft = try FiscalInvoiceDraft.remainder(of: f, keeping: kept, issueDate: today) } catch let e
                    as InvoicingError
                { throw UseCaseError.from(e) }
                remainder = try await FiscalIssuing.reissue(draft, replacing: f, by: actor, deps: deps, in: tx, at: now)
            }
            let credit = f.totals.grossMinor - (remainder?.totals.grossMinor ?? 0)
            if credit > 0 {
                try await Credits.add(
                    Money(minor: credit, currency: f.currency), clientID: f.clientID, from: f.displayNumber,
                    paymentID: nil,
                    note: "Paid for periods of \(service.domain) after it ended, reversed by \(storno.displayNumber)",
                    why: "service ended", by: actor, in: tx, at: now)
            }
            numbers.append(f.displayNumber)
        }
        return numbers
    }

    /// Removes every unpaid line of the ended service (and of other ended services on the same proformas). A proforma
    /// left without lines is cancelled; one left with lines keeps them, and completes if its payments now cover it.
    /// Returns the numbers of the proformas changed.
    static func settleUnpaidLines(
        of service: HostingService, in tx: any StoreTransaction, deps: AppDependencies, at now: Date
    ) async throws -> [String] {
        var numbers: [String] = []
        for pid in try await tx.unpaidProformas(serviceID: service.id) {
            guard let p = try await tx.proforma(id: pid, forUpdate: true), p.state == .unpaid else { continue }
            var ended: Set<Int64> = [service.id]
            for other in Set(p.lines.compactMap(\.serviceID)) where other != service.id {
                if try await tx.service(id: other, forUpdate: false)?.state == .terminated { ended.insert(other) }
            }
            numbers.append(p.number)
            try await removeLines(of: ended, from: p, why: "services ended", by: .system, in: tx, deps: deps, at: now)
        }
        return numbers
    }

    /// Takes the lines of `serviceIDs` off the unpaid proforma `p`. A proforma left without lines is cancelled; one
    /// left with lines keeps them, and completes if its payments now cover it (any excess is credit).
    static func removeLines(
        of serviceIDs: Set<Int64>, from p: ProformaInvoice, why: String, by actor: Actor, in tx: any StoreTransaction,
        deps: AppDependencies, at now: Date
    ) async throws {
        let reduced = try p.removingLines(of: serviceIDs)
        if reduced.lines.isEmpty {
            try await ProformaCancellation.cancel(p, why: why, by: actor, in: tx, deps: deps, at: now)
            return
        }
        let application = reduced.reapplyingPayments()
        try await tx.deleteLines(proformaID: p.id, serviceIDs: serviceIDs)
        try await tx.update(proforma: application.proforma, at: now)
        try await tx.append(
            AuditEntry(
                actor: actor, action: "proforma.lines_removed", entity: "proforma", entityID: p.id,
                before: auditJSON(ProformaSnapshot(p)),
                after: auditJSON(ProformaSnapshot(application.proforma)), at: now))
        if application.creditMinor > 0 {
            try await Credits.add(
                Money(minor: application.creditMinor, currency: p.currency), from: p, paymentID: nil,
                note: "Paid on \(p.number) beyond its remaining lines", why: why, by: actor, in: tx, at: now)
        }
        if application.completesPayment {
            _ = try await PaymentSettlement.complete(application.proforma, in: tx, deps: deps, actor: actor, at: now)
        }
    }
}
