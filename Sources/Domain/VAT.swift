/// EN 16931 VAT category codes used by this company.
public enum VatCategory: String, Sendable, Codable, Hashable {
    /// Standard rate charged by the seller.
    case standard = "S"
    /// Reverse charge: an EU business with a VAT number owes the VAT.
    case reverseCharge = "AE"
    /// Outside the scope of EU VAT (buyer outside the EU).
    case notSubject = "O"
}

/// A VAT rate in basis points (2100 = 21.00 %), valid from a date until the next entry for that country.
public struct DatedVatRate: Sendable, Hashable, Codable {
    public let country: String
    public let basisPoints: Int
    public let validFrom: CivilDate

    public init(country: String, basisPoints: Int, validFrom: CivilDate) {
        self.country = country
        self.basisPoints = basisPoints
        self.validFrom = validFrom
    }
}

/// Standard VAT rates by country and date, since rates change (Romania: 19 % → 21 % on 2025-08-01).
public struct VatRateTable: Sendable {
    let entries: [String: [DatedVatRate]]

    public init(_ rates: [DatedVatRate]) {
        entries = Dictionary(grouping: rates, by: \.country).mapValues { $0.sorted { $0.validFrom < $1.validFrom } }
    }

    public func standardRate(country: String, on date: CivilDate) -> Int? {
        entries[country]?.last(where: { $0.validFrom <= date })?.basisPoints
    }

    /// The rates in force at the time of writing; the database may add later changes.
    public static let builtIn = VatRateTable(
        [
            DatedVatRate(country: "RO", basisPoints: 1900, validFrom: CivilDate(year: 2017, month: 1, day: 1)!),
            DatedVatRate(country: "RO", basisPoints: 2100, validFrom: CivilDate(year: 2025, month: 8, day: 1)!),
        ]
            + [
                ("AT", 2000), ("BE", 2100), ("BG", 2000), ("HR", 2500), ("CY", 1900), ("CZ", 2100), ("DK", 2500),
                ("EE", 2400), ("FI", 2550), ("FR", 2000), ("DE", 1900), ("GR", 2400), ("HU", 2700), ("IE", 2300),
                ("IT", 2200), ("LV", 2100), ("LT", 2100), ("LU", 1700), ("MT", 1800), ("NL", 2100), ("PL", 2300),
                ("PT", 2300), ("SK", 2300), ("SI", 2200), ("ES", 2100), ("SE", 2500),
            ].map {
                DatedVatRate(country: $0.0, basisPoints: $0.1, validFrom: CivilDate(year: 2025, month: 1, day: 1)!)
            })
}

/// How VAT applies to one buyer: category, rate, whose VAT, and the mention the invoice must print.
public struct VatTreatment: Sendable, Hashable, Codable {
    public let category: VatCategory
    public let basisPoints: Int
    /// The Member State whose VAT is charged (RO, or the buyer's under OSS); nil when none is charged.
    public let vatCountry: String?
    public let mention: String?

    public init(category: VatCategory, basisPoints: Int, vatCountry: String?, mention: String?) {
        self.category = category
        self.basisPoints = basisPoints
        self.vatCountry = vatCountry
        self.mention = mention
    }

    public static let reverseChargeMention = "Taxare inversă (reverse charge)"
    public static let notSubjectMention = "Neimpozabil în România (not subject to VAT in Romania)"
}

/// The company's choice for EU private persons (and EU businesses without a VAT number).
public enum EUConsumerVat: String, Sendable, Codable {
    /// Romanian VAT: the company is under the EUR 10,000 cross-border threshold.
    case romanian
    /// The buyer's Member State rate, declared through OSS.
    case destination
}

/// Decides the VAT treatment of a buyer (domain.md §1.5).
public struct VatRules: Sendable {
    public let rates: VatRateTable
    public let euConsumers: EUConsumerVat

    public init(rates: VatRateTable = .builtIn, euConsumers: EUConsumerVat = .romanian) {
        self.rates = rates
        self.euConsumers = euConsumers
    }

