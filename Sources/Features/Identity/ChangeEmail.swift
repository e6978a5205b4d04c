import Domain
import Foundation

/// Changing the login e-mail, in two steps. Asked for on the Security page with the password: the new address gets
/// a link (24 hours, once) and nothing changes yet, so a typo cannot lock the client out and a stolen session alone
/// cannot move the account to a mailbox nobody checked. Confirmed from that link: links in e-mails sent so far stop
/// working, other sessions end and the previous address is told.
public struct ChangeEmail: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    static let takenMessage = "An account with this e-mail already exists; log in or reset the password."
    static var taken: ValidationFailure {
        ValidationFailure(field: "newEmail", rule: "email.taken", message: takenMessage)
    }

    /// Sends the confirmation link to the new address and returns it.
    @discardableResult
    public func request(
        _ session: WebSession, password: String, newEmail: String, links: ClientAreaLinks, mailer: any AccountMailer
    ) async throws -> EmailAddress {
        guard session.realm == .client,
            let c = try await identity.store.credentials(realm: .client, id: session.subjectID)
        else { throw UseCaseError.notFound("account") }
        var errors = FieldErrors()
        let email = errors.check { () throws(ValidationFailure) in try EmailAddress.parse(newEmail, field: "newEmail") }
        if try await !identity.deps.passwords.verify(password, against: c.passwordHash) {
            errors.add("emailPassword", "password.wrong", "The password is not right.")
        }
        if let email, email == c.email { errors.add("newEmail", "email.same", "This is already your login e-mail.") }
        if let email, email != c.email, try await isTaken(email) {
            errors.add("newEmail", "email.taken", Self.takenMessage)
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        guard let email, let client = try await identity.deps.store.read({ r in try await r.client(id: c.subjectID) })
        else { throw UseCaseError.notFound("account") }
        let token = identity.newToken()
        let now = identity.deps.clock.now()
        try await identity.store.insertEmailChange(
            tokenHash: identity.deps.digest.sha256Hex(token), clientID: c.subjectID, newEmail: email,
            expiresAt: now.addingTimeInterval(identity.settings.emailChangeValidity), at: now)
        try await mailer.sendEmailConfirmation(
            to: email, client: client, link: links.confirmEmail(token: token))
        try await identity.audit(.client, c.subjectID, "client.email_change_requested", ["newEmail": email.value])
        return email
    }

    /// The change a link would confirm, for the page that asks to confirm it.
    public func pending(token: String) async throws -> PendingEmailChange? {
        guard token.count == 43 else { return nil }
        return try await identity.store.emailChange(
            tokenHash: identity.deps.digest.sha256Hex(token), now: identity.deps.clock.now())
    }

    /// Makes the new address the login e-mail. `session` is the confirming browser's, kept when it is the client's.
    public func confirm(token: String, session: WebSession?, mailer: any AccountMailer) async throws -> EmailAddress {
        let now = identity.deps.clock.now()
        guard token.count == 43,
            let change = try await identity.store.consumeEmailChange(
                tokenHash: identity.deps.digest.sha256Hex(token), now: now),
            let before = try await identity.deps.store.read({ r in try await r.client(id: change.clientID) })
        else {
            throw UseCaseError.conflict(
                rule: "email-change.invalid", message: "This confirmation link has expired or was already used.")
        }
        let email = change.newEmail
        guard email != before.email else { return email }
        if try await isTaken(email) { throw UseCaseError.invalid(Self.taken) }
        _ = try await identity.store.revokeMailLinks(
            clientID: change.clientID, linkID: nil, because: .emailChanged, at: now)
        // A reset link sent to the old address must not reopen the account.
        try await identity.store.cancelPasswordResets(clientID: change.clientID)
        do {
            try await identity.deps.store.write { tx in
                try await tx.updateEmail(clientID: change.clientID, email: email)
                try await tx.append(
                    AuditEntry(
                        actor: .client(change.clientID), action: "client.email_changed", entity: "client",
                        entityID: change.clientID,
                        before: auditJSON(["email": before.email.value]), after: auditJSON(["email": email.value]),
                        at: now))
            }
        } catch StoreError.duplicate {
            throw UseCaseError.invalid(Self.taken)
        }
        let keep = session.flatMap { $0.realm == .client && $0.subjectID == change.clientID ? $0.idHash : nil }
        try await identity.store.deleteSessions(realm: .client, subjectID: change.clientID, except: keep)
        do {
            if let client = try await identity.deps.store.read({ r in try await r.client(id: change.clientID) }) {
                try await mailer.sendEmailChanged(to: before.email, client: client)
            }
        } catch {
            // The change stands (it is committed and audited); the notice is what failed.
            identity.deps.logger.error(
                "the notice of a login e-mail change was not sent",
                metadata: ["client": "\(change.clientID)", "error": "\(type(of: error))"])
        }
        return email
    }

    private func isTaken(_ email: EmailAddress) async throws -> Bool {
        try await identity.deps.store.read({ r in try await r.client(email: email) }) != nil
    }
}
