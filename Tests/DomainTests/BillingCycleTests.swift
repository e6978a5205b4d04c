import Testing

@testable import Domain

private func d(_ s: String) -> CivilDate { CivilDate(s)! }

@Suite("Billing cycles: anchored due dates with month-end clamping")
struct BillingCycleTests {
    @Test(arguments: [
        ("2024-01-31", BillingCycle.monthly, ["2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"]),
        ("2025-01-31", .monthly, ["2025-02-28", "2025-03-31", "2025-04-30"]),
        ("2025-01-30", .monthly, ["2025-02-28", "2025-03-30", "2025-04-30"]),
        ("2024-11-30", .quarterly, ["2025-02-28", "2025-05-30", "2025-08-30", "2025-11-30"]),
        ("2025-08-31", .semiannual, ["2026-02-28", "2026-08-31", "2027-02-28"]),
        ("2024-02-29", .annual, ["2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"]),
        ("2024-02-29", .biennial, ["2026-02-28", "2028-02-29", "2030-02-28"]),
        ("2025-12-31", .monthly, ["2026-01-31", "2026-02-28", "2026-03-31"]),
    ])
    func dueDatesFollowTheAnchor(anchor: String, cycle: BillingCycle, expected: [String]) {
        let dates = (1...expected.count).map { cycle.dueDate(anchor: d(anchor), index: $0).description }
        #expect(dates == expected)
    }

    @Test func aPeriodEndsTheDayBeforeTheNextDueDate() {
        let p = BillingCycle.monthly.period(anchor: d("2025-01-31"), index: 1)
        #expect(p == ServicePeriod(index: 1, start: d("2025-02-28"), end: d("2025-03-30")))
    }

    @Test(arguments: ["2025-02-29", "2025-13-01", "2025-1-01", "20250101", "2024-04-31", ""])
    func impossibleDatesAreRejected(text: String) {
        #expect(CivilDate(text) == nil)
    }

    @Test func dayNumbersRoundTripAcrossLeapYears() {
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CivilDate(dayNumber: n).dayNumber == n)
        }
        #expect(d("1970-01-01").dayNumber == 0)
        #expect(d("2000-03-01").adding(days: -1) == d("2000-02-29"))
        #expect(d("2100-03-01").adding(days: -1) == d("2100-02-28"))
    }
}
