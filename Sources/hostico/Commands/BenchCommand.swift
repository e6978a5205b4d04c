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
            try await common.withDatabase { _, deps, db in
                guard let due = CivilDate(dueOn) else { throw ValidationError("--due-on must be YYYY-MM-DD") }
                try await Migrator(db).migrate(now: deps.clock.now())
                let started = ContinuousClock.now
                try await BenchmarkSeed(database: db, deps: deps).seed(services: services, dueOn: due) { line in
                    if isatty(1) == 1 { FileHandle.standardOutput.write(Data("\rseeded \(line)…   ".utf8)) }
                }
                if isatty(1) == 1 { print("") }
                print(
                    "Seeded \(services) services for \(max(1, services / 3)) clients due on \(due) in \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s (\(db.kind.rawValue))."
                )
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
            try await common.withDatabase { _, deps, db in
                guard let c = MessageChannel(rawValue: channel) else {
                    throw ValidationError("--channel must be email or sms")
                }
                try await Migrator(db).migrate(now: deps.clock.now())
                try await BenchmarkSeed(database: db, deps: deps).seedMessages(channel: c, count: count)
                print("Queued \(count) \(c.rawValue) messages (\(db.kind.rawValue)).")
            }
        }
    }

    struct PDF: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pdf",
            abstract: "Render a 10-line fiscal invoice N times on one core; report the rate and the memory.")
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
            print(
                "Rendered \(count) PDFs (\(bytes / count) bytes each) in \(String(format: "%.2f", seconds)) s = \(Int(Double(count) / seconds))/s on one core; RSS \(startRSS / 1024) MB at start, \(rssAtTenth / 1024) MB after \(count / 10), \(residentKB() / 1024) MB after \(count)."
            )
        }

        /// Resident memory now, from /proc (Linux).
        func residentKB() -> Int {
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
            else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
    }

    struct PlainInsert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "plain-insert",
            abstract: "Time a plain multi-row insert of N rows into a scratch table: the physical limit.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Number of rows.") var rows = 1_000_000

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let seconds = try await BenchmarkSeed(database: db, deps: deps).plainInsert(rows: rows)
                print(
                    "Plain insert: \(rows) rows in \(String(format: "%.2f", seconds)) s = \(Int(Double(rows) / seconds)) rows/s (\(db.kind.rawValue))."
                )
            }
        }
    }
}
