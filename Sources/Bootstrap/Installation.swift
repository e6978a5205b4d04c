import Documents
import Domain
import Features
import Foundation
import Logging
import ServiceLifecycle
import Storage

/// A command's input that cannot be used (a bad date, production refusing demo data): the command line prints the
/// message and exits with the usage status.
public struct CommandRefused: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What a command printed, and whether some unit of its work failed (the command then exits with status 2).
public struct CommandReport: Sendable {
    public var lines: [String]
    public var failed: Bool

    public init(_ lines: [String], failed: Bool = false) {
        self.lines = lines
        self.failed = failed
    }
}

/// One Hostico installation as the `hostico` commands use it: the configuration, the open database and the use
/// cases wired over it. Each command is one call here; the command line only parses its options and prints, so it
/// imports nothing but this module.
public final class Installation: Sendable {
    public let config: AppConfig
    let deps: AppDependencies
    let database: Database

    private init(config: AppConfig, deps: AppDependencies, database: Database) {
        self.config = config
        self.deps = deps
        self.database = database
    }

    /// Opens the installation the environment, `.env` and `overrides` describe, runs `body` and closes the database
    /// on every path, a thrown error included (SQLiteNIO refuses to drop an open connection).
    public static func with<T>(overrides: [String: String], _ body: (Installation) async throws -> T) async throws -> T
    {
        let config = try await AppConfig.load(overrides: overrides)
        var logger = Logger(label: "hostico")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        let (deps, database) = try await LiveDependencies.open(config, logger: logger)
        let installation = Installation(config: config, deps: deps, database: database)
        do {
            let result = try await body(installation)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }

    /// "sqlite" or "postgres".
    public var databaseKind: String { database.kind.rawValue }

    // MARK: - Database and serving

    public func migrate() async throws -> CommandReport {
        let applied = try await Migrator(database).migrate(now: deps.clock.now())
        return CommandReport(
            applied.isEmpty
                ? ["Database is up to date (\(databaseKind))."] : applied.map { "applied \($0.version): \($0.name)" })
    }

    /// Serves the web areas and the API (and the background work when `worker`) until SIGTERM or SIGINT.
    public func serve(migrate: Bool, worker: Bool, announce: (String) -> Void) async throws {
        let migrator = Migrator(database)
        if migrate {
            try await migrator.migrate(now: deps.clock.now())
        } else {
            let pending = try await migrator.pending()
            if !pending.isEmpty {
                throw CommandRefused(
                    "\(pending.count) migration(s) pending: run `hostico migrate` or start with --migrate")
            }
        }
        let live = try LiveServices(config: config, deps: deps, database: database)
        var services: [any Service] = [try buildApplication(live)]
        if worker { services += try backgroundServices(live, billingInterval: .seconds(3600)) }
        announce(
            "Hostico Billing on http://\(config.host):\(config.port)  (database: \(databaseKind), mode: \(config.mode.rawValue))"
        )
        try await run(services)
    }

    /// The background work alone until SIGTERM or SIGINT.
    public func work(billingIntervalSeconds: Int) async throws {
        try await run(
            try backgroundServices(
                try LiveServices(config: config, deps: deps, database: database),
                billingInterval: .seconds(billingIntervalSeconds)))
    }

    private func run(_ services: [any Service]) async throws {
        let group = ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                logger: deps.logger))
        try await group.run()
    }

    // MARK: - Billing

    /// Renewal proformas for every service due by `asOf` (today in the billing zone when nil).
    public func runBilling(asOf: String?, clientsPerTransaction: Int, progress: @escaping @Sendable (String) -> Void)
        async throws -> CommandReport
    {
        let day = try date(asOf, option: "--as-of")
        let started = ContinuousClock.now
        let report = try await RunBilling(deps, clientsPerTransaction: clientsPerTransaction)(asOf: day) { r in
            progress("\(r.servicesConsidered) services considered, \(r.proformasIssued) proformas issued…")
        }
        let seconds = String(format: "%.2f", (ContinuousClock.now - started).seconds)
        return CommandReport(
            [
                "Billing run as of \(report.asOf): \(report.servicesConsidered) services considered, \(report.proformasIssued) proformas issued (\(report.periodsInvoiced) service periods), \(report.skippedAlreadyIssued) skipped as already issued, \(report.failures.count) failures, in \(seconds) s."
            ] + report.failures.map { "  client \($0.clientID): \($0.reason)" }, failed: !report.failures.isEmpty)
    }

    /// The daily tasks for `asOf` only, or every day since the last recorded run through today.
    public func dailyTasks(asOf: String?) async throws -> CommandReport {
        let tasks = DailyBillingTasks(deps)
        let summaries =
            if let asOf { [try await tasks(asOf: try date(asOf, option: "--as-of"))] } else {
                try await tasks.catchUp(through: deps.today())
            }
        return CommandReport(summaries.map(\.description), failed: summaries.contains { !$0.failures.isEmpty })
    }

    // MARK: - Background work, once

    public func deliverNotifications() async throws -> CommandReport {
        let delivery = try LiveServices(config: config, deps: deps, database: database).makeDelivery()
        let started = ContinuousClock.now
        let report = try await delivery.runOnce()
        return CommandReport(
            ["Notifications: \(report) in \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s."])
    }

    public func uploadEFactura() async throws -> CommandReport {
        guard let submit = try LiveServices(config: config, deps: deps, database: database).efactura else {
            throw CommandRefused("ANAF_CLIENT_ID is not set: e-Factura uploads are off")
        }
        return CommandReport(["e-Factura: \(try await submit.runOnce())."])
    }

    public func provision() async throws -> CommandReport {
        let report = try await LiveServices(config: config, deps: deps, database: database).provisioning.runOnce()
        return CommandReport(["Provisioning: \(report)."])
    }

    /// The e-Factura XML of every fiscal invoice and storno issued from `from` through `to`, one file each.
    public func exportEFactura(from: String, to: String, into folder: String) async throws -> CommandReport {
        guard let first = CivilDate(from), let last = CivilDate(to) else {
            throw CommandRefused("--from and --to must be YYYY-MM-DD")
        }
        guard first <= last else { throw CommandRefused("--from must not be after --to") }
        let invoices = try await deps.store.read { r in try await r.fiscalInvoices(issuedFrom: first, through: last) }
        let url = URL(fileURLWithPath: folder)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for invoice in invoices {
            try Data(EFactura.xml(invoice).utf8).write(
                to: url.appendingPathComponent(invoice.displayNumber + ".xml"), options: .atomic)
        }
        return CommandReport(["Wrote \(invoices.count) e-Factura file(s) for \(first) – \(last) to \(url.path)."])
    }

    // MARK: - Access

    public func createStaff(email: String, name: String, password: String) async throws -> CommandReport {
        let id = try await CreateStaff(deps)(email: email, name: name, password: password)
        return CommandReport(["Staff member #\(id) created."])
    }

    /// The secret is in the report, once; only its hash is stored.
    public func createAPIKey(name: String, scopes: [String], expiresInDays: Int?) async throws -> CommandReport {
        let (id, secret) = try await CreateAPIKey(deps)(
            name: name, scopes: scopes, expiresInDays: expiresInDays, staffID: nil)
        return CommandReport(["API key #\(id): \(secret)"])
    }

    /// A tab-separated table: scopes, dates, never the secrets.
    public func listAPIKeys() async throws -> CommandReport {
        let stamp = { (d: Date?) in d.map { ISO8601DateFormatter().string(from: $0) } ?? "-" }
        return CommandReport(
            ["id\tname\tscopes\tcreated\texpires\tlast used\trevoked"]
                + (try await ListAPIKeys(deps)()).map { k in
                    "\(k.id)\t\(k.name)\t\(APIScope.text(k.scopes))\t\(stamp(k.createdAt))\t\(stamp(k.expiresAt))\t\(stamp(k.lastUsedAt))\t\(stamp(k.revokedAt))"
                })
    }

    public func revokeAPIKey(id: Int64) async throws -> CommandReport {
        try await RevokeAPIKey(deps)(id: id, actor: .system)
        return CommandReport(["API key #\(id) revoked"])
    }

    // MARK: - Demo and benchmarks

    /// A catalogue, clients and 70 days of history, only into an empty database of a demo installation.
    public func seedDemo(ifEmpty: Bool, say: @escaping @Sendable (String) -> Void) async throws {
        guard config.mode == .demo else { throw CommandRefused("demo data is refused when APP_MODE=production") }
        try await Migrator(database).migrate(now: deps.clock.now())
        let existing = try await deps.store.read { r in try await r.searchClients(query: nil, limit: 1, offset: 0) }
        if !existing.isEmpty {
            guard ifEmpty else { throw CommandRefused("the database already has clients; seed only an empty database") }
            say("Demo data already present.")
            return
        }
        let (deps, fast) = (self.deps, BcryptPasswordHasher(cost: 10))
        try await DemoSeed(makeDeps: { clock in deps.with(clock: clock, passwords: fast) })(
            now: deps.clock.now(), log: say)
        let (key, secret) = try await CreateAPIKey(deps)(name: "demo", staffID: nil)
        say("Demo API key #\(key) (shown once): \(secret)")
    }

    public func seedBenchmark(services: Int, dueOn: String, progress: @escaping @Sendable (String) -> Void)
        async throws -> CommandReport
    {
        let due = try date(dueOn, option: "--due-on")
        try await Migrator(database).migrate(now: deps.clock.now())
        let started = ContinuousClock.now
        try await BenchmarkSeed(database: database, deps: deps).seed(services: services, dueOn: due, progress: progress)
        return CommandReport([
            "Seeded \(services) services for \(max(1, services / 3)) clients due on \(due) in \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s (\(databaseKind))."
        ])
    }

    public func seedBenchmarkMessages(channel: String, count: Int) async throws -> CommandReport {
        guard let c = MessageChannel(rawValue: channel) else { throw CommandRefused("--channel must be email or sms") }
        try await Migrator(database).migrate(now: deps.clock.now())
        try await BenchmarkSeed(database: database, deps: deps).seedMessages(channel: c, count: count)
        return CommandReport(["Queued \(count) \(c.rawValue) messages (\(databaseKind))."])
    }

    public func plainInsert(rows: Int) async throws -> CommandReport {
        let seconds = try await BenchmarkSeed(database: database, deps: deps).plainInsert(rows: rows)
        return CommandReport([
            "Plain insert: \(rows) rows in \(String(format: "%.2f", seconds)) s = \(Int(Double(rows) / seconds)) rows/s (\(databaseKind))."
        ])
    }

    /// Renders a 10-line fiscal invoice `count` times on one core (no database): the rate and the memory.
    public static func benchmarkPDF(count: Int) async throws -> CommandReport {
        let config = try await AppConfig.load()
        let invoice = BenchmarkSeed.tenLineInvoice(seller: config.seller)
        _ = InvoicePDF.render(invoice)  // fonts and caches warm
        let startRSS = residentKB()
        var bytes = 0
        var rssAtTenth = 0
        let started = ContinuousClock.now
        for i in 1...count {
            bytes += InvoicePDF.render(invoice).count
            if i == count / 10 { rssAtTenth = residentKB() }
        }
        let seconds = (ContinuousClock.now - started).seconds
        return CommandReport([
            "Rendered \(count) PDFs (\(bytes / count) bytes each) in \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds))/s on one core; RSS \(startRSS / 1024) MB at start, \(rssAtTenth / 1024) MB after \(count / 10), \(residentKB() / 1024) MB after \(count)."
        ])
    }

    /// Resident memory now, from /proc (Linux).
    static func residentKB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    private func date(_ text: String?, option: String) throws -> CivilDate {
        guard let text else { return deps.today() }
        guard let d = CivilDate(text) else { throw CommandRefused("\(option) must be a date in YYYY-MM-DD form") }
        return d
    }
}
