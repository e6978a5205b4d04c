import Domain
import Foundation

/// Moving a service to another plan of the same cycle and currency. A dearer plan takes effect at once, with an
/// order proforma for the price difference over the rest of the paid period (prorated by days, rounded half up; a
/// period paid ahead costs the whole difference); a cheaper one takes effect with the next renewal; the same price
/// switches at once. Choosing the current plan again takes a scheduled downgrade back.
public struct ChangePlan: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public enum Effect: Sendable, Equatable {
        /// Now, for `charge` (lines of the proforma it issues; none when nothing is due).
        case now(charge: Money, lines: [InvoiceLine])
        /// With the renewal of the period starting on `from`.
        case atRenewal(from: CivilDate)
        /// The plan it has (a scheduled change, if any, is taken back).
        case unchanged
    }

    public struct Quote: Sendable {
        public let service: HostingService
        public let current: HostingPlan
        public let target: HostingPlan
        public let newPrice: Money
        public let effect: Effect
    }

    public struct Outcome: Sendable {
        public let service: HostingService
        public let effect: Effect
        /// The proforma for an upgrade's difference.
        public let proforma: ProformaInvoice?
    }

    /// What the change would do, without doing it (the change-plan page).
    public func quote(serviceID: Int64, ownedBy clientID: Int64?, planID: Int64) async throws -> Quote {
        let today = deps.today()
        return try await deps.store.read { r in try await decide(serviceID, clientID, planID, today: today, in: r) }
    }

    public func callAsFunction(serviceID: Int64, ownedBy clientID: Int64?, planID: Int64, actor: Actor) async throws
        -> Outcome
    {
        let today = deps.today()
        return try await deps.store.write { tx in
            guard try await tx.service(id: serviceID, forUpdate: true) != nil else {
                throw UseCaseError.notFound("service")
            }
            let q = try await decide(serviceID, clientID, planID, today: today, in: tx)
            let s = q.service
            let now = deps.clock.now()
            let change = PlanChange(planID: q.target.id, price: q.newPrice)
            let next: HostingService
            var proforma: ProformaInvoice?
            do {
                switch q.effect {
                case .now: next = try s.switching(to: change)
                case .atRenewal: next = try s.scheduling(change)
                case .unchanged: next = try s.scheduling(nil)
                }
            } catch { throw UseCaseError.mapping(error) }
            if next == s { return Outcome(service: s, effect: q.effect, proforma: nil) }
            try await tx.update(service: next, at: now)
            try await tx.append(
                AuditEntry(
                    actor: actor,
                    action: {
                        switch q.effect {
                        case .now: "service.plan_changed"
                        case .atRenewal: "service.plan_change_scheduled"
                        case .unchanged: "service.plan_change_withdrawn"
                        }
                    }(), entity: "service", entityID: s.id,
                    before: auditJSON(["plan": q.current.code, "price": s.price.description]),
                    after: auditJSON(["plan": q.target.code, "price": q.newPrice.description]), at: now))
            if case .now(let charge, let lines) = q.effect, charge.minor > 0 {
                let profile = try await tx.chosenProfile(clientID: s.clientID, id: nil)
                proforma = try await ProformaIssuer(deps: deps).issue(
                    in: tx, clientID: s.clientID, profile: profile, origin: .order, currency: charge.currency,
                    lines: lines, issueDate: today, dueDate: today.adding(days: deps.policy.orderDueDays),
                    actor: actor)
            }
            return Outcome(service: next, effect: q.effect, proforma: proforma)
        }
    }

    private func decide(
        _ serviceID: Int64, _ clientID: Int64?, _ planID: Int64, today: CivilDate, in r: any StoreReader
    ) async throws -> Quote {
        guard let s = try await r.service(id: serviceID, forUpdate: false),
            clientID.map({ $0 == s.clientID }) ?? true
        else { throw UseCaseError.notFound("service") }
        guard s.state == .active else {
            throw UseCaseError.conflict(
                rule: "plan-change.not-active",
                message: s.state == .suspended
                    ? "\(s.domain) is suspended: its plan can change once it is active again."
                    : "\(s.domain) is not active, so its plan cannot change.")
        }
        guard s.endsOn == nil else {
            throw UseCaseError.conflict(
                rule: "plan-change.ending",
                message: "\(s.domain) is cancelled: withdraw the cancellation before changing its plan.")
        }
        guard let current = try await r.plan(id: s.planID) else { throw UseCaseError.notFound("plan") }
        guard let target = try await r.plan(id: planID), target.id == current.id || !target.retired else {
            throw UseCaseError.invalid(
                ValidationFailure(field: "planId", rule: "plan.not-sold", message: "Choose one of the plans on sale."))
        }
        guard target.currency == s.price.currency, let newPrice = target.price(for: s.cycle) else {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "planId", rule: "plan-change.same-terms",
                    message:
                        "Choose a plan sold \(s.cycle.rawValue) in \(s.price.currency.rawValue), like the service's."))
        }
        if target.id == s.planID {
            return Quote(service: s, current: current, target: target, newPrice: s.price, effect: .unchanged)
        }
        // An open proforma bills the service at its current price: it is paid (or lapses) first.
        for pid in try await r.unpaidProformas(serviceID: s.id) {
            if let p = try await r.proforma(id: pid, forUpdate: false), p.state == .unpaid {
                throw UseCaseError.conflict(
                    rule: "plan-change.unpaid",
                    message: "Proforma \(p.number) for \(s.domain) is unpaid: pay it before changing the plan.")
            }
        }
        if newPrice.minor < s.price.minor {
            return Quote(
                service: s, current: current, target: target, newPrice: newPrice,
                effect: .atRenewal(from: s.nextPeriodToInvoice.start))
        }
        guard let period = s.paidPeriod(containing: today) else {
            throw UseCaseError.conflict(
                rule: "plan-change.not-active", message: "\(s.domain) is not in a paid period today.")
        }
        var lines: [InvoiceLine] = []
        let rest = PlanChange.proratedDifference(from: s.price, to: newPrice, over: period, from: today)
        if rest > 0 {
            let days = today.days(until: period.end) + 1
            lines.append(
                InvoiceLine(
                    serviceID: s.id, period: nil,
                    description:
                        "Upgrade \(current.name) → \(target.name) – \(s.domain) (\(today) – \(period.end), \(days) of \(period.start.days(until: period.end) + 1) days)",
                    unitPriceMinor: rest))
        }
        // Periods paid ahead cost the whole difference.
        for k in (period.index + 1)..<max(period.index + 1, s.paidPeriods) {
            let ahead = s.cycle.period(anchor: s.anchor, index: k)
            lines.append(
                InvoiceLine(
                    serviceID: s.id, period: nil,
                    description:
                        "Upgrade \(current.name) → \(target.name) – \(s.domain) (\(ahead.start) – \(ahead.end))",
                    unitPriceMinor: newPrice.minor - s.price.minor))
        }
        let charge = Money(minor: lines.map(\.netMinor).reduce(0, +), currency: newPrice.currency)
        return Quote(
            service: s, current: current, target: target, newPrice: newPrice, effect: .now(charge: charge, lines: lines)
        )
    }
}
