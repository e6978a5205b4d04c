import Domain
import Features
import Foundation
import SQLKit

/// Sessions, login failures, second factors and password resets, on the billing database.
public struct SQLIdentityStore: IdentityStore {
    let database: Database

    public init(database: Database) { self.database = database }

    private func write(_ q: SQLQueryString) async throws {
        try await database.withTransaction { sql in try await sql.raw(q).run() }
    }

    private func first(_ q: SQLQueryString) async throws -> (any SQLRow)? {
        try await database.withReader { sql in try await sql.raw(q).first() }
    }

    /// A write that reports whether it changed a row (`RETURNING` works on both engines).
    private func changed(_ q: SQLQueryString) async throws -> Bool {
        try await database.withTransaction { sql in try await sql.raw(q).first() != nil }
    }

    // MARK: Sessions

    public func insert(session s: WebSession, at: Date) async throws {
        try await write(
            """
            INSERT INTO web_sessions (id_hash, realm, subject_id, stage, csrf_token, from_mail, created_at, last_seen_at)
            VALUES (\(bind: s.idHash), \(bind: s.realm.rawValue), \(bind: s.subjectID), \(bind: s.stage.rawValue), \(bind: s.csrfToken),
                    \(bind: Int64(s.fromMail ? 1 : 0)), \(bind: millis(s.createdAt)), \(bind: millis(s.lastSeenAt)))
            """)
    }

    public func session(idHash: String) async throws -> WebSession? {
        guard let r = try await first("SELECT * FROM web_sessions WHERE id_hash = \(bind: idHash)") else { return nil }
        return WebSession(
            idHash: try r.string("id_hash"), realm: try r.enumValue("realm", Realm.self),
            subjectID: try r.int("subject_id"),
            stage: try r.enumValue("stage", SessionStage.self), csrfToken: try r.string("csrf_token"),
            createdAt: date(millis: try r.int("created_at")), lastSeenAt: date(millis: try r.int("last_seen_at")),
            fromMail: try r.int("from_mail") == 1)
    }

    public func touch(sessionIDHash: String, at: Date) async throws {
        try await write(
            "UPDATE web_sessions SET last_seen_at = \(bind: millis(at)) WHERE id_hash = \(bind: sessionIDHash)")
    }

    public func deleteSession(idHash: String) async throws {
        try await write("DELETE FROM web_sessions WHERE id_hash = \(bind: idHash)")
    }

    public func deleteSessions(realm: Realm, subjectID: Int64, except idHash: String?) async throws {
        try await write(
            "DELETE FROM web_sessions WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: subjectID) AND id_hash <> \(bind: idHash ?? "")"
        )
    }

    public func deleteSessions(lastSeenBefore: Date) async throws {
        try await write("DELETE FROM web_sessions WHERE last_seen_at < \(bind: millis(lastSeenBefore))")
    }

    // MARK: Throttling

    public func recordAttempt(keys: [String], at: Date) async throws {
        guard !keys.isEmpty else { return }
        try await database.withTransaction { sql in
            for key in keys {
                try await sql.raw("INSERT INTO login_failures (key, at) VALUES (\(bind: key), \(bind: millis(at)))")
                    .run()
            }
            // Old rows only count for the window; an hour's worth is plenty to keep.
            try await sql.raw("DELETE FROM login_failures WHERE at < \(bind: millis(at) - 3_600_000)").run()
        }
    }

