import Domain
import Foundation

/// One unit of a daily task (a proforma, a service) that failed; the others went on. Shown in the CLI summary,
/// the daily-run report, the audit log and on the staff home page.
public struct DailyTaskFailure: Sendable, Codable, Equatable, CustomStringConvertible {
    public let task: String
    public let entity: String
    public let entityID: Int64
    public let reason: String

    public init(task: String, entity: String, entityID: Int64, reason: String) {
        self.task = task
        self.entity = entity
        self.entityID = entityID
        self.reason = reason
    }

    public var description: String { "\(task): \(entity) \(entityID): \(reason)" }
}

/// What a daily task did: how many units it changed, and which units failed.
public struct DailyTaskResult: Sendable, Equatable {
    public var done = 0
    public var failures: [DailyTaskFailure] = []

    public init(done: Int = 0, failures: [DailyTaskFailure] = []) {
        self.done = done
        self.failures = failures
    }
}

enum DailyUnits {
    /// Runs `body` for each id in a transaction of its own. A unit that throws is rolled back, logged and reported;
    /// it never stops the units after it (one bad proforma must not stop every client's dunning).
    static func each(
        _ ids: [Int64], task: String, entity: String, deps: AppDependencies,
        _ body: @escaping @Sendable (Int64, any StoreTransaction) async throws -> Int
    ) async -> DailyTaskResult {
        var result = DailyTaskResult()
        for id in ids {
            do {
                result.done += try await deps.store.write { tx in try await body(id, tx) }
            } catch {
                result.failures.append(DailyTaskFailure(task: task, entity: entity, entityID: id, reason: String(describing: error)))
                deps.logger.error("daily task failed for one unit", metadata: ["task": "\(task)", "\(entity)_id": "\(id)", "error": "\(error)"])
            }
        }
        return result
    }
}

/// Suspends, for non-payment, the services of proformas still unpaid `suspendAfterDays` after their effective due
/// date (a payment extension moves it). One active hold per (service, proforma): running it again changes nothing,
/// and a hold lifted by an extension comes back when the extended date has passed too.
public struct SuspendOverdueServices: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> DailyTaskResult {
        let graceDays = deps.policy.suspendAfterDays
        let ids = try await deps.store.read { r in try await r.proformasToSuspend(dueOnOrBefore: asOf.adding(days: -graceDays)) }
        return await DailyUnits.each(ids, task: "suspend", entity: "proforma", deps: deps) { id, tx in
            guard let p = try await tx.proforma(id: id, forUpdate: true), p.state == .unpaid, p.effectiveDueDate.adding(days: graceDays) <= asOf else { return 0 }
            var count = 0
            for sid in Set(p.lines.compactMap(\.serviceID)).sorted() {
                guard let s = try await tx.service(id: sid, forUpdate: true), s.state == .active || s.state == .suspended,
                    !s.holds.contains(where: { $0.reason == .nonPayment && $0.proformaID == p.id })
                else { continue }
                let hold = try await tx.insertHold(
                    serviceID: sid, reason: .nonPayment, by: .system, at: deps.instant(on: asOf), note: "\(p.number) unpaid since \(p.effectiveDueDate)", proformaID: p.id)
                let now = deps.clock.now()
                try await tx.update(service: try s.suspended(by: hold), at: now)
                try await Suspensions.announce(hold: hold, service: s, proforma: p, in: tx, at: now)
                count += 1
            }
            return count
        }
    }
}

enum Suspensions {
    /// The outbox event and audit entry of a new hold, whatever its reason.
    static func announce(hold: Hold, service: HostingService, proforma: ProformaInvoice?, in tx: any StoreTransaction, at now: Date) async throws {
        var payload = ["serviceID": String(service.id), "domain": service.domain, "reason": hold.reason.rawValue]
        if let p = proforma { payload["proformaID"] = String(p.id); payload["proformaNumber"] = p.number }
        try await tx.enqueue(OutboxEvent(kind: .serviceSuspended, key: "hold:\(hold.id)", clientID: service.clientID, payload: payload, createdAt: now))
        try await ProvisioningRequests.request(.suspend, for: service, holds: service.holds + [hold], key: "hold:\(hold.id)", in: tx, at: now)
        try await tx.append(AuditEntry(actor: hold.placedBy, action: "service.suspended", entity: "service", entityID: service.id, before: auditJSON(["state": service.state.rawValue]), after: auditJSON(["hold": String(hold.id), "reason": hold.reason.rawValue, "note": hold.note ?? ""]), at: now))
    }

