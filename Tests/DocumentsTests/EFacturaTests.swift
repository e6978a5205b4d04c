import Documents
import Domain
import Features
import Foundation
import TestSupport
import Testing

/// Every kind of fiscal invoice the company issues, produced by the real use cases, exported as e-Factura XML
/// and checked with the official artefacts (vendor/efactura): the UBL 2.1 XSD with xmllint, then ANAF's
/// CIUS-RO 1.0.9 schematron and the current CEN EN 16931 schematron with Saxon.
@Suite("e-Factura XML (UBL 2.1, CIUS-RO)")
struct EFacturaTests {
    static let kit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("vendor/efactura")

    @Test func everySampleInvoicePassesTheSchemaAndTheCIUSROAndCENRules() async throws {
        let invoices = try await SampleInvoices.make().fiscal
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "efactura-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var files: [String] = []
        for inv in invoices {
            let file = dir.appendingPathComponent("\(inv.displayNumber).xml")
            try EFactura.xml(inv).write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        #expect(files.count == 9)

        let xsd = try run(
            "xmllint",
            ["--noout", "--schema", Self.kit.appendingPathComponent("xsd/maindoc/UBL-Invoice-2.1.xsd").path] + files)
        #expect(xsd.status == 0, "\(xsd.output)")

        let python = try PeerProcess.python()
        let rules = try run(
            python,
            [
                Self.kit.appendingPathComponent("svrl_check.py").path,
                "-x", Self.kit.appendingPathComponent("xslt/EN16931-CIUS_RO-UBL-validation_1.0.9.xslt").path,
                "-x", Self.kit.appendingPathComponent("xslt/EN16931-UBL-validation.xslt").path,
            ] + files)
        #expect(rules.status == 0, "\(rules.output)")
        // The checker really ran every file through both rule sets.
        #expect(rules.output.components(separatedBy: "\n").filter { $0.hasPrefix("#") }.count == 18, "\(rules.output)")
    }

    /// Issue 18.10: a Bucharest address typed "Sector 2", "sectorul 2", "S2"… was exported as typed and ANAF's rules
    /// (BR-RO-100/101) refused the invoice. Every spelling is saved as SECTOR2 and passes the official schematron.
    @Test func everyBucharestSpellingPassesANAFsRules() async throws {
        let db = try await TestDatabase.open(.sqlite)
        let deps = makeTestDependencies(database: db, clock: ManualClock(TestDates.start))
        let f = Fixtures(deps)
        let plan = try await f.plan()
        let spellings = [
            "Sector 2", "sectorul 2", "Sect. 2", "S2", "București, Sector 2", "Mun. Bucuresti sectorul nr. 2",
        ]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "efactura-b-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var files: [String] = []
        for (i, city) in spellings.enumerated() {
            let client = try await f.client(
                "b\(i)@example.ro",
                BillingPartyDraft(
                    kind: "person", name: "Ion Ionescu", street: "Str. Lipscani 3", city: city, county: "B",
                    country: "RO"))
            let order = try await PlaceOrder(deps)(
                clientID: client.id, try .parse(planID: plan.id, cycle: "monthly", domain: "b\(i).example.ro"),
                billingProfileID: nil, actor: .client(client.id))
            #expect(order.proforma.buyer.address.city == "SECTOR2", "\(city)")
            let fiscal = try #require(try await f.pay(order.proforma).fiscalInvoice)
            let xml = EFactura.xml(fiscal)
            #expect(xml.contains("<cbc:CityName>SECTOR2</cbc:CityName>"), "\(city)")
            let file = dir.appendingPathComponent("\(fiscal.displayNumber).xml")
            try xml.write(to: file, atomically: true, encoding: .utf8)
            files.append(file.path)
        }
        await db.close()
        let rules = try run(
            try PeerProcess.python(),
            [
                Self.kit.appendingPathComponent("svrl_check.py").path,
                "-x", Self.kit.appendingPathComponent("xslt/EN16931-CIUS_RO-UBL-validation_1.0.9.xslt").path,
            ] + files)
        #expect(rules.status == 0, "\(rules.output)")
        #expect(
            rules.output.components(separatedBy: "\n").filter { $0.hasPrefix("#") }.count == spellings.count,
            "\(rules.output)")
    }

