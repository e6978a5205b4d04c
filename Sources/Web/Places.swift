import Domain
import Foundation

/// Countries, Romanian counties and time zones as people name them, for the address and details forms' lists.
enum Places {
    /// Every ISO 3166 country with its name in `language`, Romania first, then alphabetical by that name.
    static func countries(_ language: Language) -> [(code: String, name: String)] {
        cache.countries(language)
    }

    static func countryName(_ code: String, _ language: Language) -> String {
        Locale(identifier: language.rawValue).localizedString(forRegionCode: code) ?? code
    }

    /// The county codes e-Factura wants, with their names (B is Bucharest).
    static var romanianCounties: [(code: String, name: String)] { Countries.romanianCountyNames }

    /// The time zones a client may pick for SMS hours, by IANA name (the list every system knows).
    /// ICU still lists a few zones by their old names; people look for the current ones.
    static let timeZones: [String] = TimeZone.knownTimeZoneIdentifiers.filter { $0.contains("/") }.map { old in
        renamed[old].flatMap { TimeZone(identifier: $0) != nil ? $0 : nil } ?? old
    }.sorted()

    private static let renamed = [
        "Asia/Calcutta": "Asia/Kolkata", "Europe/Kiev": "Europe/Kyiv", "Asia/Katmandu": "Asia/Kathmandu",
        "Asia/Saigon": "Asia/Ho_Chi_Minh", "Asia/Rangoon": "Asia/Yangon",
    ]

    private static let cache = CountryCache()
}

private final class CountryCache: @unchecked Sendable {
    /// ISO's reserved and grouping codes (the European Union, the euro area, the United Nations, unknown).
    static let notCountries: Set<String> = ["EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"]
    private let lock = NSLock()
    private var byLanguage: [Language: [(code: String, name: String)]] = [:]

    func countries(_ language: Language) -> [(code: String, name: String)] {
        lock.withLock {
            if let list = byLanguage[language] { return list }
            let locale = Locale(identifier: language.rawValue)
            let named = Locale.Region.isoRegions.map(\.identifier)
                .filter { $0.count == 2 && $0.allSatisfy(\.isLetter) && !Self.notCountries.contains($0) }
                .compactMap { code in locale.localizedString(forRegionCode: code).map { (code: code, name: $0) } }
                .filter { $0.code != "RO" }
                .sorted { $0.name.compare($1.name, locale: locale) == .orderedAscending }
            let list = [(code: "RO", name: locale.localizedString(forRegionCode: "RO") ?? "România")] + named
            byLanguage[language] = list
            return list
        }
    }
}
