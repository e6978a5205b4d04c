import Foundation

public enum HoldReason: String, Sendable, Codable, CaseIterable {
    case nonPayment = "non_payment"
    case abuse
    case other
}

/// One reason a service is suspended. Several may stand at once; each is lifted on its own.
public struct Hold: Sendable, Hashable, Codable {
    public let id: Int64
    public let reason: HoldReason
    public let placedBy: Actor
    public let placedAt: Date
    public let note: String?
    /// For a non-payment hold: the proforma whose payment lifts it.
    public let proformaID: Int64?

    public init(id: Int64, reason: HoldReason, placedBy: Actor, placedAt: Date, note: String?, proformaID: Int64?) {
        self.id = id
        self.reason = reason
        self.placedBy = placedBy
        self.placedAt = placedAt
        self.note = note
        self.proformaID = proformaID
    }
}

public enum ServiceState: String, Sendable, Codable, CaseIterable {
    case pending, active, suspended, terminated
}

public enum ServiceTransitionError: Error, Sendable, Equatable {
    case notAllowed(from: ServiceState, action: String)
}

/// A hosting account billed on a cycle. Due dates are anchored to `anchor` (the first due date).
public struct HostingService: Sendable, Hashable {
    public let id: Int64
    public let clientID: Int64
    public let planID: Int64
    public let domain: String
    public let cycle: BillingCycle
    public let price: Money
    public let anchor: CivilDate
    /// Periods already put on a proforma: the next renewal bills period `invoicedPeriods`.
    public let invoicedPeriods: Int
    /// Periods paid for: the service is paid up to the day before due(paidPeriods).
    public let paidPeriods: Int
    public let lifecycle: Lifecycle
    /// The last day of a service cancelled at the end of its paid period: it is not renewed after it and ends the
    /// next day. Nil while it renews.
    public let endsOn: CivilDate?
    /// A cheaper plan the client chose: it takes over with the next renewal billed.
    public let scheduledChange: PlanChange?

    public init(
        id: Int64, clientID: Int64, planID: Int64, domain: String, cycle: BillingCycle, price: Money,
        anchor: CivilDate, invoicedPeriods: Int, paidPeriods: Int, lifecycle: Lifecycle, endsOn: CivilDate? = nil,
        scheduledChange: PlanChange? = nil
    ) {
        self.scheduledChange = scheduledChange
        self.endsOn = endsOn
        self.id = id
        self.clientID = clientID
        self.planID = planID
        self.domain = domain
        self.cycle = cycle
        self.price = price
        self.anchor = anchor
        self.invoicedPeriods = invoicedPeriods
        self.paidPeriods = paidPeriods
        self.lifecycle = lifecycle
    }

    public var state: ServiceState { lifecycle.state }

    public var holds: [Hold] {
        if case .live(let holds) = lifecycle { return holds }
        return []
    }

    /// The first unpaid due date: what the client sees as "next due".
    public var nextDueDate: CivilDate { cycle.dueDate(anchor: anchor, index: paidPeriods) }

    /// The next period a renewal proforma would bill.
    public var nextPeriodToInvoice: ServicePeriod { cycle.period(anchor: anchor, index: invoicedPeriods) }

    /// Renewal periods that must be on a proforma by `asOf`: each period whose start is within `leadDays`.
    /// Catches up every missed period, never skips one.
    public func periodsToInvoice(asOf: CivilDate, leadDays: Int) -> [ServicePeriod] {
        guard state == .active || (state == .suspended && holds.allSatisfy { $0.reason == .nonPayment }) else {
            return []
        }
        var result: [ServicePeriod] = []
        var k = invoicedPeriods
        while result.count < 1000 {
            let p = cycle.period(anchor: anchor, index: k)
            guard p.start.adding(days: -leadDays) <= asOf, endsOn.map({ p.start <= $0 }) ?? true else { break }
            result.append(p)
            k += 1
        }
        return result
    }

