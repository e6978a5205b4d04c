import ArgumentParser
import Bootstrap
import Documents
import Domain
import Features
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Storage

@main
struct Hostico: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hostico Billing: proformas, fiscal invoices, payments and suspensions for a hosting company.",
        subcommands: [Serve.self, Migrate.self, Billing.self, Worker.self, Notify.self, Demo.self, StaffCommand.self, APIKeyCommand.self, EFacturaCommand.self, Provision.self, Bench.self])
}

/// Options every command shares; they override the environment and `.env`.
struct CommonOptions: ParsableArguments {
    @Option(help: "Database: a SQLite file path, or a postgres:// URL (default: $DATABASE_URL, else ./data/hostico.sqlite).")
    var databaseURL: String?

    var overrides: [String: String] {
        var o: [String: String] = [:]
        if let databaseURL { o["DATABASE_URL"] = databaseURL }
        return o
    }

    /// Opens the database, runs `body` and closes the database on every path, a thrown error included (SQLiteNIO
    /// refuses to drop an open connection).
    func withDatabase<T>(extra: [String: String] = [:], _ body: (AppConfig, AppDependencies, Database) async throws -> T) async throws -> T {
        let (config, deps, db) = try await open(extra: extra)
        do {
            let result = try await body(config, deps, db)
            await db.close()
            return result
        } catch {
            await db.close()
            throw error
        }
    }

    private func open(extra: [String: String]) async throws -> (AppConfig, AppDependencies, Database) {
        let config = try await AppConfig.load(overrides: overrides.merging(extra) { $1 })
        var logger = Logger(label: "hostico")
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        let (deps, db) = try await LiveDependencies.open(config, logger: logger)
        return (config, deps, db)
    }
}

func parseDate(_ text: String?, _ deps: AppDependencies) throws -> CivilDate {
    guard let text else { return deps.today() }
    guard let d = CivilDate(text) else { throw ValidationError("--as-of must be a date in YYYY-MM-DD form") }
    return d
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await common.withDatabase { _, deps, db in
            let applied = try await Migrator(db).migrate(now: deps.clock.now())
            print(applied.isEmpty ? "Database is up to date (\(db.kind.rawValue))." : applied.map { "applied \($0.version): \($0.name)" }.joined(separator: "\n"))
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the HTTP API (and the daily billing worker unless --no-worker).")
    @OptionGroup var common: CommonOptions
    @Flag(help: "Apply pending migrations before serving.") var migrate = false
    @Option(help: "Port (default: $HTTP_PORT or 8080).") var port: Int?
    @Flag(help: "Do not run the billing worker inside this process.") var noWorker = false

    func run() async throws {
        try await common.withDatabase(extra: port.map { ["HTTP_PORT": String($0)] } ?? [:]) { config, deps, db in
            let migrator = Migrator(db)
            if migrate {
                try await migrator.migrate(now: deps.clock.now())
            } else {
                let pending = try await migrator.pending()
                if !pending.isEmpty {
                    throw ValidationError("\(pending.count) migration(s) pending: run `hostico migrate` or start with --migrate")
                }
            }
            let live = try LiveServices(config: config, deps: deps, database: db)
            var services: [any Service] = [try buildApplication(live)]
            if !noWorker {
                services += try backgroundServices(live, billingInterval: .seconds(3600))
            }
            print("Hostico Billing on http://\(config.host):\(config.port)  (database: \(db.kind.rawValue), mode: \(config.mode.rawValue))")
            let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: deps.logger))
            try await group.run()
        }
    }
}

