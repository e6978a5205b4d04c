import Domain
import Foundation

/// Changing the password (knowing the old one): other sessions end.
public struct ChangePassword: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func callAsFunction(_ session: WebSession, current: String, new: String) async throws {
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID) else {
            throw UseCaseError.notFound("account")
        }
        var errors = FieldErrors()
        if try await !identity.deps.passwords.verify(current, against: c.passwordHash) {
            errors.add("currentPassword", "password.wrong", "The current password is not right.")
        }
        if let failure = PasswordPolicy.check(new, for: session.realm == .staff ? .staff : .client) {
            errors.add("newPassword", failure.rule, failure.message)
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        // Mail links go first: a failure between the two writes leaves them revoked, never the old links alive.
        if session.realm == .client {
            _ = try await identity.store.revokeMailLinks(
                clientID: c.subjectID, linkID: nil, because: .passwordChanged, at: identity.deps.clock.now())
            try await identity.store.cancelEmailChanges(clientID: c.subjectID)
            try await identity.store.cancelPasswordResets(clientID: c.subjectID)
        }
        try await identity.store.setPasswordHash(
            realm: session.realm, id: c.subjectID, hash: try await identity.deps.passwords.hash(new))
        try await identity.store.deleteSessions(realm: session.realm, subjectID: c.subjectID, except: session.idHash)
        try await identity.audit(session.realm, c.subjectID, "password.changed")
    }
}
