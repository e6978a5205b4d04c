import Domain
import Foundation

/// Second step: a TOTP code (±1 step, never the same step twice) or an unused recovery code.
public struct VerifySecondFactor: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func callAsFunction(_ session: WebSession, code: String, ip: String) async throws -> LoginOutcome {
        guard session.stage == .secondFactor else { return .refused(.expired) }
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID),
            let sealed = c.totpSecret
        else { return .refused(.expired) }
        let s = identity.settings
        let accountKey = Identity.accountKey(session.realm, c.email.value)
        let codeKey = Identity.codeKey(session.realm, c.email.value)
        let ipKey = Identity.ipKey(ip)
        if try await identity.isLocked(keys: [(accountKey, s.accountFailureLimit)]) { return .refused(.locked) }
        // Codes count under their own key (and the address's), reserved before checking; a correct password never clears them.
        guard let reserved = try await identity.reserve([(codeKey, s.accountFailureLimit), (ipKey, s.ipFailureLimit)])
        else { return .refused(.locked) }
        let now = identity.deps.clock.now()
        var accepted = false
        var how = "totp"
        if let step = identity.totp(try identity.box.open(sealed)).matchingStep(
            code, unixTime: identity.unixTime(now), after: c.lastTOTPStep)
        {
            accepted = try await identity.store.consumeTOTPStep(realm: session.realm, id: c.subjectID, step: step)
        } else if RecoveryCodes.normalized(code) != nil {
            accepted = try await identity.consumeRecoveryCode(code, realm: session.realm, id: c.subjectID, at: now)
            how = "recovery_code"
        }
        guard accepted else {
            try await identity.audit(session.realm, c.subjectID, "login.code_failed", ["ip": ip])
            return .refused(.wrongCode)
        }
        try await identity.store.releaseAttempt(ids: reserved)
        try await identity.store.clearLoginFailures(key: codeKey)
        try await identity.store.clearLoginFailures(key: accountKey)
        let opened = try await identity.openSession(
            realm: session.realm, subjectID: c.subjectID, stage: .full, replacing: session.idHash)
        try await identity.audit(session.realm, c.subjectID, "login.succeeded", ["ip": ip, "second_factor": how])
        return .session(token: opened.token, session: opened.session)
    }
}
