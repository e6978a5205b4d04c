import Domain
import Foundation

/// "Forgot password": always the same answer; an e-mail only when the account exists. The link lives an hour
/// and works once; using it ends every session of the account.
public struct ResetPassword: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func request(email: String, ip: String, links: ClientAreaLinks, mailer: any AccountMailer) async throws {
        // Counted before anything else, atomically: parallel requests cannot all slip under the limit. Over it, the
        // answer stays the same and nothing is sent.
        guard try await identity.reserve([("reset:" + Identity.ipKey(ip), identity.settings.resetIPLimit)]) != nil
        else { return }
        let now = identity.deps.clock.now()
        guard let parsed = try? EmailAddress.parse(email),
            let found = try await identity.deps.store.read({ r in try await r.client(email: parsed) })
        else { return }
        let token = identity.newToken()
        try await identity.store.insertPasswordReset(
            tokenHash: identity.deps.digest.sha256Hex(token), clientID: found.client.id,
            expiresAt: now.addingTimeInterval(identity.settings.passwordResetValidity), at: now)
        try await mailer.sendReset(to: found.client, link: links.resetPassword(token: token))
        try await identity.audit(.client, found.client.id, "password.reset_requested", ["ip": ip])
    }

    public func complete(token: String, newPassword: String) async throws -> Int64 {
        if let failure = PasswordPolicy.check(newPassword) { throw UseCaseError.invalid(ValidationFailure([failure])) }
        guard
            let clientID = try await identity.store.consumePasswordReset(
                tokenHash: identity.deps.digest.sha256Hex(token), now: identity.deps.clock.now())
        else {
            throw UseCaseError.conflict(
                rule: "reset.invalid", message: "This reset link has expired or was already used. Ask for a new one.")
        }
        _ = try await identity.store.revokeMailLinks(
            clientID: clientID, linkID: nil, because: .passwordReset, at: identity.deps.clock.now())
        try await identity.store.cancelEmailChanges(clientID: clientID)
        try await identity.store.setPasswordHash(
            realm: .client, id: clientID, hash: try await identity.deps.passwords.hash(newPassword))
        try await identity.store.deleteSessions(realm: .client, subjectID: clientID, except: nil)
        try await identity.audit(.client, clientID, "password.reset")
        return clientID
    }
}
