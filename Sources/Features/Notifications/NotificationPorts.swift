import Domain
import Foundation

/// queued → sending → sent | failed | skipped; a deferred or retried message goes back to queued.
public enum MessageStatus: String, Sendable, Codable, CaseIterable {
    case queued, sending, sent, failed, skipped
}

/// A message to produce from an outbox event; its idempotency key (event, channel) is unique in storage.
public struct NewMessage: Sendable, Equatable {
    public let outboxID: Int64
    public let clientID: Int64
    public let channel: MessageChannel
    public let eventKind: OutboxEvent.Kind
    public let eventKey: String
    public let payload: [String: String]
    public let notBefore: Date
    public var idempotencyKey: String { "\(eventKey)|\(channel.rawValue)" }

    public init(
        outboxID: Int64, clientID: Int64, channel: MessageChannel, eventKind: OutboxEvent.Kind, eventKey: String,
        payload: [String: String], notBefore: Date
    ) {
        self.outboxID = outboxID
        self.clientID = clientID
        self.channel = channel
        self.eventKind = eventKind
        self.eventKey = eventKey
        self.payload = payload
        self.notBefore = notBefore
    }
}

/// A message claimed for delivery.
public struct ClaimedMessage: Sendable, Equatable {
    public let id: Int64
    public let clientID: Int64
    public let channel: MessageChannel
    public let eventKind: OutboxEvent.Kind
    public let payload: [String: String]
    /// Attempts made before this one.
    public let attempts: Int
    public let createdAt: Date

    public init(
        id: Int64, clientID: Int64, channel: MessageChannel, eventKind: OutboxEvent.Kind, payload: [String: String],
        attempts: Int, createdAt: Date
    ) {
        self.id = id
        self.clientID = clientID
        self.channel = channel
        self.eventKind = eventKind
        self.payload = payload
        self.attempts = attempts
        self.createdAt = createdAt
    }
}

/// What one delivery attempt ended in.
public enum DeliveryOutcome: Sendable, Equatable {
    case sent(recipient: String, subject: String?, encoding: SmsEncoding?, parts: Int, providerIDs: [String])
    /// Not sent now; tried again at `at` (quiet hours do not count as an attempt).
    case deferred(until: Date, reason: String, countsAsAttempt: Bool)
    case failed(reason: String)
    /// The rules forbid sending (no SMS consent, no mobile number): never retried.
    case skipped(reason: String)
}

/// A message as staff see it.
public struct StoredMessage: Sendable, Codable, Equatable {
    public let id: Int64
    public let clientID: Int64
    public let channel: MessageChannel
    public let eventKind: String
    public let status: MessageStatus
    public let attempts: Int
    public let recipient: String?
    public let subject: String?
    public let encoding: String?
    public let parts: Int?
    public let providerIDs: [String]
    public let lastError: String?
    public let deliveryReport: String?
    public let createdAt: Date
    public let sentAt: Date?
    public let nextAttemptAt: Date

    public init(
        id: Int64, clientID: Int64, channel: MessageChannel, eventKind: String, status: MessageStatus, attempts: Int,
        recipient: String?, subject: String?, encoding: String?, parts: Int?, providerIDs: [String], lastError: String?,
        deliveryReport: String?, createdAt: Date, sentAt: Date?, nextAttemptAt: Date
    ) {
        self.id = id
        self.clientID = clientID
        self.channel = channel
        self.eventKind = eventKind
        self.status = status
        self.attempts = attempts
        self.recipient = recipient
        self.subject = subject
        self.encoding = encoding
        self.parts = parts
        self.providerIDs = providerIDs
        self.lastError = lastError
        self.deliveryReport = deliveryReport
        self.createdAt = createdAt
        self.sentAt = sentAt
        self.nextAttemptAt = nextAttemptAt
    }
}

/// Transport failures, as the delivery service acts on them.
public enum DeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 4xx SMTP replies, SMPP throttling, network trouble: try again later.
    case temporary(String)
    /// 5xx SMTP replies, a rejected destination: do not retry.
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let m): "temporary: \(m)"
        case .permanent(let m): "permanent: \(m)"
        }
    }
}

public struct OutgoingEmail: Sendable, Equatable {
    public let messageID: String
    public let from: EmailAddress
    public let fromName: String
    public let replyTo: EmailAddress?
    public let to: EmailAddress
    public let subject: String
    public let text: String
    public let html: String
    public let date: Date
    public let language: Language
    public let attachments: [EmailAttachment]

    public init(
        messageID: String, from: EmailAddress, fromName: String, replyTo: EmailAddress?, to: EmailAddress,
        subject: String, text: String, html: String, date: Date, language: Language, attachments: [EmailAttachment] = []
    ) {
        self.attachments = attachments
        self.messageID = messageID
        self.from = from
        self.fromName = fromName
        self.replyTo = replyTo
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.language = language
    }
}

/// A file sent with an e-mail (the fiscal invoice PDF with the payment confirmation).
public struct EmailAttachment: Sendable, Equatable {
    public let filename: String
    public let contentType: String
    public let bytes: [UInt8]

    public init(filename: String, contentType: String, bytes: [UInt8]) {
        self.filename = filename
        self.contentType = contentType
        self.bytes = bytes
    }
}

/// Renders documents a message carries; implemented by the Documents module.
public protocol InvoiceDocuments: Sendable {
    func pdf(_ invoice: FiscalInvoice) -> [UInt8]
}

public protocol EmailTransport: Sendable {
    /// Sends one e-mail; throws `DeliveryError`. Returns the server's queue id when it gives one.
    func send(_ email: OutgoingEmail) async throws -> String?
}