    /// Lifts `lifted` (already chosen) from `service`: the holds' rows, the audit entries, the reactivation e-mail when
    /// none is left, and the provisioning change. Returns the service as it is afterwards.
    static func lift(_ which: @escaping (Hold) -> Bool, on service: HostingService, by actor: Actor, why: String, in tx: any StoreTransaction, at now: Date) async throws -> HostingService {
        let (next, lifted) = try service.lifting(which)
        guard !lifted.isEmpty else { return service }
        try await tx.liftHolds(ids: lifted.map(\.id), by: actor, at: now)
        try await tx.update(service: next, at: now)
        for h in lifted {
            try await tx.append(AuditEntry(actor: actor, action: "service.unsuspended", entity: "service", entityID: service.id, before: auditJSON(["hold": String(h.id), "reason": h.reason.rawValue]), after: auditJSON(["state": next.state.rawValue, "why": why]), at: now))
        }
        if next.state == .active {
            try await tx.enqueue(OutboxEvent(kind: .serviceReactivated, key: "reactivated:\(service.id):\(lifted.map { String($0.id) }.joined(separator: ","))", clientID: service.clientID, payload: ["serviceID": String(service.id), "domain": service.domain], createdAt: now))
        }
        try await ProvisioningRequests.afterLifting(lifted, next: next, in: tx, at: now)
        return next
    }

    /// A non-payment hold belongs to its proforma: paying it, cancelling it or extending its due date lifts the
    /// holds it placed, on every service of its lines, and no other hold.
    static func liftHolds(of proforma: ProformaInvoice, by actor: Actor, why: String, in tx: any StoreTransaction, at now: Date) async throws {
        for sid in Set(proforma.lines.compactMap(\.serviceID)).sorted() {
            guard let s = try await tx.service(id: sid, forUpdate: true), s.state == .suspended else { continue }
            _ = try await lift({ $0.reason == .nonPayment && $0.proformaID == proforma.id }, on: s, by: actor, why: why, in: tx, at: now)
        }
    }
}

/// Staff suspend a service for abuse or another reason, with a note. Independent of billing.
public struct SuspendService: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(serviceID: Int64, reason: String, note: String?, actor: Actor) async throws -> HostingService {
        guard let reason = HoldReason(rawValue: reason), reason != .nonPayment else {
            throw BillingError.invalid(ValidationFailure(field: "reason", rule: "reason.enum", message: "Staff suspend for abuse or other; non-payment suspension is automatic."))
        }
        var errors = FieldErrors()
        let note = note.map { errors.text("note", $0, limit: 1000) }
        if reason == .other, note?.isEmpty ?? true { errors.add("note", "required", "Say why the service is suspended.") }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        return try await deps.store.write { tx in
            guard let s = try await tx.service(id: serviceID, forUpdate: true) else { throw BillingError.notFound("service") }
            guard case .live = s.lifecycle else { throw BillingError.from(ServiceTransitionError.notAllowed(from: s.state, action: "suspend")) }
            let now = deps.clock.now()
            let hold = try await tx.insertHold(serviceID: serviceID, reason: reason, by: actor, at: now, note: note.flatMap { $0.isEmpty ? nil : $0 }, proformaID: nil)
            let next = try s.suspended(by: hold)
            try await tx.update(service: next, at: now)
            try await Suspensions.announce(hold: hold, service: s, proforma: nil, in: tx, at: now)
            return next
        }
    }
}

