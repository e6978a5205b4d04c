import Domain
import Foundation

/// Reading what the back office looks at: the staff home page, the audit log, and who the staff are.
public struct BackOfficeQueries: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Home: Sendable {
        public let clients: [ClientSummary]
        public let lastBillingRun: BillingRunReport?
        public let lastDailyRun: DailyRunReport?
        /// Money that became a client's credit (an overpayment, or a payment for a cancelled proforma), newest first.
        public let recentCredits: [StoredAuditEntry]
    }

    /// The staff home page: the clients matching `query`, the last billing run and daily run, the recent credits.
    public func home(query: String) async throws -> Home {
        try await deps.store.read { r in
            Home(
                clients: try await r.searchClients(query: query, limit: 50, offset: 0),
                lastBillingRun: try await r.billingRuns(limit: 1).first,
                lastDailyRun: try await r.dailyRuns(limit: 1).first,
                recentCredits: try await r.audit(action: "credit.added", limit: 20))
        }
    }

    /// The newest audit entries, with the staff names to say who acted.
    public func auditLog(limit: Int) async throws -> (entries: [StoredAuditEntry], staffNames: [Int64: String]) {
        try await deps.store.read { r in (try await r.newestAudit(limit: limit), try await r.staffNames()) }
    }

    /// One page of the audit log narrowed by `filter`, newest first, with the staff names; `hasMore` when an older
    /// page exists.
    public func auditLog(_ filter: AuditFilter, page: Int, perPage: Int = 50) async throws -> (
        entries: [StoredAuditEntry], staffNames: [Int64: String], hasMore: Bool
    ) {
        try await deps.store.read { r in
            let rows = try await r.audit(filter, limit: perPage + 1, offset: max(0, page) * perPage)
            return (Array(rows.prefix(perPage)), try await r.staffNames(), rows.count > perPage)
        }
    }

    /// Every staff member's name by id.
    public func staffNames() async throws -> [Int64: String] {
        try await deps.store.read { r in try await r.staffNames() }
    }
}
