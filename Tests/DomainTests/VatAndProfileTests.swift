import Foundation
import Testing

@testable import Domain

private let day = CivilDate("2026-03-02")!

private func party(
    _ kind: String, country: String, county: String? = nil, cnp: String? = nil, cui: String? = nil, vat: String? = nil
) throws -> BillingParty {
    try BillingPartyDraft(
        kind: kind, name: "Ștefan Țuțea", street: "Str. Exemplu 1", city: county == "B" ? "Sector 3" : "Cluj-Napoca",
        county: county, country: country, cnp: cnp, cui: cui, vatNumber: vat
    ).validated()
}

@Suite("VAT treatment by buyer (domain.md §1.5)")
struct VatRulesTests {
    @Test func romanianPersonPays21() throws {
        let t = try VatRules().treatment(for: party("person", country: "RO", county: "CJ"), on: day)
        #expect(t == VatTreatment(category: .standard, basisPoints: 2100, vatCountry: "RO", mention: nil))
    }

    @Test func romanianRateBeforeAugust2025Was19() throws {
        let t = try VatRules().treatment(
            for: party("person", country: "RO", county: "CJ"), on: CivilDate("2025-07-31")!)
        #expect(t.basisPoints == 1900)
    }

    @Test func romanianCompanyPays21() throws {
        let t = try VatRules().treatment(
            for: party("legal_entity", country: "RO", county: "B", cui: "18547290", vat: "RO18547290"), on: day)
        #expect(t.category == .standard && t.basisPoints == 2100)
    }

    @Test func euCompanyWithVatNumberIsReverseCharge() throws {
        let t = try VatRules().treatment(for: party("legal_entity", country: "DE", vat: "DE123456789"), on: day)
        #expect(
            t
                == VatTreatment(
                    category: .reverseCharge, basisPoints: 0, vatCountry: nil,
                    mention: "Taxare inversă (reverse charge)"))
    }

    @Test func euCompanyWithoutVatNumberIsTreatedAsConsumer() throws {
        let buyer = try party("legal_entity", country: "DE")
        #expect(try VatRules(euConsumers: .romanian).treatment(for: buyer, on: day).basisPoints == 2100)
        #expect(
            try VatRules(euConsumers: .destination).treatment(for: buyer, on: day)
                == VatTreatment(category: .standard, basisPoints: 1900, vatCountry: "DE", mention: nil))
    }

    @Test func euPersonFollowsTheOssSetting() throws {
        let buyer = try party("person", country: "HU")
        #expect(try VatRules(euConsumers: .romanian).treatment(for: buyer, on: day).vatCountry == "RO")
        #expect(try VatRules(euConsumers: .destination).treatment(for: buyer, on: day).basisPoints == 2700)
    }

    @Test(arguments: ["US", "IN", "CH", "GB"])
    func outsideTheEuIsNotSubject(country: String) throws {
        let t = try VatRules().treatment(for: party("person", country: country), on: day)
        #expect(t.category == .notSubject)
        #expect(t.basisPoints == 0)
        #expect(t.mention == VatTreatment.notSubjectMention)
    }
}

@Suite("Billing party validation")
struct BillingPartyTests {
    @Test func allFieldErrorsComeAtOnce() {
        let draft = BillingPartyDraft(
            kind: "legal_entity", name: " ", street: "", city: "X", county: "ZZ", country: "RO", cnp: "1630615123457",
            cui: "18547291", vatNumber: "RO1")
        do {
            _ = try draft.validated()
            Issue.record("accepted")
        } catch {
            let fields = Set(error.errors.map(\.field))
            #expect(fields == ["name", "street", "county", "cnp", "cui", "vatNumber"])
        }
    }

    @Test func personCannotCarryCompanyFields() {
        #expect(throws: ValidationFailure.self) { try party("person", country: "RO", county: "CJ", cui: "18547290") }
    }

    @Test func cnpOnlyForRomanians() {
        #expect(throws: ValidationFailure.self) { try party("person", country: "DE", cnp: "1630615123457") }
    }

    @Test func romanianCompanyMayGiveOnlyItsRoVatNumber() throws {
        guard case .legalEntity(let e) = try party("legal_entity", country: "RO", county: "B", vat: "RO18547290") else {
            Issue.record("kind")
            return
        }
        #expect(e.registrationCode == "18547290")
    }

