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

    public init(
        deps: AppDependencies, store: any IdentityStore, box: any SecretBox, mac: any MessageAuthentication,
        settings: IdentitySettings = IdentitySettings()
    ) {
        self.deps = deps
        self.store = store
        self.box = box
        self.mac = mac
        self.settings = settings
    }

    /// A bearer token from the CSPRNG: 256 bits, base64url without padding.
    func newToken() -> String {
        Data(deps.random.bytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
    }

    func totp(_ secret: [UInt8]) -> TOTP {
        let mac = self.mac
        return TOTP(secret: secret) { mac.hmacSHA1(key: $0, message: $1) }
    }

    func unixTime(_ d: Date) -> Int64 { Int64(d.timeIntervalSince1970.rounded(.down)) }

    /// Opens a new session (a new id every time: login, 2FA passed and privilege changes rotate it).
    func openSession(
        realm: Realm, subjectID: Int64, stage: SessionStage, fromMail: Bool = false, replacing old: String? = nil
    ) async throws -> (token: String, session: WebSession) {
        let token = newToken()
        let now = deps.clock.now()
        let session = WebSession(
            idHash: deps.digest.sha256Hex(token), realm: realm, subjectID: subjectID, stage: stage,
            csrfToken: deps.random.hex(32), createdAt: now, lastSeenAt: now, fromMail: fromMail)
        if let old { try await store.deleteSession(idHash: old) }
        try await store.insert(session: session, at: now)
        return (token, session)
    }

    /// An audit entry by the account itself, about the account (or about `entity`, e.g. one of its mail links).
    func audit(
        _ realm: Realm, _ id: Int64, _ action: String, _ details: [String: String] = [:], entity: (String, Int64)? = nil
    ) async throws {
        let entry = AuditEntry(
            actor: realm == .client ? .client(id) : .staff(id), action: action, entity: entity?.0 ?? realm.rawValue,
            entityID: entity?.1 ?? id,
            before: nil, after: details.isEmpty ? nil : auditJSON(details), at: deps.clock.now())
        try await deps.store.write { tx in try await tx.append(entry) }
    }

    static func accountKey(_ realm: Realm, _ email: String) -> String {
        "account:\(realm.rawValue):\(email.lowercased())"
    }
    /// Second-factor failures have their own key: a correct password must not clear them.
    static func codeKey(_ realm: Realm, _ email: String) -> String { "code:\(realm.rawValue):\(email.lowercased())" }
    /// Limits count per client address: one IPv4 address or one IPv6 /64.
    /// Uses a recovery code if it is one of the account's unused ones (each stored with its own salt).
    func consumeRecoveryCode(_ typed: String, realm: Realm, id: Int64, at now: Date) async throws -> Bool {
        guard let code = RecoveryCodes.normalized(typed) else { return false }
        for stored in try await store.unusedRecoveryCodeHashes(realm: realm, id: id)
        where RecoveryCodes.matches(code, stored: stored, sha256: deps.digest.sha256Hex) {
            return try await store.consumeRecoveryCode(realm: realm, id: id, hash: stored, at: now)
        }
        return false
    }

    static func ipKey(_ ip: String) -> String { "ip:" + ClientAddress.limitBucket(ip) }

    /// An attempt reserved before the (slow) check: nil when locked. See `IdentityStore.reserveAttempt`.
    func reserve(_ keys: [(key: String, limit: Int)]) async throws -> [Int64]? {
        let now = deps.clock.now()
        return try await store.reserveAttempt(
            keys: keys, since: now.addingTimeInterval(-settings.failureWindow), at: now)
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
        if now.timeIntervalSince(s.lastSeenAt) > idleLimit
            || now.timeIntervalSince(s.createdAt) > settings.absoluteTimeout
        {
            try await store.deleteSession(idHash: hash)
            return nil
        }
        if now.timeIntervalSince(s.lastSeenAt) >= 60 { try await store.touch(sessionIDHash: hash, at: now) }
        return s
    }

    /// Deletes sessions idle longer than the idle timeout (they can no longer be used); run by the workers.
    public func sweepSessions() async throws {
        try await store.deleteSessions(
            lastSeenBefore: deps.clock.now().addingTimeInterval(
                -max(settings.idleTimeout, settings.secondFactorTimeout)))
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
