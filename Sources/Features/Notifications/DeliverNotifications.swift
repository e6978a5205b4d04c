import Domain
import Foundation

/// The outbox delivery service: outbox events become messages (e-mail always, SMS only where the rules allow),
/// due messages are claimed, sent, and their outcome recorded.
///
/// At-least-once with a narrow window: a message is claimed (status `sending`, with a lease) in one
/// transaction, sent, then recorded in another. A process killed after the transport accepted a message and
/// before the outcome was recorded leaves it `sending`; once the lease runs out another worker sends it again.
/// Only messages in flight at the crash can be sent twice; the e-mail keeps its Message-ID, so mail systems
/// can drop the copy.
public struct DeliverNotifications: Sendable {
    let deps: AppDependencies
    let messages: any MessageStore
    let email: any EmailTransport
    let sms: any SmsTransport
    let templates: any MessageTemplates
    let settings: NotificationSettings
    let documents: (any InvoiceDocuments)?
    /// Messages sent at once (SMTP connections / SMPP window share this).
    let concurrency: Int
    /// Issues the log-in links of invoice e-mails; without it the number is plain text.
    let links: MailLinks?

    public init(
        deps: AppDependencies, messages: any MessageStore, email: any EmailTransport, sms: any SmsTransport,
        templates: any MessageTemplates, settings: NotificationSettings, documents: (any InvoiceDocuments)? = nil,
        links: MailLinks? = nil, concurrency: Int = 16
    ) {
        self.documents = documents
        self.links = links
        self.deps = deps
        self.messages = messages
        self.email = email
        self.sms = sms
        self.templates = templates
        self.settings = settings
        self.concurrency = max(1, concurrency)
    }

    public struct Report: Sendable, Equatable, CustomStringConvertible {
        public var dispatched = 0, sent = 0, deferred = 0, failed = 0, skipped = 0
        public var claimed: Int { sent + deferred + failed + skipped }
        public init() {}
        public var description: String {
            "\(dispatched) events dispatched; \(sent) sent, \(deferred) deferred, \(failed) failed, \(skipped) skipped"
        }
    }

    /// One pass: dispatch new events, then deliver what is due, until nothing is left or `batch` is exhausted.
    public func runOnce(batch: Int = 500) async throws -> Report {
        var report = Report()
        while true {
            let now = deps.clock.now()
            let n = try await messages.dispatchOutbox(limit: batch, at: now) { event in self.plan(event, at: now) }
            report.dispatched += n
            if n < batch { break }
        }
        while true {
            let now = deps.clock.now()
            let claimed = try await messages.claimMessages(
                now: now, leaseUntil: now.addingTimeInterval(Double(settings.leaseSeconds)), limit: batch)
            if claimed.isEmpty { break }
            let outcomes = await deliver(claimed)
            try await messages.record(outcomes, at: deps.clock.now())
            for (_, o) in outcomes {
                switch o {
                case .sent: report.sent += 1
                case .deferred: report.deferred += 1
                case .failed: report.failed += 1
                case .skipped: report.skipped += 1
                }
            }
            if claimed.count < batch { break }
        }
        return report
    }

    func plan(_ event: StoredOutboxEvent, at now: Date) -> [NewMessage] {
        guard let kind = OutboxEvent.Kind(rawValue: event.kind) else { return [] }
        return NotificationRules.channels(for: kind, payload: event.payload).map { channel in
            NewMessage(
                outboxID: event.id, clientID: event.clientID, channel: channel, eventKind: kind, eventKey: event.key,
                payload: event.payload, notBefore: now)
        }
    }

    private func deliver(_ claimed: [ClaimedMessage]) async -> [(id: Int64, outcome: DeliveryOutcome)] {
        await withTaskGroup(of: (Int64, DeliveryOutcome).self) { group in
            var results: [(id: Int64, outcome: DeliveryOutcome)] = []
            var iterator = claimed.makeIterator()
            for _ in 0..<concurrency {
                guard let m = iterator.next() else { break }
                group.addTask { (m.id, await self.deliver(m)) }
            }
            while let r = await group.next() {
                results.append(r)
                if let m = iterator.next() { group.addTask { (m.id, await self.deliver(m)) } }
            }
            return results
        }
    }

