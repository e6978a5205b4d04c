import Domain
import Features
import Foundation
import Storage
import TestSupport
import Testing

/// The identity store's rules that the web tests (on SQLite) lean on, on both engines.
@Suite("Identity store contract", .serialized)
struct IdentityStoreContractTests {
    @Test(arguments: DatabaseKind.allCases)
    func anEmailChangeIsReadUntilUsedOnceAndANewerOneReplacesIt(kind: DatabaseKind) async throws {
        let db = try await TestDatabase.open(kind)
        defer { Task { await db.close() } }
        let clock = ManualClock(TestDates.start)
        let ana = try await Fixtures(makeTestDependencies(database: db, clock: clock)).client("ana@example.ro")
        let store = SQLIdentityStore(database: db)
        let now = clock.now()
        let day = now.addingTimeInterval(86400)
        let first = try EmailAddress.parse("ana.first@example.ro")
        let second = try EmailAddress.parse("ana.second@example.ro")

        try await store.insertEmailChange(tokenHash: "h1", clientID: ana.id, newEmail: first, expiresAt: day, at: now)
        #expect(
            try await store.emailChange(tokenHash: "h1", now: now)
                == PendingEmailChange(clientID: ana.id, newEmail: first))
        #expect(try await store.emailChange(tokenHash: "h1", now: now) != nil)  // reading leaves it usable
        try await store.insertEmailChange(tokenHash: "h2", clientID: ana.id, newEmail: second, expiresAt: day, at: now)
        #expect(try await store.emailChange(tokenHash: "h1", now: now) == nil)
        #expect(try await store.consumeEmailChange(tokenHash: "h1", now: now) == nil)

        #expect(try await store.consumeEmailChange(tokenHash: "h2", now: day) == nil)  // expired at its deadline
        #expect(
            try await store.consumeEmailChange(tokenHash: "h2", now: now)
                == PendingEmailChange(clientID: ana.id, newEmail: second))
        #expect(try await store.consumeEmailChange(tokenHash: "h2", now: now) == nil)
        #expect(try await store.emailChange(tokenHash: "h2", now: now) == nil)
    }
}
