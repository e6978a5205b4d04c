import Domain
import Features
import Foundation

/// Invoice PDFs in Romanian with English beside each label (clients are Romanian and foreign). A fiscal invoice
/// carries what Codul fiscal art. 319(20) and Legea 31/1990 art. 74 ask (domain.md §1.2); a proforma says it is
/// not a tax document and how to pay it; a storno names the invoice it reverses.
public enum InvoicePDF {
    public static func render(_ invoice: FiscalInvoice) -> [UInt8] {
        var mentions: [String] = []
        if invoice.kind == .storno, let original = invoice.correctsNumber {
            mentions.append("Stornează integral factura \(original). / Reverses invoice \(original) in full.")
        }
        if let p = invoice.proformaNumber {
            mentions.append(
                "Emisă pentru factura proformă \(p), achitată integral. / Issued for proforma \(p), paid in full.")
        }
        if let rate = invoice.exchangeRate {
            mentions.append(
                "Curs BNR 1 \(rate.currency.rawValue) = \(rate.rateString) lei din \(rate.date.romanian). TVA în lei / VAT in RON: \(Self.money(invoice.vatRONMinor, .RON))."
            )
        }
        let title = invoice.kind == .storno ? ("FACTURĂ STORNO", "Credit invoice") : ("FACTURĂ", "Invoice")
        let sheet = Sheet(
            title: title, number: invoice.displayNumber, issueDate: invoice.issueDate, dueDate: nil, banner: nil,
            seller: invoice.seller,
            buyer: invoice.buyer, currency: invoice.currency, lines: invoice.lines, totals: invoice.totals,
            vat: invoice.vat,
            vatRONMinor: invoice.currency == .RON ? nil : invoice.vatRONMinor, mentions: mentions, payment: nil)
        return sheet.render()
    }

    public static func render(_ proforma: ProformaInvoice, seller: Seller) -> [UInt8] {
        let payment = [
            "Plată prin transfer bancar în contul \(seller.iban) (\(seller.bank)), cu referința \(proforma.number), sau cu cardul din zona de client.",
            "Pay by bank transfer to \(seller.iban) (\(seller.bank)) quoting \(proforma.number), or by card in the client area.",
        ]
        let sheet = Sheet(
            title: ("FACTURĂ PROFORMĂ", "Proforma invoice"), number: proforma.number, issueDate: proforma.issueDate,
            dueDate: proforma.dueDate,
            banner:
                "Acest document nu este o factură fiscală. Factura fiscală se emite la plată. / This is not a tax invoice; the tax invoice is issued on payment.",
            seller: seller, buyer: proforma.buyer, currency: proforma.currency, lines: proforma.lines,
            totals: proforma.totals, vat: proforma.vat,
            vatRONMinor: nil, mentions: proforma.state == .paid ? ["Achitată / Paid."] : [], payment: payment)
        return sheet.render()
    }

    /// "1.234,56 RON": the Romanian way, which the accountant and the tax office read.
    static func money(_ minor: Int64, _ currency: Currency) -> String { romanian.money(minor: minor, currency) }

    static let romanian = LocalFormat(.ro)

    struct Sheet {
        /// Romanian, then English.
        let title: (String, String)
        let number: String
        let issueDate: CivilDate
        let dueDate: CivilDate?
        let banner: String?
        let seller: Seller
        let buyer: BillingParty
        let currency: Currency
        let lines: [InvoiceLine]
        let totals: InvoiceTotals
        let vat: VatTreatment
        let vatRONMinor: Int64?
        let mentions: [String]
        let payment: [String]?

        static let left = PDFCanvas.margin
        static let right = PDFCanvas.width - PDFCanvas.margin
        static let full = right - left
        // Lines table columns: no. | description | qty | unit price | amount.
        static let columns: [(x: Double, width: Double, align: PDFCanvas.Align)] = [
            (left, 22, .left), (left + 24, 277, .left), (left + 303, 40, .right), (left + 345, 85, .right),
            (left + 432, full - 432, .right),
        ]

