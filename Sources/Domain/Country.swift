import Foundation

/// ISO 3166-1 alpha-2 country facts the VAT rules need.
public enum Countries {
    public static let eu: Set<String> = [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
        "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ]

    /// ISO 3166-2:RO county codes accepted by CIUS-RO (BR-RO-110), with "B" for Bucharest.
    public static let romanianCounties: Set<String> = [
        "AB", "AG", "AR", "B", "BC", "BH", "BN", "BR", "BT", "BV", "BZ", "CJ", "CL", "CS", "CT", "CV", "DB", "DJ",
        "GJ", "GL", "GR", "HD", "HR", "IF", "IL", "IS", "MH", "MM", "MS", "NT", "OT", "PH", "SB", "SJ", "SM", "SV",
        "TL", "TM", "TR", "VL", "VN", "VS",
    ]

    public static func isEU(_ code: String) -> Bool { eu.contains(code) }

    /// Accepts any two-letter upper-case code; the UI offers a list, the API may send any ISO code.
    public static func parse(_ raw: String, field: String = "country") throws(ValidationFailure) -> String {
        let s = raw.trimmingCharacters(in: .whitespaces).uppercased()
        guard s.count == 2, s.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw ValidationFailure(
                field: field, rule: "country.iso", message: "Give the country as a two-letter ISO code, e.g. RO.")
        }
        return s
    }
}
