import Foundation
import Storage
import TestSupport
import Testing

/// The lifecycle model check (Sources/TestSupport/LifecycleModel.swift) on a few sequences per database in the debug
/// build; `make test` plays 500 per database with the release-built `hostico-lifecycle-model`.
/// `LIFECYCLE_SEQUENCES=N` changes the number here; `LIFECYCLE_SEED=S` replays one sequence.
@Suite("Lifecycle model", .serialized)
struct LifecycleModelTests {
    static var seeds: [UInt64] {
        let env = ProcessInfo.processInfo.environment
        if let one = env["LIFECYCLE_SEED"].flatMap(UInt64.init) { return [one] }
        return LifecycleModelCheck.seeds(count: env["LIFECYCLE_SEQUENCES"].flatMap(Int.init) ?? 3)
    }

    @Test(arguments: [DatabaseKind.sqlite, .postgres])
    func randomSequencesKeepTheMoneyRules(kind: DatabaseKind) async throws {
        let outcomes = try await LifecycleModelCheck.play(kind, seeds: Self.seeds)
        for failure in outcomes.compactMap(\.failure) { Issue.record(Comment(rawValue: failure)) }
        #expect(outcomes.count == Self.seeds.count)
    }
}
