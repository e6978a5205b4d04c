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

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await common.withDatabase { _, deps, db in
            let applied = try await Migrator(db).migrate(now: deps.clock.now())
            print(
                applied.isEmpty
                    ? "Database is up to date (\(db.kind.rawValue))."
                    : applied.map { "applied \($0.version): \($0.name)" }.joined(separator: "\n"))
        }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Serve the client area, the staff area and the JSON API, with the background work unless --no-worker.",
        discussion: """
            The background work is what `worker` runs: the daily billing tasks, notification delivery, provisioning, \
            e-Factura uploads (when ANAF is configured) and the session sweep. Run several `serve --no-worker` and \
            `worker` processes on one PostgreSQL database to share the load.
            """)
    @OptionGroup var common: CommonOptions
    @Flag(help: "Apply pending migrations before serving.") var migrate = false
    @Option(help: "Port (default: $HTTP_PORT or 8080).") var port: Int?
    @Flag(help: "Serve requests only; leave the background work to `hostico worker` processes.") var noWorker = false

    func run() async throws {
        try await common.withDatabase(extra: port.map { ["HTTP_PORT": String($0)] } ?? [:]) { config, deps, db in
            let migrator = Migrator(db)
            if migrate {
                try await migrator.migrate(now: deps.clock.now())
            } else {
                let pending = try await migrator.pending()
                if !pending.isEmpty {
                    throw ValidationError(
                        "\(pending.count) migration(s) pending: run `hostico migrate` or start with --migrate")
                }
            }
            let live = try LiveServices(config: config, deps: deps, database: db)
            var services: [any Service] = [try buildApplication(live)]
            if !noWorker {
                services += try backgroundServices(live, billingInterval: .seconds(3600))
            }
            print(
                "Hostico Billing on http://\(config.host):\(config.port)  (database: \(db.kind.rawValue), mode: \(config.mode.rawValue))"
            )
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: deps.logger))
            try await group.run()
        }
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run the background work until SIGTERM/SIGINT: daily billing tasks, notifications, provisioning, e-Factura, session sweep.",
        discussion: "Any number of workers may run on one database: each pass claims or locks what it changes.")
    @OptionGroup var common: CommonOptions
    @Option(help: "Seconds between runs of the daily billing tasks (the other work runs every few seconds).")
    var intervalSeconds = 3600

    func run() async throws {
        try await common.withDatabase { config, deps, db in
            let services = try backgroundServices(
                try LiveServices(config: config, deps: deps, database: db), billingInterval: .seconds(intervalSeconds))
            let group = ServiceGroup(
                configuration: .init(
                    services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: deps.logger))
            try await group.run()
        }
    }
}
