import Domain
import Foundation

/// OAuth 2.0 tokens as ANAF's token endpoint hands them out.
public struct ANAFTokens: Sendable, Equatable {
    public let accessToken: String
    public let refreshToken: String
    /// Seconds the access token lives (ANAF: about 90 days).
    public let expiresIn: Int

    public init(accessToken: String, refreshToken: String, expiresIn: Int) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresIn = expiresIn
    }
}

public enum EFacturaGatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Try again later: the network, HTTP 5xx or 429, a malformed answer.
    case temporary(String)
    /// ANAF refused the document as sent (the upload's ExecutionStatus 1): sending the same bytes fails again.
    case refused(String)
    /// ANAF refused the access token (expired or revoked), or the token endpoint refused the grant.
    case unauthorized(String)

    public var description: String {
        switch self {
        case .temporary(let m): "temporary: \(m)"
        case .refused(let m): "refused: \(m)"
        case .unauthorized(let m): "unauthorized: \(m)"
        }
    }
}

/// `stareMesaj`: where an upload stands.
public enum EFacturaProcessing: Sendable, Equatable {
    /// "in prelucrare".
    case processing
    /// "ok": validated, signed, delivered to the buyer's SPV.
    case accepted(downloadID: String)
    /// "nok" (with the error file to download) or "XML cu erori nepreluat de sistem" (nothing to download).
    case rejected(downloadID: String?, reason: String)
}

/// What `descarcare` returns: a ZIP with the signed invoice and ANAF's signature, or ANAF's error file.
public struct EFacturaResponseFile: Sendable, Equatable {
    public let zip: [UInt8]
    /// ANAF's messages from the error file; empty for an accepted invoice.
    public let errors: [String]
    /// The ZIP holds ANAF's signature file (`semnatura_*.xml`): the legal original of the invoice.
    public let signed: Bool

    public init(zip: [UInt8], errors: [String], signed: Bool) {
        self.zip = zip
        self.errors = errors
        self.signed = signed
    }
}

/// ANAF's e-Factura web service (SPV): OAuth 2.0 with a qualified certificate once in a browser, then upload,
/// status and download with the bearer token.
public protocol EFacturaGateway: Sendable {
    /// Where staff authorise the application with the company's certificate.
    func authorizationURL(state: String) -> String
    func exchange(code: String) async throws -> ANAFTokens
    func refresh(refreshToken: String) async throws -> ANAFTokens
    /// `upload?standard=UBL&cif=…`; returns `index_incarcare`.
    func upload(xml: [UInt8], sellerCUI: String, accessToken: String) async throws -> String
    func processing(uploadIndex: String, accessToken: String) async throws -> EFacturaProcessing
    func download(id: String, accessToken: String) async throws -> EFacturaResponseFile
}

/// The ANAF tokens as stored: sealed with the application key, with a version for compare-and-swap, since any
/// `serve` or `worker` process may refresh them.
public struct StoredANAFCredentials: Sendable, Equatable {
    public let version: Int64
    public let sealedAccessToken: String
    public let sealedRefreshToken: String
    public let accessExpiresAt: Date
    public let connectedBy: Actor
    public let connectedAt: Date
    public let refreshedAt: Date?
    /// ANAF refused the refresh token (revoked, or past its life): nothing is sent until staff connect again.
    public let refused: Refusal?

    public struct Refusal: Sendable, Equatable {
        public let at: Date
        public let reason: String
        public init(at: Date, reason: String) {
            self.at = at
            self.reason = reason
        }
    }

    public init(
        version: Int64, sealedAccessToken: String, sealedRefreshToken: String, accessExpiresAt: Date,
        connectedBy: Actor, connectedAt: Date, refreshedAt: Date?,
        refused: Refusal? = nil
    ) {
        self.version = version
        self.sealedAccessToken = sealedAccessToken
        self.sealedRefreshToken = sealedRefreshToken
        self.accessExpiresAt = accessExpiresAt
        self.connectedBy = connectedBy
        self.connectedAt = connectedAt
        self.refreshedAt = refreshedAt
        self.refused = refused
    }
}

