import Domain
import Foundation

/// Who a web session belongs to: clients and staff log in separately, with their own cookie and rules.
public enum Realm: String, Sendable, Codable, CaseIterable {
    case client, staff
}

/// How far a login has got. Only `.full` opens the area; the others allow one page each.
public enum SessionStage: String, Sendable, Codable {
    /// The password was right; the TOTP code (or a recovery code) is still due.
    case secondFactor = "second_factor"
    /// Staff without 2FA: the password was right and 2FA must be set up before anything else.
    case setupSecondFactor = "setup_second_factor"
    case full
}

/// A server-side session. The browser holds the token; only its SHA-256 is stored.
public struct WebSession: Sendable, Equatable {
    public let idHash: String
    public let realm: Realm
    public let subjectID: Int64
    public let stage: SessionStage
    public let csrfToken: String
    public let createdAt: Date
    public let lastSeenAt: Date
    /// Opened from a link in an e-mail: account changes ask for the password first.
    public let fromMail: Bool

    public init(
        idHash: String, realm: Realm, subjectID: Int64, stage: SessionStage, csrfToken: String, createdAt: Date,
        lastSeenAt: Date, fromMail: Bool
    ) {
        self.idHash = idHash
        self.realm = realm
        self.subjectID = subjectID
        self.stage = stage
        self.csrfToken = csrfToken
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.fromMail = fromMail
    }
}

/// What login needs to know about an account, whichever realm.
public struct Credentials: Sendable, Equatable {
    public let subjectID: Int64
    public let email: EmailAddress
    public let passwordHash: String
    /// The sealed TOTP secret once 2FA is enabled.
    public let totpSecret: String?
    public let lastTOTPStep: Int64?

    public init(subjectID: Int64, email: EmailAddress, passwordHash: String, totpSecret: String?, lastTOTPStep: Int64?)
    {
        self.subjectID = subjectID
        self.email = email
        self.passwordHash = passwordHash
        self.totpSecret = totpSecret
        self.lastTOTPStep = lastTOTPStep
    }

    public var hasSecondFactor: Bool { totpSecret != nil }
}

/// Sessions, login throttling, second factors and mail links, all in the database so several `serve` processes share them.
public protocol IdentityStore: MailLinkStore {
    func insert(session: WebSession, at: Date) async throws
    func session(idHash: String) async throws -> WebSession?
    func touch(sessionIDHash: String, at: Date) async throws
    func deleteSession(idHash: String) async throws
    /// Ends every session of an account (password changed or reset), except the one given.
    func deleteSessions(realm: Realm, subjectID: Int64, except idHash: String?) async throws
    func deleteSessions(lastSeenBefore: Date) async throws

    func recordAttempt(keys: [String], at: Date) async throws
    /// Reserves one attempt under each of `keys` unless one of them already has its limit of failures since `since`.
    /// The count and the write are one transaction with the keys locked, so parallel guesses cannot all pass the
    /// check. The reserved rows count as failures until `releaseAttempt` removes them (the attempt succeeded).
    /// Returns nil (and writes nothing) when a key is locked.
    func reserveAttempt(keys: [(key: String, limit: Int)], since: Date, at: Date) async throws -> [Int64]?
    func releaseAttempt(ids: [Int64]) async throws
    func loginFailures(key: String, since: Date) async throws -> Int
    func clearLoginFailures(key: String) async throws

    func credentials(realm: Realm, email: EmailAddress) async throws -> Credentials?
    func credentials(realm: Realm, id: Int64) async throws -> Credentials?
    func setPasswordHash(realm: Realm, id: Int64, hash: String) async throws

    /// A secret being set up, not yet confirmed by a code; replaces any earlier pending one.
    func setPendingTOTP(realm: Realm, id: Int64, sealedSecret: String, at: Date) async throws
    func pendingTOTP(realm: Realm, id: Int64) async throws -> String?
    /// Makes the pending secret the active one, with its first used step and the hashed recovery codes.
    func enableTOTP(realm: Realm, id: Int64, step: Int64, recoveryCodeHashes: [String], at: Date) async throws
    func disableTOTP(realm: Realm, id: Int64) async throws
    /// Records `step` as used when it is later than the last used one; false when another request got there first.
    func consumeTOTPStep(realm: Realm, id: Int64, step: Int64) async throws -> Bool
    /// Marks an unused recovery code used (by its stored hash); false when there is no such unused code.
    func consumeRecoveryCode(realm: Realm, id: Int64, hash: String, at: Date) async throws -> Bool
    /// The stored hashes of the account's unused recovery codes.
    func unusedRecoveryCodeHashes(realm: Realm, id: Int64) async throws -> [String]
    func unusedRecoveryCodes(realm: Realm, id: Int64) async throws -> Int

