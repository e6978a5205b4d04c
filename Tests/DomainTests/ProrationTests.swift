import Testing

@testable import Domain

private func d(_ s: String) -> CivilDate { CivilDate(s)! }

/// An upgrade pays the difference of a whole period's prices, times the days left (the day of the change included)
/// over the period's days, rounded half up.
@Suite("Proration of an upgrade over the rest of the paid period")
struct ProrationTests {
    @Test(arguments: [
        // A 31-day month from its first day: the whole difference.
        ("2026-01-15", BillingCycle.monthly, "2026-01-15", 100_00, 150_00, 50_00),
        // Its last day: one day of 31 (50.00 / 31 = 1.6129 → 1.61).
        ("2026-01-15", .monthly, "2026-02-14", 100_00, 150_00, 1_61),
        // Anchored on Jan 31: the February period is Feb 28 – Mar 30 (31 days in 2025); half-way.
        ("2025-01-31", .monthly, "2025-03-15", 100_00, 131_00, 16_00),
        // A leap February: Jan 31 2024 → the period Feb 29 – Mar 30 has 31 days; from Mar 1, 30 of them.
        ("2024-01-31", .monthly, "2024-03-01", 100_00, 131_00, 30_00),
        // Annual over a leap year: 366 days; 184 left from 2024-07-01 (to 2024-12-31).
        ("2024-01-01", .annual, "2024-07-01", 1000_00, 1366_00, 184_00),
        // Annual not leap: 365 days; the last day: 100.00 × 1 / 365 = 0.2739… → 0.27.
        ("2025-01-01", .annual, "2025-12-31", 1000_00, 1100_00, 27),
    ])
    func theDifferenceIsProratedByDays(
        anchor: String, cycle: BillingCycle, day: String, old: Int64, new: Int64, expected: Int64
    ) {
        let a = d(anchor)
        var k = 0
        while cycle.period(anchor: a, index: k).end < d(day) { k += 1 }
        let period = cycle.period(anchor: a, index: k)
        #expect(
            PlanChange.proratedDifference(
                from: Money(minor: old, currency: .RON), to: Money(minor: new, currency: .RON), over: period,
                from: d(day)) == expected, "\(period)")
    }

    @Test func halfACentRoundsUp() {
        // 1 day of 2: 0.01 × 1 / 2 = 0.005 → 0.01.
        let period = ServicePeriod(index: 0, start: d("2026-01-01"), end: d("2026-01-02"))
        #expect(
            PlanChange.proratedDifference(
                from: Money(minor: 0, currency: .RON), to: Money(minor: 1, currency: .RON), over: period,
                from: d("2026-01-02")) == 1)
    }

    @Test func aServiceKnowsThePaidPeriodOfADayAndASwitchDropsAScheduledDowngrade() throws {
        let s = HostingService(
            id: 1, clientID: 1, planID: 1, domain: "a.ro", cycle: .monthly, price: Money(minor: 100_00, currency: .RON),
            anchor: d("2026-01-15"), invoicedPeriods: 2, paidPeriods: 2, lifecycle: .live(holds: []))
        #expect(s.paidPeriod(containing: d("2026-02-20"))?.index == 1)
        #expect(s.paidPeriod(containing: d("2026-03-15")) == nil)
        let cheaper = PlanChange(planID: 2, price: Money(minor: 50_00, currency: .RON))
        let scheduled = try s.scheduling(cheaper)
        #expect(scheduled.planID == 1 && scheduled.scheduledChange == cheaper)
        #expect(scheduled.applyingScheduledChange().price.minor == 50_00)
        let dearer = try scheduled.switching(to: PlanChange(planID: 3, price: Money(minor: 200_00, currency: .RON)))
        #expect(dearer.planID == 3 && dearer.scheduledChange == nil)
    }
}
