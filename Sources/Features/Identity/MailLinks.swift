import Domain
import Foundation

/// A log-in link carried by one e-mail: only the SHA-256 of its token is stored.
public struct MailLink: Sendable, Equatable {
    public let id: Int64
    public let clientID: Int64
    public let invoice: InvoiceRef
    /// The message (e-mail) that carried it.
    public let messageID: Int64?
    public let issuedAt: Date
    public let expiresAt: Date
    public let revokedAt: Date?
    public let revokedBecause: String?
    public let uses: Int
    public let lastUsedAt: Date?

    public init(
        id: Int64, clientID: Int64, invoice: InvoiceRef, messageID: Int64?, issuedAt: Date, expiresAt: Date,
        revokedAt: Date?, revokedBecause: String?, uses: Int, lastUsedAt: Date?
    ) {
        self.id = id
        self.clientID = clientID
        self.invoice = invoice
        self.messageID = messageID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.revokedBecause = revokedBecause
        self.uses = uses
        self.lastUsedAt = lastUsedAt
    }

    public enum State: String, Sendable {
        case valid, expired, revoked
    }

    /// Valid up to and including `expiresAt`; a revocation wins over everything.
    public func state(at now: Date) -> State {
        if revokedAt != nil { return .revoked }
        return now > expiresAt ? .expired : .valid
    }
}

/// Why a client's mail links stop working before they expire.
public enum MailLinkRevocation: String, Sendable {
    case passwordChanged = "password-changed"
    case passwordReset = "password-reset"
    case emailChanged = "email-changed"
    case secondFactorEnabled = "2fa-enabled"
    case staff
}

/// Storage of mail links (part of the identity store's database).
public protocol MailLinkStore: Sendable {
    func insertMailLink(
        tokenHash: String, clientID: Int64, invoice: InvoiceRef, messageID: Int64?, issuedAt: Date, expiresAt: Date
    ) async throws -> Int64
    func mailLink(tokenHash: String) async throws -> MailLink?
    func recordMailLinkUse(id: Int64, at: Date) async throws
    /// Revokes the client's links that are not yet revoked (only `linkID` when given); returns how many.
    func revokeMailLinks(clientID: Int64, linkID: Int64?, because: MailLinkRevocation, at: Date) async throws -> Int
    /// Newest first.
    func mailLinks(clientID: Int64, limit: Int) async throws -> [MailLink]
}

/// Where a click on a mail link leads.
public enum MailLinkOutcome: Sendable {
    /// Logged in (the session is marked as opened from mail); show the invoice.
    case session(token: String, session: WebSession)
    /// The login page with the invoice as destination: no 2FA bypass, and the same answer for an expired, revoked,
    /// unknown or tampered token, so the response does not tell whether the token existed.
    case login
    /// Too many link attempts from this address.
    case rateLimited
    /// The link works, but the browser is logged in as another client: nothing is replaced until the person
    /// confirms (a link opened by accident must not end someone else's session).
    case confirmSwitch
    /// The browser is already fully logged in as the link's client: that session stays (a mail session would narrow
    /// it); show the invoice.
    case keepCurrent
}

/// "Log in from mail": the invoice number in an invoice e-mail opens that invoice, logged in, for a week.
///
/// The token is 256 bits from the CSPRNG, bound to the client, the invoice and the e-mail that carried it; only its
/// SHA-256 is stored. It may be used many times until it expires, and is revoked when the client changes or resets
/// the password, turns 2FA on, or staff revoke it. A client with 2FA (checked at click time) never gets a session
/// from a link: the link leads to the normal login, then back to the invoice.
public struct MailLinks: Sendable {
    let identity: Identity
    var store: any MailLinkStore { identity.store }

    public init(_ identity: Identity) { self.identity = identity }

    static func ipKey(_ ip: String) -> String { "mail-link:" + Identity.ipKey(ip) }