    /// The payment confirmation carries the fiscal invoice it announces, as a PDF.
    private func attachments(_ m: ClaimedMessage) async throws -> [EmailAttachment] {
        guard m.eventKind == .paymentConfirmed, let documents,
            let id = m.payload["fiscalInvoiceID"].flatMap(Int64.init),
            let invoice = try await deps.store.read({ r in try await r.fiscalInvoice(id: id) })
        else { return [] }
        return [
            EmailAttachment(
                filename: invoice.displayNumber + ".pdf", contentType: "application/pdf", bytes: documents.pdf(invoice))
        ]
    }

    func deliver(_ m: ClaimedMessage) async -> DeliveryOutcome {
        let now = deps.clock.now()
        do {
            guard
                let (client, name) = try await deps.store.read({ r -> (Client, String)? in
                    guard let c = try await r.client(id: m.clientID) else { return nil }
                    return (c, try await r.defaultProfile(clientID: c.id)?.party.name ?? c.email.value)
                })
            else { return .skipped(reason: "client no longer exists") }
            var context = MessageContext(
                language: client.language, clientName: name, payload: m.payload, clientAreaURL: settings.links.home)
            switch m.channel {
            case .email:
                if let links, let invoice = NotificationRules.linkedInvoice(for: m.eventKind, payload: m.payload),
                    let number = m.payload["number"]
                {
                    // Issued now, as the e-mail is produced: the week of validity counts from here. A retry issues a new link.
                    let url: String
                    do {
                        url = try await links.issue(
                            clientID: client.id, invoice: invoice, messageID: m.id, links: settings.links)
                    } catch { throw DeliveryError.temporary("could not issue the invoice link: \(error)") }
                    context.invoiceLink = .init(number: number, url: url)
                }
                let (subject, text, html) = try templates.email(m.eventKind, context)
                let mail = OutgoingEmail(
                    messageID: "<hostico-\(m.id)@\(settings.fromAddress.domain)>", from: settings.fromAddress,
                    fromName: settings.fromName,
                    replyTo: settings.replyTo, to: client.email, subject: subject, text: text, html: html, date: now,
                    language: client.language,
                    attachments: try await attachments(m))
                let queueID = try await email.send(mail)
                return .sent(
                    recipient: client.email.value, subject: subject, encoding: nil, parts: 1,
                    providerIDs: queueID.map { [$0] } ?? [])
            case .sms:
                // Consent and number are read now, not when the event happened: a withdrawal stops waiting messages.
                guard client.sms.optedIn else { return .skipped(reason: "the client has not opted in to SMS") }
                guard let phone = client.phone, phone.isMobile else { return .skipped(reason: "no mobile number") }
                let zone = client.timeZone?.timeZone ?? settings.sendingWindow.timeZone
                let window = SmsSendingWindow(
                    startHour: settings.sendingWindow.startHour, endHour: settings.sendingWindow.endHour, timeZone: zone
                ).nextDeliveryTime(from: now)
                if window > now { return .deferred(until: window, reason: "quiet hours", countsAsAttempt: false) }
                let text = try templates.sms(m.eventKind, context)
                let encoded = SmsEncoder.encode(
                    text, transliterate: settings.transliterateRomanian, reference: UInt8(truncatingIfNeeded: m.id))
                let ids = try await sms.send(to: phone, from: settings.smsSender, encoded)
                return .sent(
                    recipient: phone.e164, subject: nil, encoding: encoded.encoding, parts: encoded.parts.count,
                    providerIDs: ids)
            }
        } catch let error as DeliveryError {
            switch error {
            case .permanent(let reason):
                return .failed(reason: reason)
            case .temporary(let reason):
                let attempts = m.attempts + 1
                if attempts >= settings.maxAttempts {
                    return .failed(reason: "gave up after \(attempts) attempts: \(reason)")
                }
                return .deferred(
                    until: now.addingTimeInterval(Double(settings.retryDelay(afterAttempts: attempts))), reason: reason,
                    countsAsAttempt: true)
            }
        } catch {
            // A template or data error will not fix itself by waiting.
            deps.logger.error(
                "message could not be produced", metadata: ["message_id": "\(m.id)", "error": "\(error)"])
            return .failed(reason: String(describing: error))
        }
    }
}