/// Staff lift abuse and other holds: one (`holdID`), those of a reason, or all of them. A non-payment hold is not
/// theirs to lift: it goes when its proforma is paid or cancelled, or with a payment extension.
public struct UnsuspendService: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    static let nonPaymentRefusal = BillingError.conflict(
        rule: "hold.non-payment",
        message: "A non-payment hold is lifted only by paying or cancelling its proforma, or by giving the proforma a payment extension (staff client page, or POST /api/v1/proformas/{id}/extension).")

    public func callAsFunction(serviceID: Int64, holdID: Int64?, reason: String?, actor: Actor) async throws -> HostingService {
        let raw = (reason ?? "").trimmingCharacters(in: .whitespaces)
        let only = raw.isEmpty ? nil : HoldReason(rawValue: raw)
        if !raw.isEmpty, only == nil {
            throw BillingError.invalid(ValidationFailure(field: "reason", rule: "reason.enum", message: "Choose abuse or other (or leave the reason out to lift every abuse and other hold)."))
        }
        if only == .nonPayment { throw Self.nonPaymentRefusal }
        return try await deps.store.write { tx in
            guard let s = try await tx.service(id: serviceID, forUpdate: true) else { throw BillingError.notFound("service") }
            guard s.state == .suspended else { throw BillingError.from(ServiceTransitionError.notAllowed(from: s.state, action: "unsuspend")) }
            let chosen = s.holds.filter { h in (holdID == nil || h.id == holdID) && (only == nil || h.reason == only) }
            guard !chosen.isEmpty else { throw BillingError.notFound("hold") }
            if holdID != nil, chosen.contains(where: { $0.reason == .nonPayment }) { throw Self.nonPaymentRefusal }
            let ids = Set(chosen.filter { $0.reason != .nonPayment }.map(\.id))
            guard !ids.isEmpty else { throw Self.nonPaymentRefusal }
            return try await Suspensions.lift({ ids.contains($0.id) }, on: s, by: actor, why: "lifted by staff", in: tx, at: deps.clock.now())
        }
    }
}

/// Staff give an unpaid proforma more time: a later effective due date (at most `maxExtensionDays` from today), with a
/// note. Its non-payment holds go at once, dunning counts from the new day, and the client is told by e-mail.
public struct ExtendPaymentDeadline: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(proformaID: Int64, until raw: String, note rawNote: String?, actor: Actor) async throws -> ProformaInvoice {
        var errors = FieldErrors()
        let today = deps.today()
        let latest = today.adding(days: deps.policy.maxExtensionDays)
        let until = CivilDate(raw.trimmingCharacters(in: .whitespaces))
        if let until {
            if until < today { errors.add("until", "date.past", "Give today or a later day.") }
            else if until > latest { errors.add("until", "extension.too-long", "An extension reaches at most \(deps.policy.maxExtensionDays) days from today (\(latest)).") }
        } else {
            errors.add("until", "date.format", "Use YYYY-MM-DD.")
        }
        let note = errors.text("note", rawNote ?? "", limit: 1000)
        if note.isEmpty { errors.add("note", "required", "Say why the client gets more time.") }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        let day = until!

        return try await deps.store.write { tx in
            guard let p = try await tx.proforma(id: proformaID, forUpdate: true) else { throw BillingError.notFound("proforma") }
            let extended: ProformaInvoice
            do { extended = try p.extended(until: day) } catch { throw BillingError.mapping(error) }
            let now = deps.clock.now()
            try await tx.update(proforma: extended, at: now)
            try await tx.append(AuditEntry(actor: actor, action: "proforma.payment_extended", entity: "proforma", entityID: p.id, before: auditJSON(["dueDate": p.effectiveDueDate.description]), after: auditJSON(["dueDate": day.description, "note": note]), at: now))
            try await Suspensions.liftHolds(of: p, by: actor, why: "payment extension to \(day)", in: tx, at: now)
            try await tx.enqueue(OutboxEvent(
                kind: .paymentExtended, key: "extended:\(p.id):\(day)", clientID: p.clientID,
                payload: ["proformaID": String(p.id), "number": p.number, "dueDate": day.description, "total": p.totals.gross.description], createdAt: now))
            return extended
        }
    }
}

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
            try await ServiceEnding.end(s, on: asOf, why: "unpaid \(deps.policy.terminateAfterDays) days", by: .system, in: tx, deps: deps, at: deps.clock.now())
            return 1
        }
    }
}

