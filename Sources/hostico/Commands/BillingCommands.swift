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

struct Billing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Billing tasks.", subcommands: [Run.self, Dunning.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue renewal proformas for every service due by --as-of (idempotent; catches up missed days).")
        @OptionGroup var common: CommonOptions
        @Option(help: "The billing day, YYYY-MM-DD (default: today in Europe/Bucharest).") var asOf: String?
        @Option(help: "Clients per transaction.") var batch = 200

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let asOf = try parseDate(asOf, deps)
                let tty = isatty(1) == 1
                let started = Date()
                let report = try await RunBilling(deps, clientsPerTransaction: batch)(asOf: asOf) { r in
                    if tty {
                        FileHandle.standardOutput.write(
                            Data(
                                "\r\(r.servicesConsidered) services considered, \(r.proformasIssued) proformas issued…"
                                    .utf8))
                    }
                }
                if tty { print("") }
                print(
                    "Billing run as of \(report.asOf): \(report.servicesConsidered) services considered, \(report.proformasIssued) proformas issued (\(report.periodsInvoiced) service periods), \(report.skippedAlreadyIssued) skipped as already issued, \(report.failures.count) failures, in \(String(format: "%.2f", Date().timeIntervalSince(started))) s."
                )
                for f in report.failures { print("  client \(f.clientID): \(f.reason)") }
                if !report.failures.isEmpty { throw ExitCode(2) }
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

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let tasks = DailyBillingTasks(deps)
                let summaries =
                    if let asOf { [try await tasks(asOf: try parseDate(asOf, deps))] } else {
                        try await tasks.catchUp(through: deps.today())
                    }
                for s in summaries { print(s) }
                if summaries.contains(where: { !$0.failures.isEmpty }) { throw ExitCode(2) }
            }
        }
    }
}
