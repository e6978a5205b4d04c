import ArgumentParser
import Bootstrap
import Foundation

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark data for `make bench` (never on a production database).",
        subcommands: [Seed.self, SeedMessages.self, PlainInsert.self, PDF.self])

    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Seed N monthly services for N/3 clients, all due on one day.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Number of services.") var services = 1_000_000
        @Option(help: "The day every service is due, YYYY-MM-DD.") var dueOn = "2026-12-01"

        func run() async throws {
            let tty = isatty(1) == 1
            try await common.report { installation in
                defer { if tty { print("") } }
                return try await installation.seedBenchmark(services: services, dueOn: dueOn) { line in
                    if tty { FileHandle.standardOutput.write(Data("\rseeded \(line)…   ".utf8)) }
                }
            }
        }
    }

    struct SeedMessages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-messages", abstract: "Queue N messages of one channel, each for its own opted-in client."
        )
        @OptionGroup var common: CommonOptions
        @Option(help: "email or sms.") var channel: String = "sms"
        @Option(help: "Number of messages.") var count = 10_000

        func run() async throws {
            try await common.report { try await $0.seedBenchmarkMessages(channel: channel, count: count) }
        }
    }

    struct PDF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pdf",
            abstract: "Render a 10-line fiscal invoice N times on one core; report the rate and the memory.")
        @Option(help: "Number of renders.") var count = 10_000

        func run() async throws {
            for line in try await Installation.benchmarkPDF(count: count).lines { print(line) }
        }
    }

    struct PlainInsert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plain-insert",
            abstract: "Time a plain multi-row insert of N rows into a scratch table: the physical limit.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Number of rows.") var rows = 1_000_000

        func run() async throws { try await common.report { try await $0.plainInsert(rows: rows) } }
    }
}
