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
        subcommands: [
            Serve.self, Migrate.self, Billing.self, Worker.self, Notify.self, Demo.self, StaffCommand.self,
            APIKeyCommand.self, EFacturaCommand.self, Provision.self, Bench.self,
        ])
}

/// Options every command shares; they override the environment and `.env`.
struct CommonOptions: ParsableArguments {
    @Option(
        help: "Database: a SQLite file path, or a postgres:// URL (default: $DATABASE_URL, else ./data/hostico.sqlite)."
    )
    var databaseURL: String?

    var overrides: [String: String] {
        var o: [String: String] = [:]
        if let databaseURL { o["DATABASE_URL"] = databaseURL }
        return o
    }

    /// Opens the database, runs `body` and closes the database on every path, a thrown error included (SQLiteNIO
    /// refuses to drop an open connection).
    func withDatabase<T>(
        extra: [String: String] = [:], _ body: (AppConfig, AppDependencies, Database) async throws -> T
    ) async throws -> T {
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