    /// The first day of the next period a renewal will bill; nil when the service ends before it.
    public var renewsOn: CivilDate? {
        let start = nextPeriodToInvoice.start
        return endsOn.map { start <= $0 } ?? true ? start : nil
    }

    func with(
        lifecycle: Lifecycle? = nil, invoicedPeriods: Int? = nil, paidPeriods: Int? = nil, endsOn: CivilDate?? = nil,
        plan: PlanChange? = nil, scheduledChange: PlanChange?? = nil
    ) -> HostingService {
        HostingService(
            id: id, clientID: clientID, planID: plan?.planID ?? planID, domain: domain, cycle: cycle,
            price: plan?.price ?? price, anchor: anchor,
            invoicedPeriods: invoicedPeriods ?? self.invoicedPeriods, paidPeriods: paidPeriods ?? self.paidPeriods,
            lifecycle: lifecycle ?? self.lifecycle, endsOn: endsOn ?? self.endsOn,
            scheduledChange: scheduledChange ?? self.scheduledChange)
    }

    // MARK: Named transitions

    public func invoiced(through period: ServicePeriod) -> HostingService {
        with(invoicedPeriods: max(invoicedPeriods, period.index + 1))
    }

    /// The periods from `index` on are no longer on any proforma (theirs was cancelled): the next renewal bills
    /// them again. Only the latest billed periods can go back, or a later one would be billed twice.
    public func released(from index: Int) throws(ServiceTransitionError) -> HostingService {
        guard index < invoicedPeriods else { return self }
        guard case .live = lifecycle else { throw .notAllowed(from: state, action: "release periods") }
        return with(invoicedPeriods: index)
    }

    /// A paid period extends the service only as far as every period before it is paid: `paidIndexes` are the
    /// periods of this service on paid proformas. Paying a later renewal first never covers an earlier unpaid
    /// period; paying that one afterwards covers both. A pending service (a paid order) becomes active.
    public func paid(_ period: ServicePeriod, paidIndexes: Set<Int>) throws(ServiceTransitionError) -> HostingService {
        let covered = paidIndexes.union([period.index])
        var paid = paidPeriods
        while covered.contains(paid) { paid += 1 }
        switch lifecycle {
        case .pending: return with(lifecycle: .live(holds: []), paidPeriods: paid)
        case .live: return with(paidPeriods: paid)
        case .terminated: throw .notAllowed(from: .terminated, action: "pay")
        }
    }

    /// The payment for `periods` was taken back (a bounced transfer, a chargeback): the service is paid only up to
    /// the first of them.
    public func paymentReversed(for periods: Set<Int>) -> HostingService {
        guard let first = periods.min() else { return self }
        return with(paidPeriods: min(paidPeriods, first))
    }

    /// A pending service whose order is paid after the day it was ordered starts on `day`: its periods are anchored
    /// there, so the client gets the whole first period they paid for.
    public func starting(on day: CivilDate) throws(ServiceTransitionError) -> HostingService {
        guard case .pending = lifecycle else { throw .notAllowed(from: state, action: "start") }
        return HostingService(
            id: id, clientID: clientID, planID: planID, domain: domain, cycle: cycle, price: price, anchor: day,
            invoicedPeriods: invoicedPeriods, paidPeriods: paidPeriods, lifecycle: lifecycle, endsOn: endsOn,
            scheduledChange: scheduledChange)
    }

    public func suspended(by hold: Hold) throws(ServiceTransitionError) -> HostingService {
        guard case .live(let holds) = lifecycle else { throw .notAllowed(from: state, action: "suspend") }
        return with(lifecycle: .live(holds: holds + [hold]))
    }

