import Domain
import Foundation

/// What the login use cases share: the identity store, the secret box for TOTP secrets, the HMAC and settings.
public struct Identity: Sendable {
    public let deps: AppDependencies
    public let store: any IdentityStore
    public let box: any SecretBox
    public let mac: any MessageAuthentication
    public let settings: IdentitySettings
    let decoy = DecoyHash()

    public init(deps: AppDependencies, store: any IdentityStore, box: any SecretBox, mac: any MessageAuthentication, settings: IdentitySettings = IdentitySettings()) {
        self.deps = deps
        self.store = store
        self.box = box
        self.mac = mac
        self.settings = settings
    }

    /// A bearer token from the CSPRNG: 256 bits, base64url without padding.
    func newToken() -> String {
        Data(deps.random.bytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    func totp(_ secret: [UInt8]) -> TOTP {
        let mac = self.mac
        return TOTP(secret: secret) { mac.hmacSHA1(key: $0, message: $1) }
    }

    func unixTime(_ d: Date) -> Int64 { Int64(d.timeIntervalSince1970.rounded(.down)) }

    /// Opens a new session (a new id every time: login, 2FA passed and privilege changes rotate it).
    func openSession(realm: Realm, subjectID: Int64, stage: SessionStage, fromMail: Bool = false, replacing old: String? = nil) async throws -> (token: String, session: WebSession) {
        let token = newToken()
        let now = deps.clock.now()
        let session = WebSession(idHash: deps.digest.sha256Hex(token), realm: realm, subjectID: subjectID, stage: stage,
                                 csrfToken: deps.random.hex(32), createdAt: now, lastSeenAt: now, fromMail: fromMail)
        if let old { try await store.deleteSession(idHash: old) }
        try await store.insert(session: session, at: now)
        return (token, session)
    }

    /// An audit entry by the account itself, about the account (or about `entity`, e.g. one of its mail links).
    func audit(_ realm: Realm, _ id: Int64, _ action: String, _ details: [String: String] = [:], entity: (String, Int64)? = nil) async throws {
        let entry = AuditEntry(actor: realm == .client ? .client(id) : .staff(id), action: action, entity: entity?.0 ?? realm.rawValue, entityID: entity?.1 ?? id,
                               before: nil, after: details.isEmpty ? nil : auditJSON(details), at: deps.clock.now())
        try await deps.store.write { tx in try await tx.append(entry) }
    }

    static func accountKey(_ realm: Realm, _ email: String) -> String { "account:\(realm.rawValue):\(email.lowercased())" }
    /// Second-factor failures have their own key: a correct password must not clear them.
    static func codeKey(_ realm: Realm, _ email: String) -> String { "code:\(realm.rawValue):\(email.lowercased())" }
    /// Limits count per client address: one IPv4 address or one IPv6 /64.
    /// Uses a recovery code if it is one of the account's unused ones (each stored with its own salt).
    func consumeRecoveryCode(_ typed: String, realm: Realm, id: Int64, at now: Date) async throws -> Bool {
        guard let code = RecoveryCodes.normalized(typed) else { return false }
        for stored in try await store.unusedRecoveryCodeHashes(realm: realm, id: id) where RecoveryCodes.matches(code, stored: stored, sha256: deps.digest.sha256Hex) {
            return try await store.consumeRecoveryCode(realm: realm, id: id, hash: stored, at: now)
        }
        return false
    }

    static func ipKey(_ ip: String) -> String { "ip:" + ClientAddress.limitBucket(ip) }

    /// An attempt reserved before the (slow) check: nil when locked. See `IdentityStore.reserveAttempt`.
    func reserve(_ keys: [(key: String, limit: Int)]) async throws -> [Int64]? {
        let now = deps.clock.now()
        return try await store.reserveAttempt(keys: keys, since: now.addingTimeInterval(-settings.failureWindow), at: now)
    }

    func isLocked(keys: [(String, Int)]) async throws -> Bool {
        let since = deps.clock.now().addingTimeInterval(-settings.failureWindow)
        for (key, limit) in keys where try await store.loginFailures(key: key, since: since) >= limit { return true }
        return false
    }

    /// The session a browser token stands for, if it is still alive (idle and absolute timeouts). The last-seen
    /// time is written at most once a minute, so reading pages does not turn into a write per request.
    public func session(token: String) async throws -> WebSession? {
        guard token.count == 43 else { return nil }
        let hash = deps.digest.sha256Hex(token)
        guard let s = try await store.session(idHash: hash) else { return nil }
        let now = deps.clock.now()
        let idleLimit = s.stage == .full ? settings.idleTimeout : settings.secondFactorTimeout
        if now.timeIntervalSince(s.lastSeenAt) > idleLimit || now.timeIntervalSince(s.createdAt) > settings.absoluteTimeout {
            try await store.deleteSession(idHash: hash)
            return nil
        }
        if now.timeIntervalSince(s.lastSeenAt) >= 60 { try await store.touch(sessionIDHash: hash, at: now) }
        return s
    }

    /// Deletes sessions idle longer than the idle timeout (they can no longer be used); run by the workers.
    public func sweepSessions() async throws {
        try await store.deleteSessions(lastSeenBefore: deps.clock.now().addingTimeInterval(-max(settings.idleTimeout, settings.secondFactorTimeout)))
    }

    public func logOut(_ session: WebSession) async throws {
        try await store.deleteSession(idHash: session.idHash)
    }

    /// Counts a sign-up from `ip` before its password is hashed; false once the address has used up
    /// `signUpIPLimit` inside the failure window (successful sign-ups count too: each costs a bcrypt hash).
    public func admitSignUp(ip: String) async throws -> Bool {
        try await reserve([("signup:" + Identity.ipKey(ip), settings.signUpIPLimit)]) != nil
    }

    /// A new client's first session, right after sign-up.
    public func startSession(clientID: Int64) async throws -> (token: String, session: WebSession) {
        try await openSession(realm: .client, subjectID: clientID, stage: .full)
    }
}

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
        guard let reserved = try await identity.reserve([(accountKey, s.accountFailureLimit), (ipKey, s.ipFailureLimit)]) else { return .refused(.locked) }
        let parsed = try? EmailAddress.parse(email)
        let credentials = try await parsed.asyncMap { try await identity.store.credentials(realm: realm, email: $0) } ?? nil
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
        try await identity.audit(realm, c.subjectID, stage == .full ? "login.succeeded" : "login.password_accepted", ["ip": ip])
        return .session(token: opened.token, session: opened.session)
    }
}