public protocol SmsTransport: Sendable {
    /// Submits every part; returns the provider's message id of each part. Throws `DeliveryError`.
    func send(to: PhoneNumber, from sender: SmsSenderID, _ sms: EncodedSms) async throws -> [String]
}

/// The texts of each event, per language.
public protocol MessageTemplates: Sendable {
    func email(_ kind: NotificationEvent, _ context: MessageContext) throws -> (
        subject: String, text: String, html: String
    )
    func email(_ kind: AccountEmail, _ context: MessageContext) throws -> (
        subject: String, text: String, html: String
    )
    func sms(_ kind: OutboxEvent.Kind, _ context: MessageContext) throws -> String
}

/// What a template may show: the event's payload, the client's name and language, and links.
public struct MessageContext: Sendable {
    public let language: Language
    public let clientName: String
    public let payload: [String: String]
    public let clientAreaURL: String
    /// The invoice number the e-mail shows as a log-in link ("log in from mail").
    public var invoiceLink: InvoiceLink?

    public struct InvoiceLink: Sendable, Equatable {
        public let number: String
        public let url: String
        public init(number: String, url: String) {
            self.number = number
            self.url = url
        }
    }

    public init(
        language: Language, clientName: String, payload: [String: String], clientAreaURL: String,
        invoiceLink: InvoiceLink? = nil
    ) {
        self.language = language
        self.clientName = clientName
        self.payload = payload
        self.clientAreaURL = clientAreaURL
        self.invoiceLink = invoiceLink
    }
}

/// Which channels an event uses (the product's table): SMS only for renewal proformas and suspensions.
public struct NotificationSettings: Sendable {
    public let fromAddress: EmailAddress
    public let fromName: String
    public let replyTo: EmailAddress?
    public let smsSender: SmsSenderID
    public let transliterateRomanian: Bool
    public let sendingWindow: SmsSendingWindow
    /// The client-area addresses e-mails carry, from the configured public base URL.
    public let links: ClientAreaLinks
    /// First retry after this many seconds, doubling up to `maxRetryDelay`.
    public let retryBaseSeconds: Int
    public let maxRetryDelaySeconds: Int
    public let maxAttempts: Int
    /// How long a claimed message stays with its worker before another may take it (crash recovery).
    public let leaseSeconds: Int

    public init(
        fromAddress: EmailAddress, fromName: String = "Hostico", replyTo: EmailAddress? = nil, smsSender: SmsSenderID,
        transliterateRomanian: Bool = true,
        sendingWindow: SmsSendingWindow, publicBaseURL: String, retryBaseSeconds: Int = 30,
        maxRetryDelaySeconds: Int = 3600, maxAttempts: Int = 12, leaseSeconds: Int = 300
    ) {
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.replyTo = replyTo
        self.smsSender = smsSender
        self.transliterateRomanian = transliterateRomanian
        self.sendingWindow = sendingWindow
        self.links = ClientAreaLinks(baseURL: publicBaseURL)
        self.retryBaseSeconds = retryBaseSeconds
        self.maxRetryDelaySeconds = maxRetryDelaySeconds
        self.maxAttempts = maxAttempts
        self.leaseSeconds = leaseSeconds
    }

    public func retryDelay(afterAttempts attempts: Int) -> Int {
        exponentialBackoff(afterAttempts: attempts, baseSeconds: retryBaseSeconds, maxSeconds: maxRetryDelaySeconds)
    }
}

/// Storage of messages. Claims lock with `FOR UPDATE SKIP LOCKED` on PostgreSQL, so several workers share
/// the queue; SQLite's single writer serialises them.
public protocol MessageStore: Sendable {
    /// Turns up to `limit` undispatched outbox events into messages (idempotent per event and channel).
    func dispatchOutbox(limit: Int, at: Date, plan: @Sendable (StoredOutboxEvent) -> [NewMessage]) async throws -> Int
    /// Claims due messages: queued with `next_attempt_at <= now`, or `sending` whose lease ran out.
    func claimMessages(now: Date, leaseUntil: Date, limit: Int) async throws -> [ClaimedMessage]
    func record(_ outcomes: [(id: Int64, outcome: DeliveryOutcome)], at: Date) async throws
    /// Records SMS delivery reports by the provider's message id, in one transaction. A report is kept even when
    /// no message has that id yet (it can beat the sender's record of the id) and applied when the id is
    /// recorded. Returns how many matched a message.
    func recordDeliveryReports(_ reports: [DeliveryReport], at: Date) async throws -> Int
    /// Newest first; `nil` filters are not applied.
    func messages(clientID: Int64?, status: MessageStatus?, limit: Int) async throws -> [StoredMessage]
}

/// A delivery report from the SMS provider: its message id and the state it reached (DELIVRD, UNDELIV…).
public struct DeliveryReport: Sendable, Equatable {
    public let providerID: String
    public let status: String
    /// States a message does not leave (SMPP 3.4 message states; Kannel's DLR types 1, 2 and 16 map to three of them).
    public static let finalStates: Set<String> = ["DELIVRD", "UNDELIV", "REJECTD", "EXPIRED", "DELETED"]

    public init(providerID: String, status: String) {
        self.providerID = providerID
        self.status = status
    }
}

extension MessageStore {
    public func recordDeliveryReport(providerID: String, status: String, at: Date) async throws -> Bool {
        try await recordDeliveryReports([DeliveryReport(providerID: providerID, status: status)], at: at) == 1
    }

    public func messages(clientID: Int64?, limit: Int) async throws -> [StoredMessage] {
        try await messages(clientID: clientID, status: nil, limit: limit)
    }
}
