import Foundation

/// A postal address as printed on invoices. Romanian addresses carry a county (BR-RO-110); Bucharest uses
/// "B" and a sector as the city.
public struct PostalAddress: Sendable, Hashable, Codable {
    public let street: String
    public let city: String
    public let county: String?
    public let postalCode: String?
    public let country: String

    public init(street: String, city: String, county: String?, postalCode: String?, country: String) {
        self.street = street
        self.city = city
        self.county = county
        self.postalCode = postalCode
        self.country = country
    }
}

/// Who an invoice is issued to: a private person or a legal entity. The two are different cases so a person
/// can never carry a trade-register number and a company can never carry a CNP.
public enum BillingParty: Sendable, Hashable, Codable {
    case person(Person)
    case legalEntity(LegalEntity)

    public struct Person: Sendable, Hashable, Codable {
        public let name: String
        public let address: PostalAddress
        /// Only for Romanian persons, and only when given.
        public let cnp: CNP?

        public init(name: String, address: PostalAddress, cnp: CNP?) {
            self.name = name
            self.address = address
            self.cnp = cnp
        }
    }

    public struct LegalEntity: Sendable, Hashable, Codable {
        public let name: String
        public let address: PostalAddress
        /// Romanian CUI/CIF or a foreign company's registration code.
        public let registrationCode: String?
        public let tradeRegisterNumber: String?
        public let vatNumber: EUVATNumber?

        public init(
            name: String, address: PostalAddress, registrationCode: String?, tradeRegisterNumber: String?,
            vatNumber: EUVATNumber?
        ) {
            self.name = name
            self.address = address
            self.registrationCode = registrationCode
            self.tradeRegisterNumber = tradeRegisterNumber
            self.vatNumber = vatNumber
        }
    }

    public var name: String {
        switch self {
        case .person(let p): p.name
        case .legalEntity(let e): e.name
        }
    }

    public var address: PostalAddress {
        switch self {
        case .person(let p): p.address
        case .legalEntity(let e): e.address
        }
    }

    public var country: String { address.country }

    public var kind: BillingPartyKind {
        switch self {
        case .person: .person
        case .legalEntity: .legalEntity
        }
    }
}

public enum BillingPartyKind: String, Sendable, Codable, CaseIterable {
    case person
    case legalEntity = "legal_entity"
}

/// Unvalidated billing data as typed in a form or sent to the API.
public struct BillingPartyDraft: Sendable, Hashable, Codable {
    public var kind: String
    public var name: String
    public var street: String
    public var city: String
    public var county: String?
    public var postalCode: String?
    public var country: String
    public var cnp: String?
    public var cui: String?
    public var tradeRegisterNumber: String?
    public var vatNumber: String?

    public init(
        kind: String, name: String, street: String, city: String, county: String? = nil, postalCode: String? = nil,
        country: String, cnp: String? = nil, cui: String? = nil, tradeRegisterNumber: String? = nil,
        vatNumber: String? = nil
    ) {
        self.kind = kind
        self.name = name
        self.street = street
        self.city = city
        self.county = county
        self.postalCode = postalCode
        self.country = country
        self.cnp = cnp
        self.cui = cui
        self.tradeRegisterNumber = tradeRegisterNumber
        self.vatNumber = vatNumber
    }

