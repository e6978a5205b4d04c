import Domain
import Features
import Foundation
import SQLKit

/// The e-Factura upload queue, the ANAF tokens and the OAuth states, over the billing database.
public struct SQLEFacturaQueue: EFacturaQueue {
    let database: Database

    public init(database: Database) { self.database = database }

    public func claim(now: Date, leaseUntil: Date, limit: Int) async throws -> [EFacturaJob] {
        let n = millis(now)
        let lease = millis(leaseUntil)
        return try await database.claimLeased(
            """
            SELECT fiscal_invoice_id, state, upload_index, attempts FROM efactura_submissions
            WHERE state IN ('to_upload','uploaded') AND next_attempt_at <= \(bind: n) AND (lease_until IS NULL OR lease_until < \(bind: n))
            ORDER BY fiscal_invoice_id LIMIT \(bind: Int64(limit))
            """,
            decode: { r in
                EFacturaJob(
                    fiscalInvoiceID: try r.int("fiscal_invoice_id"),
                    state: try r.enumValue("state", EFacturaState.self),
                    uploadIndex: try r.stringOrNil("upload_index"), attempts: Int(try r.int("attempts")))
            }, id: \.fiscalInvoiceID,
            take: { ids in
                "UPDATE efactura_submissions SET lease_until = \(bind: lease) WHERE fiscal_invoice_id IN (\(binds: ids))"
            })
    }

    public func release(fiscalInvoiceIDs ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await database.withTransaction { sql in
            try await sql.raw(
                "UPDATE efactura_submissions SET lease_until = NULL WHERE fiscal_invoice_id IN (\(binds: ids))"
            ).run()
        }
    }

    public func record(_ outcome: EFacturaOutcome, fiscalInvoiceID: Int64, at: Date, audit: AuditEntry?) async throws {
        let set: SQLQueryString
        switch outcome {
        case .uploaded(let index, let checkAt):
            set =
                "state = 'uploaded', upload_index = \(bind: index), attempts = 0, next_attempt_at = \(bind: millis(checkAt)), last_error = NULL"
        case .later(let next, let reason):
            set = "attempts = attempts + 1, next_attempt_at = \(bind: millis(next)), last_error = \(bind: reason)"
        case .accepted(let id, let zip):
            set =
                "state = 'accepted', download_id = \(bind: id), response_zip = \(bind: Data(zip).base64EncodedString()), errors = NULL, last_error = NULL"
        case .rejected(let errors, let id, let zip):
            set =
                "state = 'rejected', errors = \(bind: errors), download_id = \(bind: id), response_zip = \(bind: zip.map { Data($0).base64EncodedString() }), last_error = NULL"
        }
        let kind = database.kind
        try await database.withTransaction { sql in
            try await sql.raw(
                "UPDATE efactura_submissions SET " + set
                    + ", lease_until = NULL, updated_at = \(bind: millis(at)) WHERE fiscal_invoice_id = \(bind: fiscalInvoiceID)"
            ).run()
            if let audit { try await SQLTransaction(sql: sql, kind: kind).append([audit]) }
        }
    }

    public func requeue(fiscalInvoiceID: Int64, at: Date, audit: AuditEntry) async throws -> Bool {
        let kind = database.kind
        return try await database.withTransaction { sql in
            guard
                try await sql.raw(
                    """
                    UPDATE efactura_submissions SET state = 'to_upload', attempts = 0, next_attempt_at = \(bind: millis(at)), lease_until = NULL, last_error = NULL,
                      updated_at = \(bind: millis(at)) WHERE fiscal_invoice_id = \(bind: fiscalInvoiceID) AND state = 'rejected' RETURNING fiscal_invoice_id
                    """
                ).first() != nil
            else { return false }
            try await SQLTransaction(sql: sql, kind: kind).append([audit])
            return true
        }
    }

    public func responseFile(fiscalInvoiceID: Int64) async throws -> [UInt8]? {
        try await database.withReader { sql in
            guard
                let text = try await sql.raw(
                    "SELECT response_zip FROM efactura_submissions WHERE fiscal_invoice_id = \(bind: fiscalInvoiceID)"
                ).first()?.stringOrNil("response_zip")
            else { return nil }
            return Data(base64Encoded: text).map { Array($0) }
        }
    }

