import Foundation

/// Romanian personal numeric code (CNP): 13 digits, a valid birth date for its century, and a mod-11 check digit.
public struct CNP: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    /// The placeholder e-Factura uses for a person who gave no CNP.
    public static let absentForEFactura = "0000000000000"

    public static func parse(_ raw: String, field: String = "cnp") throws(ValidationFailure) -> CNP {
        let s = raw.filter { !$0.isWhitespace }
        guard s.count == 13, s.allSatisfy(\.isASCIIDigit) else {
            throw ValidationFailure(field: field, rule: "cnp.format", message: "A CNP has exactly 13 digits.")
        }
        let d = s.compactMap { $0.wholeNumberValue }
        guard d[0] != 0 else {
            throw ValidationFailure(field: field, rule: "cnp.format", message: "A CNP cannot start with 0.")
        }
        let century: Int
        switch d[0] {
        case 1, 2: century = 1900
        case 3, 4: century = 1800
        case 5, 6: century = 2000
        default: century = 1900
        }
        let yy = d[1] * 10 + d[2]
        let mm = d[3] * 10 + d[4]
        let dd = d[5] * 10 + d[6]
        guard CivilDate(year: century + yy, month: mm, day: dd) != nil else {
            throw ValidationFailure(
                field: field, rule: "cnp.date", message: "The birth date inside this CNP does not exist.")
        }
        let key = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]
        let sum = zip(d.prefix(12), key).reduce(0) { $0 + $1.0 * $1.1 }
        let r = sum % 11
        let control = r == 10 ? 1 : r
        guard control == d[12] else {
            throw ValidationFailure(
                field: field, rule: "cnp.checksum", message: "This CNP's check digit is wrong; please check for a typo."
            )
        }
        return CNP(value: s)
    }

    private init(value: String) { self.value = value }
    public var description: String { value }
}

/// Romanian company tax code (CUI / CIF), 2–10 digits with a mod-11 check digit; an optional "RO" prefix is dropped.
public struct CUI: Sendable, Hashable, Codable, CustomStringConvertible {
    public let digits: String

    public static func parse(_ raw: String, field: String = "cui") throws(ValidationFailure) -> CUI {
        var s = raw.uppercased().filter { !$0.isWhitespace && $0 != "-" }
        if s.hasPrefix("RO") { s.removeFirst(2) }
        guard (2...10).contains(s.count), s.allSatisfy(\.isASCIIDigit), s.first != "0" else {
            throw ValidationFailure(
                field: field, rule: "cui.format",
                message: "A CUI has 2 to 10 digits, optionally after \"RO\", and does not start with 0.")
        }
        let d = s.compactMap { $0.wholeNumberValue }
        let body = Array(repeating: 0, count: 9 - (d.count - 1)) + d.dropLast()
        let key = [7, 5, 3, 2, 1, 7, 5, 3, 2]
        let sum = zip(body, key).reduce(0) { $0 + $1.0 * $1.1 }
        let control = (sum * 10) % 11 % 10
        guard control == d.last else {
            throw ValidationFailure(
                field: field, rule: "cui.checksum", message: "This CUI's check digit is wrong; please check for a typo."
            )
        }
        return CUI(digits: s)
    }

    private init(digits: String) { self.digits = digits }
    public var description: String { digits }
}

/// An EU VAT identification number, format-checked per member state (VIES confirms it later).
public struct EUVATNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Two-letter VAT prefix: the ISO code except Greece, which uses "EL".
    public let prefix: String
    public let body: String

    static let formats: [String: [String]] = [
        "AT": ["U\\d{8}"], "BE": ["[01]\\d{9}"], "BG": ["\\d{9,10}"], "CY": ["\\d{8}[A-Z]"], "CZ": ["\\d{8,10}"],
        "DE": ["\\d{9}"], "DK": ["\\d{8}"], "EE": ["\\d{9}"], "EL": ["\\d{9}"], "ES": ["[A-Z0-9]\\d{7}[A-Z0-9]"],
        "FI": ["\\d{8}"], "FR": ["[A-HJ-NP-Z0-9]{2}\\d{9}"], "HR": ["\\d{11}"], "HU": ["\\d{8}"],
        "IE": ["\\d[A-Z0-9+*]\\d{5}[A-Z]{1,2}"], "IT": ["\\d{11}"], "LT": ["\\d{9}", "\\d{12}"], "LU": ["\\d{8}"],
        "LV": ["\\d{11}"], "MT": ["\\d{8}"], "NL": ["\\d{9}B\\d{2}"], "PL": ["\\d{10}"], "PT": ["\\d{9}"],
        "RO": ["\\d{2,10}"], "SE": ["\\d{12}"], "SI": ["\\d{8}"], "SK": ["\\d{10}"],
        "XI": ["\\d{9}", "\\d{12}", "GD\\d{3}", "HA\\d{3}"],
    ]

    public static func parse(_ raw: String, field: String = "vatNumber") throws(ValidationFailure) -> EUVATNumber {
        let s = raw.uppercased().filter { !$0.isWhitespace && $0 != "-" && $0 != "." }
        guard s.count > 2 else {
            throw ValidationFailure(
                field: field, rule: "vat.format",
                message: "A VAT number starts with its country prefix, e.g. DE123456789.")
        }
        let prefix = String(s.prefix(2))
        let body = String(s.dropFirst(2))
        guard let patterns = formats[prefix] else {
            throw ValidationFailure(
                field: field, rule: "vat.country", message: "\(prefix) is not an EU VAT prefix (Greece uses EL).")
        }
        guard patterns.contains(where: { body.wholeMatch(of: try! Regex($0)) != nil }) else {
            throw ValidationFailure(
                field: field, rule: "vat.format", message: "This is not a valid \(prefix) VAT number format.")
        }
        if prefix == "RO" {
            do { _ = try CUI.parse(body, field: field) } catch {
                throw ValidationFailure(
                    field: field, rule: "vat.checksum", message: "This RO VAT number's check digit is wrong.")
            }
        }
        return EUVATNumber(prefix: prefix, body: body)
    }

    private init(prefix: String, body: String) {
        self.prefix = prefix
        self.body = body
    }

    /// ISO 3166 country the number belongs to (EL → GR, XI → GB).
    public var country: String {
        switch prefix {
        case "EL": "GR"
        case "XI": "GB"
        default: prefix
        }
    }

    public var description: String { prefix + body }
}

