import Testing

@testable import Domain

@Suite("Money and VAT arithmetic")
struct MoneyTests {
    @Test(arguments: [
        (Int64(5), Int64(10), Int64(1)), (4, 10, 0), (-5, 10, -1), (-4, 10, 0), (15, 10, 2), (25, 10, 3), (0, 7, 0),
    ])
    func roundingIsHalfUpAwayFromZero(n: Int64, d: Int64, expected: Int64) {
        #expect(roundHalfUp(n, dividedBy: d) == expected)
    }

    @Test(arguments: [
        ("12.34", Int64(1234)), ("12.3", 1230), ("12", 1200), ("-0.50", -50), ("0.05", 5),
    ])
    func amountsParseExactly(text: String, minor: Int64) {
        #expect(Money.parseMinor(text) == minor)
    }

    @Test(arguments: ["12.345", "1,00", "abc", "", "12.", ".5", "1e3"])
    func malformedAmountsAreRejected(text: String) {
        #expect(Money.parseMinor(text) == nil)
    }

    @Test func formatsWithTwoDecimals() {
        #expect(Money(minor: 123456, currency: .RON).description == "1234.56 RON")
        #expect(Money(minor: -5, currency: .EUR).decimalString == "-0.05")
    }

    @Test func vatIsPerRateOnTheSumOfLines() {
        // domain.md §6.5: 3 lines × 0.03 @21 % → 0.02 per invoice (per line it would be 0.03).
        let t = InvoiceTotals(currency: .RON, lines: Array(repeating: (Int64(3), VatCategory.standard, 2100), count: 3))
        #expect(t.vatMinor == 2)
        let seven = InvoiceTotals(
            currency: .RON, lines: Array(repeating: (Int64(999), VatCategory.standard, 2100), count: 7))
        #expect(seven.vatMinor == 1469)
        #expect(seven.grossMinor == 6993 + 1469)
    }

    @Test func mixedRatesGetOneSubtotalEach() {
        let t = InvoiceTotals(
            currency: .EUR, lines: [(10000, .standard, 2100), (5000, .standard, 1900), (2000, .standard, 2100)])
        #expect(t.subtotals.map(\.taxableMinor) == [12000, 5000])
        #expect(t.subtotals.map(\.vatMinor) == [2520, 950])
        #expect(t.vatMinor == 3470)
    }

    @Test func ronEquivalentOfForeignVat() {
        let rate = ExchangeRate(currency: .EUR, ronPerUnitE4: 50893, date: CivilDate("2026-03-01")!)
        #expect(rate.toRON(210) == 1069)
        #expect(rate.rateString == "5.0893")
    }
}