/// Second step: a TOTP code (±1 step, never the same step twice) or an unused recovery code.
public struct VerifySecondFactor: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func callAsFunction(_ session: WebSession, code: String, ip: String) async throws -> LoginOutcome {
        guard session.stage == .secondFactor else { return .refused(.expired) }
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID), let sealed = c.totpSecret else { return .refused(.expired) }
        let s = identity.settings
        let accountKey = Identity.accountKey(session.realm, c.email.value), codeKey = Identity.codeKey(session.realm, c.email.value), ipKey = Identity.ipKey(ip)
        if try await identity.isLocked(keys: [(accountKey, s.accountFailureLimit)]) { return .refused(.locked) }
        // Codes count under their own key (and the address's), reserved before checking; a correct password never clears them.
        guard let reserved = try await identity.reserve([(codeKey, s.accountFailureLimit), (ipKey, s.ipFailureLimit)]) else { return .refused(.locked) }
        let now = identity.deps.clock.now()
        var accepted = false
        var how = "totp"
        if let step = identity.totp(try identity.box.open(sealed)).matchingStep(code, unixTime: identity.unixTime(now), after: c.lastTOTPStep) {
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
        let opened = try await identity.openSession(realm: session.realm, subjectID: c.subjectID, stage: .full, replacing: session.idHash)
        try await identity.audit(session.realm, c.subjectID, "login.succeeded", ["ip": ip, "second_factor": how])
        return .session(token: opened.token, session: opened.session)
    }
}

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
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID) else { throw BillingError.notFound("account") }
        let secret: [UInt8]
        if let sealed = try await identity.store.pendingTOTP(realm: session.realm, id: session.subjectID) {
            secret = try identity.box.open(sealed)
        } else {
            secret = identity.deps.random.bytes(20)
            try await identity.store.setPendingTOTP(realm: session.realm, id: session.subjectID, sealedSecret: try identity.box.seal(secret), at: identity.deps.clock.now())
        }
        let totp = identity.totp(secret)
        return Pending(secretBase32: Base32.encode(secret), uri: totp.provisioningURI(issuer: identity.settings.totpIssuer, account: c.email.value))
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
            throw BillingError.conflict(rule: "totp.no-pending", message: "Start the set-up again: no secret is waiting for confirmation.")
        }
        let now = identity.deps.clock.now()
        var errors = FieldErrors()
        if Self.needsPassword(session) {
            guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID) else { throw BillingError.notFound("account") }
            if try await !identity.deps.passwords.verify(password ?? "", against: c.passwordHash) {
                errors.add("password", "password.wrong", "The password is not right.")
                try await identity.store.recordLoginFailure(keys: [Identity.accountKey(session.realm, c.email.value)], at: now)
            }
        }
        let step = identity.totp(try identity.box.open(sealed)).matchingStep(code, unixTime: identity.unixTime(now), after: nil)
        if step == nil { errors.add("code", "totp.wrong", "That code is not right. Check the time on your phone and type the current code.") }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        guard let step else { throw BillingError.invalid(ValidationFailure(field: "code", rule: "totp.wrong", message: "That code is not right.")) }
        let codes = (0..<RecoveryCodes.count).map { _ in RecoveryCodes.code(from: identity.deps.random.bytes(10)) }
        let digest = identity.deps.digest
        let hashes = codes.map { RecoveryCodes.stored(RecoveryCodes.normalized($0)!, salt: identity.deps.random.hex(16), sha256: digest.sha256Hex) }
        if session.realm == .client { _ = try await identity.store.revokeMailLinks(clientID: session.subjectID, linkID: nil, because: .secondFactorEnabled, at: now) }
        try await identity.store.enableTOTP(realm: session.realm, id: session.subjectID, step: step, recoveryCodeHashes: hashes, at: now)
        try await identity.store.deleteSessions(realm: session.realm, subjectID: session.subjectID, except: session.idHash)
        let opened = try await identity.openSession(realm: session.realm, subjectID: session.subjectID, stage: .full, replacing: session.idHash)
        try await identity.audit(session.realm, session.subjectID, "totp.enabled")
        return Enabled(recoveryCodes: codes, token: opened.token, session: opened.session)
    }

    /// Turning 2FA off needs the password and a current code (or a recovery code).
    public func disable(_ session: WebSession, password: String, code: String) async throws {
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID), let sealed = c.totpSecret else {
            throw BillingError.conflict(rule: "totp.not-enabled", message: "Two-factor authentication is not on.")
        }
        if session.realm == .staff {
            throw BillingError.conflict(rule: "totp.required", message: "Staff accounts must keep two-factor authentication.")
        }
        var errors = FieldErrors()
        if try await !identity.deps.passwords.verify(password, against: c.passwordHash) { errors.add("password", "password.wrong", "The password is not right.") }
        let now = identity.deps.clock.now()
        var codeOK = false
        if let step = identity.totp(try identity.box.open(sealed)).matchingStep(code, unixTime: identity.unixTime(now), after: c.lastTOTPStep) {
            codeOK = errors.isEmpty ? try await identity.store.consumeTOTPStep(realm: session.realm, id: c.subjectID, step: step) : true
        } else if RecoveryCodes.normalized(code) != nil, errors.isEmpty {
            codeOK = try await identity.consumeRecoveryCode(code, realm: session.realm, id: c.subjectID, at: now)
        }
        if !codeOK { errors.add("code", "totp.wrong", "That code is not right.") }
        if !errors.isEmpty {
            try await identity.store.recordLoginFailure(keys: [Identity.accountKey(session.realm, c.email.value)], at: now)
            do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        }
        try await identity.store.disableTOTP(realm: session.realm, id: c.subjectID)
        try await identity.audit(session.realm, c.subjectID, "totp.disabled")
    }
}