        func render() -> [UInt8] {
            let c = PDFCanvas(title: "\(title.0) \(number)")
            header(c)
            parties(c)
            c.onNewPage = { c in
                c.text("\(title.0) \(number)", x: Self.left, width: Self.full, font: "DejaVu Sans Bold 9")
                c.y += 18
                tableHeader(c)
            }
            tableHeader(c)
            for (i, line) in lines.enumerated() { row(c, i + 1, line) }
            vatTable(c)
            notes(c)
            return c.finish()
        }

        private func header(_ c: PDFCanvas) {
            let titleHeight = c.text(title.0, x: Self.left, width: 290, font: "DejaVu Sans Bold 15")
            c.text(title.1, x: Self.left, y: c.y + titleHeight, width: 290, font: "DejaVu Sans 9")
            var y = c.y
            for line in ["Nr. / No. \(number)", "Data emiterii / Issue date: \(issueDate.romanian)"]
                + (dueDate.map { ["Scadență / Due date: \($0.romanian)"] } ?? [])
            {
                y +=
                    c.text(line, x: Self.left + 300, y: y, width: Self.full - 300, font: "DejaVu Sans 9", align: .right)
                    + 2
            }
            c.y = max(y, c.y + titleHeight + 12) + 8
            if let banner {
                let h = c.text(banner, x: Self.left + 6, width: Self.full - 12, font: "DejaVu Sans Bold 9", draw: false)
                c.fill(x: Self.left, y: c.y - 3, width: Self.full, height: h + 6, gray: 0.9)
                c.text(banner, x: Self.left + 6, width: Self.full - 12, font: "DejaVu Sans Bold 9")
                c.y += h + 12
            }
        }

        private func parties(_ c: PDFCanvas) {
            let half = Self.full / 2 - 10
            var s = [seller.name]
            s.append("Nr. Reg. Com.: \(seller.tradeRegisterNumber)")
            s.append("CUI: \(seller.cui)" + (seller.vatNumber.map { " · Cod TVA / VAT: \($0)" } ?? ""))
            if let capital = seller.shareCapital { s.append("Capital social / Share capital: \(capital)") }
            s.append(address(seller.address))
            s.append("IBAN: \(seller.iban) · \(seller.bank)")
            var b: [String]
            switch buyer {
            case .person(let p):
                b = [p.name]
                if let cnp = p.cnp { b.append("CNP: \(cnp.value)") }
                b.append(address(p.address))
            case .legalEntity(let e):
                b = [e.name]
                if let code = e.registrationCode {
                    b.append((e.address.country == "RO" ? "CUI: " : "Reg. no.: ") + code)
                }
                if let reg = e.tradeRegisterNumber { b.append("Nr. Reg. Com.: \(reg)") }
                if let v = e.vatNumber { b.append("Cod TVA / VAT: \(v.description)") }
                b.append(address(e.address))
            }
            let top = c.y
            c.text("Furnizor / Seller", x: Self.left, y: top, width: half, font: "DejaVu Sans Bold 8")
            c.text("Cumpărător / Buyer", x: Self.left + half + 20, y: top, width: half, font: "DejaVu Sans Bold 8")
            var ys = top + 13
            var yb = top + 13
            for (i, t) in s.enumerated() {
                ys +=
                    c.text(
                        t, x: Self.left, y: ys, width: half, font: i == 0 ? "DejaVu Sans Bold 9" : "DejaVu Sans 8.5",
                        maxLines: 3) + 1
            }
            for (i, t) in b.enumerated() {
                yb +=
                    c.text(
                        t, x: Self.left + half + 20, y: yb, width: half,
                        font: i == 0 ? "DejaVu Sans Bold 9" : "DejaVu Sans 8.5", maxLines: 4) + 1
            }
            c.y = max(ys, yb) + 14
        }

        private func address(_ a: PostalAddress) -> String {
            ([a.street, [a.postalCode, a.city].compactMap { $0 }.joined(separator: " ")]
                + [
                    a.county.map { a.country == "RO" ? "jud. \($0)" : $0 },
                    Locale(identifier: "ro").localizedString(forRegionCode: a.country) ?? a.country,
                ].compactMap { $0 })
                .filter { !$0.isEmpty }.joined(separator: ", ")
        }