/// A fiscal invoice the worker has claimed: to upload, or uploaded and waiting for ANAF's verdict.
public struct EFacturaJob: Sendable, Equatable {
    public let fiscalInvoiceID: Int64
    public let state: EFacturaState
    public let uploadIndex: String?
    public let attempts: Int

    public init(fiscalInvoiceID: Int64, state: EFacturaState, uploadIndex: String?, attempts: Int) {
        self.fiscalInvoiceID = fiscalInvoiceID
        self.state = state
        self.uploadIndex = uploadIndex
        self.attempts = attempts
    }
}

/// The named transitions of an e-Factura submission.
public enum EFacturaOutcome: Sendable, Equatable {
    /// to_upload → uploaded, first asked about at `checkAt`.
    case uploaded(index: String, checkAt: Date)
    /// Same state, asked again at `next` (ANAF still processing, or a temporary failure with its reason).
    case later(next: Date, reason: String?)
    /// uploaded → accepted, with ANAF's signed ZIP.
    case accepted(downloadID: String, zip: [UInt8])
    /// → rejected with ANAF's errors (and its error file when there is one).
    case rejected(errors: String, downloadID: String?, zip: [UInt8]?)
}

public protocol EFacturaQueue: Sendable {
    /// Claims due submissions (to upload, or uploaded and due for a status check) with a lease;
    /// `FOR UPDATE SKIP LOCKED` on PostgreSQL.
    func claim(now: Date, leaseUntil: Date, limit: Int) async throws -> [EFacturaJob]
    /// Gives claimed submissions back untouched (a pass that stopped before reaching them): due again at once.
    func release(fiscalInvoiceIDs: [Int64]) async throws
    /// Records a transition and its audit entry in one transaction.
    func record(_ outcome: EFacturaOutcome, fiscalInvoiceID: Int64, at: Date, audit: AuditEntry?) async throws
    /// Staff: a rejected invoice goes back to the upload queue (after its cause, e.g. the seller's data, is fixed).
    func requeue(fiscalInvoiceID: Int64, at: Date, audit: AuditEntry) async throws -> Bool
    /// ANAF's ZIP for an invoice (signed original or error file).
    func responseFile(fiscalInvoiceID: Int64) async throws -> [UInt8]?

    func credentials() async throws -> StoredANAFCredentials?
    /// Stores tokens unless another process replaced version `expected` first (nil: none stored yet, or a new
    /// connection that replaces whatever is there, and makes every waiting submission due); true when stored.
    func save(credentials: StoredANAFCredentials, replacing expected: Int64?, audit: AuditEntry?) async throws -> Bool
    /// ANAF refused version `version`'s refresh token: keep the reason for staff, stop using the tokens.
    func refuse(credentialsVersion version: Int64, reason: String, at: Date) async throws
    /// The OAuth `state` sent to ANAF, stored hashed until the browser comes back (10 minutes).
    func saveAuthorization(stateHash: String, staffID: Int64, expiresAt: Date) async throws
    /// Takes a stored state once; the staff member who started the flow.
    func takeAuthorization(stateHash: String, now: Date) async throws -> Int64?
}

public struct EFacturaSettings: Sendable {
    /// First status check after an upload (ANAF usually answers within minutes).
    public let firstCheckSeconds: Int
    public let retryBaseSeconds: Int
    public let maxRetryDelaySeconds: Int
    public let leaseSeconds: Int
    /// Refresh the access token this long before it expires.
    public let refreshMarginSeconds: Int

    public init(
        firstCheckSeconds: Int = 60, retryBaseSeconds: Int = 60, maxRetryDelaySeconds: Int = 3600,
        leaseSeconds: Int = 600, refreshMarginSeconds: Int = 86400
    ) {
        self.firstCheckSeconds = firstCheckSeconds
        self.retryBaseSeconds = retryBaseSeconds
        self.maxRetryDelaySeconds = maxRetryDelaySeconds
        self.leaseSeconds = leaseSeconds
        self.refreshMarginSeconds = refreshMarginSeconds
    }
}

