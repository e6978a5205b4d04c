import ArgumentParser
import Foundation
import Storage
import TestSupport

/// Plays the lifecycle model check (Sources/TestSupport/LifecycleModel.swift) at full size. Built with `-c release`
/// by `make test`, because a debug build spends most of each simulated day in unoptimised NIO and driver code.
@main
struct LifecycleModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostico-lifecycle-model",
        abstract:
            "Plays random two-year sequences of orders, payments, staff actions and days against the real use cases and checks the money rules after every step.",
        discussion:
            "PostgreSQL sequences need TEST_DATABASE_URL (a server where the check may create databases); make test sets it. Exit status 1 names the failing seed."
    )

    @Option(help: "sqlite or postgres; repeat for both (default: both).")
    var database: [DatabaseKind] = []
    @Option(help: "Sequences per database.")
    var sequences = 500
    @Option(help: "Replay this one seed instead.")
    var seed: UInt64?
    @Option(help: "Sequences played at a time (PostgreSQL sequences spend most of their time waiting for the server).")
    var parallel = 6

    func run() async throws {
        let seeds = seed.map { [$0] } ?? LifecycleModelCheck.seeds(count: sequences)
        var failed = false
        for kind in database.isEmpty ? DatabaseKind.allCases : database {
            let started = ContinuousClock.now
            let outcomes = try await LifecycleModelCheck.play(kind, seeds: seeds, parallel: parallel)
            let steps = outcomes.map(\.steps).reduce(0, +)
            let days = outcomes.map(\.days).reduce(0, +)
            print(
                "lifecycle model on \(kind): \(outcomes.count) sequences, \(steps) steps, \(days) simulated days in \(ContinuousClock.now - started)"
            )
            for failure in outcomes.compactMap(\.failure) {
                failed = true
                print("FAILED \(failure)")
            }
        }
        if failed { throw ExitCode(1) }
    }
}

extension DatabaseKind: ExpressibleByArgument {}
