import Documents
import Domain
import Features
import Foundation
import Messaging
import Storage
import TestSupport
import Testing

/// Records what the delivery service hands to the transports (a stand-in inside this unit test only; the
/// transports themselves are tested against real servers).
final class RecordingTransports: EmailTransport, SmsTransport, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var emails: [OutgoingEmail] = []
    private(set) var sms: [(to: String, text: String, encoding: SmsEncoding, parts: Int)] = []
    /// Failures to return, in order, before succeeding again.
    var emailFailures: [DeliveryError] = []
    private var submitted = 0

    func send(_ email: OutgoingEmail) async throws -> String? {
        try lock.withLock {
            if !emailFailures.isEmpty { throw emailFailures.removeFirst() }
            emails.append(email)
            return "q\(emails.count)"
        }
    }

    func send(to: PhoneNumber, from sender: SmsSenderID, _ encoded: EncodedSms) async throws -> [String] {
        lock.withLock {
            sms.append((to.e164, encoded.text, encoded.encoding, encoded.parts.count))
            submitted += 1
            return encoded.parts.indices.map { "sms-\(submitted)-\($0)" }
        }
    }

    func reset() {
        lock.withLock {
            emails = []
            sms = []
        }
    }
}

@Suite("Notification delivery: which messages, when, once")
struct DeliveryScenarioTests {
    struct World {
        let db: Database
        let clock: ManualClock
        let deps: AppDependencies
        let transports: RecordingTransports
        let delivery: DeliverNotifications
        let fixtures: Fixtures
    }

    func world(_ kind: DatabaseKind) async throws -> World {
        let db = try await TestDatabase.open(kind)
        // 2026-01-15 10:00 in Bucharest: inside the SMS window.
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let transports = RecordingTransports()
        let settings = NotificationSettings(
            fromAddress: try EmailAddress.parse("billing@hostico.test"), smsSender: try SmsSenderID("Hostico"),
            sendingWindow: SmsSendingWindow(timeZone: TimeZone(identifier: "Europe/Bucharest")!),
            publicBaseURL: "https://client.hostico.test",
            retryBaseSeconds: 60, maxAttempts: 3)
        let delivery = DeliverNotifications(
            deps: deps, messages: SQLMessageStore(database: db), email: transports, sms: transports,
            templates: try MustacheMessageTemplates(), settings: settings, documents: PDFInvoiceDocuments())
        return World(
            db: db, clock: clock, deps: deps, transports: transports, delivery: delivery, fixtures: Fixtures(deps))
    }

