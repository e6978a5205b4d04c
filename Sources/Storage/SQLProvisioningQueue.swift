import Domain
import Features
import Foundation
import SQLKit

/// Provisioning jobs over the billing database.
public struct SQLProvisioningQueue: ProvisioningQueue {
    let database: Database

    public init(database: Database) { self.database = database }

    public func claim(now: Date, leaseUntil: Date, limit: Int) async throws -> [ProvisioningJob] {
        let n = millis(now)
        let lease = millis(leaseUntil)
        // First in line: no earlier job of the same service is still open (queued, running or failed).
        return try await database.claimLeased(
            """
            SELECT j.* FROM provisioning_jobs j
            WHERE ((j.status = 'queued' AND j.next_attempt_at <= \(bind: n)) OR (j.status = 'running' AND j.lease_until < \(bind: n)))
              AND NOT EXISTS (SELECT 1 FROM provisioning_jobs e WHERE e.service_id = j.service_id AND e.id < j.id AND e.status <> 'done')
            ORDER BY j.id LIMIT \(bind: Int64(limit))
            """, lockingRowsOf: "j", decode: decodeProvisioningJob, id: \.id,
            take: { ids in
                "UPDATE provisioning_jobs SET status = 'running', lease_until = \(bind: lease), updated_at = \(bind: n) WHERE id IN (\(binds: ids))"
            })
    }

    public func complete(jobID: Int64, at: Date) async throws {
        try await update("status = 'done', attempts = attempts + 1, lease_until = NULL, last_error = NULL", jobID, at)
    }

    public func retry(jobID: Int64, at: Date, next: Date, reason: String) async throws {
        try await database.withTransaction { sql in
            try await sql.raw(
                """
                UPDATE provisioning_jobs SET status = 'queued', attempts = attempts + 1, lease_until = NULL, next_attempt_at = \(bind: millis(next)),
                  last_error = \(bind: reason), updated_at = \(bind: millis(at)) WHERE id = \(bind: jobID)
                """
            ).run()
        }
    }

    public func fail(jobID: Int64, at: Date, reason: String) async throws {
        try await database.withTransaction { sql in
            try await sql.raw(
                "UPDATE provisioning_jobs SET status = 'failed', attempts = attempts + 1, lease_until = NULL, last_error = \(bind: reason), updated_at = \(bind: millis(at)) WHERE id = \(bind: jobID)"
            ).run()
        }
    }

    public func requeue(jobID: Int64, at: Date, audit: AuditEntry) async throws -> Bool {
        try await transition(
            jobID, at, from: "failed", set: "status = 'queued', next_attempt_at = \(millis(at))", audit: audit)
    }

    public func markDone(jobID: Int64, at: Date, audit: AuditEntry) async throws -> Bool {
        try await transition(
            jobID, at, from: "failed", set: "status = 'done', last_error = 'done by hand'", audit: audit)
    }

    private func update(_ set: String, _ id: Int64, _ at: Date) async throws {
        try await database.withTransaction { sql in
            try await sql.raw(
                "UPDATE provisioning_jobs SET \(unsafeRaw: set), updated_at = \(bind: millis(at)) WHERE id = \(bind: id)"
            ).run()
        }
    }

    private func transition(_ id: Int64, _ at: Date, from: String, set: String, audit: AuditEntry) async throws -> Bool
    {
        let kind = database.kind
        return try await database.withTransaction { sql in
            guard
                try await sql.raw(
                    """
                    UPDATE provisioning_jobs SET \(unsafeRaw: set), updated_at = \(bind: millis(at)) WHERE id = \(bind: id) AND status = \(bind: from) RETURNING id
                    """
                ).first() != nil
            else { return false }
            try await SQLTransaction(sql: sql, kind: kind).append([audit])
            return true
        }
    }
}