/// International bank account number, checked by length per country and mod 97-10.
public struct IBAN: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    static let lengths: [String: Int] = [
        "RO": 24, "DE": 22, "GB": 22, "FR": 27, "IT": 27, "ES": 24, "NL": 18, "BE": 16, "AT": 20, "BG": 22,
        "HU": 28, "PL": 28, "CZ": 24, "SK": 24, "IE": 22, "PT": 25, "GR": 27, "CH": 21, "MD": 24, "SE": 24,
        "DK": 18, "FI": 18, "LU": 20, "HR": 21, "SI": 19, "LT": 20, "LV": 21, "EE": 20, "CY": 28, "MT": 31,
    ]

    public static func parse(_ raw: String, field: String = "iban") throws(ValidationFailure) -> IBAN {
        let s = raw.uppercased().filter { !$0.isWhitespace }
        guard s.count >= 15, s.count <= 34, s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
            s.prefix(2).allSatisfy(\.isLetter), s.dropFirst(2).prefix(2).allSatisfy(\.isASCIIDigit)
        else {
            throw ValidationFailure(
                field: field, rule: "iban.format",
                message: "An IBAN is a country code, two check digits and up to 30 letters or digits.")
        }
        if let expected = lengths[String(s.prefix(2))], expected != s.count {
            throw ValidationFailure(
                field: field, rule: "iban.length", message: "A \(s.prefix(2)) IBAN has \(expected) characters.")
        }
        let rearranged = s.dropFirst(4) + s.prefix(4)
        var remainder = 0
        for c in rearranged {
            let v = c.isLetter ? Int(c.asciiValue! - 55) : c.wholeNumberValue!
            remainder = v >= 10 ? (remainder * 100 + v) % 97 : (remainder * 10 + v) % 97
        }
        guard remainder == 1 else {
            throw ValidationFailure(
                field: field, rule: "iban.checksum",
                message: "This IBAN's check digits are wrong; please check for a typo.")
        }
        return IBAN(value: s)
    }

    private init(value: String) { self.value = value }
    public var description: String { value }
}

/// A phone number in E.164 (`+` and up to 15 digits). Romanian national forms are normalised.
public struct PhoneNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    public let e164: String

    public static func parse(_ raw: String, field: String = "phone") throws(ValidationFailure) -> PhoneNumber {
        var s = raw.filter { !$0.isWhitespace && $0 != "-" && $0 != "(" && $0 != ")" && $0 != "." }
        if s.hasPrefix("00") {
            s = "+" + s.dropFirst(2)
        } else if s.hasPrefix("0"), s.count == 10 {
            s = "+40" + s.dropFirst()
        }  // Romanian national form 07xx xxx xxx
        guard s.first == "+", s.dropFirst().allSatisfy(\.isASCIIDigit), (8...16).contains(s.count),
            s.dropFirst().first != "0"
        else {
            throw ValidationFailure(
                field: field, rule: "phone.e164",
                message: "Give the phone number in international form, e.g. +40 712 345 678.")
        }
        if s.hasPrefix("+40"), s.count != 12 {
            throw ValidationFailure(
                field: field, rule: "phone.e164", message: "A Romanian number has 9 digits after +40.")
        }
        return PhoneNumber(e164: s)
    }

    private init(e164: String) { self.e164 = e164 }

    /// Only mobile numbers can receive SMS. Romania: the libphonenumber mobile ranges; elsewhere assumed mobile.
    public var isMobile: Bool {
        guard e164.hasPrefix("+40") else { return true }
        let nsn = String(e164.dropFirst(3))
        return nsn.wholeMatch(of: /(?:630|702)0\d{5}|(?:6(?:00|2\d)|7(?:0[013-9]|1[0-3]|[2-7]\d|8[03-8]|9[0-39]))\d{6}/)
            != nil
    }

    public var description: String { e164 }
}

/// A login e-mail address: lower-cased, one "@", a dotted domain, no spaces.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    public static func parse(_ raw: String, field: String = "email") throws(ValidationFailure) -> EmailAddress {
        let s = raw.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = s.split(separator: "@", omittingEmptySubsequences: false)
        guard s.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
            !s.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "<" || $0 == ">" || $0 == "," })
        else {
            throw ValidationFailure(field: field, rule: "email.format", message: "This is not a valid e-mail address.")
        }
        return EmailAddress(value: s)
    }

    private init(value: String) { self.value = value }

    /// The part after "@".
    public var domain: String { String(value[value.index(after: value.firstIndex(of: "@")!)...]) }
    public var description: String { value }
}
