import Foundation

public enum Language: String, Sendable, Codable, CaseIterable {
    case en, ro, hi
}

/// Where an SMS consent change was made; kept as evidence.
public enum ConsentSource: String, Sendable, Codable {
    case signup
    case myDetails = "my-details"
    case staff
    case api
}

/// The client's SMS choice: off by default, with when and where it was last given or withdrawn.
public struct SmsConsent: Sendable, Hashable, Codable {
    public let optedIn: Bool
    public let changedAt: Date?
    public let source: ConsentSource?

    public static let never = SmsConsent(optedIn: false, changedAt: nil, source: nil)

    public init(optedIn: Bool, changedAt: Date?, source: ConsentSource?) {
        self.optedIn = optedIn
        self.changedAt = changedAt
        self.source = source
    }
}

public struct Client: Sendable, Hashable {
    public let id: Int64
    public let email: EmailAddress
    public let phone: PhoneNumber?
    public let language: Language
    public let sms: SmsConsent
    /// The client's IANA time zone, for the SMS delivery window; nil means the company's default.
    public let timeZone: ClientTimeZone?
    public let createdAt: Date

    public init(
        id: Int64, email: EmailAddress, phone: PhoneNumber?, language: Language, sms: SmsConsent,
        timeZone: ClientTimeZone? = nil, createdAt: Date
    ) {
        self.id = id
        self.email = email
        self.phone = phone
        self.language = language
        self.sms = sms
        self.timeZone = timeZone
        self.createdAt = createdAt
    }
}

/// A stored billing party the client can pick for invoices.
public struct BillingProfile: Sendable, Hashable {
    public let id: Int64
    public let clientID: Int64
    public let party: BillingParty
    public let isDefault: Bool

    public init(id: Int64, clientID: Int64, party: BillingParty, isDefault: Bool) {
        self.id = id
        self.clientID = clientID
        self.party = party
        self.isDefault = isDefault
    }
}

/// An IANA time zone name the system knows (e.g. `Asia/Kolkata`).
public struct ClientTimeZone: Sendable, Hashable, CustomStringConvertible {
    public let identifier: String
    public let timeZone: TimeZone

    public init(_ identifier: String, field: String = "timeZone") throws(ValidationFailure) {
        let id = identifier.trimmingCharacters(in: .whitespaces)
        // Only region names: fixed abbreviations such as "EST" do not follow summer time.
        guard id.contains("/"), let tz = TimeZone(identifier: id) else {
            throw ValidationFailure(
                field: field, rule: "time-zone.known",
                message: "Give a time zone by its region name, e.g. Europe/Bucharest or Asia/Kolkata.")
        }
        self.identifier = id
        timeZone = tz
    }

    public var description: String { identifier }
}