enum ServiceEnding {
    /// Terminates a service on `day`: audited, deprovisioned, its unpaid future settled, the client told.
    static func end(_ s: HostingService, on day: CivilDate, why: String, by actor: Actor, in tx: any StoreTransaction, deps: AppDependencies, at now: Date) async throws {
        let next = try s.terminated(on: deps.instant(on: day))
        try await tx.update(service: next, at: now)
        try await tx.append(AuditEntry(actor: actor, action: "service.terminated", entity: "service", entityID: s.id, before: auditJSON(["state": s.state.rawValue]), after: auditJSON(["state": "terminated", "on": day.description, "why": why]), at: now))
        try await ProvisioningRequests.request(.terminate, for: next, holds: [], key: "terminated", in: tx, at: now)
        let settled = try await settleUnpaidLines(of: next, in: tx, deps: deps, at: now)
        let reversed = try await reverseUndeliveredPeriods(of: next, endedOn: day, by: actor, in: tx, deps: deps, at: now)
        try await tx.enqueue(OutboxEvent(
            kind: .serviceTerminated, key: "terminated:\(s.id)", clientID: s.clientID,
            payload: ["serviceID": String(s.id), "domain": s.domain, "settled": settled.joined(separator: ", "), "reversed": reversed.joined(separator: ", ")], createdAt: now))
    }

    /// Periods paid ahead that the service will not have (a later renewal paid while it was held for an earlier
    /// one): each standing fiscal invoice with such a period is reversed by a storno, its other lines are invoiced
    /// again on a new fiscal invoice, and what the reversed periods cost becomes the client's credit. Returns the
    /// numbers of the reversed invoices.
    static func reverseUndeliveredPeriods(of service: HostingService, endedOn day: CivilDate, by actor: Actor, in tx: any StoreTransaction, deps: AppDependencies, at now: Date) async throws -> [String] {
        let invoices = try await tx.fiscalInvoices(clientID: service.clientID, limit: Int(Int32.max), offset: 0)
        let stornoed = Set(invoices.compactMap(\.correctsID))
        let today = deps.today()
        var numbers: [String] = []
        for f in invoices.sorted(by: { $0.id < $1.id }) where f.kind == .invoice && !stornoed.contains(f.id) {
            let undelivered = { (line: InvoiceLine) in line.serviceID == service.id && (line.period.map { $0.start > day } ?? false) }
            guard f.lines.contains(where: undelivered) else { continue }
            let storno: FiscalInvoice, remainder: FiscalInvoice?
            do {
                storno = try await FiscalIssuing.issue(try FiscalInvoiceDraft.storno(of: f, issueDate: today), deps: deps, in: tx, at: now)
                let kept = f.lines.filter { !undelivered($0) }
                remainder = kept.isEmpty ? nil : try await FiscalIssuing.issue(try FiscalInvoiceDraft.remainder(of: f, keeping: kept, issueDate: today), deps: deps, in: tx, at: now)
            } catch let e as InvoicingError { throw BillingError.from(e) }
            try await tx.append(AuditEntry(actor: actor, action: "fiscal_invoice.stornoed", entity: "fiscal_invoice", entityID: f.id, before: auditJSON(["number": f.displayNumber]),
                                           after: auditJSON(["storno": storno.displayNumber, "total": storno.totals.gross.description, "then": "service \(service.id) ended \(day)", "remainder": remainder?.displayNumber ?? ""]), at: now))
            let credit = f.totals.grossMinor - (remainder?.totals.grossMinor ?? 0)
            if credit > 0 {
                try await Credits.add(Money(minor: credit, currency: f.currency), clientID: f.clientID, from: f.displayNumber, paymentID: nil,
                                      note: "Paid for periods of \(service.domain) after it ended, reversed by \(storno.displayNumber)", why: "service ended", by: actor, in: tx, at: now)
            }
            numbers.append(f.displayNumber)
        }
        return numbers
    }

