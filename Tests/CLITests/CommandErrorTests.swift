import Foundation
import TestSupport
import Testing

/// A command that fails says why, in words, and exits with a status: it does not crash on the way out.
@Suite("hostico commands that fail")
struct CommandErrorTests {
    @Test func aBillingRunForADayToComeIsRefusedInWords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostico-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("h.sqlite").path
        #expect(try runToEnd(["migrate", "--database-url", db]).status == 0)
        let refused = try runToEnd(["billing", "run", "--as-of", "2062-01-15", "--database-url", db])
        #expect(refused.status == 1)  // an error, not a signal (SQLiteNIO traps on a connection left open)
        #expect(refused.output.contains("Error: asOf: The billing run covers days that have come"))
        #expect(!refused.output.contains("Program crashed"))
        let listed = try runToEnd(["billing", "run", "--database-url", db])
        #expect(listed.status == 0 && listed.output.contains("0 proformas issued"))
    }
}