/// Sends fiscal invoices to ANAF's e-Factura and follows each to its verdict: claims due submissions, uploads
/// the UBL XML, asks `stareMesaj` with back-off, downloads ANAF's ZIP (the signed original, or the error file)
/// and records accepted or rejected. Temporary failures never give up: the legal deadline stays visible to staff.
///
/// Resend window: a process killed after ANAF accepted an upload and before the index was recorded uploads the
/// invoice again when its lease runs out; ANAF then holds two uploads of one invoice (staff see both in SPV).
public struct SubmitEFactura: Sendable {
    let deps: AppDependencies
    let queue: any EFacturaQueue
    let gateway: any EFacturaGateway
    let box: any SecretBox
    let xml: @Sendable (FiscalInvoice) -> [UInt8]
    let settings: EFacturaSettings

    public init(
        deps: AppDependencies, queue: any EFacturaQueue, gateway: any EFacturaGateway, box: any SecretBox,
        xml: @escaping @Sendable (FiscalInvoice) -> [UInt8], settings: EFacturaSettings = EFacturaSettings()
    ) {
        self.deps = deps
        self.queue = queue
        self.gateway = gateway
        self.box = box
        self.xml = xml
        self.settings = settings
    }

    public struct Report: Sendable, Equatable, CustomStringConvertible {
        public var uploaded = 0, accepted = 0, rejected = 0, waiting = 0, failed = 0
        public var connected = true
        public init() {}
        public var description: String {
            connected
                ? "\(uploaded) uploaded, \(accepted) accepted, \(rejected) rejected, \(waiting) waiting for ANAF, \(failed) to retry"
                : "not connected to ANAF, or ANAF refused the tokens (staff: e-Factura → Connect)"
        }
    }

    public enum ConnectError: Error, Equatable {
        /// The state is unknown, used or expired: the browser did not come from our own authorisation request.
        case unknownState
    }

    // MARK: Connecting (staff, once, in a browser with the company's certificate)

    /// `https://logincert.anaf.ro`: where the staff member's browser is sent to authorise.
    public var authorizationOrigin: String? { WebForm.origin(of: gateway.authorizationURL(state: "")) }

    /// The ANAF address to send the staff member's browser to; the state ties the answer to this staff member.
    public func startAuthorization(staffID: Int64) async throws -> String {
        let state = deps.random.hex(32)
        try await queue.saveAuthorization(
            stateHash: deps.digest.sha256Hex(state), staffID: staffID,
            expiresAt: deps.clock.now().addingTimeInterval(600))
        return gateway.authorizationURL(state: state)
    }

    /// ANAF sent the browser back with a code: exchange it and store the tokens (replacing any earlier ones).
    public func finishAuthorization(code: String, state: String, staffID: Int64) async throws {
        guard
            let starter = try await queue.takeAuthorization(
                stateHash: deps.digest.sha256Hex(state), now: deps.clock.now()), starter == staffID
        else {
            throw ConnectError.unknownState
        }
        let tokens = try await gateway.exchange(code: code)
        let now = deps.clock.now()
        let stored = try seal(tokens, version: 0, by: .staff(staffID), connectedAt: now, refreshedAt: nil, now: now)
        _ = try await queue.save(
            credentials: stored, replacing: nil,
            audit: AuditEntry(
                actor: .staff(staffID), action: "efactura.connected", entity: "efactura", entityID: 0, before: nil,
                after: auditJSON(["accessExpiresAt": stored.accessExpiresAt.ISO8601Format()]), at: now))
    }

    // MARK: The worker's pass

