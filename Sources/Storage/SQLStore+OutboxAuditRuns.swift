import Domain
import Features
import Foundation
import SQLKit

extension SQLTransaction {
    // MARK: Outbox, audit, runs

    func enqueue(_ events: [OutboxEvent]) async throws {
        for chunk in events.chunked(into: 2_000) {
            var insert = sql.insert(into: "outbox").columns(
                "kind", "event_key", "client_id", "payload_json", "created_at")
            for e in chunk {
                insert = insert.values(
                    [e.kind.rawValue, e.key, e.clientID, try json(e.payload), millis(e.createdAt)]
                        as [any Encodable & Sendable])
            }
            // The event key is unique: the same event never yields a second message.
            try await insert.ignoringConflicts(with: "event_key").run()
        }
    }

    func outbox(clientID: Int64?, limit: Int) async throws -> [StoredOutboxEvent] {
        var q: SQLQueryString = "SELECT * FROM outbox"
        if let clientID { q += " WHERE client_id = \(bind: clientID)" }
        q += " ORDER BY id LIMIT \(bind: Int64(limit))"
        return try await rows(q).map(decodeOutboxEvent)
    }

    func append(_ entries: [AuditEntry]) async throws {
        for chunk in entries.chunked(into: 2_000) {
            var insert = sql.insert(into: "audit_log").columns(
                "at", "actor", "action", "entity", "entity_id", "before_json", "after_json")
            for a in chunk {
                insert = insert.values(
                    [millis(a.at), a.actor.description, a.action, a.entity, a.entityID, a.before, a.after]
                        as [any Encodable & Sendable])
            }
            try await insert.run()
        }
    }

    func audit(clientID: Int64, limit: Int) async throws -> [StoredAuditEntry] {
        try await rows(
            """
            SELECT * FROM audit_log WHERE actor = \(bind: Actor.client(clientID).description)
               OR (entity = 'client' AND entity_id = \(bind: clientID))
               OR (entity = 'proforma' AND entity_id IN (SELECT id FROM proformas WHERE client_id = \(bind: clientID)))
               OR (entity = 'service' AND entity_id IN (SELECT id FROM services WHERE client_id = \(bind: clientID)))
               OR (entity = 'fiscal_invoice' AND entity_id IN (SELECT id FROM fiscal_invoices WHERE client_id = \(bind: clientID)))
               OR (entity = 'billing_profile' AND entity_id IN (SELECT id FROM billing_profiles WHERE client_id = \(bind: clientID)))
            ORDER BY id DESC LIMIT \(bind: Int64(limit))
            """
        ).map(decodeAudit)
    }

    private func decodeAudit(_ r: any SQLRow) throws -> StoredAuditEntry {
        StoredAuditEntry(
            id: try r.int("id"), actor: try r.string("actor"), action: try r.string("action"),
            entity: try r.string("entity"), entityID: try r.int("entity_id"), before: try r.stringOrNil("before_json"),
            after: try r.stringOrNil("after_json"), at: date(millis: try r.int("at")))
    }

    func audit(action: String, limit: Int) async throws -> [StoredAuditEntry] {
        try await rows(
            "SELECT * FROM audit_log WHERE action = \(bind: action) ORDER BY id DESC LIMIT \(bind: Int64(limit))"
        ).map(decodeAudit)
    }

