import ArgumentParser
import Bootstrap
import Foundation

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

    /// Runs `body` on the installation (database open, closed on every path); a refused input is a usage error.
    func withInstallation<T>(extra: [String: String] = [:], _ body: (Installation) async throws -> T) async throws -> T
    {
        do {
            return try await Installation.with(overrides: overrides.merging(extra) { $1 }, body)
        } catch let refused as CommandRefused {
            throw ValidationError(refused.description)
        }
    }

    /// Runs a command that reports lines; a failed unit of work exits with status 2 after the report.
    func report(_ body: (Installation) async throws -> CommandReport) async throws {
        let report = try await withInstallation(body)
        for line in report.lines { print(line) }
        if report.failed { throw ExitCode(2) }
    }
}
