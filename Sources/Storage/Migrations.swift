import Foundation
import SQLKit

/// Numbered schema migrations, applied in order by `hostico migrate`. A migration never changes once
/// released: add a new one instead.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    let statements: @Sendable (DatabaseKind) -> [String]
}

public enum Migrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "billing core", statements: billingCore),
        // The billing run pages through clients in id order; the first index starts with the date, so each page
        // scanned every due service (quadratic at a million services).
        Migration(
            version: 2, name: "renewal scan by client",
            statements: { _ in
                [
                    "CREATE INDEX services_renewal_by_client ON services(client_id, next_invoice_date) WHERE state IN ('active','suspended')"
                ]
            }),
        Migration(version: 3, name: "notification messages", statements: notifications),
        Migration(version: 4, name: "delivery reports", statements: deliveryReports),
        Migration(
            version: 5, name: "client time zone", statements: { _ in ["ALTER TABLE clients ADD COLUMN time_zone TEXT"] }
        ),
        Migration(version: 6, name: "e-Factura submissions", statements: efactura),
        Migration(version: 7, name: "provisioning jobs", statements: provisioning),
        Migration(version: 8, name: "web sessions and second factors", statements: identity),
        Migration(
            version: 9, name: "mail links",
            statements: { kind in
                [
                    """
                    CREATE TABLE mail_links (id \(pk(kind)), token_hash TEXT NOT NULL UNIQUE, client_id BIGINT NOT NULL REFERENCES clients(id),
                      invoice_kind TEXT NOT NULL CHECK (invoice_kind IN ('proforma','fiscal')), invoice_id BIGINT NOT NULL, message_id BIGINT,
                      issued_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT, revoked_because TEXT,
                      uses BIGINT NOT NULL DEFAULT 0, last_used_at BIGINT)
                    """,
                    "CREATE INDEX mail_links_client ON mail_links(client_id, issued_at)",
                ]
            }),
        Migration(
            version: 10, name: "card payments",
            statements: { kind in
                [
                    """
                    CREATE TABLE card_attempts (id \(pk(kind)), proforma_id BIGINT NOT NULL REFERENCES proformas(id), client_id BIGINT NOT NULL,
                      gateway TEXT NOT NULL, attempt_key TEXT NOT NULL UNIQUE, intent_id TEXT, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL, failure TEXT,
                      created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (gateway, intent_id))
                    """,
                    "CREATE INDEX card_attempts_proforma ON card_attempts(proforma_id)",
                    "CREATE TABLE gateway_events (gateway TEXT NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, received_at BIGINT NOT NULL, PRIMARY KEY (gateway, event_id))",
                ]
            }),
        Migration(
            version: 11, name: "payments by client",
            statements: { _ in ["CREATE INDEX payments_client ON payments(client_id, method)"] }),
        Migration(version: 12, name: "e-Factura uploads to ANAF", statements: efacturaUploads),
        // A new login e-mail takes effect only once its mailbox opens the link sent to it.
        Migration(
            version: 13, name: "login e-mail changes confirmed by the new address",
            statements: { _ in
                [
                    """
                    CREATE TABLE email_changes (token_hash TEXT PRIMARY KEY, client_id BIGINT NOT NULL REFERENCES clients(id), new_email TEXT NOT NULL,
                      created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)
                    """,
                    "CREATE INDEX email_changes_client ON email_changes(client_id)",
                ]
            }),
        // A non-payment hold belongs to its proforma: one *active* hold per (service, proforma). The old index also
        // counted lifted holds, so a hold lifted once made every later suspension for that proforma a duplicate and
        // stopped the daily tasks. Payment extensions move the day dunning counts from; daily runs are recorded so a
        // worker catches up the days it missed, in order.
        Migration(
            version: 14, name: "holds per proforma, payment extensions, daily runs",
            statements: { _ in
                [
                    "DROP INDEX service_holds_non_payment",
                    "CREATE UNIQUE INDEX service_holds_non_payment ON service_holds(service_id, proforma_id) WHERE proforma_id IS NOT NULL AND lifted_at IS NULL",
                    "ALTER TABLE proformas ADD COLUMN extended_due_date TEXT",
                    "CREATE INDEX proformas_unpaid_effective_due ON proformas((COALESCE(extended_due_date, due_date))) WHERE state = 'unpaid'",
                    """
                    CREATE TABLE daily_runs (as_of TEXT PRIMARY KEY, started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL,
                      failures BIGINT NOT NULL, failures_json TEXT NOT NULL)
                    """,
                ]
            }),
        // Payments were UNIQUE (method, reference): a second transfer quoting the same proforma number (or a reference used
        // on another proforma) was dropped as "already recorded". A repeat is now recognised only by an idempotency key
        // (a card intent, a bank transaction, a caller's key); card payments recorded so far get theirs from the intent.
        Migration(
            version: 15, name: "payments keyed by idempotency, not by reference",
            statements: { kind in
                switch kind {
                case .sqlite:
                    // SQLite cannot drop a table constraint: the table is rebuilt (no other table references payments).
                    [
                        """
                        CREATE TABLE payments_v15 (id \(pk(kind)), proforma_id BIGINT NOT NULL REFERENCES proformas(id), client_id BIGINT NOT NULL,
                          amount_minor BIGINT NOT NULL CHECK (amount_minor > 0), currency TEXT NOT NULL, method TEXT NOT NULL,
                          gateway_ref TEXT, received_on TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at BIGINT NOT NULL, idempotency_key TEXT)
                        """,
                        """
                        INSERT INTO payments_v15 (id, proforma_id, client_id, amount_minor, currency, method, gateway_ref, received_on, recorded_by, recorded_at, idempotency_key)
                        SELECT id, proforma_id, client_id, amount_minor, currency, method, gateway_ref, received_on, recorded_by, recorded_at,
                          CASE WHEN method = 'card' AND gateway_ref IS NOT NULL THEN 'card:' || gateway_ref END FROM payments
                        """,
                        "DROP TABLE payments",
                        "ALTER TABLE payments_v15 RENAME TO payments",
                        "CREATE INDEX payments_proforma ON payments(proforma_id)",
                        "CREATE INDEX payments_client ON payments(client_id, method)",
                        "CREATE UNIQUE INDEX payments_idempotency ON payments(idempotency_key)",
                    ]
                case .postgres:
                    [
                        "ALTER TABLE payments DROP CONSTRAINT payments_method_gateway_ref_key",
                        "ALTER TABLE payments ADD COLUMN idempotency_key TEXT",
                        "UPDATE payments SET idempotency_key = 'card:' || gateway_ref WHERE method = 'card' AND gateway_ref IS NOT NULL",
                        "CREATE UNIQUE INDEX payments_idempotency ON payments(idempotency_key)",
                    ]
                }
            }),
        // A cancelled proforma's lines kept their (service, period start) slot, so a cancelled period could never be
        // billed again: the service ran it free and "paid through" jumped over it. Lines of a cancelled proforma are
        // now released and only unreleased lines hold a period.
        Migration(
            version: 16, name: "cancelled proformas release their periods",
            statements: { kind in
                switch kind {
                case .sqlite:
                    // SQLite cannot drop a table constraint: the table is rebuilt (no other table references proforma_lines).
                    [
                        """
                        CREATE TABLE proforma_lines_v16 (id \(pk(kind)), proforma_id BIGINT NOT NULL REFERENCES proformas(id), position BIGINT NOT NULL,
                          service_id BIGINT REFERENCES services(id), period_index BIGINT, period_start TEXT, period_end TEXT,
                          description TEXT NOT NULL, quantity BIGINT NOT NULL, unit_price_minor BIGINT NOT NULL, released BIGINT NOT NULL DEFAULT 0)
                        """,
                        """
                        INSERT INTO proforma_lines_v16 (id, proforma_id, position, service_id, period_index, period_start, period_end, description, quantity, unit_price_minor, released)
                        SELECT l.id, l.proforma_id, l.position, l.service_id, l.period_index, l.period_start, l.period_end, l.description, l.quantity, l.unit_price_minor,
                          CASE WHEN p.state = 'cancelled' THEN 1 ELSE 0 END FROM proforma_lines l JOIN proformas p ON p.id = l.proforma_id
                        """,
                        "DROP TABLE proforma_lines",
                        "ALTER TABLE proforma_lines_v16 RENAME TO proforma_lines",
                        "CREATE INDEX proforma_lines_proforma ON proforma_lines(proforma_id)",
                        "CREATE UNIQUE INDEX proforma_lines_period ON proforma_lines(service_id, period_start) WHERE released = 0",
                    ]
                case .postgres:
                    [
                        "ALTER TABLE proforma_lines DROP CONSTRAINT proforma_lines_service_id_period_start_key",
                        "ALTER TABLE proforma_lines ADD COLUMN released BIGINT NOT NULL DEFAULT 0",
                        "UPDATE proforma_lines SET released = 1 WHERE proforma_id IN (SELECT id FROM proformas WHERE state = 'cancelled')",
                        "CREATE UNIQUE INDEX proforma_lines_period ON proforma_lines(service_id, period_start) WHERE released = 0",
                    ]
                }
            }),
        // A storno that reopens the amount records that the payments on the proforma were taken back.
        Migration(
            version: 17, name: "reversed payments",
            statements: { _ in
                ["ALTER TABLE payments ADD COLUMN reversed_at BIGINT"]
            }),
        // API keys get scopes (existing keys keep every scope), an optional expiry and the time of their last use.
        Migration(
            version: 18, name: "api key scopes and expiry",
            statements: { _ in
                [
                    "ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read,billing,payments,admin'",
                    "ALTER TABLE api_keys ADD COLUMN expires_at BIGINT",
                    "ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT",
                ]
            }),
        // A card attempt's key goes to the gateway as its idempotency key, and one gateway account may serve several
        // databases (staging and production, two brands): the key becomes random, and the deterministic part that
        // folds a double submit into one attempt moves to its own UNIQUE column, which never leaves this database.
        Migration(
            version: 19, name: "card attempt slots",
            statements: { _ in
                [
                    "ALTER TABLE card_attempts ADD COLUMN slot TEXT",
                    "UPDATE card_attempts SET slot = attempt_key",
                    "CREATE UNIQUE INDEX card_attempts_slot ON card_attempts(slot)",
                ]
            }),
        // Self-service: a plan can be retired (no longer sold, its services keep renewing); a service cancelled at
        // the end of its paid period records its last day. A service that will not renew gets next_invoice_date
        // 9999-12-31, so the renewal scan and the daily catch-up never see it.
        Migration(
            version: 20, name: "retired plans and cancellations",
            statements: { _ in
                [
                    "ALTER TABLE plans ADD COLUMN retired_at BIGINT",
                    "ALTER TABLE services ADD COLUMN ends_on TEXT",
                    "CREATE INDEX services_ending ON services(ends_on) WHERE ends_on IS NOT NULL",
                ]
            }),
        // A downgrade waits for the next renewal: the plan and price it will bill.
        Migration(
            version: 21, name: "scheduled plan changes",
            statements: { _ in
                [
                    "ALTER TABLE services ADD COLUMN next_plan_id BIGINT REFERENCES plans(id)",
                    "ALTER TABLE services ADD COLUMN next_price_minor BIGINT",
                ]
            }),
        // What a plan includes, shown in the catalogue.
        Migration(
            version: 22, name: "plan descriptions",
            statements: { _ in ["ALTER TABLE plans ADD COLUMN description TEXT NOT NULL DEFAULT ''"] }),
    ]

    /// Sessions, login failures, TOTP and password resets live in the database, so any `serve` process can
    /// answer any request and a lock-out holds across all of them.
    private static func identity(_ kind: DatabaseKind) -> [String] {
        [
            """
            CREATE TABLE web_sessions (id_hash TEXT PRIMARY KEY, realm TEXT NOT NULL CHECK (realm IN ('client','staff')), subject_id BIGINT NOT NULL,
              stage TEXT NOT NULL CHECK (stage IN ('second_factor','setup_second_factor','full')), csrf_token TEXT NOT NULL,
              from_mail BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, last_seen_at BIGINT NOT NULL)
            """,
            "CREATE INDEX web_sessions_subject ON web_sessions(realm, subject_id)",
            "CREATE INDEX web_sessions_last_seen ON web_sessions(last_seen_at)",
            "CREATE TABLE login_failures (id \(pk(kind)), key TEXT NOT NULL, at BIGINT NOT NULL)",
            "CREATE INDEX login_failures_key ON login_failures(key, at)",
            """
            CREATE TABLE second_factors (realm TEXT NOT NULL, subject_id BIGINT NOT NULL, pending_secret TEXT, pending_at BIGINT,
              secret TEXT, enabled_at BIGINT, last_step BIGINT, PRIMARY KEY (realm, subject_id))
            """,
            """
            CREATE TABLE recovery_codes (id \(pk(kind)), realm TEXT NOT NULL, subject_id BIGINT NOT NULL, code_hash TEXT NOT NULL, used_at BIGINT,
              UNIQUE (realm, subject_id, code_hash))
            """,
            """
            CREATE TABLE password_resets (token_hash TEXT PRIMARY KEY, client_id BIGINT NOT NULL REFERENCES clients(id),
              expires_at BIGINT NOT NULL, used_at BIGINT, created_at BIGINT NOT NULL)
            """,
        ]
    }

    /// Column types spelled once per engine.
    private static func pk(_ kind: DatabaseKind) -> String {
        kind == .sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    }

    private static func notifications(_ kind: DatabaseKind) -> [String] {
        let id = pk(kind)
        return [
            "ALTER TABLE outbox ADD COLUMN dispatched_at BIGINT",
            "CREATE INDEX outbox_undispatched ON outbox(id) WHERE dispatched_at IS NULL",
            """
            CREATE TABLE messages (id \(id), outbox_id BIGINT NOT NULL REFERENCES outbox(id), client_id BIGINT NOT NULL REFERENCES clients(id),
              channel TEXT NOT NULL CHECK (channel IN ('email','sms')), event_kind TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE,
              payload_json TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('queued','sending','sent','failed','skipped')),
              attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL, lease_until BIGINT,
              recipient TEXT, subject TEXT, encoding TEXT CHECK (encoding IN ('gsm7','ucs2')), parts BIGINT, last_error TEXT,
              delivery_report TEXT, created_at BIGINT NOT NULL, sent_at BIGINT, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX messages_due ON messages(next_attempt_at) WHERE status = 'queued'",
            "CREATE INDEX messages_leased ON messages(lease_until) WHERE status = 'sending'",
            "CREATE INDEX messages_client ON messages(client_id, id)",
            // One row per provider id (an SMS part), so a delivery report finds its message.
            "CREATE TABLE message_provider_ids (provider_id TEXT PRIMARY KEY, message_id BIGINT NOT NULL REFERENCES messages(id))",
        ]
    }

    /// Every delivery report as received. A report may arrive before the sender recorded the provider id
    /// (an SMSC answers within milliseconds), so reports are kept and matched from both sides.
    private static func deliveryReports(_ kind: DatabaseKind) -> [String] {
        [
            "CREATE TABLE delivery_reports (id \(pk(kind)), provider_id TEXT NOT NULL, status TEXT NOT NULL, received_at BIGINT NOT NULL)",
            "CREATE INDEX delivery_reports_provider ON delivery_reports(provider_id, id)",
        ]
    }

    /// One row per fiscal invoice, written with it. Invoices issued before this migration are marked to upload.
    private static func efactura(_ kind: DatabaseKind) -> [String] {
        [
            """
            CREATE TABLE efactura_submissions (fiscal_invoice_id BIGINT PRIMARY KEY REFERENCES fiscal_invoices(id),
              state TEXT NOT NULL CHECK (state IN ('to_upload','uploaded','accepted','rejected','not_required')),
              upload_index TEXT, errors TEXT, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX efactura_submissions_state ON efactura_submissions(state)",
            "INSERT INTO efactura_submissions (fiscal_invoice_id, state, updated_at) SELECT id, 'to_upload', created_at FROM fiscal_invoices",
        ]
    }

    /// The upload queue on the submissions (lease, back-off, ANAF's ZIP as base64), the ANAF tokens (one row,
    /// sealed, versioned for compare-and-swap between processes) and the OAuth states awaiting ANAF's answer.
    private static func efacturaUploads(_ kind: DatabaseKind) -> [String] {
        [
            "ALTER TABLE efactura_submissions ADD COLUMN attempts BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE efactura_submissions ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0",
            "ALTER TABLE efactura_submissions ADD COLUMN lease_until BIGINT",
            "ALTER TABLE efactura_submissions ADD COLUMN download_id TEXT",
            "ALTER TABLE efactura_submissions ADD COLUMN last_error TEXT",
            "ALTER TABLE efactura_submissions ADD COLUMN response_zip TEXT",
            "CREATE INDEX efactura_submissions_due ON efactura_submissions(next_attempt_at) WHERE state IN ('to_upload','uploaded')",
            """
            CREATE TABLE anaf_credentials (id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL, access_token TEXT NOT NULL,
              refresh_token TEXT NOT NULL, access_expires_at BIGINT NOT NULL, connected_by TEXT NOT NULL, connected_at BIGINT NOT NULL, refreshed_at BIGINT,
              refused_at BIGINT, refused_reason TEXT)
            """,
            "CREATE TABLE anaf_authorizations (state_hash TEXT PRIMARY KEY, staff_id BIGINT NOT NULL, expires_at BIGINT NOT NULL)",
        ]
    }

    /// Jobs that make the hosting server follow the billing state, one ordered queue per service.
    private static func provisioning(_ kind: DatabaseKind) -> [String] {
        [
            "ALTER TABLE plans ADD COLUMN provisioner TEXT",
            """
            CREATE TABLE provisioning_jobs (id \(pk(kind)), service_id BIGINT NOT NULL REFERENCES services(id),
              action TEXT NOT NULL CHECK (action IN ('create','suspend','unsuspend','terminate')), job_key TEXT NOT NULL UNIQUE,
              payload_json TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed')),
              attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL, lease_until BIGINT, last_error TEXT,
              created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX provisioning_jobs_open ON provisioning_jobs(service_id, id) WHERE status <> 'done'",
            "CREATE INDEX provisioning_jobs_service ON provisioning_jobs(service_id, id)",
        ]
    }

    private static func billingCore(_ kind: DatabaseKind) -> [String] {
        let id = pk(kind)
        var s = [
            """
            CREATE TABLE clients (id \(id), email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, phone TEXT,
              language TEXT NOT NULL CHECK (language IN ('en','ro','hi')),
              sms_opt_in BIGINT NOT NULL DEFAULT 0 CHECK (sms_opt_in IN (0,1)), sms_consent_at BIGINT, sms_consent_source TEXT,
              created_at BIGINT NOT NULL)
            """,
            "CREATE TABLE sms_consents (id \(id), client_id BIGINT NOT NULL REFERENCES clients(id), opted_in BIGINT NOT NULL, source TEXT NOT NULL, at BIGINT NOT NULL)",
            "CREATE INDEX sms_consents_client ON sms_consents(client_id)",
            """
            CREATE TABLE billing_profiles (id \(id), client_id BIGINT NOT NULL REFERENCES clients(id),
              kind TEXT NOT NULL CHECK (kind IN ('person','legal_entity')), name TEXT NOT NULL, street TEXT NOT NULL,
              city TEXT NOT NULL, county TEXT, postal_code TEXT, country TEXT NOT NULL, cnp TEXT, registration_code TEXT,
              trade_register TEXT, vat_number TEXT, is_default BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,
              CHECK (kind = 'legal_entity' OR (registration_code IS NULL AND trade_register IS NULL AND vat_number IS NULL)),
              CHECK (kind = 'person' OR cnp IS NULL))
            """,
            "CREATE INDEX billing_profiles_client ON billing_profiles(client_id)",
            "CREATE TABLE plans (id \(id), code TEXT NOT NULL UNIQUE, name TEXT NOT NULL, currency TEXT NOT NULL CHECK (currency IN ('RON','EUR','USD')), created_at BIGINT NOT NULL)",
            "CREATE TABLE plan_prices (plan_id BIGINT NOT NULL REFERENCES plans(id), cycle TEXT NOT NULL, amount_minor BIGINT NOT NULL CHECK (amount_minor > 0), PRIMARY KEY (plan_id, cycle))",
            """
            CREATE TABLE services (id \(id), client_id BIGINT NOT NULL REFERENCES clients(id), plan_id BIGINT NOT NULL REFERENCES plans(id),
              domain TEXT NOT NULL, cycle TEXT NOT NULL, price_minor BIGINT NOT NULL, currency TEXT NOT NULL, anchor_date TEXT NOT NULL,
              invoiced_periods BIGINT NOT NULL DEFAULT 0, paid_periods BIGINT NOT NULL DEFAULT 0, next_invoice_date TEXT NOT NULL,
              state TEXT NOT NULL CHECK (state IN ('pending','active','suspended','terminated')), terminated_at BIGINT,
              created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
            """,
            "CREATE INDEX services_renewal ON services(next_invoice_date, client_id) WHERE state IN ('active','suspended')",
            "CREATE INDEX services_client ON services(client_id)",
            """
            CREATE TABLE service_holds (id \(id), service_id BIGINT NOT NULL REFERENCES services(id),
              reason TEXT NOT NULL CHECK (reason IN ('non_payment','abuse','other')), placed_by TEXT NOT NULL, placed_at BIGINT NOT NULL,
              note TEXT, proforma_id BIGINT, lifted_at BIGINT, lifted_by TEXT,
              CHECK ((reason = 'non_payment') = (proforma_id IS NOT NULL)))
            """,
            // One non-payment hold per (service, proforma): the overdue task can run any number of times.
            "CREATE UNIQUE INDEX service_holds_non_payment ON service_holds(service_id, proforma_id) WHERE proforma_id IS NOT NULL",
            "CREATE INDEX service_holds_active ON service_holds(service_id) WHERE lifted_at IS NULL",
            "CREATE TABLE number_counters (series TEXT PRIMARY KEY, value BIGINT NOT NULL)",
            """
            CREATE TABLE proformas (id \(id), series TEXT NOT NULL, seq BIGINT NOT NULL, number TEXT NOT NULL UNIQUE,
              client_id BIGINT NOT NULL REFERENCES clients(id), origin TEXT NOT NULL CHECK (origin IN ('order','renewal')),
              state TEXT NOT NULL CHECK (state IN ('unpaid','paid','cancelled')), currency TEXT NOT NULL,
              issue_date TEXT NOT NULL, due_date TEXT NOT NULL, buyer_json TEXT NOT NULL, buyer_name TEXT NOT NULL,
              billing_profile_id BIGINT, vat_json TEXT NOT NULL, net_minor BIGINT NOT NULL, vat_minor BIGINT NOT NULL,
              total_minor BIGINT NOT NULL, paid_minor BIGINT NOT NULL DEFAULT 0, version BIGINT NOT NULL DEFAULT 1,
              created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, UNIQUE (series, seq))
            """,
            "CREATE INDEX proformas_client ON proformas(client_id, id)",
            "CREATE INDEX proformas_unpaid_due ON proformas(due_date) WHERE state = 'unpaid'",
            """
            CREATE TABLE proforma_lines (id \(id), proforma_id BIGINT NOT NULL REFERENCES proformas(id), position BIGINT NOT NULL,
              service_id BIGINT REFERENCES services(id), period_index BIGINT, period_start TEXT, period_end TEXT,
              description TEXT NOT NULL, quantity BIGINT NOT NULL, unit_price_minor BIGINT NOT NULL,
              UNIQUE (service_id, period_start))
            """,
            "CREATE INDEX proforma_lines_proforma ON proforma_lines(proforma_id)",
            """
            CREATE TABLE payments (id \(id), proforma_id BIGINT NOT NULL REFERENCES proformas(id), client_id BIGINT NOT NULL,
              amount_minor BIGINT NOT NULL CHECK (amount_minor > 0), currency TEXT NOT NULL, method TEXT NOT NULL,
              gateway_ref TEXT, received_on TEXT NOT NULL, recorded_by TEXT NOT NULL, recorded_at BIGINT NOT NULL,
              UNIQUE (method, gateway_ref))
            """,
            "CREATE INDEX payments_proforma ON payments(proforma_id)",
            "CREATE TABLE client_credits (id \(id), client_id BIGINT NOT NULL REFERENCES clients(id), currency TEXT NOT NULL, amount_minor BIGINT NOT NULL, payment_id BIGINT, note TEXT NOT NULL, at BIGINT NOT NULL)",
            "CREATE INDEX client_credits_client ON client_credits(client_id)",
            """
            CREATE TABLE fiscal_invoices (id \(id), series TEXT NOT NULL, number BIGINT NOT NULL CHECK (number > 0),
              kind TEXT NOT NULL CHECK (kind IN ('invoice','storno')), client_id BIGINT NOT NULL REFERENCES clients(id),
              proforma_id BIGINT UNIQUE REFERENCES proformas(id), corrects_id BIGINT UNIQUE REFERENCES fiscal_invoices(id),
              issue_date TEXT NOT NULL, currency TEXT NOT NULL, net_minor BIGINT NOT NULL, vat_minor BIGINT NOT NULL,
              total_minor BIGINT NOT NULL, vat_ron_minor BIGINT NOT NULL, exchange_rate_e4 BIGINT, exchange_rate_date TEXT,
              document_json TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (series, number),
              CHECK ((kind = 'invoice') = (corrects_id IS NULL)))
            """,
            "CREATE INDEX fiscal_invoices_client ON fiscal_invoices(client_id, id)",
            "CREATE TABLE exchange_rates (currency TEXT NOT NULL, rate_date TEXT NOT NULL, ron_per_unit_e4 BIGINT NOT NULL CHECK (ron_per_unit_e4 > 0), PRIMARY KEY (currency, rate_date))",
            """
            CREATE TABLE outbox (id \(id), kind TEXT NOT NULL, event_key TEXT NOT NULL UNIQUE, client_id BIGINT NOT NULL,
              payload_json TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            "CREATE INDEX outbox_client ON outbox(client_id, id)",
            "CREATE TABLE audit_log (id \(id), at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, entity TEXT NOT NULL, entity_id BIGINT NOT NULL, before_json TEXT, after_json TEXT)",
            "CREATE INDEX audit_log_entity ON audit_log(entity, entity_id)",
            """
            CREATE TABLE billing_runs (id \(id), as_of TEXT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL,
              considered BIGINT NOT NULL, issued BIGINT NOT NULL, periods BIGINT NOT NULL, skipped BIGINT NOT NULL, failures_json TEXT NOT NULL)
            """,
            "CREATE TABLE staff (id \(id), email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password_hash TEXT NOT NULL, created_at BIGINT NOT NULL)",
            "CREATE TABLE api_keys (id \(id), name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, staff_id BIGINT REFERENCES staff(id), created_at BIGINT NOT NULL, revoked_at BIGINT)",
        ]
        // Fiscal invoices and the audit log are append-only: the database itself refuses UPDATE and DELETE.
        for table in ["fiscal_invoices", "audit_log"] {
            switch kind {
            case .sqlite:
                s.append(
                    "CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table) BEGIN SELECT RAISE(ABORT, '\(table) rows are immutable'); END"
                )
                s.append(
                    "CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table) BEGIN SELECT RAISE(ABORT, '\(table) rows are immutable'); END"
                )
            case .postgres:
                s.append(
                    "CREATE FUNCTION \(table)_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '\(table) rows are immutable'; END $$"
                )
                s.append(
                    "CREATE TRIGGER \(table)_no_change BEFORE UPDATE OR DELETE ON \(table) FOR EACH ROW EXECUTE FUNCTION \(table)_immutable()"
                )
            }
        }
        return s
    }
}

/// Applies and reports migrations.
public struct Migrator: Sendable {
    let database: Database
    public init(_ database: Database) { self.database = database }

    private func ensureTable() async throws {
        try await database.withTransaction { sql in
            try await sql.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
        }
    }

    public func applied() async throws -> Set<Int> {
        try await ensureTable()
        return try await database.withTransaction { sql in
            Set(
                try await sql.raw("SELECT version FROM schema_migrations").all().map {
                    Int(try $0.decode(column: "version", as: Int64.self))
                })
        }
    }

    public func pending() async throws -> [Migration] {
        let done = try await applied()
        return Migrations.all.filter { !done.contains($0.version) }
    }

    /// Applies every pending migration, each in its own transaction; returns what was applied.
    @discardableResult
    public func migrate(now: Date) async throws -> [Migration] {
        var result: [Migration] = []
        for m in try await pending() {
            let kind = database.kind
            try await database.withTransaction { sql in
                // Re-check inside the transaction: another process may have just applied it.
                let exists =
                    try await sql.raw("SELECT version FROM schema_migrations WHERE version = \(bind: Int64(m.version))")
                    .first() != nil
                if exists { return }
                for statement in m.statements(kind) { try await sql.raw(SQLQueryString(statement)).run() }
                try await sql.raw(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: Int64(m.version)), \(bind: m.name), \(bind: Int64(now.timeIntervalSince1970 * 1000)))"
                ).run()
            }
            result.append(m)
        }
        return result
    }
}
