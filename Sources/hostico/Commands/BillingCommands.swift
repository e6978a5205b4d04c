import ArgumentParser
import Bootstrap
import Foundation

struct Billing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Billing tasks.", subcommands: [Run.self, Dunning.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue renewal proformas for every service due by --as-of (idempotent; catches up missed days).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The billing day, YYYY-MM-DD (default: today in Europe/Bucharest).") var asOf: String?
        @Option(help: "Clients per transaction.") var batch = 200

        func run() async throws {
            let tty = isatty(1) == 1
            try await common.report { installation in
                defer { if tty { print("") } }
                return try await installation.runBilling(asOf: asOf, clientsPerTransaction: batch) { line in
                    if tty { FileHandle.standardOutput.write(Data("\r\(line)".utf8)) }
                }
            }
        }
    }

    struct Dunning: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Run the daily tasks: renewals, lapsed orders, overdue reminders, non-payment suspensions, terminations (held too long, or cancelled and past their last day).",
            discussion: """
                Without --as-of: every day from the one after the last recorded run through today, in order (what the worker does \
                each pass), so missed days end as on-time runs would have. With --as-of: that day only. Each proforma and service \
                is its own unit: one that fails is named in the summary, recorded and audited, and the others go on; the command \
                then exits with status 2.
                """)
        @OptionGroup var common: CommonOptions
        @Option(help: "Run this day only, YYYY-MM-DD (default: catch up through today).") var asOf: String?

        func run() async throws { try await common.report { try await $0.dailyTasks(asOf: asOf) } }
    }
}
