import Domain
import Foundation

/// A session opened from an e-mail link becomes a normal one once the password is typed (a new session id). Wrong
/// passwords count towards the same lock-out as the login page.
public struct ConfirmPassword: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func callAsFunction(_ session: WebSession, password: String, ip: String) async throws -> LoginOutcome {
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID) else {
            return .refused(.expired)
        }
        let s = identity.settings
        let accountKey = Identity.accountKey(session.realm, c.email.value)
        let ipKey = Identity.ipKey(ip)
        guard
            let reserved = try await identity.reserve([(accountKey, s.accountFailureLimit), (ipKey, s.ipFailureLimit)])
        else { return .refused(.locked) }
        guard try await identity.deps.passwords.verify(password, against: c.passwordHash) else {
            try await identity.audit(
                session.realm, c.subjectID, "login.failed", ["ip": ip, "step": "confirm-password"])
            return .refused(.wrongCredentials)
        }
        try await identity.store.releaseAttempt(ids: reserved)
        try await identity.store.clearLoginFailures(key: accountKey)
        let opened = try await identity.openSession(
            realm: session.realm, subjectID: c.subjectID, stage: session.stage, replacing: session.idHash)
        try await identity.audit(session.realm, c.subjectID, "login.password_confirmed", ["ip": ip])
        return .session(token: opened.token, session: opened.session)
    }
}

/// A session opened from an e-mail link asked to change something that belongs to the account: the person types
/// the password first (`ConfirmPassword`), then does it again.
public struct PasswordConfirmationRequired: Error, Sendable, Equatable {
    public init() {}
}
