import ArgumentParser
import Bootstrap
import Foundation

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")
    @OptionGroup var common: CommonOptions

    func run() async throws { try await common.report { try await $0.migrate() } }
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
        try await common.withInstallation(extra: port.map { ["HTTP_PORT": String($0)] } ?? [:]) { installation in
            try await installation.serve(migrate: migrate, worker: !noWorker) { print($0) }
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
        try await common.withInstallation { try await $0.work(billingIntervalSeconds: intervalSeconds) }
    }
}