    public enum Failure: Error, Sendable, Equatable {
        case noRate(country: String, date: CivilDate)
    }

    public func treatment(for buyer: BillingParty, on date: CivilDate) throws(Failure) -> VatTreatment {
        let country = buyer.country
        func standard(_ vatCountry: String) throws(Failure) -> VatTreatment {
            guard let bp = rates.standardRate(country: vatCountry, on: date) else {
                throw .noRate(country: vatCountry, date: date)
            }
            return VatTreatment(category: .standard, basisPoints: bp, vatCountry: vatCountry, mention: nil)
        }
        if country == "RO" { return try standard("RO") }
        if Countries.isEU(country) {
            if case .legalEntity(let entity) = buyer, entity.vatNumber != nil {
                return VatTreatment(
                    category: .reverseCharge, basisPoints: 0, vatCountry: nil,
                    mention: VatTreatment.reverseChargeMention)
            }
            return try standard(euConsumers == .destination ? country : "RO")
        }
        return VatTreatment(
            category: .notSubject, basisPoints: 0, vatCountry: nil, mention: VatTreatment.notSubjectMention)
    }
}

/// One row of the per-rate VAT table printed on an invoice.
public struct VatSubtotal: Sendable, Hashable, Codable {
    public let category: VatCategory
    public let basisPoints: Int
    public let taxableMinor: Int64
    public let vatMinor: Int64
}

/// Invoice totals with VAT computed per rate on the sum of that rate's line nets (EN 16931 BR-CO-17).
public struct InvoiceTotals: Sendable, Hashable, Codable {
    public let currency: Currency
    public let netMinor: Int64
    public let vatMinor: Int64
    public let subtotals: [VatSubtotal]

    public var grossMinor: Int64 { netMinor + vatMinor }
    public var net: Money { Money(minor: netMinor, currency: currency) }
    public var vat: Money { Money(minor: vatMinor, currency: currency) }
    public var gross: Money { Money(minor: grossMinor, currency: currency) }

    public init(currency: Currency, lines: [(net: Int64, category: VatCategory, basisPoints: Int)]) {
        self.currency = currency
        var groups: [String: (VatCategory, Int, Int64)] = [:]
        var order: [String] = []
        for line in lines {
            let key = "\(line.category.rawValue)-\(line.basisPoints)"
            if groups[key] == nil {
                order.append(key)
                groups[key] = (line.category, line.basisPoints, 0)
            }
            groups[key]!.2 += line.net
        }
        subtotals = order.map { key in
            let (category, bp, taxable) = groups[key]!
            return VatSubtotal(
                category: category, basisPoints: bp, taxableMinor: taxable,
                vatMinor: roundHalfUp(taxable * Int64(bp), dividedBy: 10_000))
        }
        netMinor = subtotals.reduce(0) { $0 + $1.taxableMinor }
        vatMinor = subtotals.reduce(0) { $0 + $1.vatMinor }
    }
}

/// A BNR exchange rate: RON for one unit of `currency`, with four decimals, and the date it was published for.
public struct ExchangeRate: Sendable, Hashable, Codable {
    public let currency: Currency
    /// RON per unit × 10,000 (BNR publishes four decimals): 5.0893 → 50893.
    public let ronPerUnitE4: Int64
    public let date: CivilDate

    public init(currency: Currency, ronPerUnitE4: Int64, date: CivilDate) {
        self.currency = currency
        self.ronPerUnitE4 = ronPerUnitE4
        self.date = date
    }

    /// RON minor units for an amount in `currency`, rounded half up: 2.10 EUR × 5.0893 = 10.69 RON.
    public func toRON(_ minor: Int64) -> Int64 { roundHalfUp(minor * ronPerUnitE4, dividedBy: 10_000) }

    public var rateString: String {
        let whole = ronPerUnitE4 / 10_000
        let frac = String(ronPerUnitE4 % 10_000)
        return "\(whole).\(String(repeating: "0", count: 4 - frac.count))\(frac)"
    }
}
