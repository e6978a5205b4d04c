import ArgumentParser
import Bootstrap
import Foundation

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Demo data.", subcommands: [Seed.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seed a catalog, clients and 70 days of history (only into an empty database).")
        @OptionGroup var common: CommonOptions
        @Flag(help: "Do nothing (exit 0) when the database already has clients.") var ifEmpty = false

        func run() async throws {
            try await common.withInstallation { try await $0.seedDemo(ifEmpty: ifEmpty) { print($0) } }
        }
    }
}