    @Test func vatPrefixMustMatchCountry() {
        #expect(throws: ValidationFailure.self) { try party("legal_entity", country: "AT", vat: "DE123456789") }
    }

    /// Issue 18.9: control characters and over-long text used to be folded or cut and saved; now they are refused.
    @Test func controlCharactersAndOverLongTextAreRefusedNotFolded() throws {
        do {
            _ = try BillingPartyDraft(
                kind: "person", name: "Ana\u{0}\nPop", street: String(repeating: "S", count: 151), city: "C\u{202E}",
                country: "US"
            ).validated()
            Issue.record("a name with control characters was accepted")
        } catch {
            #expect(
                Set(error.errors.map { "\($0.field):\($0.rule)" }) == [
                    "name:text.control", "street:length.max", "city:text.control",
                ])
        }
        // Joiners that Devanagari needs are fine.
        #expect(
            try BillingPartyDraft(kind: "person", name: "प्रिया\u{200D} शर्मा", street: "S", city: "C", country: "IN")
                .validated().name == "प्रिया\u{200D} शर्मा")
    }
}

@Suite("Service and proforma transitions")
struct TransitionTests {
    let anchor = CivilDate("2026-01-31")!
    func service(_ lifecycle: HostingService.Lifecycle = .live(holds: []), invoiced: Int = 1, paid: Int = 1)
        -> HostingService
    {
        HostingService(
            id: 1, clientID: 1, planID: 1, domain: "a.ro", cycle: .monthly, price: Money(minor: 3000, currency: .RON),
            anchor: anchor, invoicedPeriods: invoiced, paidPeriods: paid, lifecycle: lifecycle)
    }
    func hold(_ r: HoldReason, _ id: Int64) -> Hold {
        Hold(id: id, reason: r, placedBy: .system, placedAt: Date(timeIntervalSince1970: 0), note: nil, proformaID: nil)
    }

    @Test func renewalCatchesUpEveryMissedPeriod() {
        let periods = service().periodsToInvoice(asOf: CivilDate("2026-04-20")!, leadDays: 14)
        #expect(periods.map(\.start.description) == ["2026-02-28", "2026-03-31", "2026-04-30"])
        #expect(service().periodsToInvoice(asOf: CivilDate("2026-02-13")!, leadDays: 14).isEmpty)
        #expect(service().periodsToInvoice(asOf: CivilDate("2026-02-14")!, leadDays: 14).count == 1)
    }