    /// Removes every unpaid line of the ended service (and of other ended services on the same proformas). A proforma
    /// left without lines is cancelled; one left with lines keeps them, and completes if its payments now cover it.
    /// Returns the numbers of the proformas changed.
    static func settleUnpaidLines(of service: HostingService, in tx: any StoreTransaction, deps: AppDependencies, at now: Date) async throws -> [String] {
        var numbers: [String] = []
        for pid in try await tx.unpaidProformas(serviceID: service.id) {
            guard let p = try await tx.proforma(id: pid, forUpdate: true), p.state == .unpaid else { continue }
            var ended: Set<Int64> = [service.id]
            for other in Set(p.lines.compactMap(\.serviceID)) where other != service.id {
                if try await tx.service(id: other, forUpdate: false)?.state == .terminated { ended.insert(other) }
            }
            numbers.append(p.number)
            let reduced = try p.removingLines(of: ended)
            if reduced.lines.isEmpty {
                try await ProformaCancellation.cancel(p, why: "services ended", by: .system, in: tx, deps: deps, at: now)
                continue
            }
            // What was paid on the proforma stays on it; if it now covers the rest, the proforma is paid (and any excess is credit).
            let application = reduced.reapplyingPayments()
            try await tx.deleteLines(proformaID: p.id, serviceIDs: ended)
            try await tx.update(proforma: application.proforma, at: now)
            try await tx.append(AuditEntry(actor: .system, action: "proforma.lines_removed", entity: "proforma", entityID: p.id, before: auditJSON(ProformaSnapshot(p)), after: auditJSON(ProformaSnapshot(application.proforma)), at: now))
            if application.creditMinor > 0 {
                try await tx.addCredit(clientID: p.clientID, amount: Money(minor: application.creditMinor, currency: p.currency), paymentID: nil, note: "Paid on \(p.number) beyond its remaining lines", at: now)
            }
            if application.completesPayment {
                _ = try await PaymentSettlement.complete(application.proforma, in: tx, deps: deps, actor: .system, at: now)
            }
        }
        return numbers
    }
}

enum ProformaCancellation {
    /// Cancels an unpaid proforma: what was paid on it becomes the client's credit (never lost, never invoiced for a
    /// period that is not delivered), and the non-payment holds it placed are lifted.
    static func cancel(_ p: ProformaInvoice, why: String, by actor: Actor, in tx: any StoreTransaction, deps: AppDependencies, at now: Date) async throws {
        let cancelled: ProformaInvoice
        do { cancelled = try p.cancelled() } catch { throw BillingError.mapping(error) }
        try await tx.update(proforma: cancelled, at: now)
        try await tx.append(AuditEntry(actor: actor, action: "proforma.cancelled", entity: "proforma", entityID: p.id, before: auditJSON(ProformaSnapshot(p)), after: auditJSON(["state": "cancelled", "why": why]), at: now))
        if p.paidMinor > 0 {
            try await Credits.add(Money(minor: p.paidMinor, currency: p.currency), from: p, paymentID: nil, note: "Paid on \(p.number), cancelled", why: "proforma cancelled", by: actor, in: tx, at: now)
        }
        try await Suspensions.liftHolds(of: p, by: actor, why: "\(p.number) cancelled", in: tx, at: now)
        try await tx.releasePeriods(proformaID: p.id)
        // What the lines billed: a pending service's order is off; a live service's periods are billed again by the
        // next daily run (with a fresh due date). Terminated services keep nothing to bill.
        var periods: [Int64: Set<Int>] = [:]
        for line in p.lines { if let sid = line.serviceID, let period = line.period { periods[sid, default: []].insert(period.index) } }
        for (sid, indexes) in periods.sorted(by: { $0.key < $1.key }) {
            guard let s = try await tx.service(id: sid, forUpdate: true), let first = indexes.min() else { continue }
            switch s.lifecycle {
            case .pending:
                try await tx.update(service: try s.terminated(on: now), at: now)
                try await tx.append(AuditEntry(actor: actor, action: "service.order_cancelled", entity: "service", entityID: sid, before: auditJSON(["state": "pending"]), after: auditJSON(["state": "terminated", "proforma": p.number, "why": why]), at: now))
            case .live:
                guard Set(first..<s.invoicedPeriods).isSubset(of: indexes) else {
                    throw BillingError.conflict(rule: "proforma.later-period-billed", message: "A later period of \(s.domain) is already on another proforma: cancel that one first (or terminate the service).")
                }
                let released = try s.released(from: first)
                try await tx.update(service: released, at: now)
                try await tx.append(AuditEntry(actor: actor, action: "service.periods_released", entity: "service", entityID: sid, before: auditJSON(["invoicedPeriods": String(s.invoicedPeriods)]), after: auditJSON(["invoicedPeriods": String(released.invoicedPeriods), "proforma": p.number]), at: now))
            case .terminated:
                continue
            }
        }
    }
}