    @Test func theXMLStatesWhatTheLawAndTheRulesAsk() async throws {
        let invoices = try await SampleInvoices.make().fiscal
        let person = EFactura.xml(invoices[0])
        #expect(
            person.contains(
                "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1</cbc:CustomizationID>"
            ))
        #expect(person.contains("<cbc:CompanyID>2700116065277</cbc:CompanyID>"))
        #expect(person.contains("<cbc:CountrySubentity>RO-CJ</cbc:CountrySubentity>"))
        #expect(person.contains(#"<cbc:TaxAmount currencyID="RON">21.00</cbc:TaxAmount>"#))
        #expect(person.contains(#"<cbc:PayableAmount currencyID="RON">0.00</cbc:PayableAmount>"#))

        let noCNP = EFactura.xml(invoices[1])
        #expect(noCNP.contains("<cbc:CompanyID>0000000000000</cbc:CompanyID>"))
        #expect(
            noCNP.contains("<cbc:CityName>SECTOR3</cbc:CityName>")
                && noCNP.contains("<cbc:CountrySubentity>RO-B</cbc:CountrySubentity>"))

        // EUR, reverse charge: category AE, VAT 0, tax currency RON with its own total.
        let gmbh = EFactura.xml(invoices[3])
        #expect(
            gmbh.contains("<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>")
                && gmbh.contains("<cbc:TaxCurrencyCode>RON</cbc:TaxCurrencyCode>"))
        #expect(gmbh.contains("<cbc:TaxExemptionReasonCode>VATEX-EU-AE</cbc:TaxExemptionReasonCode>"))
        #expect(gmbh.contains("<cbc:CompanyID>DE123456789</cbc:CompanyID>"))
        #expect(gmbh.contains(#"<cbc:TaxAmount currencyID="RON">0.00</cbc:TaxAmount>"#))

        // A French consumer pays Romanian VAT in EUR: 2.10 EUR at 5.0893 = 10.69 RON.
        let fr = EFactura.xml(invoices[4])
        #expect(
            fr.contains(#"<cbc:TaxAmount currencyID="EUR">2.10</cbc:TaxAmount>"#)
                && fr.contains(#"<cbc:TaxAmount currencyID="RON">10.69</cbc:TaxAmount>"#))
        #expect(fr.contains("Curs BNR EUR 5.0893"))

        // Outside the EU: not subject, no VAT identifiers at all (BR-O-02), the seller's CUI as tax registration id.
        let us = EFactura.xml(invoices[5])
        #expect(us.contains("<cbc:ID>O</cbc:ID>") && !us.contains("<cbc:Percent>"))
        #expect(!us.contains("<cbc:CompanyID>RO18547290</cbc:CompanyID>"))

        // The storno references the original, with a negative quantity and a positive price.
        let storno = EFactura.xml(invoices[8])
        #expect(
            storno.contains(
                "<cac:BillingReference>\n    <cac:InvoiceDocumentReference>\n      <cbc:ID>\(invoices[0].displayNumber)</cbc:ID>"
            ))
        #expect(storno.contains(#"<cbc:InvoicedQuantity unitCode="C62">-1</cbc:InvoicedQuantity>"#))
        #expect(storno.contains(#"<cbc:PriceAmount currencyID="RON">100.00</cbc:PriceAmount>"#))
        #expect(storno.contains(#"<cbc:PayableAmount currencyID="RON">-121.00</cbc:PayableAmount>"#))

        // Client text is escaped, stripped of control characters and cut to the CIUS-RO lengths.
        let evil = EFactura.xml(try SampleInvoices.legacyHostile(invoices[7]))
        #expect(evil.contains("<cbc:RegistrationName>&lt;b&gt;Evil &amp; &quot;Sons&quot;&lt;/b&gt; SRL"))
        #expect(!evil.contains("<script>") && !evil.contains("\u{0007}"))
        let name = try #require(
            evil.components(separatedBy: "<cbc:RegistrationName>").dropFirst(2).first?.components(
                separatedBy: "</cbc:RegistrationName>"
            ).first)
        #expect(
            name.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&quot;", with: "\"")
                .unicodeScalars.count == 200)
    }
}
