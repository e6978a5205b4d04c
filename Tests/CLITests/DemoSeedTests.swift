import Bootstrap
import Domain
import Features
import Foundation
import TestSupport
import Testing

/// `hostico demo seed` replays 70 days of billing. Its clock moves 24 hours at a time, so across the change to winter
/// time (25 October) a seed run late in the evening meets a billing day that repeats: the replay once asked for a day
/// that had not come yet and stopped (seen at 23:46 in Bucharest on 7 December).
@Suite("Demo data")
struct DemoSeedTests {
    @Test(arguments: [
        "2026-12-07T21:46:00Z",  // 23:46 in Bucharest: the start, 70 days back, is already the next day in summer time
        "2026-12-07T08:00:00Z", "2026-04-20T21:30:00Z",  // across the change to summer time (29 March)
    ])
    func theReplayEndsTodayWithEveryDayRunWhateverTheHour(_ instant: String) async throws {
        let now = try #require(ISO8601DateFormatter().date(from: instant))
        let db = try await TestDatabase.open(.sqlite)
        defer { Task { await db.close() } }
        let template = makeTestDependencies(database: db, clock: ManualClock(now))
        try await DemoSeed(makeDeps: { clock in template.with(clock: clock) })(now: now, log: { _ in })
        let lastRun = try await template.store.read { r in try await r.lastDailyRun() }
        #expect(lastRun == template.today())
        let services = try await template.store.read { r in try await r.services(clientID: 1, forUpdate: false) }
        #expect(services.contains { $0.state == .active }, "the demo's first client pays every renewal")
    }
}
