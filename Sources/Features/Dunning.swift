import Domain
import Foundation

/// Suspends, for non-payment, the services of renewal proformas still unpaid `suspendAfterDays` after their
/// due date. One hold per (service, proforma): running it again changes nothing.
public struct SuspendOverdueServices: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> Int {
        let ids = try await deps.store.read { r in try await r.unpaidProformas(dueOnOrBefore: asOf.adding(days: -deps.policy.suspendAfterDays)) }
        var suspended = 0
        for id in ids {
            suspended += try await deps.store.write { tx in
                guard let p = try await tx.proforma(id: id, forUpdate: true), p.state == .unpaid else { return 0 }
                var count = 0
                for sid in Set(p.lines.compactMap(\.serviceID)).sorted() {
                    guard let s = try await tx.service(id: sid, forUpdate: true), s.state == .active || s.state == .suspended,
                        !s.holds.contains(where: { $0.reason == .nonPayment && $0.proformaID == p.id })
                    else { continue }
                    let now = deps.clock.now()
                    let hold = try await tx.insertHold(serviceID: sid, reason: .nonPayment, by: .system, at: now, note: "\(p.number) unpaid since \(p.dueDate)", proformaID: p.id)
                    try await tx.update(service: try s.suspended(by: hold), at: now)
                    try await Suspensions.announce(hold: hold, service: s, proforma: p, in: tx, at: now)
                    count += 1
                }
                return count
            }
        }
        return suspended
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
}

/// Staff suspend a service for abuse or another reason, with a note. Independent of billing.
public struct SuspendService: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(serviceID: Int64, reason: String, note: String?, actor: Actor) async throws -> HostingService {
        guard let reason = HoldReason(rawValue: reason), reason != .nonPayment else {
            throw BillingError.invalid(ValidationFailure(field: "reason", rule: "reason.enum", message: "Staff suspend for abuse or other; non-payment suspension is automatic."))
        }
        let note = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason == .other, note?.isEmpty ?? true {
            throw BillingError.invalid(ValidationFailure(field: "note", rule: "required", message: "Say why the service is suspended."))
        }
        return try await deps.store.write { tx in
            guard let s = try await tx.service(id: serviceID, forUpdate: true) else { throw BillingError.notFound("service") }
            guard case .live = s.lifecycle else { throw BillingError.from(ServiceTransitionError.notAllowed(from: s.state, action: "suspend")) }
            let now = deps.clock.now()
            let hold = try await tx.insertHold(serviceID: serviceID, reason: reason, by: actor, at: now, note: note.map { String($0.prefix(1000)) }, proformaID: nil)
            let next = try s.suspended(by: hold)
            try await tx.update(service: next, at: now)
            try await Suspensions.announce(hold: hold, service: s, proforma: nil, in: tx, at: now)
            return next
        }
    }
}

/// Staff lift one hold (or every hold of a reason). The service is active again only when none remain.
public struct UnsuspendService: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(serviceID: Int64, holdID: Int64?, reason: String?, actor: Actor) async throws -> HostingService {
        let reason = reason.flatMap(HoldReason.init(rawValue:))
        return try await deps.store.write { tx in
            guard let s = try await tx.service(id: serviceID, forUpdate: true) else { throw BillingError.notFound("service") }
            guard s.state == .suspended else { throw BillingError.from(ServiceTransitionError.notAllowed(from: s.state, action: "unsuspend")) }
            let (next, lifted) = try s.lifting { h in (holdID == nil || h.id == holdID) && (reason == nil || h.reason == reason) }
            guard !lifted.isEmpty else { throw BillingError.notFound("hold") }
            let now = deps.clock.now()
            try await tx.liftHolds(ids: lifted.map(\.id), by: actor, at: now)
            try await tx.update(service: next, at: now)
            for h in lifted {
                try await tx.append(AuditEntry(actor: actor, action: "service.unsuspended", entity: "service", entityID: serviceID, before: auditJSON(["hold": String(h.id), "reason": h.reason.rawValue]), after: auditJSON(["state": next.state.rawValue]), at: now))
            }
            if next.state == .active {
                try await tx.enqueue(OutboxEvent(kind: .serviceReactivated, key: "reactivated:\(serviceID):\(lifted.map { String($0.id) }.joined(separator: ","))", clientID: s.clientID, payload: ["serviceID": String(serviceID), "domain": s.domain], createdAt: now))
            }
            try await ProvisioningRequests.afterLifting(lifted, next: next, in: tx, at: now)
            return next
        }
    }
}

/// Terminates services held for non-payment longer than `terminateAfterDays`, and cancels the unpaid
/// proformas left with only terminated services on them.
public struct TerminateSuspendedServices: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> Int {
        let limit = Calendar(identifier: .gregorian).date(byAdding: .day, value: -deps.policy.terminateAfterDays, to: deps.clock.now())!
        let ids = try await deps.store.read { r in try await r.servicesSuspendedSince(placedBefore: limit) }
        var terminated = 0
        for sid in ids {
            terminated += try await deps.store.write { tx in
                guard let s = try await tx.service(id: sid, forUpdate: true),
                    let oldest = s.holds.filter({ $0.reason == .nonPayment }).map(\.placedAt).min(), oldest <= limit
                else { return 0 }
                let now = deps.clock.now()
                let next = try s.terminated(on: now)
                try await tx.update(service: next, at: now)
                try await tx.append(AuditEntry(actor: .system, action: "service.terminated", entity: "service", entityID: sid, before: auditJSON(["state": s.state.rawValue]), after: auditJSON(["state": "terminated"]), at: now))
                try await tx.enqueue(OutboxEvent(kind: .serviceTerminated, key: "terminated:\(sid)", clientID: s.clientID, payload: ["serviceID": String(sid), "domain": s.domain], createdAt: now))
                try await ProvisioningRequests.request(.terminate, for: next, holds: [], key: "terminated", in: tx, at: now)
                for pid in Set(s.holds.compactMap(\.proformaID)) {
                    guard let p = try await tx.proforma(id: pid, forUpdate: true), p.state == .unpaid else { continue }
                    var allTerminated = true
                    for other in Set(p.lines.compactMap(\.serviceID)) where other != sid {
                        if try await tx.service(id: other, forUpdate: false)?.state != .terminated { allTerminated = false }
                    }
                    if allTerminated {
                        try await tx.update(proforma: try p.cancelled(), at: now)
                        try await tx.append(AuditEntry(actor: .system, action: "proforma.cancelled", entity: "proforma", entityID: pid, before: auditJSON(["state": "unpaid"]), after: auditJSON(["state": "cancelled", "why": "services terminated"]), at: now))
                    }
                }
                return 1
            }
        }
        return terminated
    }
}

/// Overdue reminders on the configured days after the due date; each stage once per proforma.
public struct SendOverdueReminders: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> Int {
        var queued = 0
        for stage in deps.policy.reminderDays.sorted() {
            let ids = try await deps.store.read { r in try await r.unpaidProformas(dueOnOrBefore: asOf.adding(days: -stage)) }
            for id in ids {
                queued += try await deps.store.write { tx in
                    guard let p = try await tx.proforma(id: id, forUpdate: false), p.state == .unpaid else { return 0 }
                    try await tx.enqueue(OutboxEvent(kind: .overdueReminder, key: "reminder:\(id):\(stage)", clientID: p.clientID, payload: ["proformaID": String(id), "number": p.number, "daysOverdue": String(stage), "total": p.totals.gross.description], createdAt: deps.clock.now()))
                    return 1
                }
            }
        }
        return queued
    }
}