struct Billing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Billing tasks.", subcommands: [Run.self, Dunning.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue renewal proformas for every service due by --as-of (idempotent; catches up missed days).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The billing day, YYYY-MM-DD (default: today in Europe/Bucharest).") var asOf: String?
        @Option(help: "Clients per transaction.") var batch = 200

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let asOf = try parseDate(asOf, deps)
                let tty = isatty(1) == 1
                let started = Date()
                let report = try await RunBilling(deps, clientsPerTransaction: batch)(asOf: asOf) { r in
                    if tty { FileHandle.standardOutput.write(Data("\r\(r.servicesConsidered) services considered, \(r.proformasIssued) proformas issued…".utf8)) }
                }
                if tty { print("") }
                print("Billing run as of \(report.asOf): \(report.servicesConsidered) services considered, \(report.proformasIssued) proformas issued (\(report.periodsInvoiced) service periods), \(report.skippedAlreadyIssued) skipped as already issued, \(report.failures.count) failures, in \(String(format: "%.2f", Date().timeIntervalSince(started))) s.")
                for f in report.failures { print("  client \(f.clientID): \(f.reason)") }
                if !report.failures.isEmpty { throw ExitCode(2) }
            }
        }
    }

    struct Dunning: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the daily tasks: renewals, lapsed orders, overdue reminders, non-payment suspensions, terminations.",
            discussion: """
                Without --as-of: every day from the one after the last recorded run through today, in order (what the worker does \
                each pass), so missed days end as on-time runs would have. With --as-of: that day only. Each proforma and service \
                is its own unit: one that fails is named in the summary, recorded and audited, and the others go on; the command \
                then exits with status 2.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "Run this day only, YYYY-MM-DD (default: catch up through today).") var asOf: String?

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let tasks = DailyBillingTasks(deps)
                let summaries = if let asOf { [try await tasks(asOf: try parseDate(asOf, deps))] } else { try await tasks.catchUp(through: deps.today()) }
                for s in summaries { print(s) }
                if summaries.contains(where: { !$0.failures.isEmpty }) { throw ExitCode(2) }
            }
        }
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daily billing tasks and deliver notifications on a schedule until SIGTERM/SIGINT.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Seconds between runs.") var intervalSeconds = 3600

    func run() async throws {
        try await common.withDatabase { config, deps, db in
            let services = try backgroundServices(try LiveServices(config: config, deps: deps, database: db), billingInterval: .seconds(intervalSeconds))
            let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: deps.logger))
            try await group.run()
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Demo data.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Seed a catalog, clients and 70 days of history (only into an empty database).")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Do nothing (exit 0) when the database already has clients.") var ifEmpty = false

        func run() async throws {
            try await common.withDatabase { config, deps, db in
                guard config.mode == .demo else { throw ValidationError("demo data is refused when APP_MODE=production") }
                try await Migrator(db).migrate(now: deps.clock.now())
                let existing = try await deps.store.read { r in try await r.searchClients(query: nil, limit: 1, offset: 0) }
                if !existing.isEmpty {
                    if ifEmpty { print("Demo data already present."); return }
                    throw ValidationError("the database already has clients; seed only an empty database")
                }
                let fast = BcryptPasswordHasher(cost: 10)
                let logger = deps.logger
                try await DemoSeed(makeDeps: { clock in
                    AppDependencies(store: deps.store, clock: clock, random: deps.random, passwords: fast, digest: deps.digest, vat: deps.vat, policy: config.policy, numbering: config.numbering, seller: config.seller, timeZone: config.timeZone, logger: logger)
                })(now: deps.clock.now()) { print($0) }
                let (key, secret) = try await CreateAPIKey(deps)(name: "demo", staffID: nil)
                print("Demo API key #\(key) (shown once): \(secret)")
            }
        }
    }
}

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "staff", abstract: "Staff accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a staff account; the password is read from standard input.")
        @OptionGroup var common: CommonOptions
        @Option var email: String
        @Option var name: String

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                guard let password = readLine(strippingNewline: true) else { throw ValidationError("give the password on standard input") }
                let id = try await CreateStaff(deps)(email: email, name: name, password: password)
                print("Staff member #\(id) created.")
            }
        }
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "api-key", abstract: "API keys: create, list, revoke.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key; it is printed once and stored hashed.")
        @OptionGroup var common: CommonOptions
        @Option(help: "What uses the key (shown in the list).") var name: String
        @Option(help: "read, billing, payments or admin (admin includes the others); repeat or separate with commas.") var scope: [String] = ["admin"]
        @Option(help: "The key stops working after this many days (default: never).") var expiresDays: Int?

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let (id, secret) = try await CreateAPIKey(deps)(name: name, scopes: scope, expiresInDays: expiresDays, staffID: nil)
                print("API key #\(id): \(secret)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the API keys: scopes, expiry, last use, revocation (never the secrets).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let stamp = { (d: Date?) in d.map { ISO8601DateFormatter().string(from: $0) } ?? "-" }
                print("id\tname\tscopes\tcreated\texpires\tlast used\trevoked")
                for k in try await ListAPIKeys(deps)() {
                    print("\(k.id)\t\(k.name)\t\(APIScope.text(k.scopes))\t\(stamp(k.createdAt))\t\(stamp(k.expiresAt))\t\(stamp(k.lastUsedAt))\t\(stamp(k.revokedAt))")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key: every request with it is refused from now on.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The key's id (see api-key list).") var id: Int64

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                try await RevokeAPIKey(deps)(id: id, actor: .system)
                print("API key #\(id) revoked")
            }
        }
    }
}

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Benchmark data for `make bench` (never on a production database).", subcommands: [Seed.self, SeedMessages.self, PlainInsert.self, PDF.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Seed N monthly services for N/3 clients, all due on one day.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Number of services.") var services = 1_000_000
        @Option(help: "The day every service is due, YYYY-MM-DD.") var dueOn = "2026-12-01"

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                guard let due = CivilDate(dueOn) else { throw ValidationError("--due-on must be YYYY-MM-DD") }
                try await Migrator(db).migrate(now: deps.clock.now())
                let started = ContinuousClock.now
                try await BenchmarkSeed(database: db, deps: deps).seed(services: services, dueOn: due) { line in
                    if isatty(1) == 1 { FileHandle.standardOutput.write(Data("\rseeded \(line)…   ".utf8)) }
                }
                if isatty(1) == 1 { print("") }
                print("Seeded \(services) services for \(max(1, services / 3)) clients due on \(due) in \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s (\(db.kind.rawValue)).")
            }
        }
    }

    struct SeedMessages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "seed-messages", abstract: "Queue N messages of one channel, each for its own opted-in client.")
        @OptionGroup var common: CommonOptions
        @Option(help: "email or sms.") var channel: String = "sms"
        @Option(help: "Number of messages.") var count = 10_000

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                guard let c = MessageChannel(rawValue: channel) else { throw ValidationError("--channel must be email or sms") }
                try await Migrator(db).migrate(now: deps.clock.now())
                try await BenchmarkSeed(database: db, deps: deps).seedMessages(channel: c, count: count)
                print("Queued \(count) \(c.rawValue) messages (\(db.kind.rawValue)).")
            }
        }
    }

    struct PDF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pdf", abstract: "Render a 10-line fiscal invoice N times on one core; report the rate and the memory.")
        @Option(help: "Number of renders.") var count = 10_000

        func run() async throws {
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
            print("Rendered \(count) PDFs (\(bytes / count) bytes each) in \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds))/s on one core; RSS \(startRSS / 1024) MB at start, \(rssAtTenth / 1024) MB after \(count / 10), \(residentKB() / 1024) MB after \(count).")
        }

        /// Resident memory now, from /proc (Linux).
        func residentKB() -> Int {
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
    }

    struct PlainInsert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "plain-insert", abstract: "Time a plain multi-row insert of N rows into a scratch table: the physical limit.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Number of rows.") var rows = 1_000_000

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let seconds = try await BenchmarkSeed(database: db, deps: deps).plainInsert(rows: rows)
                print("Plain insert: \(rows) rows in \(String(format: "%.2f", seconds)) s = \(Int(Double(rows) / seconds)) rows/s (\(db.kind.rawValue)).")
            }
        }
    }
}

struct Notify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Notifications.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deliver every due e-mail and SMS once (the worker does this every few seconds).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { config, deps, db in
                let delivery = try LiveServices(config: config, deps: deps, database: db).makeDelivery()
                let started = ContinuousClock.now
                let report = try await delivery.runOnce()
                print("Notifications: \(report) in \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s.")
            }
        }
    }
}

struct EFacturaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "efactura", abstract: "Romanian e-Factura (UBL 2.1, CIUS-RO).", subcommands: [Export.self, Upload.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write the e-Factura XML of every fiscal invoice and storno issued in a date range, one file per invoice.")
        @OptionGroup var common: CommonOptions
        @Option(help: "First issue date, YYYY-MM-DD.") var from: String
        @Option(help: "Last issue date, YYYY-MM-DD (inclusive).") var to: String
        @Option(help: "Folder to write into (created if missing).") var out = "./efactura"

        func run() async throws {
            guard let first = CivilDate(from), let last = CivilDate(to) else { throw ValidationError("--from and --to must be YYYY-MM-DD") }
            guard first <= last else { throw ValidationError("--from must not be after --to") }
            try await common.withDatabase { _, deps, db in
                let invoices = try await deps.store.read { r in try await r.fiscalInvoices(issuedFrom: first, through: last) }
                let folder = URL(fileURLWithPath: out)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for invoice in invoices {
                    try Data(EFactura.xml(invoice).utf8).write(to: folder.appendingPathComponent(invoice.displayNumber + ".xml"), options: .atomic)
                }
                print("Wrote \(invoices.count) e-Factura file(s) for \(first) – \(last) to \(folder.path).")
            }
        }
    }
}

extension EFacturaCommand {
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload every due fiscal invoice to ANAF and ask about the uploaded ones, once (serve and worker do this every minute).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { config, deps, db in
                guard let submit = try LiveServices(config: config, deps: deps, database: db).efactura else {
                    throw ValidationError("ANAF_CLIENT_ID is not set: e-Factura uploads are off")
                }
                let report = try await submit.runOnce()
                print("e-Factura: \(report).")
            }
        }
    }
}

struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hosting-server provisioning.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run every due provisioning job once (serve and worker do this every few seconds).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { config, deps, db in
                let report = try await LiveServices(config: config, deps: deps, database: db).provisioning.runOnce()
                print("Provisioning: \(report).")
            }
        }
    }
}