        private func tableHeader(_ c: PDFCanvas) {
            let labels = [
                "Nr.", "Descriere / Description", "Cant. / Qty", "Preț unitar fără TVA / Unit price",
                "Valoare / Amount",
            ]
            var h = 0.0
            for (col, label) in zip(Self.columns, labels) {
                h = max(
                    h,
                    c.text(
                        label, x: col.x, width: col.width, font: "DejaVu Sans Bold 7.5", align: col.align, draw: false))
            }
            c.fill(x: Self.left, y: c.y - 3, width: Self.full, height: h + 6, gray: 0.92)
            for (col, label) in zip(Self.columns, labels) {
                c.text(label, x: col.x, width: col.width, font: "DejaVu Sans Bold 7.5", align: col.align)
            }
            c.y += h + 6
        }

        private func row(_ c: PDFCanvas, _ n: Int, _ line: InvoiceLine) {
            let cells = [
                String(n), line.description, String(line.quantity), InvoicePDF.money(line.unitPriceMinor, currency),
                InvoicePDF.money(line.netMinor, currency),
            ]
            var h = 0.0
            for (col, text) in zip(Self.columns, cells) {
                h = max(h, c.text(text, x: col.x, width: col.width, align: col.align, maxLines: 4, draw: false))
            }
            c.ensure(h + 4)
            for (col, text) in zip(Self.columns, cells) {
                c.text(text, x: col.x, width: col.width, align: col.align, maxLines: 4)
            }
            c.y += h + 3
            c.rule(from: Self.left, to: Self.right, at: c.y - 1, width: 0.3, gray: 0.8)
        }

        private func vatTable(_ c: PDFCanvas) {
            var rows: [(String, String)] = []
            for s in totals.subtotals {
                let label: String
                switch s.category {
                case .standard: label = "Cota TVA / VAT rate \(InvoicePDF.romanian.percent(basisPoints: s.basisPoints))"
                case .reverseCharge: label = "Taxare inversă / Reverse charge"
                case .notSubject: label = "Neimpozabil / Not subject to RO VAT"
                }
                rows.append(
                    (
                        "\(label): bază / base \(InvoicePDF.money(s.taxableMinor, currency))",
                        InvoicePDF.money(s.vatMinor, currency)
                    ))
            }
            rows.append(("Total fără TVA / Total excl. VAT", InvoicePDF.money(totals.netMinor, currency)))
            rows.append(("TVA / VAT", InvoicePDF.money(totals.vatMinor, currency)))
            if let ron = vatRONMinor { rows.append(("TVA în lei / VAT in RON", InvoicePDF.money(ron, .RON))) }
            rows.append(("TOTAL DE PLATĂ / TOTAL", InvoicePDF.money(totals.grossMinor, currency)))
            c.y += 8
            c.ensure(Double(rows.count) * 14 + 10)
            for (i, r) in rows.enumerated() {
                let bold = i == rows.count - 1
                let font = bold ? "DejaVu Sans Bold 10" : "DejaVu Sans 9"
                let h = c.text(r.0, x: Self.left + 40, width: 360, font: font, align: .right)
                c.text(r.1, x: Self.left + 405, width: Self.full - 405, font: font, align: .right)
                c.y += h + 3
            }
            c.y += 10
        }

        private func notes(_ c: PDFCanvas) {
            var all = mentions
            if let m = vat.mention { all.insert(m, at: 0) }
            for p in payment ?? [] { all.append(p) }
            for text in all {
                let h = c.text(text, x: Self.left, width: Self.full, font: "DejaVu Sans 8.5", draw: false)
                c.ensure(h + 4)
                c.text(text, x: Self.left, width: Self.full, font: "DejaVu Sans 8.5")
                c.y += h + 4
            }
        }
    }
}

extension CivilDate {
    /// "15.01.2026", as Romanian documents write dates.
    var romanian: String { InvoicePDF.romanian.date(self) }
}

/// The fiscal invoice PDF for messages that carry it (the payment confirmation).
public struct PDFInvoiceDocuments: InvoiceDocuments {
    public init() {}
    public func pdf(_ invoice: FiscalInvoice) -> [UInt8] { InvoicePDF.render(invoice) }
}