    /// Stores a reset token; the client's earlier unused ones stop working (only the newest link works).
    func insertPasswordReset(tokenHash: String, clientID: Int64, expiresAt: Date, at: Date) async throws
    /// Ends every unused reset link of the client (the password or the login e-mail changed).
    func cancelPasswordResets(clientID: Int64) async throws
    /// The client of an unexpired, unused reset token, marking it used.
    func consumePasswordReset(tokenHash: String, now: Date) async throws -> Int64?

    /// A requested login e-mail change; an earlier unconfirmed one of the same client stops working.
    func insertEmailChange(tokenHash: String, clientID: Int64, newEmail: EmailAddress, expiresAt: Date, at: Date)
        async throws
    /// The unexpired, unused change of `tokenHash`, left as it is (the confirmation page shows the address).
    func emailChange(tokenHash: String, now: Date) async throws -> PendingEmailChange?
    /// The unexpired, unused change of `tokenHash`, marking it used.
    func consumeEmailChange(tokenHash: String, now: Date) async throws -> PendingEmailChange?
    /// Drops the client's unconfirmed changes (the password changed: whoever asked may have known the old one).
    func cancelEmailChanges(clientID: Int64) async throws
}

/// A login e-mail change waiting for the new address to confirm it.
public struct PendingEmailChange: Sendable, Equatable {
    public let clientID: Int64
    public let newEmail: EmailAddress
    public init(clientID: Int64, newEmail: EmailAddress) {
        self.clientID = clientID
        self.newEmail = newEmail
    }
}

/// Symmetric authenticated encryption for secrets the server must read back (TOTP secrets).
public protocol SecretBox: Sendable {
    func seal(_ plaintext: [UInt8]) throws -> String
    func open(_ sealed: String) throws -> [UInt8]
}

/// Keyed hash for one-time passwords.
public protocol MessageAuthentication: Sendable {
    func hmacSHA1(key: [UInt8], message: [UInt8]) -> [UInt8]
}

/// Session, lock-out and reset settings.
public struct IdentitySettings: Sendable {
    public var idleTimeout: TimeInterval
    public var absoluteTimeout: TimeInterval
    /// Time allowed between the password and the code.
    public var secondFactorTimeout: TimeInterval
    /// Failures per account inside `failureWindow` before the account is locked for the rest of the window.
    public var accountFailureLimit: Int
    public var ipFailureLimit: Int
    public var failureWindow: TimeInterval
    public var passwordResetValidity: TimeInterval
    /// How long the link that confirms a new login e-mail works.
    public var emailChangeValidity: TimeInterval
    public var totpIssuer: String
    /// How long an invoice e-mail's log-in link works, counted from when the e-mail was produced.
    public var mailLinkValidity: TimeInterval
    /// Mail-link clicks per address inside `failureWindow` (valid or not) before further clicks are refused.
    public var mailLinkIPLimit: Int
    /// Sign-ups and password-reset requests per address inside `failureWindow` (each costs a bcrypt hash or an
    /// e-mail) before further ones are refused.
    public var signUpIPLimit: Int
    public var resetIPLimit: Int

    public init(
        idleTimeout: TimeInterval = 30 * 60, absoluteTimeout: TimeInterval = 8 * 3600,
        secondFactorTimeout: TimeInterval = 5 * 60,
        accountFailureLimit: Int = 5, ipFailureLimit: Int = 30, failureWindow: TimeInterval = 15 * 60,
        passwordResetValidity: TimeInterval = 3600, emailChangeValidity: TimeInterval = 86400,
        totpIssuer: String = "Hostico", mailLinkValidity: TimeInterval = 7 * 86400, mailLinkIPLimit: Int = 30,
        signUpIPLimit: Int = 10, resetIPLimit: Int = 10
    ) {
        self.signUpIPLimit = signUpIPLimit
        self.resetIPLimit = resetIPLimit
        self.mailLinkValidity = mailLinkValidity
        self.mailLinkIPLimit = mailLinkIPLimit
        self.idleTimeout = idleTimeout
        self.absoluteTimeout = absoluteTimeout
        self.secondFactorTimeout = secondFactorTimeout
        self.accountFailureLimit = accountFailureLimit
        self.ipFailureLimit = ipFailureLimit
        self.failureWindow = failureWindow
        self.passwordResetValidity = passwordResetValidity
        self.emailChangeValidity = emailChangeValidity
        self.totpIssuer = totpIssuer
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