enum Credits {
    /// Money that cannot pay the proforma it came for becomes the client's credit, with a `credit.added` audit entry
    /// (the staff home lists them, so staff can refund).
    static func add(_ money: Money, from p: ProformaInvoice, paymentID: Int64?, note: String, why: String, by actor: Actor, in tx: any StoreTransaction, at now: Date) async throws {
        try await add(money, clientID: p.clientID, from: p.number, paymentID: paymentID, note: note, why: why, by: actor, in: tx, at: now)
    }

    /// The same for money from any document (`from` is its number, e.g. a reversed fiscal invoice).
    static func add(_ money: Money, clientID: Int64, from number: String, paymentID: Int64?, note: String, why: String, by actor: Actor, in tx: any StoreTransaction, at now: Date) async throws {
        try await tx.addCredit(clientID: clientID, amount: money, paymentID: paymentID, note: note, at: now)
        var detail = ["amount": money.description, "from": number, "why": why]
        if let paymentID { detail["payment"] = String(paymentID) }
        try await tx.append(AuditEntry(actor: actor, action: "credit.added", entity: "client", entityID: clientID, before: nil, after: auditJSON(detail), at: now))
    }
}

/// Cancels order proformas still unpaid `orderCancelDays` after their due date, with the pending services they
/// would have started (the order lapsed; nothing was delivered).
public struct CancelLapsedOrders: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> DailyTaskResult {
        let days = deps.policy.orderCancelDays
        let ids = try await deps.store.read { r in try await r.unpaidProformas(dueOnOrBefore: asOf.adding(days: -days), origin: .order) }
        return await DailyUnits.each(ids, task: "cancel-order", entity: "proforma", deps: deps) { id, tx in
            guard let p = try await tx.proforma(id: id, forUpdate: true), p.state == .unpaid, p.origin == .order, p.effectiveDueDate.adding(days: days) <= asOf else { return 0 }
            let now = deps.clock.now()
            // The pending services end first, on the day the order lapsed (a catch-up run must not stamp today).
            for sid in Set(p.lines.compactMap(\.serviceID)).sorted() {
                guard let s = try await tx.service(id: sid, forUpdate: true), s.state == .pending else { continue }
                try await tx.update(service: try s.terminated(on: deps.instant(on: asOf)), at: now)
                try await tx.append(AuditEntry(actor: .system, action: "service.order_lapsed", entity: "service", entityID: sid, before: auditJSON(["state": "pending"]), after: auditJSON(["state": "terminated", "proforma": p.number]), at: now))
            }
            try await ProformaCancellation.cancel(p, why: "order unpaid \(days) days after its due date", by: .system, in: tx, deps: deps, at: now)
            return 1
        }
    }
}

