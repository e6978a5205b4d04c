import Domain
import Features
import Foundation
import SQLKit
import Storage

/// Data for `hostico bench`: N monthly services for N/3 clients, all due on one day, written with multi-row
/// inserts (the use cases would take longer than the run being measured), and the plain-insert baseline.
public struct BenchmarkSeed: Sendable {
    let database: Database
    let deps: AppDependencies
    /// Rows per INSERT statement, under SQLite's and PostgreSQL's bind-parameter limits for our widest row.
    static let rowsPerStatement = 500
    /// Rows per transaction while seeding.
    static let rowsPerTransaction = 20_000

    public init(database: Database, deps: AppDependencies) {
        self.database = database
        self.deps = deps
    }

    /// Seeds `services` services due on `dueOn` (anchored one month earlier, first month already paid).
    public func seed(services: Int, dueOn: CivilDate, progress: @escaping @Sendable (String) -> Void) async throws {
        let clients = max(1, services / 3)
        let plan = try await CreateHostingPlan(deps)(
            code: "bench-\(dueOn)", name: "Bench Hosting", currency: "RON", prices: ["monthly": "29.99"], actor: .system
        )
        let firstClient = try await nextID("clients")
        let firstProfile = try await nextID("billing_profiles")
        let firstService = try await nextID("services")
        let at = Int64(deps.clock.now().timeIntervalSince1970 * 1000)
        let anchor = dueOn.adding(months: -1)
        try await bulk(
            "clients", ["id", "email", "password_hash", "phone", "language", "sms_opt_in", "created_at"], count: clients
        ) { i in
            let id = firstClient + Int64(i)
            return [id, "bench-\(id)@example.test", "!", nil as String?, "en", Int64(0), at]
        }
        progress("\(clients) clients")
        try await bulk(
            "billing_profiles",
            ["id", "client_id", "kind", "name", "street", "city", "country", "is_default", "created_at"], count: clients
        ) { i in
            [
                firstProfile + Int64(i), firstClient + Int64(i), "person", "Bench Client \(i)", "Strada Exemplu 1",
                "Cluj-Napoca", "RO", Int64(1), at,
            ]
        }
        progress("\(clients) billing profiles")
        try await bulk(
            "services",
            [
                "id", "client_id", "plan_id", "domain", "cycle", "price_minor", "currency", "anchor_date",
                "invoiced_periods", "paid_periods", "next_invoice_date", "state", "created_at", "updated_at",
            ], count: services
        ) { i in
            [
                firstService + Int64(i), firstClient + Int64(i % clients), plan.id,
                "site\(firstService + Int64(i)).example", "monthly", Int64(2999), "RON",
                anchor.description, Int64(1), Int64(1), dueOn.description, "active", at, at,
            ]
        } progress: {
            progress("\($0) services")
        }
        if database.kind == .postgres {
            // Ids were given explicitly; move the identity sequences past them.
            try await database.withTransaction { sql in
                for table in ["clients", "billing_profiles", "services"] {
                    try await sql.raw(
                        "SELECT setval(pg_get_serial_sequence('\(unsafeRaw: table)', 'id'), (SELECT max(id) FROM \(unsafeRaw: table)))"
                    ).run()
                }
                try await sql.raw("ANALYZE").run()
            }
        } else {
            try await database.withTransaction { sql in try await sql.raw("ANALYZE").run() }
        }
    }

    /// `count` queued messages of one channel, each for its own opted-in client with a mobile number (a
    /// suspension notice, the event that uses both channels), as the outbox dispatcher would have left them.
    public func seedMessages(channel: MessageChannel, count: Int) async throws {
        let firstClient = try await nextID("clients")
        let firstProfile = try await nextID("billing_profiles")
        let firstOutbox = try await nextID("outbox")
        let at = Int64(deps.clock.now().timeIntervalSince1970 * 1000)
        try await bulk(
            "clients",
            [
                "id", "email", "password_hash", "phone", "language", "sms_opt_in", "sms_consent_at",
                "sms_consent_source", "created_at",
            ], count: count
        ) { i in
            let id = firstClient + Int64(i)
            return [
                id, "bench-\(id)@example.test", "!", "+40722\(String(format: "%06d", i % 1_000_000))", "ro", Int64(1),
                at, "signup", at,
            ]
        }
        try await bulk(
            "billing_profiles",
            ["id", "client_id", "kind", "name", "street", "city", "country", "is_default", "created_at"], count: count
        ) { i in
            [
                firstProfile + Int64(i), firstClient + Int64(i), "person", "Client Bench \(i)", "Strada Exemplu 1",
                "Cluj-Napoca", "RO", Int64(1), at,
            ]
        }
        let payload: @Sendable (Int) -> String = { i in
            #"{"domain":"site\#(i).example","reason":"abuse","serviceID":"\#(i)"}"#
        }
        try await bulk(
            "outbox", ["id", "kind", "event_key", "client_id", "payload_json", "created_at", "dispatched_at"],
            count: count
        ) { i in
            [
                firstOutbox + Int64(i), "service.suspended", "bench:\(channel.rawValue):\(firstOutbox + Int64(i))",
                firstClient + Int64(i), payload(i), at, at,
            ]
        }
        try await bulk(
            "messages",
            [
                "outbox_id", "client_id", "channel", "event_kind", "idempotency_key", "payload_json", "status",
                "attempts", "next_attempt_at", "created_at", "updated_at",
            ], count: count
        ) { i in
            [
                firstOutbox + Int64(i), firstClient + Int64(i), channel.rawValue, "service.suspended",
                "bench:\(firstOutbox + Int64(i))|\(channel.rawValue)", payload(i), "queued", Int64(0), at, at, at,
            ]
        }
        if database.kind == .postgres {
            try await database.withTransaction { sql in
                for table in ["clients", "billing_profiles", "outbox"] {
                    try await sql.raw(
                        "SELECT setval(pg_get_serial_sequence('\(unsafeRaw: table)', 'id'), (SELECT max(id) FROM \(unsafeRaw: table)))"
                    ).run()
                }
                try await sql.raw("ANALYZE").run()
            }
        }
    }

