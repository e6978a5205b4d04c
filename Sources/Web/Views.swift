import Domain
import Features
import Foundation

/// Turns domain values into the dictionaries the templates read. Every client-supplied string reaches the page
/// through `{{…}}`, which HTML-escapes it.
struct Views {
    let t: [String: String]
    let language: Language
    /// Amounts, dates and rates as the page's language writes them (the e-mails and the PDF use the same).
    let format: LocalFormat

    init(_ language: Language) {
        self.language = language
        self.t = Strings.table(language)
        self.format = LocalFormat(language)
    }

    func s(_ key: String) -> String { t[key] ?? Strings.table(.en)[key] ?? key }
    func f(_ key: String, _ args: String...) -> String {
        var out = s(key)
        for a in args {
            guard let r = out.range(of: "%@") else { break }
            out.replaceSubrange(r, with: a)
        }
        return out
    }

    // MARK: Parties

    func partyLines(_ p: BillingParty) -> [String] {
        let a = p.address
        var lines = [a.street, place(a), Places.countryName(a.country, language)]
        switch p {
        case .person(let person):
            if let cnp = person.cnp { lines.append("CNP: \(cnp.value)") }
        case .legalEntity(let e):
            if let r = e.registrationCode { lines.append("CUI: \(r)") }
            if let r = e.tradeRegisterNumber { lines.append("Reg. Com.: \(r)") }
            if let v = e.vatNumber { lines.append("VAT: \(v.description)") }
        }
        return lines
    }

    /// "030001 București, Sector 3" for e-Factura's "SECTOR3" in county "B"; "400001 Cluj-Napoca CJ" otherwise.
    func place(_ a: PostalAddress) -> String {
        let city = a.city.uppercased()
        let town =
            a.county == "B" && city.hasPrefix("SECTOR") && city.count == 7
            ? "București, Sector \(city.suffix(1))" : [a.city, a.county].compactMap { $0 }.joined(separator: " ")
        return [a.postalCode, town].compactMap { $0 }.joined(separator: " ")
    }

    func partyLabel(_ p: BillingParty) -> String {
        let kind = p.kind == .person ? s("kind_person") : s("kind_company")
        return "\(p.name) — \(kind), \(p.address.city), \(p.address.country)"
    }

    static let partyFields = [
        "kind", "name", "street", "city", "county", "postalCode", "country", "cnp", "cui", "tradeRegisterNumber",
        "vatNumber",
    ]

    /// The billing-data fields, grouped so a visitor without JavaScript sees which belong to which kind.
    func partyForm(_ values: [String: String], errors: [String: String]) -> [String: Any] {
        func field(_ name: String, _ label: String, hint: String? = nil, autocomplete: String? = nil) -> [String: Any] {
            var f: [String: Any] = [
                "name": "p_\(name)", "label": s(label), "type": "text", "value": values[name] ?? "",
            ]
            if let hint { f["hint"] = s(hint) }
            if let autocomplete { f["autocomplete"] = autocomplete }
            if let e = errors["p_\(name)"] { f["error"] = e }
            return f
        }
        let kind = values["kind"] ?? "person"
        // The country by name; the county typed (any county, abroad) with the Romanian ones offered by name.
        var countryField = field("country", "country", autocomplete: "country")
        let country = (values["country"] ?? "RO").uppercased()
        let countries = Places.countries(language)
        countryField["hasOptions"] = true
        countryField["options"] =
            (countries.contains { $0.code == country } || country.isEmpty
                ? [] : [["value": country, "label": country, "selected": true]])
            + countries.map { ["value": $0.code, "label": $0.name, "selected": $0.code == country] as [String: Any] }
        // A Romanian address picks its județ from a list (the code e-Factura wants); an address abroad types its
        // region, if it has one. Each shows only for its country when the browser can tell (CSS :has).
        let county = (values["county"] ?? "").uppercased()
        var countyField = field("county", "county")
        countyField["hasOptions"] = true
        countyField["fieldClass"] = "romania-only"
        let known = Places.romanianCounties.contains { $0.code == county }
        countyField["options"] =
            [["value": "", "label": s("county_choose"), "selected": county.isEmpty] as [String: Any]]
            // A value that is no county (typed into an older form, or a region abroad) stays as it was sent.
            + (known || county.isEmpty || (values["country"] ?? "RO").uppercased() != "RO"
                ? [] : [["value": values["county"] ?? "", "label": values["county"] ?? "", "selected": true]])
            + Places.romanianCounties.map { ["value": $0.code, "label": $0.name, "selected": $0.code == county] }
        var regionField = field("region", "region", hint: "region_hint", autocomplete: "address-level1")
        regionField["value"] = values["region"] ?? ""
        regionField["fieldClass"] = "abroad-only"
        var kindField = field("kind", "kind")
        kindField["hasOptions"] = true
        kindField["options"] = [
            ["value": "person", "label": s("kind_person"), "selected": kind == "person"],
            ["value": "legal_entity", "label": s("kind_company"), "selected": kind == "legal_entity"],
        ]
        return [
            "party": [
                "common": [
                    kindField, field("name", "name", autocomplete: "name"),
                    field("street", "street", autocomplete: "street-address"),
                    field("city", "city", autocomplete: "address-level2"),
                    countyField, regionField, field("postalCode", "postal_code", autocomplete: "postal-code"),
                    countryField,
                ],
                "person": [field("cnp", "cnp")],
                "company": [
                    field("cui", "cui"), field("tradeRegisterNumber", "trade_register"),
                    field("vatNumber", "vat_number"),
                ],
            ] as [String: Any]
        ]
    }

