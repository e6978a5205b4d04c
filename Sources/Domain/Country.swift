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

    /// The counties by name, in the order of the names.
    public static let romanianCountyNames: [(code: String, name: String)] = [
        ("AB", "Alba"), ("AR", "Arad"), ("AG", "Argeș"), ("BC", "Bacău"), ("BH", "Bihor"), ("BN", "Bistrița-Năsăud"),
        ("BT", "Botoșani"), ("BR", "Brăila"), ("BV", "Brașov"), ("B", "București"), ("BZ", "Buzău"),
        ("CL", "Călărași"), ("CS", "Caraș-Severin"), ("CJ", "Cluj"), ("CT", "Constanța"), ("CV", "Covasna"),
        ("DB", "Dâmbovița"), ("DJ", "Dolj"), ("GL", "Galați"), ("GR", "Giurgiu"), ("GJ", "Gorj"), ("HR", "Harghita"),
        ("HD", "Hunedoara"), ("IL", "Ialomița"), ("IS", "Iași"), ("IF", "Ilfov"), ("MM", "Maramureș"),
        ("MH", "Mehedinți"), ("MS", "Mureș"), ("NT", "Neamț"), ("OT", "Olt"), ("PH", "Prahova"), ("SJ", "Sălaj"),
        ("SM", "Satu Mare"), ("SB", "Sibiu"), ("SV", "Suceava"), ("TR", "Teleorman"), ("TM", "Timiș"),
        ("TL", "Tulcea"), ("VL", "Vâlcea"), ("VS", "Vaslui"), ("VN", "Vrancea"),
    ]

    /// A county's code from its name as people type it ("Cluj", "iasi", "Bucuresti", "Municipiul București").
    public static func romanianCounty(named raw: String) -> String? {
        func fold(_ s: String) -> String {
            s.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
                .replacingOccurrences(of: "judetul ", with: "").replacingOccurrences(of: "municipiul ", with: "")
                .filter { $0.isLetter }
        }
        let wanted = fold(raw)
        guard !wanted.isEmpty else { return nil }
        return romanianCountyNames.first { fold($0.name) == wanted }?.code
    }

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