/// Overdue reminders on the configured days after the effective due date; each stage once per proforma and due date.
public struct SendOverdueReminders: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// The event key of a reminder: one per proforma, stage and due date (an extension starts the reminders again
    /// from its day).
    static func key(proformaID: Int64, stage: Int, extendedDueDate: CivilDate?) -> String {
        extendedDueDate.map { "reminder:\(proformaID):\(stage):\($0)" } ?? "reminder:\(proformaID):\(stage)"
    }

    public func callAsFunction(asOf: CivilDate) async throws -> DailyTaskResult {
        let stages = deps.policy.reminderDays.sorted()
        guard let first = stages.first else { return DailyTaskResult() }
        // The reminders that have come and are not in the outbox yet, by stage.
        let owed: [Int: [Int64]] = try await deps.store.read { r in
            let due = try await r.unpaidDueDates(dueOnOrBefore: asOf.adding(days: -first))
            var keys: [String: (stage: Int, id: Int64)] = [:]
            for p in due {
                for stage in stages where p.effectiveDueDate.adding(days: stage) <= asOf {
                    keys[Self.key(proformaID: p.proformaID, stage: stage, extendedDueDate: p.extendedDueDate)] = (stage, p.proformaID)
                }
            }
            let sent = try await r.outboxKeys(among: Array(keys.keys))
            return Dictionary(grouping: keys.filter { !sent.contains($0.key) }.values, by: \.stage).mapValues { $0.map(\.id).sorted() }
        }
        var result = DailyTaskResult()
        for stage in stages {
            let part = await DailyUnits.each(owed[stage] ?? [], task: "remind", entity: "proforma", deps: deps) { id, tx in
                guard let p = try await tx.proforma(id: id, forUpdate: false), p.state == .unpaid, p.effectiveDueDate.adding(days: stage) <= asOf else { return 0 }
                let key = Self.key(proformaID: id, stage: stage, extendedDueDate: p.extendedDueDate)
                try await tx.enqueue(OutboxEvent(kind: .overdueReminder, key: key, clientID: p.clientID, payload: ["proformaID": String(id), "number": p.number, "daysOverdue": String(stage), "total": p.totals.gross.description], createdAt: deps.clock.now()))
                return 1
            }
            result.done += part.done
            result.failures += part.failures
        }
        return result
    }
}

/// The daily billing duties of one day, in order: renewals, lapsed orders, reminders, suspensions, terminations.
/// Each unit (a client's renewals, a proforma, a service) commits on its own; failures are collected, audited and
/// recorded with the day, and never stop the rest.
public struct DailyBillingTasks: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Summary: Sendable, CustomStringConvertible {
        public let run: BillingRunReport
        public let lapsedOrders: Int
        public let reminders: Int
        public let suspended: Int
        public let terminated: Int
        public let failures: [DailyTaskFailure]
        /// No task had work on the day, so none ran (`catchUp`).
        public private(set) var quiet = false

        init(run: BillingRunReport, lapsedOrders: Int, reminders: Int, suspended: Int, terminated: Int, failures: [DailyTaskFailure]) {
            self.run = run
            self.lapsedOrders = lapsedOrders
            self.reminders = reminders
            self.suspended = suspended
            self.terminated = terminated
            self.failures = failures
        }

        init(quiet day: CivilDate) {
            self.init(run: BillingRunReport(asOf: day), lapsedOrders: 0, reminders: 0, suspended: 0, terminated: 0, failures: [])
            quiet = true
        }