    @Test(arguments: DatabaseKind.allCases)
    func smsOnlyForRenewalsAndSuspensionsAndOnlyWithConsent(kind: DatabaseKind) async throws {
        let w = try await world(kind)
        defer { Task { await w.db.close() } }
        let plan = try await w.fixtures.plan()
        let optedIn = try await w.fixtures.client("ana@example.ro", sms: true)
        let optedOut = try await w.fixtures.client("ion@example.ro", Fixtures.romanianCompany, sms: false)

        // Orders: e-mail only (order proforma + payment confirmation), never an SMS.
        let s1 = try await w.fixtures.activeService(client: optedIn, plan: plan, domain: "ana.ro")
        let s2 = try await w.fixtures.activeService(client: optedOut, plan: plan, domain: "ion.ro")
        var report = try await w.delivery.runOnce()
        #expect(report.sent == 4 && report.failed == 0)
        #expect(w.transports.sms.isEmpty)
        #expect(
            w.transports.emails.map(\.subject).contains {
                $0.hasPrefix("Factura proformă PF-2026-000001") && !$0.contains("reînnoire")
            })
        #expect(w.transports.emails.map(\.subject).contains("Plată primită: factura HST2026-000001"))
        // The payment confirmation carries the fiscal invoice PDF; the proforma mail carries nothing.
        let confirmation = try #require(
            w.transports.emails.first { $0.subject == "Plată primită: factura HST2026-000001" })
        #expect(confirmation.attachments.map(\.filename) == ["HST2026-000001.pdf"])
        #expect(confirmation.attachments.first?.bytes.prefix(5) == Array("%PDF-".utf8)[...])
        #expect(
            w.transports.emails.filter { $0.subject.hasPrefix("Factura proformă") }.allSatisfy {
                $0.attachments.isEmpty
            })

        // Renewal run: both get an e-mail; only the opted-in client an SMS (Romanian, transliterated to GSM-7).
        w.transports.reset()
        w.clock.advance(days: 20)
        _ = try await RunBilling(w.deps)(asOf: w.deps.today())
        report = try await w.delivery.runOnce()
        #expect(w.transports.emails.count == 2)
        #expect(w.transports.sms.count == 1)
        let renewalSMS = try #require(w.transports.sms.first)
        #expect(renewalSMS.to == "+40722123456")
        #expect(renewalSMS.encoding == .gsm7)
        #expect(renewalSMS.text.hasPrefix("Hostico: proforma de reinnoire PF-2026-000003"))
        #expect(renewalSMS.text.contains("Nu raspundeti"))
        #expect(report.skipped == 1, "the opted-out client's SMS is skipped, not sent")

        // Suspensions for abuse and for non-payment each send an SMS to the opted-in client.
        w.transports.reset()
        _ = try await SuspendService(w.deps)(serviceID: s1.id, reason: "abuse", note: "phishing", actor: .staff(1))
        _ = try await SuspendService(w.deps)(serviceID: s2.id, reason: "abuse", note: nil, actor: .staff(1))
        report = try await w.delivery.runOnce()
        #expect(w.transports.sms.count == 1)
        #expect(w.transports.sms.first?.text.contains("ana.ro") == true)
        #expect(w.transports.emails.count == 2)
        #expect(w.transports.emails.allSatisfy { $0.text.contains("(abuz)") })

        // Running again sends nothing twice.
        w.transports.reset()
        report = try await w.delivery.runOnce()
        #expect(report == .init())
        #expect(w.transports.emails.isEmpty && w.transports.sms.isEmpty)

        // Staff see every message with its status, encoding and parts.
        let all = try await SQLMessageStore(database: w.db).messages(clientID: optedIn.id, limit: 100)
        #expect(all.filter { $0.channel == .sms && $0.status == .sent }.count == 2)
        #expect(
            all.filter { $0.channel == .sms }.allSatisfy {
                $0.encoding == "gsm7" && $0.parts == 1 && $0.providerIDs.count == 1
            })
    }

    @Test(arguments: DatabaseKind.allCases)
    func smsProducedAt22WaitsFor9AndWithdrawnConsentStopsIt(kind: DatabaseKind) async throws {
        let w = try await world(kind)
        defer { Task { await w.db.close() } }
        let plan = try await w.fixtures.plan()
        let ana = try await w.fixtures.client("ana@example.ro", sms: true)
        let bob = try await w.fixtures.client("bob@example.ro", sms: true)
        let s = try await w.fixtures.activeService(client: ana, plan: plan, domain: "ana.ro")
        let t = try await w.fixtures.activeService(client: bob, plan: plan, domain: "bob.ro")
        _ = try await w.delivery.runOnce()
        w.transports.reset()

        // 22:00 in Bucharest (20:00 UTC in winter).
        w.clock.set(ISO8601DateFormatter().date(from: "2026-01-20T20:00:00Z")!)
        _ = try await SuspendService(w.deps)(
            serviceID: s.id, reason: "other", note: "billing dispute", actor: .staff(1))
        _ = try await SuspendService(w.deps)(
            serviceID: t.id, reason: "other", note: "billing dispute", actor: .staff(1))
        var report = try await w.delivery.runOnce()
        #expect(w.transports.emails.count == 2, "e-mail has no quiet hours")
        #expect(w.transports.sms.isEmpty)
        #expect(report.deferred == 2)

        // Bob withdraws consent during the night.
        try await w.deps.store.write { tx in
            try await tx.recordConsent(
                clientID: bob.id, consent: SmsConsent(optedIn: false, changedAt: w.clock.now(), source: .myDetails))
        }

        w.clock.set(ISO8601DateFormatter().date(from: "2026-01-21T06:59:00Z")!)  // 08:59
        report = try await w.delivery.runOnce()
        #expect(report.claimed == 0 && w.transports.sms.isEmpty)
        w.clock.set(ISO8601DateFormatter().date(from: "2026-01-21T07:00:00Z")!)  // 09:00
        report = try await w.delivery.runOnce()
        #expect(w.transports.sms.map(\.to) == ["+40722123456"])
        #expect(w.transports.sms.first?.text.contains("ana.ro") == true)
        #expect(report.sent == 1 && report.skipped == 1)
    }

    @Test func theDeliveryWindowIsTheClientsOwnTimeZone() async throws {
        let w = try await world(.sqlite)
        defer { Task { await w.db.close() } }
        let plan = try await w.fixtures.plan()
        let priya = try await w.fixtures.client(
            "priya@example.in", sms: true, phone: "+919812345678", language: "hi", timeZone: "Asia/Kolkata")
        let ana = try await w.fixtures.client("ana@example.ro", sms: true)
        let p = try await w.fixtures.activeService(client: priya, plan: plan, domain: "priya.in")
        let a = try await w.fixtures.activeService(client: ana, plan: plan, domain: "ana.ro")
        _ = try await w.delivery.runOnce()
        w.transports.reset()

        // 18:00 in Bucharest (16:00 UTC) = 21:30 in Kolkata: Ana's goes now, Priya's waits for 09:00 Kolkata (03:30 UTC).
        w.clock.set(ISO8601DateFormatter().date(from: "2026-01-20T16:00:00Z")!)
        _ = try await SuspendService(w.deps)(serviceID: p.id, reason: "abuse", note: nil, actor: .staff(1))
        _ = try await SuspendService(w.deps)(serviceID: a.id, reason: "abuse", note: nil, actor: .staff(1))
        var report = try await w.delivery.runOnce()
        #expect(w.transports.sms.map(\.to) == ["+40722123456"])
        #expect(report.deferred == 1)
        w.clock.set(ISO8601DateFormatter().date(from: "2026-01-21T03:29:00Z")!)
        report = try await w.delivery.runOnce()
        #expect(report.claimed == 0)
        w.clock.set(ISO8601DateFormatter().date(from: "2026-01-21T03:30:00Z")!)
        report = try await w.delivery.runOnce()
        #expect(w.transports.sms.map(\.to) == ["+40722123456", "+919812345678"])
        #expect(w.transports.sms.last?.encoding == .ucs2)
    }

    @Test(arguments: DatabaseKind.allCases)
    func temporaryFailuresBackOffAndPermanentOnesStop(kind: DatabaseKind) async throws {
        let w = try await world(kind)
        defer { Task { await w.db.close() } }
        let plan = try await w.fixtures.plan()
        let ana = try await w.fixtures.client("ana@example.ro")
        w.transports.emailFailures = [.temporary("SMTP 451 try later"), .temporary("SMTP 421 busy")]
        _ = try await PlaceOrder(w.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana.ro"), billingProfileID: nil,
            actor: .client(ana.id))

        var report = try await w.delivery.runOnce()
        #expect(report.deferred == 1 && w.transports.emails.isEmpty)
        w.clock.advance(seconds: 59)
        report = try await w.delivery.runOnce()
        #expect(report.claimed == 0, "the first retry waits 60 s")
        w.clock.advance(seconds: 1)
        report = try await w.delivery.runOnce()
        #expect(report.deferred == 1, "second failure; the next retry waits 120 s")
        w.clock.advance(seconds: 120)
        report = try await w.delivery.runOnce()
        #expect(report.sent == 1 && w.transports.emails.count == 1)
        let msg = try #require(try await SQLMessageStore(database: w.db).messages(clientID: ana.id, limit: 10).first)
        #expect(msg.status == .sent && msg.attempts == 3)

        // A permanent refusal is recorded with its reason and not retried.
        _ = try await PlaceOrder(w.deps)(
            clientID: ana.id, try .parse(planID: plan.id, cycle: "monthly", domain: "ana2.ro"), billingProfileID: nil,
            actor: .client(ana.id))
        w.transports.emailFailures = [.permanent("SMTP 550 mailbox unavailable")]
        report = try await w.delivery.runOnce()
        #expect(report.failed == 1)
        w.clock.advance(days: 1)
        report = try await w.delivery.runOnce()
        #expect(report.claimed == 0)
        let failed = try await SQLMessageStore(database: w.db).messages(clientID: ana.id, limit: 10).filter {
            $0.status == .failed
        }
        #expect(failed.map(\.lastError) == ["SMTP 550 mailbox unavailable"])
    }
}
