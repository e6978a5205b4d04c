import Testing

@testable import Domain

@Suite("Amounts, dates and rates written for the reader's language")
struct LocalFormatTests {
    @Test(arguments: [
        (Language.ro, Int64(3630), "36,30 RON"), (.ro, 123_450, "1.234,50 RON"), (.ro, -3630, "-36,30 RON"),
        (.ro, 1_000_000_000, "10.000.000,00 RON"), (.en, 123_450, "1,234.50 RON"), (.en, 5, "0.05 RON"),
        (.hi, 10_000_000, "1,00,000.00 RON"), (.hi, 1_234_567_89, "12,34,567.89 RON"), (.hi, 99_900, "999.00 RON"),
    ])
    func amounts(language: Language, minor: Int64, expected: String) {
        #expect(LocalFormat(language).money(minor: minor, .RON) == expected)
    }

    @Test func datesAsEachLanguageWritesThem() throws {
        let d = try #require(CivilDate(year: 2026, month: 11, day: 9))
        #expect(LocalFormat(.ro).date(d) == "09.11.2026")
        #expect(LocalFormat(.en).date(d) == "9 Nov 2026")
        #expect(LocalFormat(.hi).date(d) == "09/11/2026")
    }

    @Test func vatRates() {
        #expect(LocalFormat(.ro).percent(basisPoints: 2100) == "21 %")
        #expect(LocalFormat(.en).percent(basisPoints: 2100) == "21%")
        #expect(LocalFormat(.ro).percent(basisPoints: 550) == "5,5 %")
        #expect(LocalFormat(.en).percent(basisPoints: 1125) == "11.25%")
    }
}

@Suite("Money's neutral text")
struct MoneyNeutralTextTests {
    @Test func readsBackWhatItWrites() {
        for m in [
            Money(minor: 3630, currency: .RON), Money(minor: -5, currency: .EUR), Money(minor: 0, currency: .USD),
        ] {
            #expect(Money(neutral: m.description) == m)
        }
        #expect(Money(neutral: "36,30 RON") == nil)
        #expect(Money(neutral: "36.30 XYZ") == nil)
    }
}
