import Domain
import Foundation

/// A message-worthy event, written in the same transaction as the change that caused it.
public struct OutboxEvent: Sendable, Equatable {
    /// What happened, which decides the message (`NotificationRules`).
    public typealias Kind = NotificationEvent

    public let kind: Kind
    /// Unique per event: the same event never yields a second row (e.g. "proforma:12", "hold:7").
    public let key: String
    public let clientID: Int64
    public let payload: [String: String]
    public let createdAt: Date

    public init(kind: Kind, key: String, clientID: Int64, payload: [String: String], createdAt: Date) {
        self.kind = kind
        self.key = key
        self.clientID = clientID
        self.payload = payload
        self.createdAt = createdAt
    }
}

public struct AuditEntry: Sendable, Equatable {
    public let actor: Actor
    public let action: String
    public let entity: String
    public let entityID: Int64
    public let before: String?
    public let after: String?
    public let at: Date

    public init(
        actor: Actor, action: String, entity: String, entityID: Int64, before: String?, after: String?, at: Date
    ) {
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.before = before
        self.after = after
        self.at = at
    }
}

/// What the staff audit page narrows the log to; every part optional.
public struct AuditFilter: Sendable, Equatable {
    /// Everything done by or to this client (its account, profiles, services and invoices).
    public var clientID: Int64?
    /// An action, or the start of one ("proforma." for every proforma action).
    public var action: String?
    /// Who acted, as stored ("staff:1", "client:7", "system").
    public var actor: String?
    /// From the start of `from` (inclusive) to the end of `through`, as instants.
    public var from: Date?
    public var before: Date?

    public init(
        clientID: Int64? = nil, action: String? = nil, actor: String? = nil, from: Date? = nil, before: Date? = nil
    ) {
        self.clientID = clientID
        self.action = action
        self.actor = actor
        self.from = from
        self.before = before
    }
}

public struct StoredAuditEntry: Sendable, Codable, Equatable {
    public let id: Int64
    public let actor: String
    public let action: String
    public let entity: String
    public let entityID: Int64
    public let before: String?
    public let after: String?
    public let at: Date

    public init(
        id: Int64, actor: String, action: String, entity: String, entityID: Int64, before: String?, after: String?,
        at: Date
    ) {
        self.id = id
        self.actor = actor
        self.action = action
        self.entity = entity
        self.entityID = entityID
        self.before = before
        self.after = after
        self.at = at
    }

}

public struct StoredOutboxEvent: Sendable, Codable, Equatable {
    public let id: Int64
    public let kind: String
    public let key: String
    public let clientID: Int64
    public let payload: [String: String]
    public let createdAt: Date

    public init(id: Int64, kind: String, key: String, clientID: Int64, payload: [String: String], createdAt: Date) {
        self.id = id
        self.kind = kind
        self.key = key
        self.clientID = clientID
        self.payload = payload
        self.createdAt = createdAt
    }

}
