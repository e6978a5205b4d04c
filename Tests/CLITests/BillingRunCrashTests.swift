import Foundation
import SQLKit
import Storage
import TestSupport
import Testing

/// The billing run is killed with SIGKILL half-way through, then run again: every service period ends up on
/// exactly one proforma, the proforma numbers stay gapless, and nothing is left out.
@Suite("hostico billing run killed with SIGKILL and run again", .serialized)
struct BillingRunCrashTests {
    static let services = 15_000
    static var clients: Int { services / 3 }

    @Test(arguments: DatabaseKind.allCases)
    func killedRunResumesWithoutDuplicatesOrGaps(kind: DatabaseKind) async throws {
        let url = try await TestDatabase.freshURL(kind)
        let seed = try runToEnd([
            "bench", "seed", "--services", "\(Self.services)", "--due-on", "2026-12-01", "--database-url", url,
        ])
        #expect(seed.status == 0, "\(seed.output)")

        let db = try await Database.open(url: url, defaultSQLitePath: url, logger: .init(label: "test"))
        defer { Task { await db.close() } }

        // Small batches make many commits, so the kill lands between and inside transactions.
        let run = try start(["billing", "run", "--as-of", "2026-11-20", "--batch", "5", "--database-url", url])
        var committed = 0
        let deadline = ContinuousClock.now + .seconds(120)
        while committed < Self.clients / 10 && run.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            committed = try await count(db, "SELECT count(*) AS n FROM proformas")
        }
        #expect(run.isRunning, "the run ended before it could be killed; raise the service count")
        kill(run.processIdentifier, SIGKILL)
        run.waitUntilExit()
        #expect(run.terminationReason == .uncaughtSignal && run.terminationStatus == SIGKILL)

        let afterKill = try await count(db, "SELECT count(*) AS n FROM proformas")
        #expect(afterKill > 0 && afterKill < Self.clients, "killed half-way: \(afterKill) of \(Self.clients) proformas")

        let again = try runToEnd(["billing", "run", "--as-of", "2026-11-20", "--database-url", url])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("\(Self.clients - afterKill) proformas issued"), "\(again.output)")

        #expect(try await count(db, "SELECT count(*) AS n FROM proformas WHERE origin = 'renewal'") == Self.clients)
        #expect(try await count(db, "SELECT count(*) AS n FROM proforma_lines") == Self.services)
        #expect(
            try await count(
                db, "SELECT count(*) AS n FROM (SELECT DISTINCT service_id, period_start FROM proforma_lines) x")
                == Self.services)
        #expect(
            try await count(
                db, "SELECT count(*) AS n FROM services WHERE invoiced_periods = 2 AND next_invoice_date = '2027-01-01'"
            ) == Self.services)
        // Gapless: numbers 1…N, each once, and the counter agrees.
        #expect(try await count(db, "SELECT count(DISTINCT seq) AS n FROM proformas") == Self.clients)
        #expect(try await count(db, "SELECT max(seq) AS n FROM proformas") == Self.clients)
        #expect(try await count(db, "SELECT max(value) AS n FROM number_counters") == Self.clients)
        #expect(try await count(db, "SELECT count(*) AS n FROM outbox WHERE kind = 'proforma.issued'") == Self.clients)

        let third = try runToEnd(["billing", "run", "--as-of", "2026-11-20", "--database-url", url])
        #expect(third.output.contains("0 proformas issued"), "\(third.output)")
    }

    private func count(_ db: Database, _ query: String) async throws -> Int {
        try await db.withReader { sql in
            Int(try await sql.raw("\(unsafeRaw: query)").first()?.decode(column: "n", as: Int64?.self) ?? 0)
        }
    }
}

/// The `hostico` executable SwiftPM built beside this test bundle (or `$HOSTICO_BIN`).
func hosticoBinary() throws -> URL {
    if let path = ProcessInfo.processInfo.environment["HOSTICO_BIN"] { return URL(fileURLWithPath: path) }
    var dir = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("hostico")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    struct Missing: Error, CustomStringConvertible {
        var description: String { "the hostico binary was not built next to the tests; run `swift build` first" }
    }
    throw Missing()
}

func start(_ arguments: [String]) throws -> Process {
    let p = Process()
    p.executableURL = try hosticoBinary()
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    return p
}

func runToEnd(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try runProgram(try hosticoBinary(), arguments)
}
