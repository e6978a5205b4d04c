import Domain
import Foundation

/// Turning on 2FA: a new secret is kept pending until a code from the app proves it was scanned.
public struct SetUpSecondFactor: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public struct Pending: Sendable {
        public let secretBase32: String
        public let uri: String
    }

    /// The pending secret, creating one when there is none yet (a reload shows the same QR code).
    public func begin(_ session: WebSession) async throws -> Pending {
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID) else {
            throw UseCaseError.notFound("account")
        }
        let secret: [UInt8]
        if let sealed = try await identity.store.pendingTOTP(realm: session.realm, id: session.subjectID) {
            secret = try identity.box.open(sealed)
        } else {
            secret = identity.deps.random.bytes(20)
            try await identity.store.setPendingTOTP(
                realm: session.realm, id: session.subjectID, sealedSecret: try identity.box.seal(secret),
                at: identity.deps.clock.now())
        }
        let totp = identity.totp(secret)
        return Pending(
            secretBase32: Base32.encode(secret),
            uri: totp.provisioningURI(issuer: identity.settings.totpIssuer, account: c.email.value))
    }

    public struct Enabled: Sendable {
        public let recoveryCodes: [String]
        /// The session after the privilege change (a new id).
        public let token: String
        public let session: WebSession
    }

    /// Whether turning 2FA on asks for the password: always, except right after the password in the staff log-in
    /// that must set 2FA up (someone holding only a session cookie must not tie the account to their phone).
    public static func needsPassword(_ session: WebSession) -> Bool { session.stage != .setupSecondFactor }

    /// Confirms with a code from the app (and the password, see `needsPassword`): 2FA is on, ten recovery codes are
    /// returned once, other sessions end.
    public func confirm(_ session: WebSession, code: String, password: String? = nil) async throws -> Enabled {
        guard let sealed = try await identity.store.pendingTOTP(realm: session.realm, id: session.subjectID) else {
            throw UseCaseError.conflict(
                rule: "totp.no-pending", message: "Start the set-up again: no secret is waiting for confirmation.")
        }
        let now = identity.deps.clock.now()
        var errors = FieldErrors()
        if Self.needsPassword(session) {
            guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID) else {
                throw UseCaseError.notFound("account")
            }
            if try await !identity.deps.passwords.verify(password ?? "", against: c.passwordHash) {
                errors.add("password", "password.wrong", "The password is not right.")
                try await identity.store.recordAttempt(
                    keys: [Identity.accountKey(session.realm, c.email.value)], at: now)
            }
        }
        let step = identity.totp(try identity.box.open(sealed)).matchingStep(
            code, unixTime: identity.unixTime(now), after: nil)
        if step == nil {
            errors.add(
                "code", "totp.wrong", "That code is not right. Check the time on your phone and type the current code.")
        }
        do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        guard let step else {
            throw UseCaseError.invalid(
                ValidationFailure(field: "code", rule: "totp.wrong", message: "That code is not right."))
        }
        let codes = (0..<RecoveryCodes.count).map { _ in RecoveryCodes.code(from: identity.deps.random.bytes(10)) }
        let digest = identity.deps.digest
        let hashes = codes.map {
            RecoveryCodes.stored(
                RecoveryCodes.normalized($0)!, salt: identity.deps.random.hex(16), sha256: digest.sha256Hex)
        }
        if session.realm == .client {
            _ = try await identity.store.revokeMailLinks(
                clientID: session.subjectID, linkID: nil, because: .secondFactorEnabled, at: now)
        }
        try await identity.store.enableTOTP(
            realm: session.realm, id: session.subjectID, step: step, recoveryCodeHashes: hashes, at: now)
        try await identity.store.deleteSessions(
            realm: session.realm, subjectID: session.subjectID, except: session.idHash)
        let opened = try await identity.openSession(
            realm: session.realm, subjectID: session.subjectID, stage: .full, replacing: session.idHash)
        try await identity.audit(session.realm, session.subjectID, "totp.enabled")
        return Enabled(recoveryCodes: codes, token: opened.token, session: opened.session)
    }

    /// Turning 2FA off needs the password and a current code (or a recovery code).
    public func disable(_ session: WebSession, password: String, code: String) async throws {
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID),
            let sealed = c.totpSecret
        else {
            throw UseCaseError.conflict(rule: "totp.not-enabled", message: "Two-factor authentication is not on.")
        }
        if session.realm == .staff {
            throw UseCaseError.conflict(
                rule: "totp.required", message: "Staff accounts must keep two-factor authentication.")
        }
        var errors = FieldErrors()
        if try await !identity.deps.passwords.verify(password, against: c.passwordHash) {
            errors.add("password", "password.wrong", "The password is not right.")
        }
        let now = identity.deps.clock.now()
        var codeOK = false
        if let step = identity.totp(try identity.box.open(sealed)).matchingStep(
            code, unixTime: identity.unixTime(now), after: c.lastTOTPStep)
        {
            codeOK =
                errors.isEmpty
                ? try await identity.store.consumeTOTPStep(realm: session.realm, id: c.subjectID, step: step) : true
        } else if RecoveryCodes.normalized(code) != nil, errors.isEmpty {
            codeOK = try await identity.consumeRecoveryCode(code, realm: session.realm, id: c.subjectID, at: now)
        }
        if !codeOK { errors.add("code", "totp.wrong", "That code is not right.") }
        if !errors.isEmpty {
            try await identity.store.recordAttempt(keys: [Identity.accountKey(session.realm, c.email.value)], at: now)
            do { try errors.throwIfAny() } catch { throw UseCaseError.invalid(error) }
        }
        try await identity.store.disableTOTP(realm: session.realm, id: c.subjectID)
        try await identity.audit(session.realm, c.subjectID, "totp.disabled")
    }
}