    /// A fiscal invoice with ten service lines for a Romanian company, for the PDF benchmark.
    public static func tenLineInvoice(seller: Seller) -> FiscalInvoice {
        let buyer = BillingParty.legalEntity(
            .init(
                name: "Țuțea Design SRL",
                address: PostalAddress(
                    street: "Bd. Unirii 5", city: "SECTOR3", county: "B", postalCode: "030167", country: "RO"),
                registrationCode: "18547290", tradeRegisterNumber: "J40/1234/2015", vatNumber: nil))
        let start = CivilDate(year: 2026, month: 12, day: 1)!
        let lines = (1...10).map { i in
            InvoiceLine(
                serviceID: Int64(i),
                period: ServicePeriod(index: 1, start: start, end: start.adding(months: 1).adding(days: -1)),
                description: "Găzduire web Business – site\(i).example.ro (01.12.2026 – 31.12.2026)",
                unitPriceMinor: 4_999)
        }
        let vat = VatTreatment(category: .standard, basisPoints: 2100, vatCountry: "RO", mention: nil)
        return FiscalInvoice(
            id: 1, series: "HST2026", number: 1, kind: .invoice, clientID: 1, proformaID: 1,
            proformaNumber: "PF-2026-000001", correctsID: nil, correctsNumber: nil,
            issueDate: start, currency: .RON, seller: seller, buyer: buyer, vat: vat, lines: lines,
            totals: InvoiceTotals(currency: .RON, lines: lines.map { ($0.netMinor, vat.category, vat.basisPoints) }),
            exchangeRate: nil, vatRONMinor: 10_498)
    }

    /// The physical limit: `rows` rows shaped like invoice lines, inserted with multi-row statements in large
    /// transactions into a scratch table of the same database. Returns the seconds taken.
    public func plainInsert(rows: Int) async throws -> Double {
        try await database.withTransaction { sql in
            try await sql.raw("DROP TABLE IF EXISTS bench_plain_insert").run()
            try await sql.raw(
                "CREATE TABLE bench_plain_insert (id BIGINT PRIMARY KEY, proforma_id BIGINT NOT NULL, service_id BIGINT NOT NULL, description TEXT NOT NULL, unit_price_minor BIGINT NOT NULL, created_at BIGINT NOT NULL)"
            ).run()
        }
        let started = ContinuousClock.now
        try await bulk(
            "bench_plain_insert", ["id", "proforma_id", "service_id", "description", "unit_price_minor", "created_at"],
            count: rows
        ) { i in
            [
                Int64(i + 1), Int64(i / 3 + 1), Int64(i + 1),
                "Bench Hosting – site\(i).example (2026-12-01 – 2026-12-31)", Int64(2999), Int64(0),
            ]
        }
        let seconds = (ContinuousClock.now - started).seconds
        try await database.withTransaction { sql in try await sql.raw("DROP TABLE bench_plain_insert").run() }
        return seconds
    }

    private func nextID(_ table: String) async throws -> Int64 {
        try await database.withReader { sql in
            let row = try await sql.raw("SELECT COALESCE(max(id), 0) + 1 AS next FROM \(unsafeRaw: table)").first()
            return try row?.decode(column: "next", as: Int64.self) ?? 1
        }
    }

    private func bulk(
        _ table: String, _ columns: [String], count: Int, row: @escaping @Sendable (Int) -> [any Encodable & Sendable],
        progress: (@Sendable (Int) -> Void)? = nil
    ) async throws {
        var start = 0
        while start < count {
            let end = min(count, start + Self.rowsPerTransaction)
            let from = start
            try await database.withTransaction { sql in
                var i = from
                while i < end {
                    let stop = min(end, i + Self.rowsPerStatement)
                    var insert = sql.insert(into: table).columns(columns)
                    for n in i..<stop { insert = insert.values(row(n)) }
                    try await insert.run()
                    i = stop
                }
            }
            start = end
            progress?(start)
        }
    }
}

extension Duration {
    /// Seconds as a floating-point number, for reports.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