/// A session opened from an e-mail link becomes a normal one once the password is typed (a new session id). Wrong
/// passwords count towards the same lock-out as the login page.
public struct ConfirmPassword: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func callAsFunction(_ session: WebSession, password: String, ip: String) async throws -> LoginOutcome {
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID) else { return .refused(.expired) }
        let s = identity.settings
        let accountKey = Identity.accountKey(session.realm, c.email.value), ipKey = Identity.ipKey(ip)
        guard let reserved = try await identity.reserve([(accountKey, s.accountFailureLimit), (ipKey, s.ipFailureLimit)]) else { return .refused(.locked) }
        guard try await identity.deps.passwords.verify(password, against: c.passwordHash) else {
            try await identity.audit(session.realm, c.subjectID, "login.failed", ["ip": ip, "step": "confirm-password"])
            return .refused(.wrongCredentials)
        }
        try await identity.store.releaseAttempt(ids: reserved)
        try await identity.store.clearLoginFailures(key: accountKey)
        let opened = try await identity.openSession(realm: session.realm, subjectID: c.subjectID, stage: session.stage, replacing: session.idHash)
        try await identity.audit(session.realm, c.subjectID, "login.password_confirmed", ["ip": ip])
        return .session(token: opened.token, session: opened.session)
    }
}

