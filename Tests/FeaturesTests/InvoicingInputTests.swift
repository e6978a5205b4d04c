import Domain
import Features
import Foundation
import Testing

/// The typed inputs of the Invoicing area, as the surfaces parse them.
@Suite("Invoicing: parsed inputs")
struct InvoicingInputTests {
    @Test func anExchangeRateIsParsedToFourDecimals() throws {
        let rate = try SetExchangeRate.parse(currency: "EUR", rate: "5.0893", date: "2026-01-14")
        #expect(rate == ExchangeRate(currency: .EUR, ronPerUnitE4: 50_893, date: CivilDate("2026-01-14")!))
        #expect(try SetExchangeRate.parse(currency: "USD", rate: "4.4", date: "2026-01-14").ronPerUnitE4 == 44_000)
        #expect(try SetExchangeRate.parse(currency: "USD", rate: "5", date: "2026-01-14").ronPerUnitE4 == 50_000)
    }

    @Test(arguments: [
        ("RON", "1.0000", "2026-01-14", ["currency"]), ("EUR", "5.08931", "2026-01-14", ["rate"]),
        ("EUR", "0", "2026-01-14", ["rate"]), ("EUR", "-5.1", "2026-01-14", ["rate"]),
        ("EUR", "5,09", "2026-01-14", ["rate"]),
        ("GBP", "x", "14.01.2026", ["currency", "rate", "date"]),
    ])
    func aBadRateNamesEveryBadField(currency: String, rate: String, date: String, fields: [String]) {
        do {
            _ = try SetExchangeRate.parse(currency: currency, rate: rate, date: date)
            Issue.record("accepted \(currency) \(rate) \(date)")
        } catch UseCaseError.invalid(let failure) {
            #expect(Set(failure.errors.map(\.field)) == Set(fields))
        } catch { Issue.record("\(error)") }
    }
}
