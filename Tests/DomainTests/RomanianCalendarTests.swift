import Domain
import Testing

@Suite("Romanian calendar and the e-Factura deadline (domain.md §2.1 vectors)")
struct RomanianCalendarTests {
    @Test(arguments: [(2024, "2024-05-05"), (2025, "2025-04-20"), (2026, "2026-04-12"), (2027, "2027-05-02")])
    func orthodoxEaster(year: Int, expected: String) {
        #expect(RomanianCalendar.orthodoxEaster(year).description == expected)
    }

    @Test(arguments: [
        ("2026-01-05", "2026-01-14"), ("2026-04-08", "2026-04-17"), ("2026-05-28", "2026-06-05"),
        ("2026-12-23", "2026-12-31"),
    ])
    func fiveWorkingDaysFromIssue(issued: String, deadline: String) {
        #expect(EFacturaDeadline.deadline(issuedOn: CivilDate(issued)!).description == deadline)
    }

    @Test func holidaysAndWeekends() {
        #expect(!RomanianCalendar.isWorkingDay(CivilDate("2026-04-10")!), "Orthodox Good Friday")
        #expect(!RomanianCalendar.isWorkingDay(CivilDate("2026-06-01")!), "Children's Day and Rusalii Monday")
        #expect(!RomanianCalendar.isWorkingDay(CivilDate("2026-11-21")!), "a Saturday")
        #expect(RomanianCalendar.isWorkingDay(CivilDate("2026-11-23")!), "a Monday")
        #expect(
            EFacturaDeadline.deadline(issuedOn: CivilDate("2025-12-30")!).description == "2026-01-04",
            "5 calendar days before 2026")
    }
}