/// Changing the password (knowing the old one): other sessions end.
public struct ChangePassword: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func callAsFunction(_ session: WebSession, current: String, new: String) async throws {
        guard let c = try await identity.store.credentials(realm: session.realm, id: session.subjectID) else { throw BillingError.notFound("account") }
        var errors = FieldErrors()
        if try await !identity.deps.passwords.verify(current, against: c.passwordHash) { errors.add("currentPassword", "password.wrong", "The current password is not right.") }
        if let failure = PasswordPolicy.check(new) { errors.add("newPassword", failure.rule, failure.message) }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        // Mail links go first: a failure between the two writes leaves them revoked, never the old links alive.
        if session.realm == .client {
            _ = try await identity.store.revokeMailLinks(clientID: c.subjectID, linkID: nil, because: .passwordChanged, at: identity.deps.clock.now())
            try await identity.store.cancelEmailChanges(clientID: c.subjectID)
            try await identity.store.cancelPasswordResets(clientID: c.subjectID)
        }
        try await identity.store.setPasswordHash(realm: session.realm, id: c.subjectID, hash: try await identity.deps.passwords.hash(new))
        try await identity.store.deleteSessions(realm: session.realm, subjectID: c.subjectID, except: session.idHash)
        try await identity.audit(session.realm, c.subjectID, "password.changed")
    }
}

