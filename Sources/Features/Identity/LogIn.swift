import Domain
import Foundation

public enum LoginOutcome: Sendable {
    /// Signed in, or half-way (the session's stage says which page comes next).
    case session(token: String, session: WebSession)
    case refused(LoginRefusal)
}

public enum LoginRefusal: Sendable, Equatable {
    /// The same answer for an unknown e-mail and a wrong password.
    case wrongCredentials
    case wrongCode
    /// Too many failures for this account or address; try later or reset the password.
    case locked
    case expired
}

/// Password step of the login. Unknown e-mails take as long as known ones and count as failures alike, so the
/// answer never tells whether an account exists.
public struct LogIn: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func callAsFunction(realm: Realm, email: String, password: String, ip: String) async throws -> LoginOutcome {
        let s = identity.settings
        let accountKey = Identity.accountKey(realm, email.trimmingCharacters(in: .whitespaces))
        let ipKey = Identity.ipKey(ip)
        // The attempt is counted before bcrypt runs (≈200 ms): parallel guesses cannot all slip under the limit.
        guard
            let reserved = try await identity.reserve([(accountKey, s.accountFailureLimit), (ipKey, s.ipFailureLimit)])
        else { return .refused(.locked) }
        let parsed = try? EmailAddress.parse(email)
        let credentials =
            try await parsed.asyncMap { try await identity.store.credentials(realm: realm, email: $0) } ?? nil
        var hash = credentials?.passwordHash ?? ""
        if credentials == nil { hash = try await identity.decoy.hash(with: identity.deps.passwords) }
        let ok = try await identity.deps.passwords.verify(password, against: hash) && credentials != nil
        guard ok, let c = credentials else {
            // The reserved rows stay: they are this failure.
            if let c = credentials { try await identity.audit(realm, c.subjectID, "login.failed", ["ip": ip]) }
            return .refused(.wrongCredentials)
        }
        try await identity.store.releaseAttempt(ids: reserved)
        // Only the password failures: second-factor failures stay counted until a code is right.
        try await identity.store.clearLoginFailures(key: accountKey)
        let stage: SessionStage = c.hasSecondFactor ? .secondFactor : (realm == .staff ? .setupSecondFactor : .full)
        let opened = try await identity.openSession(realm: realm, subjectID: c.subjectID, stage: stage)
        try await identity.audit(
            realm, c.subjectID, stage == .full ? "login.succeeded" : "login.password_accepted", ["ip": ip])
        return .session(token: opened.token, session: opened.session)
    }
}
