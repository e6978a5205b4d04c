import Documents
import Domain
import Foundation
import TestSupport
import Testing

/// Invoice PDFs read back with poppler (pdftotext, pdfinfo, pdffonts), as an accountant's tools would. A PNG of
/// the first page of each kind is kept in .build/test-artifacts/pdf for people to look at.
@Suite("Invoice PDFs (cairo + pango)")
struct InvoicePDFTests {
    static let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent(".build/test-artifacts/pdf")

    struct Rendered {
        let path: String
        let text: String
        let pages: Int
    }

    func read(_ bytes: [UInt8], name: String) throws -> Rendered {
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let file = Self.artifacts.appendingPathComponent(name + ".pdf")
        try Data(bytes).write(to: file)
        let text = try run("pdftotext", ["-enc", "UTF-8", file.path, "-"])
        #expect(text.status == 0, "\(text.output)")
        let info = try run("pdfinfo", [file.path])
        let pages =
            info.output.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap {
                Int($0.split(separator: " ").last ?? "")
            } ?? 0
        return Rendered(path: file.path, text: text.output, pages: pages)
    }

    func snapshot(_ r: Rendered, _ name: String) throws {
        let png = try run(
            "pdftoppm",
            [
                "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1", r.path,
                Self.artifacts.appendingPathComponent(name).path,
            ])
        #expect(png.status == 0, "\(png.output)")
    }

    @Test func aFiscalInvoiceCarriesWhatTheLawAsks() async throws {
        let samples = try await SampleInvoices.make()
        let company = try read(InvoicePDF.render(samples.fiscal[2]), name: "fiscal-ro-company")
        try snapshot(company, "fiscal-ro-company")
        #expect(company.pages == 1)
        let t = company.text
        for expected in [
            "FACTURĂ\nInvoice", samples.fiscal[2].displayNumber, "15.01.2026",
            // Seller: name, trade register, CUI and VAT code, share capital, address, IBAN.
            samples.seller.name, "Nr. Reg. Com.: J40/1234/2015", "CUI: 18547290", "Cod TVA / VAT: RO18547290",
            "Capital social / Share capital: 200 RON", "RO49AAAA1B31007593840000",
            // Buyer with CUI and VAT code, lines with unit price without VAT, VAT per rate and totals.
            "Țuțea Design SRL", "Cumpărător / Buyer", "Preț unitar fără\nTVA / Unit price", "Cota TVA / VAT rate 21 %",
            "100,00 RON", "21,00 RON", "121,00 RON",
            "Emisă pentru factura proformă PF-2026-",
        ] {
            #expect(t.contains(expected), "missing: \(expected)")
        }
        // Every font is embedded.
        let fonts = try run("pdffonts", [company.path])
        let rows = fonts.output.split(separator: "\n").dropFirst(2)
        #expect(!rows.isEmpty && rows.allSatisfy { $0.contains(" yes ") }, "\(fonts.output)")
    }

    @Test func foreignCurrencyReverseChargeHindiAndStorno() async throws {
        let samples = try await SampleInvoices.make()
        let gmbh = try read(InvoicePDF.render(samples.fiscal[3]), name: "fiscal-de-reverse-charge")
        #expect(
            gmbh.text.contains("Taxare inversă (reverse charge)") && gmbh.text.contains("Cod TVA / VAT: DE123456789"))
        #expect(gmbh.text.contains("Curs BNR 1 EUR = 5.0893 lei din 15.01.2026"))
        let fr = try read(InvoicePDF.render(samples.fiscal[4]), name: "fiscal-fr-eur")
        #expect(fr.text.contains("TVA în lei / VAT in RON") && fr.text.contains("10,69 RON"))

        let hindi = try read(InvoicePDF.render(samples.fiscal[6]), name: "fiscal-in-hindi-name")
        try snapshot(hindi, "fiscal-in-hindi-name")
        #expect(hindi.text.contains("प्रिया शर्मा"), "Devanagari is shaped and extracts intact")
        #expect(hindi.text.contains("Neimpozabil"))

        let storno = try read(InvoicePDF.render(samples.fiscal[8]), name: "storno")
        try snapshot(storno, "storno")
        #expect(storno.text.contains("FACTURĂ STORNO\nCredit invoice"))
        #expect(storno.text.contains("Stornează integral factura \(samples.fiscal[0].displayNumber)"))
        #expect(storno.text.contains("-121,00 RON") && storno.text.contains("-1"))
    }

    @Test func aProformaSaysItIsNotATaxInvoiceAndHowToPay() async throws {
        let samples = try await SampleInvoices.make()
        let p = try read(InvoicePDF.render(samples.proforma, seller: samples.seller), name: "proforma")
        try snapshot(p, "proforma")
        #expect(p.text.contains("FACTURĂ PROFORMĂ\nProforma invoice"))
        #expect(p.text.contains("Acest document nu este o factură fiscală"))
        #expect(p.text.contains("cu referința \(samples.proforma.number)"))
        #expect(p.text.contains("Scadență / Due date"))
    }

    @Test func clientTextIsShownAsTextAndNeverBreaksTheLayout() async throws {
        let samples = try await SampleInvoices.make()
        let hostile = try SampleInvoices.legacyHostile(samples.fiscal[7])
        let evil = try read(InvoicePDF.render(hostile), name: "hostile-text")
        try snapshot(evil, "hostile-text")
        #expect(evil.pages == 1, "a 360-character name is cut to a few lines, not spread over pages")
        #expect(evil.text.contains("<b>Evil & \"Sons\"</b> SRL"), "markup is printed, not interpreted")
        #expect(!evil.text.unicodeScalars.contains("\u{202E}"), "no bidirectional override survives")
        #expect(evil.text.contains("Str. <script>alert(1)</script> 1"))

        // Sixty lines flow onto further pages, each with the table header again.
        let base = samples.fiscal[0]
        let lines = (1...60).map {
            InvoiceLine(
                serviceID: nil, period: nil,
                description: "Serviciu suplimentar \($0) – găzduire, domeniu și certificat", unitPriceMinor: 1_000)
        }
        let long = FiscalInvoice(
            id: base.id, series: base.series, number: base.number, kind: base.kind, clientID: base.clientID,
            proformaID: base.proformaID, proformaNumber: base.proformaNumber,
            correctsID: nil, correctsNumber: nil, issueDate: base.issueDate, currency: base.currency,
            seller: base.seller, buyer: base.buyer, vat: base.vat, lines: lines,
            totals: InvoiceTotals(
                currency: .RON, lines: lines.map { ($0.netMinor, base.vat.category, base.vat.basisPoints) }),
            exchangeRate: nil, vatRONMinor: 12_600)
        let many = try read(InvoicePDF.render(long), name: "sixty-lines")
        #expect(many.pages >= 2)
        #expect(many.text.components(separatedBy: "Descriere / Description").count - 1 == many.pages)
        #expect(many.text.contains("Serviciu suplimentar 60") && many.text.contains("726,00 RON"))
    }
}