    @Test func abuseSuspendedAndPendingServicesAreNotRenewed() {
        #expect(
            service(.live(holds: [hold(.abuse, 1)])).periodsToInvoice(asOf: CivilDate("2026-12-01")!, leadDays: 14)
                .isEmpty)
        #expect(service(.pending).periodsToInvoice(asOf: CivilDate("2026-12-01")!, leadDays: 14).isEmpty)
        #expect(
            !service(.live(holds: [hold(.nonPayment, 1)])).periodsToInvoice(
                asOf: CivilDate("2026-03-01")!, leadDays: 14
            ).isEmpty)
    }

    @Test func paymentLiftsOnlyNonPaymentHolds() throws {
        let s = try service().suspended(by: hold(.nonPayment, 1)).suspended(by: hold(.abuse, 2))
        #expect(s.state == .suspended)
        let (after, lifted) = try s.lifting { $0.reason == .nonPayment }
        #expect(lifted.map(\.id) == [1])
        #expect(after.state == .suspended)
        #expect(try after.lifting { $0.reason == .abuse }.service.state == .active)
    }

    @Test func paidOrderActivatesAPendingService() throws {
        let s = try service(.pending, invoiced: 1, paid: 0).paid(
            BillingCycle.monthly.period(anchor: anchor, index: 0), paidIndexes: [])
        #expect(s.state == .active)
        #expect(s.nextDueDate.description == "2026-02-28")
    }

    @Test func payingALaterPeriodFirstDoesNotCoverAnEarlierUnpaidOne() throws {
        // Periods 1 and 2 are on two renewal proformas; the client pays period 2's first.
        let s = service(.live(holds: []), invoiced: 3, paid: 1)
        let later = try s.paid(BillingCycle.monthly.period(anchor: anchor, index: 2), paidIndexes: [0, 2])
        #expect(later.paidPeriods == 1)
        #expect(later.nextDueDate == s.nextDueDate)
        // Paying period 1 afterwards covers both.
        let both = try later.paid(BillingCycle.monthly.period(anchor: anchor, index: 1), paidIndexes: [0, 1, 2])
        #expect(both.paidPeriods == 3)
    }

    @Test func terminatedServicesCannotBeSuspendedOrPaid() throws {
        let t = try service().terminated(on: Date(timeIntervalSince1970: 0))
        #expect(throws: ServiceTransitionError.notAllowed(from: .terminated, action: "suspend")) {
            try t.suspended(by: hold(.abuse, 1))
        }
        #expect(throws: ServiceTransitionError.self) { try t.paid(t.nextPeriodToInvoice, paidIndexes: []) }
    }

    func proforma(state: ProformaState = .unpaid) throws -> ProformaInvoice {
        let buyer = try party("person", country: "RO", county: "CJ")
        return ProformaInvoice(
            id: 1, number: "PF-2026-000001", clientID: 1, origin: .renewal, state: state, currency: .RON,
            issueDate: day, dueDate: day, buyer: buyer, billingProfileID: 1,
            vat: try VatRules().treatment(for: buyer, on: day),
            lines: [InvoiceLine(serviceID: 1, period: nil, description: "Start", unitPriceMinor: 10000)], paidMinor: 0,
            version: 1)
    }

    @Test func partialPaymentsAccumulateAndOverpaymentBecomesCredit() throws {
        let p = try proforma()
        #expect(p.totals.grossMinor == 12100)
        let first = try p.applying(payment: Money(minor: 5000, currency: .RON))
        #expect(!first.completesPayment && first.proforma.openMinor == 7100)
        let second = try first.proforma.applying(payment: Money(minor: 8000, currency: .RON))
        #expect(second.completesPayment && second.appliedMinor == 7100 && second.creditMinor == 900)
        #expect(throws: InvoicingError.proformaNotUnpaid(.paid)) {
            try second.proforma.applying(payment: Money(minor: 1, currency: .RON))
        }
    }

    @Test func wrongCurrencyAndNonPositivePaymentsAreRefused() throws {
        let p = try proforma()
        #expect(throws: InvoicingError.currencyMismatch(expected: .RON, got: .EUR)) {
            try p.applying(payment: Money(minor: 100, currency: .EUR))
        }
        #expect(throws: InvoicingError.nonPositiveAmount) { try p.applying(payment: Money(minor: 0, currency: .RON)) }
    }

    @Test func rebillingSwitchesToReverseChargeAndBack() throws {
        let p = try proforma()
        let company = try party("legal_entity", country: "DE", vat: "DE123456789")
        let asCompany = try p.rebilled(
            to: company, profileID: nil, vat: try VatRules().treatment(for: company, on: day))
        #expect(asCompany.totals.grossMinor == 10000 && asCompany.version == 2)
        let back = try asCompany.rebilled(to: p.buyer, profileID: 1, vat: p.vat)
        #expect(back.totals.grossMinor == 12100 && back.version == 3)
        #expect(throws: InvoicingError.proformaNotUnpaid(.cancelled)) {
            try p.cancelled().rebilled(to: company, profileID: nil, vat: p.vat)
        }
    }

    @Test func stornoNegatesQuantitiesButKeepsPricesPositive() throws {
        let paid = try proforma().applying(payment: Money(minor: 12100, currency: .RON)).proforma
        let seller = Seller(
            name: "H", cui: "18547290", vatNumber: "RO18547290", tradeRegisterNumber: "J40/1/2015", shareCapital: nil,
            address: PostalAddress(street: "s", city: "SECTOR3", county: "B", postalCode: nil, country: "RO"),
            iban: "RO49AAAA1B31007593840000", bank: "B")
        let invoice = FiscalInvoiceDraft.from(paid: paid, issueDate: day, seller: seller, exchangeRate: nil).numbered(
            id: 7, series: "HST2026", number: 1)
        #expect(invoice.displayNumber == "HST2026-000001")
        let storno = try FiscalInvoiceDraft.storno(of: invoice, issueDate: day)
        #expect(storno.totals.grossMinor == -12100)
        #expect(storno.lines.map(\.unitPriceMinor) == [10000])
        #expect(storno.correctsNumber == "HST2026-000001")
        #expect(throws: InvoicingError.stornoOfStorno) {
            try FiscalInvoiceDraft.storno(of: storno.numbered(id: 8, series: "HST2026", number: 2), issueDate: day)
        }
    }
}
