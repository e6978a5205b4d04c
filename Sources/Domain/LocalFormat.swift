/// How amounts, dates and VAT rates are written for a reader of one language: the one formatter behind the pages,
/// the e-mails and SMS, and the PDF (which is Romanian). Stored data, the API and e-Factura keep the neutral forms
/// (`1234.50`, `2026-11-09`); this is only for people.
///
/// - Romanian: `1.234,50 RON`, `09.11.2026`, `21 %` (comma decimals are not optional: a dot reads as thousands).
/// - English: `1,234.50 RON`, `9 Nov 2026`, `21%`.
/// - Hindi: Indian grouping `1,00,000.00 RON`, `09/11/2026`, `21%`.
public struct LocalFormat: Sendable, Hashable {
    public let language: Language

    public init(_ language: Language) { self.language = language }

    public func money(_ m: Money) -> String { money(minor: m.minor, m.currency) }

    public func money(minor: Int64, _ currency: Currency) -> String {
        "\(amount(minor: minor)) \(currency.rawValue)"
    }

    /// The number alone, with the language's decimal mark and grouping.
    public func amount(minor: Int64) -> String {
        let sign = minor < 0 ? "-" : ""
        let m = minor.magnitude
        let cents = m % 100
        let whole = group(String(m / 100))
        let mark = language == .ro ? "," : "."
        return "\(sign)\(whole)\(mark)\(cents < 10 ? "0" : "")\(cents)"
    }

    public func date(_ d: CivilDate) -> String {
        let dd = d.day < 10 ? "0\(d.day)" : "\(d.day)"
        let mm = d.month < 10 ? "0\(d.month)" : "\(d.month)"
        switch language {
        case .ro: return "\(dd).\(mm).\(d.year)"
        case .hi: return "\(dd)/\(mm)/\(d.year)"
        case .en: return "\(d.day) \(Self.englishMonths[d.month - 1]) \(d.year)"
        }
    }

    /// A VAT rate given in basis points (2100 → "21 %" in Romanian, "21%" otherwise; 550 → "5,5 %").
    public func percent(basisPoints: Int) -> String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        var text = "\(whole)"
        if fraction != 0 {
            var digits = fraction < 10 ? "0\(fraction)" : "\(fraction)"
            while digits.hasSuffix("0") { digits.removeLast() }
            text += (language == .ro ? "," : ".") + digits
        }
        return language == .ro ? "\(text) %" : "\(text)%"
    }

    private func group(_ digits: String) -> String {
        let separator = language == .ro ? "." : ","
        var rest = Substring(digits)
        guard rest.count > 3 else { return digits }
        var groups = [String(rest.suffix(3))]
        rest = rest.dropLast(3)
        // Indian grouping: the last three digits, then pairs (1,00,000); the others group by three.
        let size = language == .hi ? 2 : 3
        while rest.count > size {
            groups.insert(String(rest.suffix(size)), at: 0)
            rest = rest.dropLast(size)
        }
        groups.insert(String(rest), at: 0)
        return groups.joined(separator: separator)
    }

    private static let englishMonths = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ]
}