/// Changing the login e-mail, in two steps. Asked for on the Security page with the password: the new address gets
/// a link (24 hours, once) and nothing changes yet, so a typo cannot lock the client out and a stolen session alone
/// cannot move the account to a mailbox nobody checked. Confirmed from that link: links in e-mails sent so far stop
/// working, other sessions end and the previous address is told.
public struct ChangeEmail: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    static let takenMessage = "An account with this e-mail already exists; log in or reset the password."
    static var taken: ValidationFailure { ValidationFailure(field: "newEmail", rule: "email.taken", message: takenMessage) }

    /// Sends the confirmation link to the new address and returns it.
    @discardableResult
    public func request(_ session: WebSession, password: String, newEmail: String, baseURL: String, mailer: any AccountMailer) async throws -> EmailAddress {
        guard session.realm == .client, let c = try await identity.store.credentials(realm: .client, id: session.subjectID) else { throw BillingError.notFound("account") }
        var errors = FieldErrors()
        let email = errors.check { () throws(ValidationFailure) in try EmailAddress.parse(newEmail, field: "newEmail") }
        if try await !identity.deps.passwords.verify(password, against: c.passwordHash) { errors.add("emailPassword", "password.wrong", "The password is not right.") }
        if let email, email == c.email { errors.add("newEmail", "email.same", "This is already your login e-mail.") }
        if let email, email != c.email, try await isTaken(email) { errors.add("newEmail", "email.taken", Self.takenMessage) }
        do { try errors.throwIfAny() } catch { throw BillingError.invalid(error) }
        guard let email, let client = try await identity.deps.store.read({ r in try await r.client(id: c.subjectID) }) else { throw BillingError.notFound("account") }
        let token = identity.newToken()
        let now = identity.deps.clock.now()
        try await identity.store.insertEmailChange(tokenHash: identity.deps.digest.sha256Hex(token), clientID: c.subjectID, newEmail: email,
                                                   expiresAt: now.addingTimeInterval(identity.settings.emailChangeValidity), at: now)
        try await mailer.sendEmailConfirmation(to: email, client: client, link: baseURL + "/confirm-email?token=" + token)
        try await identity.audit(.client, c.subjectID, "client.email_change_requested", ["newEmail": email.value])
        return email
    }

    /// The change a link would confirm, for the page that asks to confirm it.
    public func pending(token: String) async throws -> PendingEmailChange? {
        guard token.count == 43 else { return nil }
        return try await identity.store.emailChange(tokenHash: identity.deps.digest.sha256Hex(token), now: identity.deps.clock.now())
    }

    /// Makes the new address the login e-mail. `session` is the confirming browser's, kept when it is the client's.
    public func confirm(token: String, session: WebSession?, mailer: any AccountMailer) async throws -> EmailAddress {
        let now = identity.deps.clock.now()
        guard token.count == 43, let change = try await identity.store.consumeEmailChange(tokenHash: identity.deps.digest.sha256Hex(token), now: now),
              let before = try await identity.deps.store.read({ r in try await r.client(id: change.clientID) }) else {
            throw BillingError.conflict(rule: "email-change.invalid", message: "This confirmation link has expired or was already used.")
        }
        let email = change.newEmail
        guard email != before.email else { return email }
        if try await isTaken(email) { throw BillingError.invalid(Self.taken) }
        _ = try await identity.store.revokeMailLinks(clientID: change.clientID, linkID: nil, because: .emailChanged, at: now)
        // A reset link sent to the old address must not reopen the account.
        try await identity.store.cancelPasswordResets(clientID: change.clientID)
        do {
            try await identity.deps.store.write { tx in
                try await tx.updateEmail(clientID: change.clientID, email: email)
                try await tx.append(AuditEntry(actor: .client(change.clientID), action: "client.email_changed", entity: "client", entityID: change.clientID,
                                               before: auditJSON(["email": before.email.value]), after: auditJSON(["email": email.value]), at: now))
            }
        } catch StoreError.duplicate {
            throw BillingError.invalid(Self.taken)
        }
        let keep = session.flatMap { $0.realm == .client && $0.subjectID == change.clientID ? $0.idHash : nil }
        try await identity.store.deleteSessions(realm: .client, subjectID: change.clientID, except: keep)
        do {
            if let client = try await identity.deps.store.read({ r in try await r.client(id: change.clientID) }) {
                try await mailer.sendEmailChanged(to: before.email, client: client)
            }
        } catch {
            // The change stands (it is committed and audited); the notice is what failed.
            identity.deps.logger.error("the notice of a login e-mail change was not sent", metadata: ["client": "\(change.clientID)", "error": "\(type(of: error))"])
        }
        return email
    }

    private func isTaken(_ email: EmailAddress) async throws -> Bool {
        try await identity.deps.store.read({ r in try await r.client(email: email) }) != nil
    }
}

