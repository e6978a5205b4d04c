import Documents
import Domain
import Features
import Foundation
import Testing
import TestSupport

/// Every kind of fiscal invoice the company issues, produced by the real use cases, exported as e-Factura XML
/// and checked with the official artefacts (vendor/efactura): the UBL 2.1 XSD with xmllint, then ANAF's
/// CIUS-RO 1.0.9 schematron and the current CEN EN 16931 schematron with Saxon.
@Suite("e-Factura XML (UBL 2.1, CIUS-RO)")
struct EFacturaTests {
    static let kit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("vendor/efactura")

    /// Fiscal invoices for persons and companies, Romanian, EU and non-EU buyers, RON, EUR and USD,
    /// reverse charge, a storno, and hostile client text.
    func sampleInvoices() async throws -> [FiscalInvoice] {
        let db = try await TestDatabase.open(.sqlite)
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let f = Fixtures(deps)
        let ron = try await f.plan("start")
        let eur = try await f.plan("eu", currency: "EUR", monthly: "10.00")
        let usd = try await f.plan("us", currency: "USD", monthly: "12.50")
        _ = try await SetExchangeRate(deps)(currency: "EUR", rate: "5.0893", date: deps.today().description, actor: .staff(1))
        _ = try await SetExchangeRate(deps)(currency: "USD", rate: "4.4012", date: deps.today().description, actor: .staff(1))

        let buyers: [(String, BillingPartyDraft, HostingPlan)] = [
            ("cnp@example.ro", Fixtures.romanianPerson, ron),
            ("nocnp@example.ro", BillingPartyDraft(kind: "person", name: "Ion Ionescu", street: "Str. Lipscani 3", city: "SECTOR3", county: "B", postalCode: "030031", country: "RO"), ron),
            ("srl@example.ro", Fixtures.romanianCompany, ron),
            ("gmbh@example.de", Fixtures.germanCompany, eur),
            ("person@example.fr", BillingPartyDraft(kind: "person", name: "Élodie Martin", street: "1 rue de Rivoli", city: "Paris", postalCode: "75001", country: "FR"), eur),
            ("inc@example.com", BillingPartyDraft(kind: "legal_entity", name: "Acme Hosting Inc.", street: "1 Market St", city: "San Francisco", county: "CA", postalCode: "94105", country: "US", cui: "98-7654321"), usd),
            ("priya@example.in", BillingPartyDraft(kind: "person", name: "प्रिया शर्मा", street: "12 MG Road", city: "Bengaluru", country: "IN"), usd),
            ("evil@example.ro", BillingPartyDraft(
                kind: "legal_entity", name: "<b>Evil & \"Sons\"</b> SRL \u{202E}\u{0007}" + String(repeating: "Foarte lung ", count: 30), street: "Str. <script>alert(1)</script> 1",
                city: "Iași", county: "IS", country: "RO", cui: "18547290", tradeRegisterNumber: "J22/1/2020"), ron),
        ]
        var invoices: [FiscalInvoice] = []
        for (i, (email, party, plan)) in buyers.enumerated() {
            let client = try await f.client(email, party)
            let order = try await PlaceOrder(deps)(clientID: client.id, planID: plan.id, cycle: "monthly", domain: "site\(i).example", billingProfileID: nil, actor: .client(client.id))
            let paid = try await f.pay(order.proforma)
            invoices.append(try #require(paid.fiscalInvoice))
        }
        invoices.append(try await StornoFiscalInvoice(deps)(fiscalInvoiceID: invoices[0].id, actor: .staff(1)))
        await db.close()
        return invoices
    }

    func run(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func everySampleInvoicePassesTheSchemaAndTheCIUSROAndCENRules() async throws {
        let invoices = try await sampleInvoices()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("efactura-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var files: [String] = []
        for inv in invoices {
            let file = dir.appendingPathComponent("\(inv.displayNumber).xml")
            try EFactura.xml(inv).write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        #expect(files.count == 9)

        let xsd = try run("xmllint", ["--noout", "--schema", Self.kit.appendingPathComponent("xsd/maindoc/UBL-Invoice-2.1.xsd").path] + files)
        #expect(xsd.status == 0, "\(xsd.output)")

        let python = try PeerProcess.python()
        let rules = try run(python, [Self.kit.appendingPathComponent("svrl_check.py").path,
                                     "-x", Self.kit.appendingPathComponent("xslt/EN16931-CIUS_RO-UBL-validation_1.0.9.xslt").path,
                                     "-x", Self.kit.appendingPathComponent("xslt/EN16931-UBL-validation.xslt").path] + files)
        #expect(rules.status == 0, "\(rules.output)")
        // The checker really ran every file through both rule sets.
        #expect(rules.output.components(separatedBy: "\n").filter { $0.hasPrefix("#") }.count == 18, "\(rules.output)")
    }

    @Test func theXMLStatesWhatTheLawAndTheRulesAsk() async throws {
        let invoices = try await sampleInvoices()
        let person = EFactura.xml(invoices[0])
        #expect(person.contains("<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1</cbc:CustomizationID>"))
        #expect(person.contains("<cbc:CompanyID>2700116065277</cbc:CompanyID>"))
        #expect(person.contains("<cbc:CountrySubentity>RO-CJ</cbc:CountrySubentity>"))
        #expect(person.contains(#"<cbc:TaxAmount currencyID="RON">21.00</cbc:TaxAmount>"#))
        #expect(person.contains(#"<cbc:PayableAmount currencyID="RON">0.00</cbc:PayableAmount>"#))

        let noCNP = EFactura.xml(invoices[1])
        #expect(noCNP.contains("<cbc:CompanyID>0000000000000</cbc:CompanyID>"))
        #expect(noCNP.contains("<cbc:CityName>SECTOR3</cbc:CityName>") && noCNP.contains("<cbc:CountrySubentity>RO-B</cbc:CountrySubentity>"))

        // EUR, reverse charge: category AE, VAT 0, tax currency RON with its own total.
        let gmbh = EFactura.xml(invoices[3])
        #expect(gmbh.contains("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>") && gmbh.contains("<cbc:TaxCurrencyCode>RON</cbc:TaxCurrencyCode>"))
        #expect(gmbh.contains("<cbc:TaxExemptionReasonCode>VATEX-EU-AE</cbc:TaxExemptionReasonCode>"))
        #expect(gmbh.contains("<cbc:CompanyID>DE123456789</cbc:CompanyID>"))
        #expect(gmbh.contains(#"<cbc:TaxAmount currencyID="RON">0.00</cbc:TaxAmount>"#))

        // A French consumer pays Romanian VAT in EUR: 2.10 EUR at 5.0893 = 10.69 RON.
        let fr = EFactura.xml(invoices[4])
        #expect(fr.contains(#"<cbc:TaxAmount currencyID="EUR">2.10</cbc:TaxAmount>"#) && fr.contains(#"<cbc:TaxAmount currencyID="RON">10.69</cbc:TaxAmount>"#))
        #expect(fr.contains("Curs BNR EUR 5.0893"))

        // Outside the EU: not subject, no VAT identifiers at all (BR-O-02), the seller's CUI as tax registration id.
        let us = EFactura.xml(invoices[5])
        #expect(us.contains("<cbc:ID>O</cbc:ID>") && !us.contains("<cbc:Percent>"))
        #expect(!us.contains("<cbc:CompanyID>RO18547290</cbc:CompanyID>"))

        // The storno references the original, with a negative quantity and a positive price.
        let storno = EFactura.xml(invoices[8])
        #expect(storno.contains("<cac:BillingReference>\n    <cac:InvoiceDocumentReference>\n      <cbc:ID>\(invoices[0].displayNumber)</cbc:ID>"))
        #expect(storno.contains(#"<cbc:InvoicedQuantity unitCode="C62">-1</cbc:InvoicedQuantity>"#))
        #expect(storno.contains(#"<cbc:PriceAmount currencyID="RON">100.00</cbc:PriceAmount>"#))
        #expect(storno.contains(#"<cbc:PayableAmount currencyID="RON">-121.00</cbc:PayableAmount>"#))

        // Client text is escaped, stripped of control characters and cut to the CIUS-RO lengths.
        let evil = EFactura.xml(invoices[7])
        #expect(evil.contains("<cbc:RegistrationName>&lt;b&gt;Evil &amp; &quot;Sons&quot;&lt;/b&gt; SRL"))
        #expect(!evil.contains("<script>") && !evil.contains("\u{0007}"))
        let name = try #require(evil.components(separatedBy: "<cbc:RegistrationName>").dropFirst(2).first?.components(separatedBy: "</cbc:RegistrationName>").first)
        #expect(name.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"").unicodeScalars.count == 200)
    }
}