        public var description: String {
            if quiet { return "as of \(run.asOf): nothing due (no task had work)" }
            var text = "as of \(run.asOf): \(run.servicesConsidered) services considered, \(run.proformasIssued) renewal proformas issued (\(run.periodsInvoiced) periods), \(run.skippedAlreadyIssued) already issued; \(lapsedOrders) lapsed orders cancelled, \(reminders) reminders queued, \(suspended) services suspended, \(terminated) terminated; \(failures.count) failures"
            for f in failures { text += "\n  failed: \(f)" }
            return text
        }
    }

    public func callAsFunction(asOf: CivilDate) async throws -> Summary {
        try await run(asOf: asOf, recordingQuietDays: [])
    }

    /// The day's tasks; `quiet` days found before it are recorded in the same transaction as its report.
    func run(asOf: CivilDate, recordingQuietDays quiet: [DailyRunReport]) async throws -> Summary {
        let started = deps.clock.now()
        let run = try await RunBilling(deps).issueRenewals(asOf: asOf)
        let billed = deps.clock.now()
        let lapsed = try await CancelLapsedOrders(deps)(asOf: asOf)
        let reminders = try await SendOverdueReminders(deps)(asOf: asOf)
        let suspended = try await SuspendOverdueServices(deps)(asOf: asOf)
        let terminated = try await TerminateSuspendedServices(deps)(asOf: asOf)
        let failures = run.failures.map { DailyTaskFailure(task: "renew", entity: "client", entityID: $0.clientID, reason: $0.reason) }
            + lapsed.failures + reminders.failures + suspended.failures + terminated.failures
        let report = DailyRunReport(asOf: asOf, startedAt: started, finishedAt: deps.clock.now(), failures: failures)
        try await deps.store.write { tx in
            try await tx.record(quietDays: quiet)
            try await tx.insert(report: run, startedAt: started, finishedAt: billed)
            try await tx.record(dailyRun: report)
            try await tx.append(failures.map { f in
                AuditEntry(actor: .system, action: "daily_task.failed", entity: f.entity, entityID: f.entityID, before: nil, after: auditJSON(["task": f.task, "day": asOf.description, "reason": f.reason]), at: report.finishedAt)
            })
        }
        return Summary(run: run, lapsedOrders: lapsed.done, reminders: reminders.done, suspended: suspended.done, terminated: terminated.done, failures: failures)
    }

    /// Runs every day from the one after the last recorded run through `today`, in order, so days the worker missed
    /// (an outage, a deploy) end as they would have on time. The first run ever, or a gap longer than `maxDays`,
    /// starts at `today` (or `maxDays` back).
    ///
    /// After a day that ended without failures, the days before the next one on which some task has work
    /// (`nextDayWithWork`) are recorded as quiet without running the tasks: a catch-up costs the days with work,
    /// not the days missed. Today always runs.
    public func catchUp(through today: CivilDate, maxDays: Int = 366) async throws -> [Summary] {
        let last = try await deps.store.read { r in try await r.lastDailyRun() }
        var day = today
        if let last, last < today { day = max(last.adding(days: 1), today.adding(days: 1 - maxDays)) }
        var summaries: [Summary] = []
        // Quiet days are recorded with the next day's report (a crash before it only means they are looked at
        // again); today is always that next day at the latest.
        var quiet: [DailyRunReport] = []
        while day <= today {
            let summary = try await run(asOf: day, recordingQuietDays: quiet)
            quiet = []
            summaries.append(summary)
            day = day.adding(days: 1)
            guard summary.failures.isEmpty, day <= today else { continue }
            // Today always runs in full: what clients and staff did today may have work for it.
            let next = min(try await nextDayWithWork(after: day.adding(days: -1)) ?? today, today)
            let now = deps.clock.now()
            while day < next {
                quiet.append(DailyRunReport(asOf: day, startedAt: now, finishedAt: now, failures: []))
                summaries.append(Summary(quiet: day))
                day = day.adding(days: 1)
            }
        }
        return summaries
    }

    /// The first day after `day` on which a daily task has work, given that every task did all its work for `day`.
    /// Between runs only the tasks change the data, so work appears on the day a date crosses its threshold: a
    /// service's next invoice date less the renewal lead, an unpaid proforma's effective due date plus a reminder
    /// stage, the grace before suspension or (for an order) the days before it lapses, and a non-payment hold's
    /// day plus the days before termination. Nil when nothing is ahead.
    public func nextDayWithWork(after day: CivilDate) async throws -> CivilDate? {
        let policy = deps.policy
        let dueOffsets = policy.reminderDays + [policy.suspendAfterDays]
        let longest = max(dueOffsets.max() ?? 0, policy.orderCancelDays)
        let ahead = try await deps.store.read { [deps] r in
            try await r.dailyWorkAhead(
                invoiceAfter: day.adding(days: policy.renewalLeadDays), dueAfter: day.adding(days: -longest),
                holdsFrom: deps.startOfDay(day.adding(days: 1 - policy.terminateAfterDays)))
        }
        var days: [CivilDate] = []
        if let invoice = ahead.nextInvoiceDate { days.append(invoice.adding(days: -policy.renewalLeadDays)) }
        for due in ahead.unpaidDue {
            days += dueOffsets.map { due.date.adding(days: $0) }
            if due.origin == .order { days.append(due.date.adding(days: policy.orderCancelDays)) }
        }
        if let hold = ahead.earliestHold { days.append(deps.civilDate(of: hold).adding(days: policy.terminateAfterDays)) }
        return days.filter { $0 > day }.min()
    }
}