    func audit(_ f: AuditFilter, limit: Int, offset: Int) async throws -> [StoredAuditEntry] {
        // Only the conditions given, so each can use its index.
        var q: SQLQueryString = "SELECT * FROM audit_log WHERE 1 = 1"
        if let action = f.action {
            if action.hasSuffix(".") {
                q += " AND substr(action, 1, CAST(\(bind: Int64(action.count)) AS INTEGER)) = \(bind: action)"
            } else {
                q += " AND action = \(bind: action)"
            }
        }
        if let actor = f.actor { q += " AND actor = \(bind: actor)" }
        if let from = f.from { q += " AND at >= \(bind: millis(from))" }
        if let before = f.before { q += " AND at < \(bind: millis(before))" }
        if let c = f.clientID {
            q += """
                 AND (actor = \(bind: Actor.client(c).description)
                  OR (entity = 'client' AND entity_id = \(bind: c))
                  OR (entity = 'proforma' AND entity_id IN (SELECT id FROM proformas WHERE client_id = \(bind: c)))
                  OR (entity = 'service' AND entity_id IN (SELECT id FROM services WHERE client_id = \(bind: c)))
                  OR (entity = 'fiscal_invoice' AND entity_id IN (SELECT id FROM fiscal_invoices WHERE client_id = \(bind: c)))
                  OR (entity = 'billing_profile' AND entity_id IN (SELECT id FROM billing_profiles WHERE client_id = \(bind: c))))
                """
        }
        q += " ORDER BY id DESC LIMIT \(bind: Int64(limit)) OFFSET \(bind: Int64(offset))"
        return try await rows(q).map(decodeAudit)
    }

    func newestAudit(limit: Int) async throws -> [StoredAuditEntry] {
        try await rows("SELECT * FROM audit_log ORDER BY id DESC LIMIT \(bind: Int64(limit))").map(decodeAudit)
    }

    func audit(entity: String?, entityID: Int64?, limit: Int) async throws -> [StoredAuditEntry] {
        try await rows(
            """
            SELECT * FROM audit_log WHERE (\(bind: entity) IS NULL OR entity = \(bind: entity)) AND (\(bind: entityID) IS NULL OR entity_id = \(bind: entityID))
            ORDER BY id LIMIT \(bind: Int64(limit))
            """
        ).map { r in
            StoredAuditEntry(
                id: try r.int("id"), actor: try r.string("actor"), action: try r.string("action"),
                entity: try r.string("entity"), entityID: try r.int("entity_id"),
                before: try r.stringOrNil("before_json"), after: try r.stringOrNil("after_json"),
                at: date(millis: try r.int("at")))
        }
    }

    func insert(report: BillingRunReport, startedAt: Date, finishedAt: Date) async throws {
        try await run(
            """
            INSERT INTO billing_runs (as_of, started_at, finished_at, considered, issued, periods, skipped, failures_json)
            VALUES (\(bind: report.asOf.description), \(bind: millis(startedAt)), \(bind: millis(finishedAt)), \(bind: Int64(report.servicesConsidered)), \(bind: Int64(report.proformasIssued)),
                    \(bind: Int64(report.periodsInvoiced)), \(bind: Int64(report.skippedAlreadyIssued)), \(bind: try json(report.failures)))
            """)
    }

    func record(dailyRun d: DailyRunReport) async throws {
        try await run(
            """
            INSERT INTO daily_runs (as_of, started_at, finished_at, failures, failures_json)
            VALUES (\(bind: d.asOf.description), \(bind: millis(d.startedAt)), \(bind: millis(d.finishedAt)), \(bind: Int64(d.failures.count)), \(bind: try json(d.failures)))
            ON CONFLICT (as_of) DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, failures = EXCLUDED.failures, failures_json = EXCLUDED.failures_json
            """)
    }

    func record(quietDays: [DailyRunReport]) async throws {
        for chunk in quietDays.chunked(into: 1_000) {
            var insert = sql.insert(into: "daily_runs").columns(
                "as_of", "started_at", "finished_at", "failures", "failures_json")
            for d in chunk {
                insert = insert.values(
                    [d.asOf.description, millis(d.startedAt), millis(d.finishedAt), Int64(0), "[]"]
                        as [any Encodable & Sendable])
            }
            try await insert.ignoringConflicts(with: "as_of").run()
        }
    }

