import Domain
import Features
import Foundation
import SQLKit

/// The message queue over the same database as the billing data.
public struct SQLMessageStore: MessageStore {
    let database: Database

    public init(database: Database) { self.database = database }

    public func dispatchOutbox(limit: Int, at: Date, plan: @Sendable (StoredOutboxEvent) -> [NewMessage]) async throws
        -> Int
    {
        let stamp = millis(at)
        let lockClause = database.skipLocked()
        return try await database.withTransaction { sql in
            let events = try await sql.raw(
                "SELECT * FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT \(bind: Int64(limit))\(unsafeRaw: lockClause)"
            ).all().map(decodeOutboxEvent)
            guard !events.isEmpty else { return 0 }
            let messages = events.flatMap(plan)
            for chunk in messages.chunked(into: 1_000) {
                var insert = sql.insert(into: "messages").columns(
                    "outbox_id", "client_id", "channel", "event_kind", "idempotency_key", "payload_json", "status",
                    "attempts", "next_attempt_at", "created_at", "updated_at")
                for m in chunk {
                    insert = insert.values(
                        [
                            m.outboxID, m.clientID, m.channel.rawValue, m.eventKind.rawValue, m.idempotencyKey,
                            try json(m.payload), "queued", Int64(0), millis(m.notBefore), stamp, stamp,
                        ] as [any Encodable & Sendable])
                }
                // (event, channel) is unique: dispatching an event again never makes a second message.
                try await insert.ignoringConflicts(with: "idempotency_key").run()
            }
            try await sql.raw(
                "UPDATE outbox SET dispatched_at = \(bind: stamp) WHERE id IN (\(binds: events.map(\.id)))"
            ).run()
            return events.count
        }
    }

    public func claimMessages(now: Date, leaseUntil: Date, limit: Int) async throws -> [ClaimedMessage] {
        let n = millis(now)
        let lease = millis(leaseUntil)
        // A `sending` message whose lease ran out belongs to a worker that died mid-send.
        return try await database.claimLeased(
            """
            SELECT * FROM messages WHERE (status = 'queued' AND next_attempt_at <= \(bind: n)) OR (status = 'sending' AND lease_until < \(bind: n))
            ORDER BY next_attempt_at, id LIMIT \(bind: Int64(limit))
            """,
            decode: { r in
                ClaimedMessage(
                    id: try r.int("id"), clientID: try r.int("client_id"),
                    channel: try r.enumValue("channel", MessageChannel.self),
                    eventKind: try r.enumValue("event_kind", OutboxEvent.Kind.self),
                    payload: try decodeJSON([String: String].self, try r.string("payload_json")),
                    attempts: Int(try r.int("attempts")), createdAt: date(millis: try r.int("created_at")))
            }, id: \.id,
            take: { ids in
                "UPDATE messages SET status = 'sending', lease_until = \(bind: lease), updated_at = \(bind: n) WHERE id IN (\(binds: ids))"
            })
    }

    public func record(_ outcomes: [(id: Int64, outcome: DeliveryOutcome)], at: Date) async throws {
        guard !outcomes.isEmpty else { return }
        let stamp = millis(at)
        let outcomes = outcomes.map { ($0.id, $0.outcome) }
        let matchesReports = outcomes.contains {
            if case .sent(_, _, _, _, let ids) = $0.1 { !ids.isEmpty } else { false }
        }
        try await database.withTransaction { sql in
            if matchesReports { try await lockDeliveryReports(sql) }
            var providerIDs: [String] = []
            for (id, outcome) in outcomes {
                switch outcome {
                case .sent(let recipient, let subject, let encoding, let parts, let ids):
                    try await sql.raw(
                        """
                        UPDATE messages SET status = 'sent', attempts = attempts + 1, lease_until = NULL, recipient = \(bind: recipient), subject = \(bind: subject),
                          encoding = \(bind: encoding?.rawValue), parts = \(bind: Int64(parts)), last_error = NULL, sent_at = \(bind: stamp), updated_at = \(bind: stamp)
                        WHERE id = \(bind: id)
                        """
                    ).run()
                    if !ids.isEmpty {
                        var insert = sql.insert(into: "message_provider_ids").columns("provider_id", "message_id")
                        for p in ids { insert = insert.values([p, id] as [any Encodable & Sendable]) }
                        try await insert.ignoringConflicts(with: "provider_id").run()
                        providerIDs += ids
                    }
                case .deferred(let until, let reason, let counts):
                    try await sql.raw(
                        """
                        UPDATE messages SET status = 'queued', attempts = attempts + \(bind: Int64(counts ? 1 : 0)), lease_until = NULL, next_attempt_at = \(bind: millis(until)),
                          last_error = \(bind: reason), updated_at = \(bind: stamp) WHERE id = \(bind: id)
                        """
                    ).run()
                case .failed(let reason):
                    try await sql.raw(
                        "UPDATE messages SET status = 'failed', attempts = attempts + 1, lease_until = NULL, last_error = \(bind: reason), updated_at = \(bind: stamp) WHERE id = \(bind: id)"
                    ).run()
                case .skipped(let reason):
                    try await sql.raw(
                        "UPDATE messages SET status = 'skipped', lease_until = NULL, last_error = \(bind: reason), updated_at = \(bind: stamp) WHERE id = \(bind: id)"
                    ).run()
                }
            }
            // Reports that arrived before this record (the SMSC answered faster than we wrote).
            for chunk in providerIDs.chunked(into: 1_000) {
                let early = try await sql.raw(
                    """
                    SELECT p.message_id, d.status FROM delivery_reports d JOIN message_provider_ids p ON p.provider_id = d.provider_id
                    WHERE d.provider_id IN (\(binds: Array(chunk))) ORDER BY d.id
                    """
                ).all()
                for row in early {
                    try await sql.raw(
                        "UPDATE messages SET delivery_report = \(bind: try row.string("status")) WHERE id = \(bind: try row.int("message_id"))"
                    ).run()
                }
            }
        }
    }

