import Documents
import Domain
import Features
import Foundation
import TestSupport
import Testing

/// The invoices the document tests render, made by the real use cases.
struct SampleInvoices {
    /// Saving refuses control characters and over-long names now; an invoice issued before that (its buyer named
    /// with a bidi override, a BEL and 384 characters) must still print and export safely.
    static func legacyHostile(_ stored: FiscalInvoice) throws -> FiscalInvoice {
        guard case .legalEntity(let e) = stored.buyer else { throw CocoaError(.coderInvalidValue) }
        let legacy = BillingParty.legalEntity(
            .init(
                name: "<b>Evil & \"Sons\"</b> SRL \u{202E}\u{0007}" + String(repeating: "Foarte lung ", count: 30),
                address: e.address,
                registrationCode: e.registrationCode, tradeRegisterNumber: e.tradeRegisterNumber, vatNumber: e.vatNumber
            ))
        return FiscalInvoice(
            id: stored.id, series: stored.series, number: stored.number, kind: stored.kind, clientID: stored.clientID,
            proformaID: stored.proformaID, proformaNumber: stored.proformaNumber,
            correctsID: nil, correctsNumber: nil, issueDate: stored.issueDate, currency: stored.currency,
            seller: stored.seller, buyer: legacy, vat: stored.vat, lines: stored.lines,
            totals: stored.totals, exchangeRate: stored.exchangeRate, vatRONMinor: stored.vatRONMinor)
    }

    let fiscal: [FiscalInvoice]
    let proforma: ProformaInvoice
    let seller: Seller

    /// Fiscal invoices for persons and companies, Romanian, EU and non-EU buyers, RON, EUR and USD,
    /// reverse charge, a storno, and hostile client text.
    static func make() async throws -> SampleInvoices {
        let db = try await TestDatabase.open(.sqlite)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let f = Fixtures(deps)
        let ron = try await f.plan("start")
        let eur = try await f.plan("eu", currency: "EUR", monthly: "10.00")
        let usd = try await f.plan("us", currency: "USD", monthly: "12.50")
        _ = try await SetExchangeRate(deps)(
            try SetExchangeRate.parse(currency: "EUR", rate: "5.0893", date: deps.today().description), actor: .staff(1)
        )
        _ = try await SetExchangeRate(deps)(
            try SetExchangeRate.parse(currency: "USD", rate: "4.4012", date: deps.today().description), actor: .staff(1)
        )

        let buyers: [(String, BillingPartyDraft, HostingPlan)] = [
            ("cnp@example.ro", Fixtures.romanianPerson, ron),
            (
                "nocnp@example.ro",
                BillingPartyDraft(
                    kind: "person", name: "Ion Ionescu", street: "Str. Lipscani 3", city: "SECTOR3", county: "B",
                    postalCode: "030031", country: "RO"), ron
            ),
            ("srl@example.ro", Fixtures.romanianCompany, ron),
            ("gmbh@example.de", Fixtures.germanCompany, eur),
            (
                "person@example.fr",
                BillingPartyDraft(
                    kind: "person", name: "Élodie Martin", street: "1 rue de Rivoli", city: "Paris",
                    postalCode: "75001", country: "FR"), eur
            ),
            (
                "inc@example.com",
                BillingPartyDraft(
                    kind: "legal_entity", name: "Acme Hosting Inc.", street: "1 Market St", city: "San Francisco",
                    county: "CA", postalCode: "94105", country: "US", cui: "98-7654321"), usd
            ),
            (
                "priya@example.in",
                BillingPartyDraft(
                    kind: "person", name: "प्रिया शर्मा", street: "12 MG Road", city: "Bengaluru", country: "IN"), usd
            ),
            (
                "evil@example.ro",
                BillingPartyDraft(
                    kind: "legal_entity",
                    name: "<b>Evil & \"Sons\"</b> SRL " + String(repeating: "Foarte lung ", count: 14),
                    street: "Str. <script>alert(1)</script> 1",
                    city: "Iași", county: "IS", country: "RO", cui: "18547290", tradeRegisterNumber: "J22/1/2020"), ron
            ),
        ]
        var invoices: [FiscalInvoice] = []
        for (i, (email, party, plan)) in buyers.enumerated() {
            let client = try await f.client(email, party)
            let order = try await PlaceOrder(deps)(
                clientID: client.id, try .parse(planID: plan.id, cycle: "monthly", domain: "site\(i).example"),
                billingProfileID: nil, actor: .client(client.id))
            let paid = try await f.pay(order.proforma)
            invoices.append(try #require(paid.fiscalInvoice))
        }
        invoices.append(
            try await StornoFiscalInvoice(deps)(fiscalInvoiceID: invoices[0].id, then: "end", actor: .staff(1)).storno)
        // An unpaid proforma of a Romanian company, for the proforma PDF.
        let client = try await f.client("proforma@example.ro", Fixtures.romanianCompany)
        let order = try await PlaceOrder(deps)(
            clientID: client.id, try .parse(planID: ron.id, cycle: "annual", domain: "firma.ro"), billingProfileID: nil,
            actor: .client(client.id))
        await db.close()
        return SampleInvoices(fiscal: invoices, proforma: order.proforma, seller: deps.seller)
    }

}

/// Runs a command-line tool found on PATH.
func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
    try runProgram(URL(fileURLWithPath: "/usr/bin/env"), [tool] + args)
}