    /// Issues a link for one e-mail, valid `mailLinkValidity` from now (when the e-mail is produced). Returns the full
    /// URL, built from the configured public base URL, never from a request.
    public func issue(clientID: Int64, invoice: InvoiceRef, messageID: Int64?, links: ClientAreaLinks) async throws
        -> String
    {
        let token = identity.newToken()
        let now = identity.deps.clock.now()
        _ = try await store.insertMailLink(
            tokenHash: identity.deps.digest.sha256Hex(token), clientID: clientID, invoice: invoice,
            messageID: messageID,
            issuedAt: now, expiresAt: now.addingTimeInterval(identity.settings.mailLinkValidity))
        return links.mailLink(invoice, token: token)
    }

    /// `current`: the client-area session the browser already has, if any. The link's client fully logged in keeps
    /// it (`keepCurrent`); another client's session is kept until the person confirms (`confirmSwitch`, then open
    /// again with `confirmed`), and is ended when the new session opens, as is a narrower session of the same client.
    public func open(
        token: String, invoice: InvoiceRef, ip: String, current: WebSession? = nil, confirmed: Bool = false
    ) async throws -> MailLinkOutcome {
        let current = current?.realm == .client ? current : nil
        // Every click counts, reserved atomically (as password resets are): parallel clicks cannot slip under the limit.
        guard try await identity.reserve([(Self.ipKey(ip), identity.settings.mailLinkIPLimit)]) != nil else {
            return .rateLimited
        }
        let now = identity.deps.clock.now()
        guard token.count == 43, let link = try await store.mailLink(tokenHash: identity.deps.digest.sha256Hex(token))
        else {
            identity.deps.logger.notice(
                "mail link refused: no such token", metadata: ["ip": "\(ip)", "invoice": "\(invoice)"])
            return .login
        }
        var refusal: String?
        switch link.state(at: now) {
        case .expired: refusal = "expired"
        case .revoked: refusal = "revoked"
        case .valid: if link.invoice != invoice { refusal = "another-invoice" }
        }
        if let refusal {
            try await audit(link, "mail_link.refused", ["ip": ip, "outcome": "login page", "why": refusal])
            return .login
        }
        guard let credentials = try await identity.store.credentials(realm: .client, id: link.clientID) else {
            return .login
        }
        if credentials.hasSecondFactor {
            try await store.recordMailLinkUse(id: link.id, at: now)
            try await audit(link, "mail_link.used", ["ip": ip, "outcome": "login page (2FA)"])
            return .login
        }
        if let current {
            if current.subjectID == link.clientID, current.stage == .full, !current.fromMail {
                try await store.recordMailLinkUse(id: link.id, at: now)
                try await audit(link, "mail_link.used", ["ip": ip, "outcome": "already logged in"])
                return .keepCurrent
            }
            if current.subjectID != link.clientID, !confirmed {
                try await audit(
                    link, "mail_link.held",
                    ["ip": ip, "outcome": "asked to confirm: the browser is logged in as another client"])
                return .confirmSwitch
            }
        }
        let opened = try await identity.openSession(
            realm: .client, subjectID: link.clientID, stage: .full, fromMail: true)
        if let current { try await identity.logOut(current) }
        try await store.recordMailLinkUse(id: link.id, at: now)
        try await audit(link, "mail_link.used", ["ip": ip, "outcome": "session"])
        return .session(token: opened.token, session: opened.session)
    }

    /// Staff revoke one link or all of a client's links.
    public func revoke(clientID: Int64, linkID: Int64? = nil, note: String? = nil, by actor: Actor) async throws -> Int
    {
        let now = identity.deps.clock.now()
        let n = try await store.revokeMailLinks(clientID: clientID, linkID: linkID, because: .staff, at: now)
        try await identity.deps.store.write { tx in
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "mail_links.revoked", entity: "client", entityID: clientID, before: nil,
                    after: auditJSON(
                        ["links": String(n), "link": linkID.map(String.init) ?? "all"].merging(
                            note.map { ["note": $0] } ?? [:]
                        ) { a, _ in a }), at: now))
        }
        return n
    }

    private func audit(_ link: MailLink, _ action: String, _ details: [String: String]) async throws {
        var d = details
        d["invoice"] = link.invoice.description
        d["link"] = String(link.id)
        if let m = link.messageID { d["message"] = String(m) }
        try await identity.audit(.client, link.clientID, action, d, entity: ("mail_link", link.id))
    }
}
