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

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Demo data.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seed a catalog, clients and 70 days of history (only into an empty database).")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Do nothing (exit 0) when the database already has clients.") var ifEmpty = false

        func run() async throws {
            try await common.withDatabase { config, deps, db in
                guard config.mode == .demo else {
                    throw ValidationError("demo data is refused when APP_MODE=production")
                }
                try await Migrator(db).migrate(now: deps.clock.now())
                let existing = try await deps.store.read { r in
                    try await r.searchClients(query: nil, limit: 1, offset: 0)
                }
                if !existing.isEmpty {
                    if ifEmpty {
                        print("Demo data already present.")
                        return
                    }
                    throw ValidationError("the database already has clients; seed only an empty database")
                }
                let fast = BcryptPasswordHasher(cost: 10)
                let logger = deps.logger
                try await DemoSeed(makeDeps: { clock in
                    AppDependencies(
                        store: deps.store, clock: clock, random: deps.random, passwords: fast, digest: deps.digest,
                        vat: deps.vat, policy: config.policy, numbering: config.numbering, seller: config.seller,
                        timeZone: config.timeZone, logger: logger)
                })(now: deps.clock.now()) { print($0) }
                let (key, secret) = try await CreateAPIKey(deps)(name: "demo", staffID: nil)
                print("Demo API key #\(key) (shown once): \(secret)")
            }
        }
    }
}