    public func reserveAttempt(keys: [(key: String, limit: Int)], since: Date, at: Date) async throws -> [Int64]? {
        let kind = database.kind
        return try await database.withTransaction { sql in
            // SQLite's BEGIN IMMEDIATE already makes this transaction the only writer; PostgreSQL locks each key (in one
            // order, so two attempts never wait on each other) until commit.
            if kind == .postgres {
                for key in Set(keys.map(\.key)).sorted() {
                    try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: key)))").run()
                }
            }
            for (key, limit) in keys {
                let n =
                    try await sql.raw(
                        "SELECT COUNT(*) AS n FROM login_failures WHERE key = \(bind: key) AND at >= \(bind: millis(since))"
                    ).first()?.int("n") ?? 0
                if n >= Int64(limit) { return nil }
            }
            var ids: [Int64] = []
            for (key, _) in keys {
                ids.append(
                    try await sql.raw(
                        "INSERT INTO login_failures (key, at) VALUES (\(bind: key), \(bind: millis(at))) RETURNING id"
                    ).first()!.int("id"))
            }
            return ids
        }
    }

    public func releaseAttempt(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await write("DELETE FROM login_failures WHERE id IN (\(binds: ids))")
    }

    public func loginFailures(key: String, since: Date) async throws -> Int {
        let r = try await first(
            "SELECT COUNT(*) AS n FROM login_failures WHERE key = \(bind: key) AND at >= \(bind: millis(since))")
        return Int(try r?.int("n") ?? 0)
    }

    public func clearLoginFailures(key: String) async throws {
        try await write("DELETE FROM login_failures WHERE key = \(bind: key)")
    }

    // MARK: Credentials

    private func table(_ realm: Realm) -> String { realm == .client ? "clients" : "staff" }

    private func credentials(_ realm: Realm, where condition: SQLQueryString) async throws -> Credentials? {
        let q: SQLQueryString = """
            SELECT a.id, a.email, a.password_hash, f.secret, f.last_step FROM \(unsafeRaw: table(realm)) a
            LEFT JOIN second_factors f ON f.realm = \(bind: realm.rawValue) AND f.subject_id = a.id WHERE
            """ + " " + condition
        guard let r = try await first(q) else { return nil }
        return Credentials(
            subjectID: try r.int("id"), email: try EmailAddress.parse(try r.string("email")),
            passwordHash: try r.string("password_hash"),
            totpSecret: try r.stringOrNil("secret"), lastTOTPStep: try r.intOrNil("last_step"))
    }

    public func credentials(realm: Realm, email: EmailAddress) async throws -> Credentials? {
        try await credentials(realm, where: "a.email = \(bind: email.value)")
    }

    public func credentials(realm: Realm, id: Int64) async throws -> Credentials? {
        try await credentials(realm, where: "a.id = \(bind: id)")
    }

    public func setPasswordHash(realm: Realm, id: Int64, hash: String) async throws {
        try await write("UPDATE \(unsafeRaw: table(realm)) SET password_hash = \(bind: hash) WHERE id = \(bind: id)")
    }

    // MARK: Second factor

    public func setPendingTOTP(realm: Realm, id: Int64, sealedSecret: String, at: Date) async throws {
        try await write(
            """
            INSERT INTO second_factors (realm, subject_id, pending_secret, pending_at) VALUES (\(bind: realm.rawValue), \(bind: id), \(bind: sealedSecret), \(bind: millis(at)))
            ON CONFLICT (realm, subject_id) DO UPDATE SET pending_secret = EXCLUDED.pending_secret, pending_at = EXCLUDED.pending_at
            """)
    }

    public func pendingTOTP(realm: Realm, id: Int64) async throws -> String? {
        try await first(
            "SELECT pending_secret FROM second_factors WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id)"
        )?.stringOrNil("pending_secret")
    }

    public func enableTOTP(realm: Realm, id: Int64, step: Int64, recoveryCodeHashes: [String], at: Date) async throws {
        try await database.withTransaction { sql in
            try await sql.raw(
                """
                UPDATE second_factors SET secret = pending_secret, pending_secret = NULL, pending_at = NULL, enabled_at = \(bind: millis(at)), last_step = \(bind: step)
                WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id) AND pending_secret IS NOT NULL
                """
            ).run()
            try await sql.raw(
                "DELETE FROM recovery_codes WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id)"
            ).run()
            for hash in recoveryCodeHashes {
                try await sql.raw(
                    "INSERT INTO recovery_codes (realm, subject_id, code_hash) VALUES (\(bind: realm.rawValue), \(bind: id), \(bind: hash))"
                ).run()
            }
        }
    }

    public func disableTOTP(realm: Realm, id: Int64) async throws {
        try await database.withTransaction { sql in
            try await sql.raw(
                "DELETE FROM second_factors WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id)"
            ).run()
            try await sql.raw(
                "DELETE FROM recovery_codes WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id)"
            ).run()
        }
    }

    public func consumeTOTPStep(realm: Realm, id: Int64, step: Int64) async throws -> Bool {
        // The comparison in the UPDATE makes two concurrent logins with one code accept only the first.
        try await changed(
            """
            UPDATE second_factors SET last_step = \(bind: step)
            WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id) AND secret IS NOT NULL AND (last_step IS NULL OR last_step < \(bind: step))
            RETURNING subject_id
            """)
    }

    public func consumeRecoveryCode(realm: Realm, id: Int64, hash: String, at: Date) async throws -> Bool {
        try await changed(
            """
            UPDATE recovery_codes SET used_at = \(bind: millis(at))
            WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id) AND code_hash = \(bind: hash) AND used_at IS NULL
            RETURNING id
            """)
    }

    public func unusedRecoveryCodeHashes(realm: Realm, id: Int64) async throws -> [String] {
        try await database.withReader { sql in
            try await sql.raw(
                "SELECT code_hash FROM recovery_codes WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id) AND used_at IS NULL"
            ).all().map { try $0.decode(column: "code_hash", as: String.self) }
        }
    }

    public func unusedRecoveryCodes(realm: Realm, id: Int64) async throws -> Int {
        Int(
            try await first(
                "SELECT COUNT(*) AS n FROM recovery_codes WHERE realm = \(bind: realm.rawValue) AND subject_id = \(bind: id) AND used_at IS NULL"
            )?.int("n") ?? 0)
    }

    // MARK: Password reset

    public func insertPasswordReset(tokenHash: String, clientID: Int64, expiresAt: Date, at: Date) async throws {
        try await database.withTransaction { sql in
            try await sql.raw("DELETE FROM password_resets WHERE client_id = \(bind: clientID) AND used_at IS NULL")
                .run()
            try await sql.raw(
                "INSERT INTO password_resets (token_hash, client_id, expires_at, created_at) VALUES (\(bind: tokenHash), \(bind: clientID), \(bind: millis(expiresAt)), \(bind: millis(at)))"
            ).run()
        }
    }

    public func cancelPasswordResets(clientID: Int64) async throws {
        try await write("DELETE FROM password_resets WHERE client_id = \(bind: clientID) AND used_at IS NULL")
    }

    public func consumePasswordReset(tokenHash: String, now: Date) async throws -> Int64? {
        try await database.withTransaction { sql in
            try await sql.raw(
                """
                UPDATE password_resets SET used_at = \(bind: millis(now))
                WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL AND expires_at > \(bind: millis(now))
                RETURNING client_id
                """
            ).first()?.decode(column: "client_id", as: Int64.self)
        }
    }

    // MARK: Login e-mail changes

    public func insertEmailChange(tokenHash: String, clientID: Int64, newEmail: EmailAddress, expiresAt: Date, at: Date)
        async throws
    {
        try await database.withTransaction { sql in
            try await sql.raw("DELETE FROM email_changes WHERE client_id = \(bind: clientID) AND used_at IS NULL").run()
            try await sql.raw(
                """
                INSERT INTO email_changes (token_hash, client_id, new_email, created_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: clientID), \(bind: newEmail.value), \(bind: millis(at)), \(bind: millis(expiresAt)))
                """
            ).run()
        }
    }

    public func emailChange(tokenHash: String, now: Date) async throws -> PendingEmailChange? {
        try await database.withReader { sql in
            try await sql.raw(
                """
                SELECT client_id, new_email FROM email_changes WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL AND expires_at > \(bind: millis(now))
                """
            ).first().map(Self.pendingEmailChange)
        }
    }

    public func consumeEmailChange(tokenHash: String, now: Date) async throws -> PendingEmailChange? {
        try await database.withTransaction { sql in
            try await sql.raw(
                """
                UPDATE email_changes SET used_at = \(bind: millis(now))
                WHERE token_hash = \(bind: tokenHash) AND used_at IS NULL AND expires_at > \(bind: millis(now))
                RETURNING client_id, new_email
                """
            ).first().map(Self.pendingEmailChange)
        }
    }

    public func cancelEmailChanges(clientID: Int64) async throws {
        try await write("DELETE FROM email_changes WHERE client_id = \(bind: clientID) AND used_at IS NULL")
    }

    // Kept out of line on purpose: inlined into `emailChange(tokenHash:now:)`, its typed-throwing
    // `EmailAddress.parse` crashed Swift 6.3.1's optimiser (signal 11 in LLVM's coroutine splitting,
    // `emitSetAndGetSwiftErrorValueAround`) in `swift build -c release`, while debug builds were fine. The call
    // costs nothing that matters (one per confirmation link); remove the attribute once a toolchain compiles it.
    @inline(never)
    private static func pendingEmailChange(_ r: any SQLRow) throws -> PendingEmailChange {
        PendingEmailChange(
            clientID: try r.int("client_id"), newEmail: try EmailAddress.parse(try r.string("new_email")))
    }

    // MARK: Mail links

    public func insertMailLink(
        tokenHash: String, clientID: Int64, invoice: InvoiceRef, messageID: Int64?, issuedAt: Date, expiresAt: Date
    ) async throws -> Int64 {
        try await database.withTransaction { sql in
            try await sql.raw(
                """
                INSERT INTO mail_links (token_hash, client_id, invoice_kind, invoice_id, message_id, issued_at, expires_at)
                VALUES (\(bind: tokenHash), \(bind: clientID), \(bind: invoice.kind.rawValue), \(bind: invoice.id), \(bind: messageID), \(bind: millis(issuedAt)), \(bind: millis(expiresAt)))
                RETURNING id
                """
            ).first()!.int("id")
        }
    }

    public func mailLink(tokenHash: String) async throws -> MailLink? {
        try await first("SELECT * FROM mail_links WHERE token_hash = \(bind: tokenHash)").map(decodeMailLink)
    }

    public func recordMailLinkUse(id: Int64, at: Date) async throws {
        try await write(
            "UPDATE mail_links SET uses = uses + 1, last_used_at = \(bind: millis(at)) WHERE id = \(bind: id)")
    }

    public func revokeMailLinks(clientID: Int64, linkID: Int64?, because: MailLinkRevocation, at: Date) async throws
        -> Int
    {
        try await database.withTransaction { sql in
            try await sql.raw(
                """
                UPDATE mail_links SET revoked_at = \(bind: millis(at)), revoked_because = \(bind: because.rawValue)
                WHERE client_id = \(bind: clientID) AND revoked_at IS NULL AND (\(bind: linkID ?? 0) = 0 OR id = \(bind: linkID ?? 0))
                RETURNING id
                """
            ).all().count
        }
    }

    public func mailLinks(clientID: Int64, limit: Int) async throws -> [MailLink] {
        try await database.withReader { sql in
            try await sql.raw(
                "SELECT * FROM mail_links WHERE client_id = \(bind: clientID) ORDER BY id DESC LIMIT \(bind: Int64(limit))"
            ).all().map(decodeMailLink)
        }
    }

    private func decodeMailLink(_ r: any SQLRow) throws -> MailLink {
        MailLink(
            id: try r.int("id"), clientID: try r.int("client_id"),
            invoice: InvoiceRef(try r.enumValue("invoice_kind", InvoiceRef.Kind.self), try r.int("invoice_id")),
            messageID: try r.intOrNil("message_id"), issuedAt: date(millis: try r.int("issued_at")),
            expiresAt: date(millis: try r.int("expires_at")),
            revokedAt: try r.intOrNil("revoked_at").map { date(millis: $0) },
            revokedBecause: try r.stringOrNil("revoked_because"),
            uses: Int(try r.int("uses")), lastUsedAt: try r.intOrNil("last_used_at").map { date(millis: $0) })
    }
}