    /// Parse then act: every field error at once, or a party that is valid by construction.
    public func validated() throws(ValidationFailure) -> BillingParty {
        var errors = FieldErrors()
        let kind = BillingPartyKind(rawValue: kind)
        if kind == nil { errors.add("kind", "kind.enum", "Choose a private person or a legal entity.") }
        let name = errors.text("name", name, limit: 200)
        if name.isEmpty { errors.add("name", "required", "The name is required.") }
        let street = errors.text("street", street, limit: 150)
        if street.isEmpty { errors.add("street", "required", "The street address is required.") }
        var city = errors.text("city", city, limit: 50)
        if city.isEmpty { errors.add("city", "required", "The city is required.") }
        let country = errors.check { () throws(ValidationFailure) in try Countries.parse(self.country) }
        var county = nonEmpty(self.county).map { errors.text("county", $0, limit: 50).uppercased() }
        if county?.hasPrefix("RO-") == true { county = String(county!.dropFirst(3)) }
        if country == "RO", let c = county, !Countries.romanianCounties.contains(c),
            let code = Countries.romanianCounty(named: self.county ?? "")
        {
            county = code
        }
        if country == "RO" {
            if let c = county {
                if !Countries.romanianCounties.contains(c) {
                    errors.add("county", "county.ro", "Choose a Romanian county (e.g. CJ, or B for Bucharest).")
                }
            } else {
                errors.add("county", "required", "The county is required for a Romanian address.")
            }
        }
        // e-Factura (BR-RO-100/101) wants a Bucharest address's city as SECTOR1…SECTOR6, however the client typed it.
        if country == "RO", county == "B", !city.isEmpty {
            if let sector = BucharestSector.parse(city) {
                city = sector
            } else {
                errors.add(
                    "city", "city.bucharest-sector", "For a Bucharest address give the sector, 1 to 6 (e.g. Sector 2).")
            }
        }
        let postal = nonEmpty(postalCode).map { errors.text("postalCode", $0, limit: 20) }
        let address = PostalAddress(
            street: street, city: city, county: county, postalCode: postal, country: country ?? "")

        switch kind {
        case .person:
            var cnp: CNP?
            if let raw = nonEmpty(self.cnp) {
                if country != "RO" {
                    errors.add("cnp", "cnp.romanian-only", "A CNP is only given by Romanian residents.")
                } else {
                    cnp = errors.check { () throws(ValidationFailure) in try CNP.parse(raw) }
                }
            }
            if nonEmpty(cui) != nil || nonEmpty(tradeRegisterNumber) != nil || nonEmpty(vatNumber) != nil {
                errors.add(
                    "kind", "person.company-fields",
                    "A private person has no CUI, trade-register or VAT number; choose legal entity instead.")
            }
            try errors.throwIfAny()
            return .person(.init(name: name, address: address, cnp: cnp))
        case .legalEntity:
            if nonEmpty(cnp) != nil {
                errors.add("cnp", "entity.cnp", "A legal entity has no CNP; choose private person instead.")
            }
            var registration: String?
            var vat: EUVATNumber?
            if let raw = nonEmpty(vatNumber) {
                vat = errors.check { () throws(ValidationFailure) in try EUVATNumber.parse(raw) }
                if let v = vat, let c = country, v.country != c {
                    errors.add(
                        "vatNumber", "vat.country-mismatch",
                        "The VAT number's prefix \(v.prefix) does not match the country \(c).")
                }
            }
            if country == "RO" {
                if let raw = nonEmpty(cui) {
                    registration = errors.check { () throws(ValidationFailure) in try CUI.parse(raw) }?.digits
                } else if let v = vat, v.prefix == "RO" {
                    registration = v.body
                } else {
                    errors.add("cui", "required", "A Romanian company needs its CUI/CIF.")
                }
                if let v = vat, let r = registration, v.prefix == "RO", v.body != r {
                    errors.add("vatNumber", "vat.cui-mismatch", "The RO VAT number must be RO followed by the CUI.")
                }
            } else {
                registration = nonEmpty(cui).map { errors.text("cui", $0, limit: 50) }
            }
            let trade = nonEmpty(tradeRegisterNumber).map { errors.text("tradeRegisterNumber", $0, limit: 50) }
            try errors.throwIfAny()
            return .legalEntity(
                .init(
                    name: name, address: address, registrationCode: registration, tradeRegisterNumber: trade,
                    vatNumber: vat))
        case nil:
            try errors.throwIfAny()
            fatalError("unreachable: a nil kind always records an error")
        }
    }
}

/// Trims, folds control characters and newlines to spaces, and caps the length, so stored names cannot break a
/// layout or a document.
func nonEmpty(_ s: String?) -> String? {
    guard let t = s?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
    return t
}

/// The sector of a Bucharest address as e-Factura writes it (`SECTOR1`…`SECTOR6`), from the ways people type it:
/// "Sector 2", "sectorul 2", "Sect. 2", "S2", "București, Sector 2", "Mun. Bucuresti sector 2", "SECTOR2".
public enum BucharestSector {
    public static func parse(_ city: String) -> String? {
        var text = city.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "ro"))
            .lowercased()
        for word in ["municipiul", "mun.", "bucuresti", "bucharest"] {
            text = text.replacingOccurrences(of: word, with: " ")
        }
        let joined = String(text.unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) })
        for prefix in ["sectorul", "sector", "sect", "sec", "s"] where joined.hasPrefix(prefix) {
            var rest = joined.dropFirst(prefix.count)
            if rest.hasPrefix("nr") { rest = rest.dropFirst(2) }
            if rest.count == 1, let digit = rest.first?.wholeNumberValue, (1...6).contains(digit) {
                return "SECTOR\(digit)"
            }
            return nil
        }
        return nil
    }
}