    func dailyWorkAhead(invoiceAfter: CivilDate, dueAfter: CivilDate, holdsFrom: Date, endingFrom: CivilDate)
        async throws -> DailyWorkAhead
    {
        let invoice = try await row(
            """
            SELECT MIN(next_invoice_date) AS day FROM services WHERE state IN ('active','suspended') AND next_invoice_date > \(bind: invoiceAfter.description)
            """)?.stringOrNil("day").flatMap(CivilDate.init)
        let due = try await rows(
            """
            SELECT DISTINCT COALESCE(extended_due_date, due_date) AS day, origin FROM proformas
            WHERE state = 'unpaid' AND COALESCE(extended_due_date, due_date) > \(bind: dueAfter.description)
            """
        ).map { r in
            DailyWorkAhead.Due(date: try r.civil("day"), origin: try r.enumValue("origin", ProformaOrigin.self))
        }
        let hold = try await row(
            """
            SELECT MIN(h.placed_at) AS at FROM service_holds h JOIN services s ON s.id = h.service_id
            WHERE s.state = 'suspended' AND h.lifted_at IS NULL AND h.reason = 'non_payment' AND h.placed_at >= \(bind: millis(holdsFrom))
            """)?.intOrNil("at").map { date(millis: $0) }
        let end = try await row(
            """
            SELECT MIN(ends_on) AS day FROM services WHERE ends_on IS NOT NULL AND ends_on >= \(bind: endingFrom.description) AND state IN ('active','suspended')
            """)?.stringOrNil("day").flatMap(CivilDate.init)
        return DailyWorkAhead(nextInvoiceDate: invoice, unpaidDue: due, earliestHold: hold, nextEnd: end)
    }

    func lastDailyRun() async throws -> CivilDate? {
        try await row("SELECT MAX(as_of) AS day FROM daily_runs")?.stringOrNil("day").flatMap(CivilDate.init)
    }

    func dailyRuns(limit: Int) async throws -> [DailyRunReport] {
        try await rows("SELECT * FROM daily_runs ORDER BY as_of DESC LIMIT \(bind: Int64(limit))").map { r in
            DailyRunReport(
                asOf: try r.civil("as_of"), startedAt: date(millis: try r.int("started_at")),
                finishedAt: date(millis: try r.int("finished_at")),
                failures: try decodeJSON([DailyTaskFailure].self, try r.string("failures_json")))
        }
    }

    func billingRuns(limit: Int) async throws -> [BillingRunReport] {
        try await rows("SELECT * FROM billing_runs ORDER BY id DESC LIMIT \(bind: Int64(limit))").map { r in
            var report = BillingRunReport(asOf: try r.civil("as_of"))
            report.servicesConsidered = Int(try r.int("considered"))
            report.proformasIssued = Int(try r.int("issued"))
            report.periodsInvoiced = Int(try r.int("periods"))
            report.skippedAlreadyIssued = Int(try r.int("skipped"))
            report.failures = try decodeJSON([BillingRunReport.Failure].self, try r.string("failures_json"))
            return report
        }
    }
}

/// An outbox row, for staff views and for the notification dispatcher alike.
func decodeOutboxEvent(_ r: any SQLRow) throws -> StoredOutboxEvent {
    StoredOutboxEvent(
        id: try r.int("id"), kind: try r.string("kind"), key: try r.string("event_key"),
        clientID: try r.int("client_id"),
        payload: try decodeJSON([String: String].self, try r.string("payload_json")),
        createdAt: date(millis: try r.int("created_at")))
}

func decodeProvisioningJob(_ r: any SQLRow) throws -> ProvisioningJob {
    ProvisioningJob(
        id: try r.int("id"), serviceID: try r.int("service_id"),
        action: try r.enumValue("action", ProvisioningAction.self),
        payload: try decodeJSON([String: String].self, try r.string("payload_json")),
        status: try r.enumValue("status", ProvisioningJobStatus.self),
        attempts: Int(try r.int("attempts")), lastError: try r.stringOrNil("last_error"),
        createdAt: date(millis: try r.int("created_at")),
        updatedAt: date(millis: try r.int("updated_at")))
}