    /// Lifts the holds `which` selects; the service is active again only when none remain.
    public func lifting(_ which: (Hold) -> Bool) throws(ServiceTransitionError) -> (
        service: HostingService, lifted: [Hold]
    ) {
        guard case .live(let holds) = lifecycle else { throw .notAllowed(from: state, action: "unsuspend") }
        let lifted = holds.filter(which)
        return (with(lifecycle: .live(holds: holds.filter { !which($0) })), lifted)
    }

    /// The client cancels at the end of what is paid: the service runs to the day before its first unpaid due date
    /// and is not renewed after it. Periods billed beyond it must come off their proformas (`released(from:)`).
    public func cancellingAtPeriodEnd() throws(ServiceTransitionError) -> HostingService {
        guard case .live = lifecycle else { throw .notAllowed(from: state, action: "cancel") }
        return with(endsOn: .some(nextDueDate.adding(days: -1)))
    }

    /// The cancellation is withdrawn before the service ended: it renews again as before.
    public func withdrawingCancellation() throws(ServiceTransitionError) -> HostingService {
        guard case .live = lifecycle, endsOn != nil else {
            throw .notAllowed(from: state, action: "withdraw a cancellation")
        }
        return with(endsOn: .some(nil))
    }

    /// The paid period that contains `day`, if the service is paid through it.
    public func paidPeriod(containing day: CivilDate) -> ServicePeriod? {
        var k = 0
        while k < paidPeriods {
            let p = cycle.period(anchor: anchor, index: k)
            if p.start <= day && day <= p.end { return p }
            if p.start > day { return nil }
            k += 1
        }
        return nil
    }

    /// Another plan at once (an upgrade, or a change at the same price); a scheduled downgrade is dropped.
    public func switching(to change: PlanChange) throws(ServiceTransitionError) -> HostingService {
        guard case .live = lifecycle else { throw .notAllowed(from: state, action: "change plan") }
        return with(plan: change, scheduledChange: .some(nil))
    }

    /// A cheaper plan from the next renewal on; nil takes a scheduled change back.
    public func scheduling(_ change: PlanChange?) throws(ServiceTransitionError) -> HostingService {
        guard case .live = lifecycle else { throw .notAllowed(from: state, action: "change plan") }
        return with(scheduledChange: .some(change))
    }

    /// The scheduled plan takes over (the renewal that bills it is being issued).
    public func applyingScheduledChange() -> HostingService {
        guard let change = scheduledChange else { return self }
        return with(plan: change, scheduledChange: .some(nil))
    }

    public func terminated(on date: Date) throws(ServiceTransitionError) -> HostingService {
        if case .terminated = lifecycle { throw .notAllowed(from: .terminated, action: "terminate") }
        return with(lifecycle: .terminated(on: date))
    }
}

/// A plan and the price the service pays on it (per its billing cycle).
public struct PlanChange: Sendable, Hashable {
    public let planID: Int64
    public let price: Money

    public init(planID: Int64, price: Money) {
        self.planID = planID
        self.price = price
    }

    /// What an upgrade costs for the rest of `period`, from `day` on: the difference between the two prices of a
    /// whole period, times the days left (`day` included) over the period's days, rounded half up.
    public static func proratedDifference(
        from old: Money, to new: Money, over period: ServicePeriod, from day: CivilDate
    )
        -> Int64
    {
        let total = Int64(period.start.days(until: period.end) + 1)
        let left = Int64(max(0, day.days(until: period.end) + 1))
        return roundHalfUp((new.minor - old.minor) * min(left, total), dividedBy: total)
    }
}

extension HostingService {
    /// Where a service is in its life. "Suspended" is not stored: it is a live service with holds, so a service
    /// can never be suspended without a reason or active with one.
    public enum Lifecycle: Sendable, Hashable {
        case pending
        case live(holds: [Hold])
        case terminated(on: Date)

        public var state: ServiceState {
            switch self {
            case .pending: .pending
            case .live(let holds): holds.isEmpty ? .active : .suspended
            case .terminated: .terminated
            }
        }
    }
}