    public func credentials() async throws -> StoredANAFCredentials? {
        try await database.withReader { sql in
            guard let r = try await sql.raw("SELECT * FROM anaf_credentials WHERE id = 1").first() else { return nil }
            return StoredANAFCredentials(
                version: try r.int("version"), sealedAccessToken: try r.string("access_token"),
                sealedRefreshToken: try r.string("refresh_token"),
                accessExpiresAt: date(millis: try r.int("access_expires_at")),
                connectedBy: Actor(try r.string("connected_by")) ?? .system,
                connectedAt: date(millis: try r.int("connected_at")),
                refreshedAt: try r.intOrNil("refreshed_at").map { date(millis: $0) },
                refused: try r.intOrNil("refused_at").map {
                    .init(at: date(millis: $0), reason: try r.stringOrNil("refused_reason") ?? "")
                })
        }
    }

    public func save(credentials c: StoredANAFCredentials, replacing expected: Int64?, audit: AuditEntry?) async throws
        -> Bool
    {
        let kind = database.kind
        return try await database.withTransaction { sql in
            let values: SQLQueryString = """
                access_token = \(bind: c.sealedAccessToken), refresh_token = \(bind: c.sealedRefreshToken), access_expires_at = \(bind: millis(c.accessExpiresAt)),
                  connected_by = \(bind: c.connectedBy.description), connected_at = \(bind: millis(c.connectedAt)), refreshed_at = \(bind: c.refreshedAt.map(millis))
                """
            if let expected {
                // Compare-and-swap: another process that refreshed first keeps its tokens.
                guard
                    try await sql.raw(
                        "UPDATE anaf_credentials SET version = version + 1, " + values
                            + " WHERE id = 1 AND version = \(bind: expected) RETURNING id"
                    ).first() != nil
                else { return false }
            } else {
                let previous = try await sql.raw("SELECT version FROM anaf_credentials WHERE id = 1").first()?.int(
                    "version")
                try await sql.raw("DELETE FROM anaf_credentials WHERE id = 1").run()
                try await sql.raw(
                    """
                    INSERT INTO anaf_credentials (id, version, access_token, refresh_token, access_expires_at, connected_by, connected_at, refreshed_at)
                    VALUES (1, \(bind: (previous ?? 0) + 1), \(bind: c.sealedAccessToken), \(bind: c.sealedRefreshToken), \(bind: millis(c.accessExpiresAt)),
                      \(bind: c.connectedBy.description), \(bind: millis(c.connectedAt)), \(bind: c.refreshedAt.map(millis)))
                    """
                ).run()
                // A new connection: what waited for a working token is due now.
                try await sql.raw(
                    "UPDATE efactura_submissions SET next_attempt_at = \(bind: millis(c.connectedAt)) WHERE state IN ('to_upload','uploaded') AND next_attempt_at > \(bind: millis(c.connectedAt))"
                ).run()
            }
            if let audit { try await SQLTransaction(sql: sql, kind: kind).append([audit]) }
            return true
        }
    }

    public func refuse(credentialsVersion version: Int64, reason: String, at: Date) async throws {
        try await database.withTransaction { sql in
            try await sql.raw(
                "UPDATE anaf_credentials SET refused_at = \(bind: millis(at)), refused_reason = \(bind: reason) WHERE id = 1 AND version = \(bind: version)"
            ).run()
        }
    }

    public func saveAuthorization(stateHash: String, staffID: Int64, expiresAt: Date) async throws {
        try await database.withTransaction { sql in
            try await sql.raw(
                "DELETE FROM anaf_authorizations WHERE expires_at < \(bind: millis(expiresAt) - 3_600_000)"
            ).run()
            try await sql.raw(
                "INSERT INTO anaf_authorizations (state_hash, staff_id, expires_at) VALUES (\(bind: stateHash), \(bind: staffID), \(bind: millis(expiresAt)))"
            ).run()
        }
    }

    public func takeAuthorization(stateHash: String, now: Date) async throws -> Int64? {
        try await database.withTransaction { sql in
            try await sql.raw(
                "DELETE FROM anaf_authorizations WHERE state_hash = \(bind: stateHash) AND expires_at > \(bind: millis(now)) RETURNING staff_id"
            ).first()?.int("staff_id")
        }
    }
}
