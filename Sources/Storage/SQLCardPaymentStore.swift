import Domain
import Features
import Foundation
import SQLKit

/// Card payment attempts and processed gateway events, on the billing database.
public struct SQLCardPaymentStore: CardPaymentStore {
    let database: Database

    public init(database: Database) { self.database = database }

    public func insertAttempt(
        slot: String, key: String, proformaID: Int64, clientID: Int64, gateway: String, amount: Money, at: Date
    ) async throws {
        do {
            try await database.withTransaction { sql in
                try await sql.raw(
                    """
                    INSERT INTO card_attempts (slot, attempt_key, proforma_id, client_id, gateway, amount_minor, currency, status, created_at, updated_at)
                    VALUES (\(bind: slot), \(bind: key), \(bind: proformaID), \(bind: clientID), \(bind: gateway), \(bind: amount.minor), \(bind: amount.currency.rawValue),
                            'started', \(bind: millis(at)), \(bind: millis(at)))
                    """
                ).run()
            }
        } catch  where Database.isUniqueViolation(error) {
            throw StoreError.duplicate("card attempt \(slot)")
        }
    }

    public func updateAttempt(key: String, intentID: String?, status: String, failure: String?, at: Date) async throws
        -> Bool
    {
        try await database.withTransaction { sql in
            try await sql.raw(
                """
                UPDATE card_attempts SET intent_id = COALESCE(\(bind: intentID), intent_id), status = \(bind: status), failure = \(bind: failure), updated_at = \(bind: millis(at))
                WHERE attempt_key = \(bind: key) RETURNING id
                """
            ).first() != nil
        }
    }

    public func attempt(key: String) async throws -> CardAttempt? {
        try await database.withReader { sql in
            try await sql.raw("SELECT * FROM card_attempts WHERE attempt_key = \(bind: key)").first().map(decode)
        }
    }

    public func attempt(slot: String) async throws -> CardAttempt? {
        try await database.withReader { sql in
            try await sql.raw("SELECT * FROM card_attempts WHERE slot = \(bind: slot)").first().map(decode)
        }
    }

    public func attempts(proformaID: Int64) async throws -> [CardAttempt] {
        try await database.withReader { sql in
            try await sql.raw(
                "SELECT * FROM card_attempts WHERE proforma_id = \(bind: proformaID) ORDER BY id DESC LIMIT 50"
            ).all().map(decode)
        }
    }

    private func decode(_ r: any SQLRow) throws -> CardAttempt {
        CardAttempt(
            id: try r.int("id"), key: try r.string("attempt_key"), proformaID: try r.int("proforma_id"),
            intentID: try r.stringOrNil("intent_id"),
            status: try r.string("status"), failure: try r.stringOrNil("failure"),
            at: date(millis: try r.int("updated_at")))
    }

    public func eventSeen(gateway: String, eventID: String) async throws -> Bool {
        try await database.withReader { sql in
            try await sql.raw(
                "SELECT 1 AS one FROM gateway_events WHERE gateway = \(bind: gateway) AND event_id = \(bind: eventID)"
            ).first() != nil
        }
    }

    public func recordEvent(gateway: String, eventID: String, type: String, at: Date) async throws -> Bool {
        do {
            try await database.withTransaction { sql in
                try await sql.raw(
                    "INSERT INTO gateway_events (gateway, event_id, type, received_at) VALUES (\(bind: gateway), \(bind: eventID), \(bind: type), \(bind: millis(at)))"
                ).run()
            }
            return true
        } catch  where Database.isUniqueViolation(error) {
            return false
        }
    }
}