/// The one password rule for clients: 10 to 72 bytes (bcrypt reads no further), anything printable.
public enum PasswordPolicy {
    public static func check(_ password: String) -> FieldError? {
        if password.count < 10 || password.utf8.count > 72 {
            return FieldError(field: "password", rule: "password.length", message: "Use 10 to 72 bytes for the password.")
        }
        return nil
    }
}

/// The account e-mails sent at once, outside the outbox: the password reset and the confirmation of a new login
/// e-mail (their links carry tokens that are stored only hashed) and the notice of a login e-mail change (to the
/// previous address).
public protocol AccountMailer: Sendable {
    func sendReset(to client: Client, link: String) async throws
    /// Asks `newEmail` to confirm, through `link`, that it becomes `client`'s login e-mail.
    func sendEmailConfirmation(to newEmail: EmailAddress, client: Client, link: String) async throws
    /// Tells `previous` that `client`'s login e-mail is now `client.email`.
    func sendEmailChanged(to previous: EmailAddress, client: Client) async throws
}

/// "Forgot password": always the same answer; an e-mail only when the account exists. The link lives an hour
/// and works once; using it ends every session of the account.
public struct ResetPassword: Sendable {
    let identity: Identity
    public init(_ identity: Identity) { self.identity = identity }

    public func request(email: String, ip: String, baseURL: String, mailer: any AccountMailer) async throws {
        // Counted before anything else, atomically: parallel requests cannot all slip under the limit. Over it, the
        // answer stays the same and nothing is sent.
        guard try await identity.reserve([("reset:" + Identity.ipKey(ip), identity.settings.resetIPLimit)]) != nil else { return }
        let now = identity.deps.clock.now()
        guard let parsed = try? EmailAddress.parse(email), let found = try await identity.deps.store.read({ r in try await r.client(email: parsed) }) else { return }
        let token = identity.newToken()
        try await identity.store.insertPasswordReset(tokenHash: identity.deps.digest.sha256Hex(token), clientID: found.client.id, expiresAt: now.addingTimeInterval(identity.settings.passwordResetValidity), at: now)
        try await mailer.sendReset(to: found.client, link: baseURL + "/reset-password?token=" + token)
        try await identity.audit(.client, found.client.id, "password.reset_requested", ["ip": ip])
    }

    public func complete(token: String, newPassword: String) async throws -> Int64 {
        if let failure = PasswordPolicy.check(newPassword) { throw BillingError.invalid(ValidationFailure([failure])) }
        guard let clientID = try await identity.store.consumePasswordReset(tokenHash: identity.deps.digest.sha256Hex(token), now: identity.deps.clock.now()) else {
            throw BillingError.conflict(rule: "reset.invalid", message: "This reset link has expired or was already used. Ask for a new one.")
        }
        _ = try await identity.store.revokeMailLinks(clientID: clientID, linkID: nil, because: .passwordReset, at: identity.deps.clock.now())
        try await identity.store.cancelEmailChanges(clientID: clientID)
        try await identity.store.setPasswordHash(realm: .client, id: clientID, hash: try await identity.deps.passwords.hash(newPassword))
        try await identity.store.deleteSessions(realm: .client, subjectID: clientID, except: nil)
        try await identity.audit(.client, clientID, "password.reset")
        return clientID
    }
}

/// A hash made once per process with the live hasher and its cost, compared against when the e-mail is unknown, so
/// an unknown e-mail takes as long as a wrong password (measured: 209 ms against 58 ms with a fixed cost-12 hash).
actor DecoyHash {
    private var value: String?

    func hash(with hasher: any PasswordHasher) async throws -> String {
        if let value { return value }
        let made = try await hasher.hash("decoy password that matches nothing")
        value = made
        return made
    }
}

extension Optional {
    func asyncMap<U>(_ f: (Wrapped) async throws -> U) async rethrows -> U? {
        switch self {
        case .some(let w): try await f(w)
        case .none: nil
        }
    }
}