    static func partyValues(_ p: BillingParty) -> [String: String] {
        let a = p.address
        var v = [
            "kind": p.kind.rawValue, "name": p.name, "street": a.street, "city": a.city,
            "county": a.county ?? "", "region": a.country == "RO" ? "" : a.county ?? "",
            "postalCode": a.postalCode ?? "", "country": a.country,
        ]
        switch p {
        case .person(let person): v["cnp"] = person.cnp?.value ?? ""
        case .legalEntity(let e):
            v["cui"] = e.registrationCode ?? ""
            v["tradeRegisterNumber"] = e.tradeRegisterNumber ?? ""
            v["vatNumber"] = e.vatNumber?.description ?? ""
        }
        return v
    }

    /// The typed billing data; the fields of the other kind are ignored, so switching kind never trips over them.
    static func partyDraft(_ form: Form) -> (BillingPartyDraft, [String: String]) {
        var v: [String: String] = [:]
        for name in partyFields + ["region"] {
            v[name] = form["p_\(name)"].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // The county list is for Romania; abroad the typed region is the address's county.
        if (v["country"] ?? "").uppercased() != "RO", let region = v["region"], !region.isEmpty { v["county"] = region }
        let person = v["kind"] == "person"
        let draft = BillingPartyDraft(
            kind: v["kind"] ?? "", name: v["name"] ?? "", street: v["street"] ?? "", city: v["city"] ?? "",
            county: v["county"], postalCode: v["postalCode"],
            country: (v["country"] ?? "").uppercased(), cnp: person ? v["cnp"] : nil, cui: person ? nil : v["cui"],
            tradeRegisterNumber: person ? nil : v["tradeRegisterNumber"], vatNumber: person ? nil : v["vatNumber"])
        return (draft, v)
    }

    /// Field errors by form field name, translated.
    func errors(_ failure: ValidationFailure) -> [String: String] {
        var out: [String: String] = [:]
        for e in failure.errors {
            let name = Self.partyFields.contains(e.field) ? "p_\(e.field)" : e.field
            if out[name] == nil { out[name] = Strings.message(for: e, in: language) }
        }
        return out
    }

    // MARK: Invoices

    func money(_ minor: Int64, _ currency: Currency) -> String { format.money(minor: minor, currency) }
    func money(_ m: Money) -> String { format.money(m) }
    func date(_ d: CivilDate) -> String { format.date(d) }

    func body(
        buyer: BillingParty, seller: Seller, lines: [InvoiceLine], totals: InvoiceTotals, vat: VatTreatment,
        exchange: (ExchangeRate, Int64)? = nil
    ) -> [String: Any] {
        let c = totals.currency
        var vatRows: [[String: Any]] = totals.subtotals.map { sub in
            let rate =
                sub.category == .reverseCharge
                ? s("reverse_charge") : format.percent(basisPoints: sub.basisPoints)
            return ["label": f("vat_rate", rate), "amount": money(sub.vatMinor, c)]
        }
        if vatRows.isEmpty { vatRows = [["label": s("vat"), "amount": money(0, c)]] }
        var totalsView: [String: Any] = [
            "net": money(totals.netMinor, c), "gross": money(totals.grossMinor, c), "vatRows": vatRows,
        ]
        if let (rate, ron) = exchange {
            totalsView["ron"] = [
                "label":
                    "\(s("vat")) RON (1 \(rate.currency.rawValue) = \(language == .ro ? rate.rateString.replacingOccurrences(of: ".", with: ",") : rate.rateString) RON, \(date(rate.date)))",
                "amount": money(ron, .RON),
            ]
        }
        var sellerLines = [seller.address.street, place(seller.address), "CUI: \(seller.cui)"]
        if let vat = seller.vatNumber { sellerLines.append("\(s("vat_code")): \(vat)") }
        sellerLines += ["Reg. Com.: \(seller.tradeRegisterNumber)", "IBAN: \(seller.iban)"]
        return [
            "buyer": ["name": buyer.name, "lines": partyLines(buyer)],
            "seller": ["name": seller.name, "lines": sellerLines],
            "lines": lines.map { l in
                [
                    "description": l.description, "quantity": String(l.quantity), "unit": money(l.unitPriceMinor, c),
                    "net": money(l.netMinor, c),
                ]
            },
            "totals": totalsView,
            "mention": vat.mention ?? "",
        ]
    }

    func status(_ s: ProformaState) -> String { self.s("status_\(s.rawValue)") }

    func cycle(_ c: BillingCycle) -> String { s("cycle_\(c.rawValue)") }

    func serviceState(_ st: ServiceState) -> String { s("state_\(st.rawValue)") }
}
