import Foundation

/// ISO 4217 currencies the company invoices in. All have two decimals.
public enum Currency: String, Sendable, Codable, CaseIterable, Hashable {
    case RON, EUR, USD
}

/// An amount in integer minor units (bani, cents) with its currency. Never a floating-point value.
public struct Money: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let minor: Int64
    public let currency: Currency

    public init(minor: Int64, currency: Currency) {
        self.minor = minor
        self.currency = currency
    }

    public static func zero(_ currency: Currency) -> Money { Money(minor: 0, currency: currency) }

    /// Parses "12.34", "12.3", "12" or "-0.50" exactly (no floating point). Nil when the text is not an amount
    /// or has more than two decimals.
    public init?(decimal text: String, currency: Currency) {
        guard let minor = Money.parseMinor(text) else { return nil }
        self.init(minor: minor, currency: currency)
    }

    /// Reads back `description` ("36.30 RON"), the neutral form messages keep until a language writes it.
    public init?(neutral text: String) {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let currency = Currency(rawValue: String(parts[1])),
            let minor = Money.parseMinor(String(parts[0]))
        else { return nil }
        self.init(minor: minor, currency: currency)
    }

    public static func parseMinor(_ text: String) -> Int64? {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if s.first == "-" {
            negative = true
            s = s.dropFirst()
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            whole.count <= 15
        else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 2, fraction.allSatisfy(\.isASCIIDigit), !(parts.count == 2 && fraction.isEmpty)
        else { return nil }
        while fraction.count < 2 { fraction += "0" }
        guard let w = Int64(whole), let f = Int64(fraction) else { return nil }
        let value = w * 100 + f
        return negative ? -value : value
    }

    /// "1234.50" with a dot and two decimals, the form used in documents and the API.
    public var decimalString: String { Money.format(minor: minor) }

    public static func format(minor: Int64) -> String {
        let sign = minor < 0 ? "-" : ""
        let a = minor.magnitude
        let cents = a % 100
        return "\(sign)\(a / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    public var description: String { "\(decimalString) \(currency.rawValue)" }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        precondition(lhs.currency == rhs.currency, "comparing \(lhs.currency) with \(rhs.currency)")
        return lhs.minor < rhs.minor
    }

    public static func + (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "adding \(lhs.currency) to \(rhs.currency)")
        return Money(minor: lhs.minor + rhs.minor, currency: lhs.currency)
    }

    public static func - (lhs: Money, rhs: Money) -> Money {
        precondition(lhs.currency == rhs.currency, "subtracting \(rhs.currency) from \(lhs.currency)")
        return Money(minor: lhs.minor - rhs.minor, currency: lhs.currency)
    }

    public static prefix func - (value: Money) -> Money { Money(minor: -value.minor, currency: value.currency) }
}

/// Integer division rounded half up (away from zero for .5), the rounding EN 16931 prescribes.
public func roundHalfUp(_ numerator: Int64, dividedBy denominator: Int64) -> Int64 {
    precondition(denominator > 0)
    let q = numerator / denominator
    let r = numerator % denominator
    if r.magnitude * 2 >= denominator.magnitude { return numerator < 0 ? q - 1 : q + 1 }
    return q
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
