import Domain
import Foundation

public struct NewClient: Sendable {
    public let email: EmailAddress
    public let passwordHash: String
    public let phone: PhoneNumber?
    public let language: Language
    public let sms: SmsConsent
    public let timeZone: ClientTimeZone?
    public let createdAt: Date

    public init(
        email: EmailAddress, passwordHash: String, phone: PhoneNumber?, language: Language, sms: SmsConsent,
        timeZone: ClientTimeZone? = nil, createdAt: Date
    ) {
        self.email = email
        self.passwordHash = passwordHash
        self.phone = phone
        self.language = language
        self.sms = sms
        self.timeZone = timeZone
        self.createdAt = createdAt
    }

}

public struct ClientSummary: Sendable, Codable, Equatable {
    public let id: Int64
    public let email: String
    public let name: String?

    public init(id: Int64, email: String, name: String?) {
        self.id = id
        self.email = email
        self.name = name
    }

}

public struct StaffMember: Sendable, Equatable {
    public let id: Int64
    public let email: EmailAddress
    public let name: String
    public let passwordHash: String

    public init(id: Int64, email: EmailAddress, name: String, passwordHash: String) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
    }

}

public struct APIKeyRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let staffID: Int64?
    public let scopes: Set<APIScope>
    public let createdAt: Date
    public let expiresAt: Date?
    public let lastUsedAt: Date?
    public let revokedAt: Date?

    public init(
        id: Int64, name: String, staffID: Int64?, scopes: Set<APIScope> = Set(APIScope.allCases),
        createdAt: Date = .distantPast, expiresAt: Date? = nil, lastUsedAt: Date? = nil, revokedAt: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.staffID = staffID
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    public func isUsable(at now: Date) -> Bool { revokedAt == nil && (expiresAt.map { now < $0 } ?? true) }
}