    public func recordDeliveryReports(_ reports: [DeliveryReport], at: Date) async throws -> Int {
        guard !reports.isEmpty else { return 0 }
        let stamp = millis(at)
        return try await database.withTransaction { sql in
            try await lockDeliveryReports(sql)
            var matched = 0
            // A message's final state is taken once: later reports for it (a replayed report URL, a provider
            // repeating itself) are dropped, so nobody can turn DELIVRD into UNDELIV or back.
            var final: Set<String> = []
            for chunk in Set(reports.map(\.providerID)).sorted().chunked(into: 500) {
                for row in try await sql.raw(
                    "SELECT DISTINCT provider_id FROM delivery_reports WHERE provider_id IN (\(binds: Array(chunk))) AND status IN (\(binds: DeliveryReport.finalStates.sorted()))"
                ).all() {
                    final.insert(try row.string("provider_id"))
                }
            }
            var accepted: [DeliveryReport] = []
            for r in reports where !final.contains(r.providerID) {
                accepted.append(r)
                if DeliveryReport.finalStates.contains(r.status) { final.insert(r.providerID) }
            }
            for chunk in accepted.chunked(into: 500) {
                var insert = sql.insert(into: "delivery_reports").columns("provider_id", "status", "received_at")
                for r in chunk {
                    insert = insert.values([r.providerID, r.status, stamp] as [any Encodable & Sendable])
                }
                try await insert.run()
                var messageOf: [String: Int64] = [:]
                for row in try await sql.raw(
                    "SELECT provider_id, message_id FROM message_provider_ids WHERE provider_id IN (\(binds: chunk.map(\.providerID)))"
                ).all() {
                    messageOf[try row.string("provider_id")] = try row.int("message_id")
                }
                // The last report of a message wins; one UPDATE per distinct state.
                var latest: [Int64: String] = [:]
                for r in chunk {
                    if let id = messageOf[r.providerID] {
                        latest[id] = r.status
                        matched += 1
                    }
                }
                for (status, ids) in Dictionary(grouping: latest.keys, by: { latest[$0]! }) {
                    try await sql.raw(
                        "UPDATE messages SET delivery_report = \(bind: status), updated_at = \(bind: stamp) WHERE id IN (\(binds: ids.sorted()))"
                    ).run()
                }
            }
            return matched
        }
    }

    /// Recording provider ids and recording reports each look for the other's rows. Under PostgreSQL's read
    /// committed, two such transactions at once could each miss the other's uncommitted rows and lose the match;
    /// a transaction-scoped advisory lock puts them one after the other. (SQLite has one writer already.)
    private func lockDeliveryReports(_ sql: any SQLDatabase) async throws {
        guard database.kind == .postgres else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(7710001)").run()
    }

    public func messages(clientID: Int64?, status: MessageStatus?, limit: Int) async throws -> [StoredMessage] {
        try await database.withReader { sql in
            var query = SQLQueryString("SELECT * FROM messages WHERE 1 = 1")
            if let clientID { query = query + " AND client_id = \(bind: clientID)" }
            if let status { query = query + " AND status = \(bind: status.rawValue)" }
            let rows = try await sql.raw(query + " ORDER BY id DESC LIMIT \(bind: Int64(limit))").all()
            let ids = try rows.map { try $0.int("id") }
            var providerIDs: [Int64: [String]] = [:]
            if !ids.isEmpty {
                for r in try await sql.raw(
                    "SELECT * FROM message_provider_ids WHERE message_id IN (\(binds: ids)) ORDER BY provider_id"
                ).all() {
                    providerIDs[try r.int("message_id"), default: []].append(try r.string("provider_id"))
                }
            }
            return try rows.map { r in
                let id = try r.int("id")
                return StoredMessage(
                    id: id, clientID: try r.int("client_id"), channel: try r.enumValue("channel", MessageChannel.self),
                    eventKind: try r.string("event_kind"),
                    status: try r.enumValue("status", MessageStatus.self), attempts: Int(try r.int("attempts")),
                    recipient: try r.stringOrNil("recipient"),
                    subject: try r.stringOrNil("subject"), encoding: try r.stringOrNil("encoding"),
                    parts: try r.intOrNil("parts").map(Int.init),
                    providerIDs: providerIDs[id] ?? [], lastError: try r.stringOrNil("last_error"),
                    deliveryReport: try r.stringOrNil("delivery_report"),
                    createdAt: date(millis: try r.int("created_at")),
                    sentAt: try r.intOrNil("sent_at").map { date(millis: $0) },
                    nextAttemptAt: date(millis: try r.int("next_attempt_at")))
            }
        }
    }
}
