import Domain
import Foundation

/// Ending a service on request: the client (or staff for them) cancels at the end of the paid period and may
/// withdraw that until the last day; staff can also terminate at once.
public struct CancelService: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    /// The service runs to the last day already paid and is not renewed: no renewal proforma is issued after this,
    /// and its lines on unpaid proformas (renewals for later periods) come off them; a proforma left empty is
    /// cancelled. An unpaid upgrade difference stays due. A service whose paid time is already over (held for non-payment) ends today. `clientID` limits
    /// it to that client's services (404 otherwise); nil is staff. Asking again changes nothing.
    public func atPeriodEnd(serviceID: Int64, ownedBy clientID: Int64?, actor: Actor) async throws -> HostingService {
        let today = deps.today()
        return try await deps.store.write { tx in
            let s = try await Self.service(serviceID, ownedBy: clientID, in: tx)
            if s.endsOn != nil { return s }
            guard case .live = s.lifecycle else {
                throw UseCaseError.conflict(
                    rule: "service.not-live",
                    message: s.state == .pending
                        ? "\(s.domain) is not active yet: its order proforma lapses if it is not paid."
                        : "\(s.domain) has already ended.")
            }
            let now = deps.clock.now()
            // Later renewals first, so each release leaves no billed period after it.
            let unpaid = try await tx.unpaidProformas(serviceID: s.id).sorted(by: >)
            var removedFrom: [String] = []
            for pid in unpaid {
                guard let p = try await tx.proforma(id: pid, forUpdate: true), p.state == .unpaid else { continue }
                // An upgrade's difference (a line without a period) is for time already used: it stays due.
                let own = p.lines.filter { $0.serviceID == s.id }
                guard !own.isEmpty, own.allSatisfy({ $0.period != nil }) else { continue }
                let first = p.lines.filter { $0.serviceID == s.id }.compactMap(\.period?.index).min()
                try await ServiceEnding.removeLines(
                    of: [s.id], from: p, why: "\(s.domain) cancelled", by: actor, in: tx, deps: deps, at: now)
                removedFrom.append(p.number)
                // A proforma left with other lines is not cancelled, so its periods of this service are released here.
                if let first, let current = try await tx.service(id: s.id, forUpdate: true),
                    current.invoicedPeriods > first
                {
                    try await tx.update(service: try current.released(from: first), at: now)
                }
            }
            let current = try await tx.service(id: s.id, forUpdate: true)!
            let cancelled: HostingService
            do { cancelled = try current.cancellingAtPeriodEnd() } catch { throw UseCaseError.mapping(error) }
            let lastDay = cancelled.endsOn!
            try await tx.update(service: cancelled, at: now)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "service.cancellation_requested", entity: "service", entityID: s.id,
                    before: nil,
                    after: auditJSON([
                        "endsOn": lastDay.description, "removedFrom": removedFrom.joined(separator: ", "),
                    ]), at: now))
            if lastDay < today {
                try await ServiceEnding.end(
                    cancelled, on: today, reason: .cancelled, why: "cancelled after its paid period", by: actor,
                    in: tx, deps: deps, at: now)
                return try await tx.service(id: s.id, forUpdate: false)!
            }
            try await tx.enqueue(
                OutboxEvent(
                    kind: .serviceCancellationRequested, key: "cancel:\(s.id):\(lastDay)", clientID: s.clientID,
                    payload: [
                        "serviceID": String(s.id), "domain": s.domain, "endsOn": lastDay.description,
                        "removed": removedFrom.joined(separator: ", "),
                    ], createdAt: now))
            return cancelled
        }
    }

    /// Takes back a cancellation before the service ended: it renews again (the next daily run bills a renewal that
    /// is due).
    public func withdraw(serviceID: Int64, ownedBy clientID: Int64?, actor: Actor) async throws -> HostingService {
        try await deps.store.write { tx in
            let s = try await Self.service(serviceID, ownedBy: clientID, in: tx)
            guard let endsOn = s.endsOn else { return s }
            let renewed: HostingService
            do { renewed = try s.withdrawingCancellation() } catch { throw UseCaseError.mapping(error) }
            let now = deps.clock.now()
            try await tx.update(service: renewed, at: now)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "service.cancellation_withdrawn", entity: "service", entityID: s.id,
                    before: auditJSON(["endsOn": endsOn.description]), after: nil, at: now))
            return renewed
        }
    }

    /// Staff end a service today (abuse, the client's request by phone): deprovisioned, its unpaid lines removed,
    /// periods paid beyond today reversed into credit, the client told. `reason` is kept in the audit log.
    public func terminateNow(serviceID: Int64, reason: String, actor: Actor) async throws -> HostingService {
        let today = deps.today()
        var errors = FieldErrors()
        let why = errors.text("reason", reason, limit: 500)
        if why.isEmpty { errors.add("reason", "reason.required", "Say why the service is terminated.") }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        return try await deps.store.write { tx in
            let s = try await Self.service(serviceID, ownedBy: nil, in: tx)
            guard s.state != .terminated else {
                throw UseCaseError.conflict(rule: "service.not-live", message: "\(s.domain) has already ended.")
            }
            try await ServiceEnding.end(
                s, on: today, reason: .staff, why: why, by: actor, in: tx, deps: deps, at: deps.clock.now())
            return try await tx.service(id: s.id, forUpdate: false)!
        }
    }

    static func service(_ id: Int64, ownedBy clientID: Int64?, in tx: any StoreTransaction) async throws
        -> HostingService
    {
        guard let s = try await tx.service(id: id, forUpdate: true), clientID.map({ $0 == s.clientID }) ?? true else {
            throw UseCaseError.notFound("service")
        }
        return s
    }
}

/// Ends, the day after their last day, the services their clients cancelled at the end of the paid period.
public struct EndCancelledServices: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(asOf: CivilDate) async throws -> DailyTaskResult {
        let ids = try await deps.store.read { r in try await r.servicesEnding(before: asOf) }
        return await DailyUnits.each(ids, task: "end", entity: "service", deps: deps) { sid, tx in
            guard let s = try await tx.service(id: sid, forUpdate: true), let last = s.endsOn, last < asOf,
                case .live = s.lifecycle
            else { return 0 }
            try await ServiceEnding.end(
                s, on: last.adding(days: 1), reason: .cancelled, why: "cancelled by the client, last day \(last)",
                by: .system, in: tx, deps: deps, at: deps.clock.now())
            return 1
        }
    }
}