    /// Runs rounds until nothing is due.
    public func runOnce(batch: Int = 20) async throws -> Report {
        var report = Report()
        guard var token = try await accessToken(forceRefresh: false) else {
            report.connected = false
            return report
        }
        while true {
            let now = deps.clock.now()
            let jobs = try await queue.claim(
                now: now, leaseUntil: now.addingTimeInterval(Double(settings.leaseSeconds)), limit: batch)
            if jobs.isEmpty { return report }
            for (position, job) in jobs.enumerated() {
                var outcome = await step(job, token: token)
                if case .failure(.unauthorized) = outcome {
                    guard let fresh = try await accessToken(forceRefresh: true) else {
                        // The tokens are dead: stop here, and give the jobs not reached back so that a reconnection
                        // does not leave them waiting for their lease.
                        try await record(job, outcome, into: &report)
                        try await queue.release(fiscalInvoiceIDs: jobs.dropFirst(position + 1).map(\.fiscalInvoiceID))
                        report.connected = false
                        return report
                    }
                    token = fresh
                    outcome = await step(job, token: token)
                }
                try await record(job, outcome, into: &report)
            }
        }
    }

    /// What ANAF said about one job, or why it could not be asked.
    private func step(_ job: EFacturaJob, token: String) async -> Result<EFacturaOutcome, EFacturaGatewayError> {
        do {
            let now = deps.clock.now()
            if job.state == .toUpload {
                guard
                    let invoice = try await deps.store.read({ r in try await r.fiscalInvoice(id: job.fiscalInvoiceID) })
                else {
                    return .failure(.refused("the fiscal invoice is missing"))
                }
                let index = try await gateway.upload(
                    xml: xml(invoice), sellerCUI: Self.digits(invoice.seller.cui), accessToken: token)
                return .success(
                    .uploaded(index: index, checkAt: now.addingTimeInterval(Double(settings.firstCheckSeconds))))
            }
            guard let index = job.uploadIndex else { return .failure(.refused("uploaded without an upload index")) }
            switch try await gateway.processing(uploadIndex: index, accessToken: token) {
            case .processing:
                return .success(.later(next: now.addingTimeInterval(Double(delay(job.attempts + 1))), reason: nil))
            case .accepted(let id):
                let file = try await gateway.download(id: id, accessToken: token)
                // The signed ZIP is the legal original to keep; without ANAF's signature it is not that yet.
                guard file.signed else { return .failure(.temporary("ANAF's file \(id) has no signature")) }
                return .success(.accepted(downloadID: id, zip: file.zip))
            case .rejected(let id?, let reason):
                let file = try await gateway.download(id: id, accessToken: token)
                return .success(
                    .rejected(
                        errors: file.errors.isEmpty ? reason : file.errors.joined(separator: "\n"), downloadID: id,
                        zip: file.zip))
            case .rejected(nil, let reason):
                return .success(.rejected(errors: reason, downloadID: nil, zip: nil))
            }
        } catch let e as EFacturaGatewayError {
            return .failure(e)
        } catch {
            return .failure(.temporary("\(type(of: error))"))
        }
    }

    private func record(
        _ job: EFacturaJob, _ result: Result<EFacturaOutcome, EFacturaGatewayError>, into report: inout Report
    ) async throws {
        let now = deps.clock.now()
        let outcome: EFacturaOutcome
        switch result {
        case .success(let o): outcome = o
        case .failure(.refused(let message)): outcome = .rejected(errors: message, downloadID: nil, zip: nil)
        case .failure(let e):
            deps.logger.warning(
                "e-Factura: try again later", metadata: ["fiscal_invoice": "\(job.fiscalInvoiceID)", "reason": "\(e)"])
            outcome = .later(next: now.addingTimeInterval(Double(delay(job.attempts + 1))), reason: "\(e)")
        }
        var audit: AuditEntry?
        switch outcome {
        case .uploaded(let index, _):
            report.uploaded += 1
            audit = entry("efactura.uploaded", job, ["uploadIndex": index], now)
        case .accepted(let id, _):
            report.accepted += 1
            audit = entry("efactura.accepted", job, ["uploadIndex": job.uploadIndex ?? "", "downloadID": id], now)
        case .rejected(let errors, _, _):
            report.rejected += 1
            deps.logger.error(
                "e-Factura: ANAF rejected an invoice", metadata: ["fiscal_invoice": "\(job.fiscalInvoiceID)"])
            audit = entry("efactura.rejected", job, ["uploadIndex": job.uploadIndex ?? "", "errors": errors], now)
        case .later(_, let reason):
            if reason == nil { report.waiting += 1 } else { report.failed += 1 }
        }
        try await queue.record(outcome, fiscalInvoiceID: job.fiscalInvoiceID, at: now, audit: audit)
    }

