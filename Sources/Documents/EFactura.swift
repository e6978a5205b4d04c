import Domain

/// A fiscal invoice (or storno) as Romanian e-Factura XML: UBL 2.1 Invoice with the CIUS-RO 1.0.1
/// customization (domain.md §2). Pure: the same invoice always gives the same bytes.
///
/// A storno is an Invoice (type 380) with negative quantities and positive unit prices (BR-27) that
/// references the invoice it reverses, as the Romanian practice "stornare" does.
public enum EFactura {
    public static let customizationID = "urn:cen.eu:en16931:2017#compliant#urn:efactura.mfinante.ro:CIUS-RO:1.0.1"

    /// UBL limits that CIUS-RO enforces (BR-RO-L*); longer client text is cut, never rejected at this point.
    enum Limit {
        static let name = 200
        static let street = 150
        static let city = 50
        static let postalZone = 20
        static let itemName = 100
        static let note = 300
    }

    public static func xml(_ invoice: FiscalInvoice) -> String {
        var x = XMLWriter()
        let cur = invoice.currency.rawValue
        func amount(_ minor: Int64, _ currency: String = cur) -> (String, [(String, String)]) {
            (Self.amount(minor), [("currencyID", currency)])
        }

        x.raw(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        x.open(
            "Invoice",
            [
                ("xmlns", "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"),
                ("xmlns:cac", "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"),
                ("xmlns:cbc", "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"),
            ])
        x.leaf("cbc:CustomizationID", customizationID)
        x.leaf("cbc:ID", invoice.displayNumber)
        x.leaf("cbc:IssueDate", invoice.issueDate.description)
        x.leaf("cbc:DueDate", invoice.issueDate.description)
        x.leaf("cbc:InvoiceTypeCode", "380")
        for note in notes(invoice) { x.leaf("cbc:Note", cut(note, Limit.note)) }
        x.leaf("cbc:DocumentCurrencyCode", cur)
        if invoice.currency != .RON { x.leaf("cbc:TaxCurrencyCode", "RON") }
        let periods = invoice.lines.compactMap(\.period)
        if let start = periods.map(\.start).min(), let end = periods.map(\.end).max() {
            x.open("cac:InvoicePeriod")
            x.leaf("cbc:StartDate", start.description)
            x.leaf("cbc:EndDate", end.description)
            x.close("cac:InvoicePeriod")
        }
        if invoice.kind == .storno, let original = invoice.correctsNumber {
            x.open("cac:BillingReference")
            x.open("cac:InvoiceDocumentReference")
            x.leaf("cbc:ID", original)
            x.close("cac:InvoiceDocumentReference")
            x.close("cac:BillingReference")
        }
        seller(&x, invoice)
        buyer(&x, invoice)

        // Paid by bank transfer or card before this invoice existed; the account is where money goes back to.
        x.open("cac:PaymentMeans")
        x.leaf("cbc:PaymentMeansCode", "30")
        x.open("cac:PayeeFinancialAccount")
        x.leaf("cbc:ID", invoice.seller.iban)
        x.close("cac:PayeeFinancialAccount")
        x.close("cac:PaymentMeans")

        let totals = invoice.totals
        x.open("cac:TaxTotal")
        x.leaf("cbc:TaxAmount", amount(totals.vatMinor))
        for s in totals.subtotals {
            x.open("cac:TaxSubtotal")
            x.leaf("cbc:TaxableAmount", amount(s.taxableMinor))
            x.leaf("cbc:TaxAmount", amount(s.vatMinor))
            taxCategory(&x, "cac:TaxCategory", s.category, s.basisPoints, withExemption: true)
            x.close("cac:TaxSubtotal")
        }
        x.close("cac:TaxTotal")
        if invoice.currency != .RON {
            // BR-RO-030 / BR-53: the VAT in the tax currency, at the BNR rate stated in the notes.
            x.open("cac:TaxTotal")
            x.leaf("cbc:TaxAmount", amount(invoice.vatRONMinor, "RON"))
            x.close("cac:TaxTotal")
        }

        x.open("cac:LegalMonetaryTotal")
        x.leaf("cbc:LineExtensionAmount", amount(totals.netMinor))
        x.leaf("cbc:TaxExclusiveAmount", amount(totals.netMinor))
        x.leaf("cbc:TaxInclusiveAmount", amount(totals.grossMinor))
        if invoice.kind == .invoice {
            // Issued for a fully paid proforma: everything is prepaid, nothing is payable.
            x.leaf("cbc:PrepaidAmount", amount(totals.grossMinor))
            x.leaf("cbc:PayableAmount", amount(0))
        } else {
            x.leaf("cbc:PayableAmount", amount(totals.grossMinor))
        }
        x.close("cac:LegalMonetaryTotal")

        for (i, line) in invoice.lines.enumerated() {
            x.open("cac:InvoiceLine")
            x.leaf("cbc:ID", String(i + 1))
            x.leaf("cbc:InvoicedQuantity", String(line.quantity), [("unitCode", "C62")])
            x.leaf("cbc:LineExtensionAmount", amount(line.netMinor))
            if let p = line.period {
                x.open("cac:InvoicePeriod")
                x.leaf("cbc:StartDate", p.start.description)
                x.leaf("cbc:EndDate", p.end.description)
                x.close("cac:InvoicePeriod")
            }
            x.open("cac:Item")
            x.leaf("cbc:Name", cut(line.description, Limit.itemName))
            taxCategory(
                &x, "cac:ClassifiedTaxCategory", invoice.vat.category, invoice.vat.basisPoints, withExemption: false)
            x.close("cac:Item")
            x.open("cac:Price")
            x.leaf("cbc:PriceAmount", amount(line.unitPriceMinor))
            x.close("cac:Price")
            x.close("cac:InvoiceLine")
        }
        x.close("Invoice")
        return x.text
    }

    static func notes(_ invoice: FiscalInvoice) -> [String] {
        var notes: [String] = []
        if let p = invoice.proformaNumber { notes.append("Factură emisă pentru proforma \(p), achitată integral.") }
        if invoice.kind == .storno, let original = invoice.correctsNumber {
            notes.append("Stornare integrală a facturii \(original).")
        }
        if let mention = invoice.vat.mention { notes.append(mention) }
        if let rate = invoice.exchangeRate {
            notes.append(
                "Curs BNR \(rate.currency.rawValue) \(rate.rateString) din \(rate.date); TVA \(amount(invoice.vatRONMinor)) RON."
            )
        }
        return notes
    }

    private static func address(_ x: inout XMLWriter, _ a: PostalAddress) {
        x.open("cac:PostalAddress")
        x.leaf("cbc:StreetName", cut(a.street, Limit.street))
        // Addresses saved before the sector was normalised on save (BR-RO-100/101) are normalised here too.
        let sector = a.country == "RO" && a.county == "B" ? BucharestSector.parse(a.city) : nil
        x.leaf("cbc:CityName", sector ?? cut(a.city, Limit.city))
        if let zip = a.postalCode, !zip.isEmpty { x.leaf("cbc:PostalZone", cut(zip, Limit.postalZone)) }
        if a.country == "RO", let county = a.county {
            x.leaf("cbc:CountrySubentity", "RO-" + county)  // ISO 3166-2:RO (BR-RO-110)
        } else if let county = a.county, !county.isEmpty {
            x.leaf("cbc:CountrySubentity", cut(county, Limit.city))
        }
        x.open("cac:Country")
        x.leaf("cbc:IdentificationCode", a.country)
        x.close("cac:Country")
        x.close("cac:PostalAddress")
    }

    private static func partyTaxScheme(_ x: inout XMLWriter, companyID: String, vat: Bool) {
        x.open("cac:PartyTaxScheme")
        x.leaf("cbc:CompanyID", companyID)
        x.open("cac:TaxScheme")
        // A VAT identifier (BT-31/48) or, without VAT, a tax registration identifier (BT-32).
        x.leaf("cbc:ID", vat ? "VAT" : "FC")
        x.close("cac:TaxScheme")
        x.close("cac:PartyTaxScheme")
    }

    private static func seller(_ x: inout XMLWriter, _ invoice: FiscalInvoice) {
        let s = invoice.seller
        x.open("cac:AccountingSupplierParty")
        x.open("cac:Party")
        address(&x, s.address)
        // "Not subject" invoices may not carry VAT identifiers (BR-O-02): the CUI goes as tax registration id.
        if invoice.vat.category != .notSubject, let vat = s.vatNumber {
            partyTaxScheme(&x, companyID: vat, vat: true)
        } else {
            partyTaxScheme(&x, companyID: s.cui, vat: false)
        }
        x.open("cac:PartyLegalEntity")
        x.leaf("cbc:RegistrationName", cut(s.name, Limit.name))
        x.leaf("cbc:CompanyID", s.tradeRegisterNumber)
        x.close("cac:PartyLegalEntity")
        x.close("cac:Party")
        x.close("cac:AccountingSupplierParty")
    }

    private static func buyer(_ x: inout XMLWriter, _ invoice: FiscalInvoice) {
        x.open("cac:AccountingCustomerParty")
        x.open("cac:Party")
        switch invoice.buyer {
        case .person(let p):
            address(&x, p.address)
            x.open("cac:PartyLegalEntity")
            x.leaf("cbc:RegistrationName", cut(p.name, Limit.name))
            // BR-RO-120: a person's CNP, or thirteen zeros when none was given (always for foreigners).
            x.leaf("cbc:CompanyID", p.cnp?.value ?? CNP.absentForEFactura)
            x.close("cac:PartyLegalEntity")
        case .legalEntity(let e):
            address(&x, e.address)
            if invoice.vat.category != .notSubject, let vat = e.vatNumber {
                partyTaxScheme(&x, companyID: vat.description, vat: true)
            }
            x.open("cac:PartyLegalEntity")
            x.leaf("cbc:RegistrationName", cut(e.name, Limit.name))
            if let id = e.registrationCode ?? e.tradeRegisterNumber
                ?? (invoice.vat.category == .notSubject ? nil : e.vatNumber?.description)
            {
                x.leaf("cbc:CompanyID", id)
            } else {
                x.leaf("cbc:CompanyID", CNP.absentForEFactura)
            }
            x.close("cac:PartyLegalEntity")
        }
        x.close("cac:Party")
        x.close("cac:AccountingCustomerParty")
    }

    private static func taxCategory(
        _ x: inout XMLWriter, _ element: String, _ category: VatCategory, _ basisPoints: Int, withExemption: Bool
    ) {
        x.open(element)
        x.leaf("cbc:ID", category.rawValue)
        // "Not subject" carries no rate (BR-O-05); the others do, reverse charge as 0.
        if category != .notSubject { x.leaf("cbc:Percent", percent(basisPoints)) }
        if withExemption {
            switch category {
            case .reverseCharge:
                x.leaf("cbc:TaxExemptionReasonCode", "VATEX-EU-AE")
                x.leaf("cbc:TaxExemptionReason", "Taxare inversă")
            case .notSubject:
                x.leaf("cbc:TaxExemptionReasonCode", "VATEX-EU-O")
                x.leaf("cbc:TaxExemptionReason", "Neimpozabil în România")
            case .standard:
                break
            }
        }
        x.open("cac:TaxScheme")
        x.leaf("cbc:ID", "VAT")
        x.close("cac:TaxScheme")
        x.close(element)
    }

    /// Minor units as "-123.45".
    static func amount(_ minor: Int64) -> String {
        let sign = minor < 0 ? "-" : ""
        let m = minor.magnitude
        let cents = String(m % 100)
        return "\(sign)\(m / 100).\(cents.count == 1 ? "0" + cents : cents)"
    }

    /// 2100 basis points → "21", 950 → "9.5".
    static func percent(_ bp: Int) -> String {
        let whole = bp / 100
        let frac = bp % 100
        if frac == 0 { return String(whole) }
        return frac % 10 == 0 ? "\(whole).\(frac / 10)" : "\(whole).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// Control characters dropped, then cut to `limit` code points (what the schematron's string-length counts).
    static func cut(_ s: String, _ limit: Int) -> String {
        var scalars = String.UnicodeScalarView(XMLWriter.clean(s).unicodeScalars.prefix(limit))
        // A cut right after a zero-width joiner would leave it dangling.
        while let last = scalars.last, last == "\u{200D}" { scalars.removeLast() }
        return String(scalars)
    }
}

/// A minimal XML writer: elements, attributes and escaped text; indentation for people reading the file.
struct XMLWriter {
    private(set) var text = ""
    private var depth = 0

    mutating func raw(_ s: String) { text += s + "\n" }

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        text += String(repeating: "  ", count: depth) + "<" + name + Self.attributes(attributes) + ">\n"
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        text += String(repeating: "  ", count: depth) + "</" + name + ">\n"
    }

    mutating func leaf(_ name: String, _ value: String, _ attributes: [(String, String)] = []) {
        text +=
            String(repeating: "  ", count: depth) + "<" + name + Self.attributes(attributes) + ">" + Self.escape(value)
            + "</" + name + ">\n"
    }

    mutating func leaf(_ name: String, _ value: (String, [(String, String)])) { leaf(name, value.0, value.1) }

    private static func attributes(_ a: [(String, String)]) -> String {
        a.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// Drops what XML 1.0 cannot carry (control characters pasted into client text).
    static func clean(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if (v < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r") || v == 0xFFFE || v == 0xFFFF {
                continue
            }
            out.append(scalar)
        }
        return String(out)
    }

    /// Escapes markup; cleans first, so no value can make the file ill-formed.
    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in clean(s).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