    /// Staff: send a rejected invoice again.
    public func uploadAgain(fiscalInvoiceID: Int64, by staffID: Int64) async throws -> Bool {
        let now = deps.clock.now()
        return try await queue.requeue(
            fiscalInvoiceID: fiscalInvoiceID, at: now,
            audit: AuditEntry(
                actor: .staff(staffID), action: "efactura.requeued", entity: "fiscal_invoice",
                entityID: fiscalInvoiceID, before: "rejected", after: "to_upload", at: now))
    }

    // MARK: Tokens

    /// The current access token, refreshed when it is close to expiry (or when ANAF refused it). Any process may
    /// refresh: the new tokens are stored only if nobody stored others meanwhile, else theirs are used.
    func accessToken(forceRefresh: Bool) async throws -> String? {
        for _ in 0..<3 {
            guard let stored = try await queue.credentials(), stored.refused == nil else { return nil }
            let now = deps.clock.now()
            if !forceRefresh, stored.accessExpiresAt.timeIntervalSince(now) > Double(settings.refreshMarginSeconds) {
                return String(decoding: try box.open(stored.sealedAccessToken), as: UTF8.self)
            }
            let refreshToken = String(decoding: try box.open(stored.sealedRefreshToken), as: UTF8.self)
            let tokens: ANAFTokens
            do {
                tokens = try await gateway.refresh(refreshToken: refreshToken)
            } catch EFacturaGatewayError.unauthorized(let why) {
                // Another process may have used this refresh token a moment ago: look again before giving up.
                if let again = try await queue.credentials(), again.version != stored.version { continue }
                deps.logger.error(
                    "e-Factura: ANAF refused the refresh token; staff must connect again",
                    metadata: ["reason": "\(why)"])
                try await queue.refuse(credentialsVersion: stored.version, reason: why, at: now)
                return nil
            }
            let renewed = try seal(
                tokens, version: stored.version + 1, by: stored.connectedBy, connectedAt: stored.connectedAt,
                refreshedAt: now, now: now)
            if try await queue.save(credentials: renewed, replacing: stored.version, audit: nil) {
                return tokens.accessToken
            }
        }
        return nil
    }

    private func seal(_ t: ANAFTokens, version: Int64, by: Actor, connectedAt: Date, refreshedAt: Date?, now: Date)
        throws -> StoredANAFCredentials
    {
        StoredANAFCredentials(
            version: version, sealedAccessToken: try box.seal(Array(t.accessToken.utf8)),
            sealedRefreshToken: try box.seal(Array(t.refreshToken.utf8)),
            accessExpiresAt: now.addingTimeInterval(Double(t.expiresIn)), connectedBy: by, connectedAt: connectedAt,
            refreshedAt: refreshedAt)
    }

    private func delay(_ attempts: Int) -> Int {
        exponentialBackoff(
            afterAttempts: attempts, baseSeconds: settings.retryBaseSeconds, maxSeconds: settings.maxRetryDelaySeconds)
    }

    private func entry(_ action: String, _ job: EFacturaJob, _ after: [String: String], _ at: Date) -> AuditEntry {
        AuditEntry(
            actor: .system, action: action, entity: "fiscal_invoice", entityID: job.fiscalInvoiceID,
            before: job.state.rawValue, after: auditJSON(after), at: at)
    }

    /// ANAF wants the seller's CUI as digits (`cif=18547290`, without "RO").
    static func digits(_ cui: String) -> String { cui.filter(\.isNumber) }
}
