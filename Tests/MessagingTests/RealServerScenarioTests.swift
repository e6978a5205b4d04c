import Domain
import Features
import Foundation
import Logging
import Messaging
import Storage
import TestSupport
import Testing

/// The product's SMS rules end to end, through the real SMTP client to aiosmtpd and the real SMPP client to
/// the smpp34 SMSC simulator, with delivery receipts recorded in the database.
@Suite("Notifications through aiosmtpd and the SMSC simulator")
struct RealServerScenarioTests {
    @Test(arguments: DatabaseKind.allCases)
    func renewalsAndSuspensionsTextOptedInClientsOnlyAndRejectedNumbersFailOnce(kind: DatabaseKind) async throws {
        let db = try await TestDatabase.open(kind)
        defer { Task { await db.close() } }
        let smsc = try await SMSCSimulator()
        defer { smsc.stop() }
        let clock = ManualClock(TestDates.start)  // 10:00 in Bucharest
        let deps = makeTestDependencies(database: db, clock: clock)
        let store = SQLMessageStore(database: db)
        let smtpTests = SMTPTransportTests()
        let smtp = try smtpTests.transport(try smtpTests.peer())
        let reports = DeliveryReportBatcher(store: store, clock: clock, logger: Logger(label: "test"))
        let smpp = SMPPTransport(settings: smsc.settings(), logger: Logger(label: "test")) { await reports.add($0) }
        let settings = NotificationSettings(
            fromAddress: try EmailAddress.parse("billing@hostico.test"), smsSender: try SmsSenderID("Hostico"),
            sendingWindow: SmsSendingWindow(timeZone: TimeZone(identifier: "Europe/Bucharest")!),
            publicBaseURL: "https://client.hostico.test")
        let delivery = DeliverNotifications(
            deps: deps, messages: store, email: smtp, sms: smpp, templates: try MustacheMessageTemplates(),
            settings: settings)
        let fixtures = Fixtures(deps)

        let plan = try await fixtures.plan()
        let ana = try await fixtures.client("ana-\(kind)@example.ro", sms: true, phone: "0722123456")
        let ion = try await fixtures.client("ion-\(kind)@example.ro", sms: false, phone: "0733123456")
        let rex = try await fixtures.client("rex-\(kind)@example.ro", sms: true, phone: "0729990000")  // the simulator refuses 4072999…
        let s1 = try await fixtures.activeService(client: ana, plan: plan, domain: "ana.ro")
        _ = try await fixtures.activeService(client: ana, plan: plan, domain: "ana-shop.ro")
        _ = try await fixtures.activeService(client: ion, plan: plan, domain: "ion.ro")
        _ = try await fixtures.activeService(client: rex, plan: plan, domain: "rex.ro")

        // Orders and payments: e-mail only.
        var report = try await delivery.runOnce()
        #expect(report.sent == 8 && report.failed == 0)
        #expect(smsc.received.isEmpty, "an order never sends an SMS")

        // The renewal run: an SMS to each opted-in client; the refused number fails at once.
        clock.advance(days: 20)
        _ = try await RunBilling(deps)(asOf: deps.today())
        report = try await delivery.runOnce()
        #expect(report.sent == 4 && report.skipped == 1 && report.failed == 1, "\(report)")
        #expect(smsc.received.map(\.destination_addr).sorted() == ["40722123456", "40729990000"])
        let renewal = try #require(smsc.received.first { $0.destination_addr == "40722123456" })
        #expect(renewal.text?.hasPrefix("Hostico: proforma de reinnoire PF-2026-") == true)
        #expect(renewal.source_addr == "Hostico" && renewal.source_addr_ton == 5 && renewal.data_coding == 0)

        // Suspended for abuse: an SMS.
        _ = try await SuspendService(deps)(serviceID: s1.id, reason: "abuse", note: "phishing", actor: .staff(1))
        _ = try await delivery.runOnce()
        #expect(smsc.received.count == 3)
        #expect(smsc.received.last?.text?.contains("ana.ro a fost suspendata. Contactati suportul.") == true)

        // Unpaid past the grace period: suspended for non-payment, an SMS per service naming the proforma.
        clock.advance(days: 17)
        #expect(try await SuspendOverdueServices(deps)(asOf: deps.today()).done == 4)
        _ = try await delivery.runOnce()
        let nonPayment = smsc.received.dropFirst(3)
        #expect(nonPayment.map(\.destination_addr).sorted() == ["40722123456", "40722123456", "40729990000"])
        #expect(
            nonPayment.filter { $0.destination_addr == "40722123456" }.allSatisfy {
                $0.text?.contains("Achitati proforma PF-2026-") == true
            })

        // Nothing is retried or sent twice.
        clock.advance(days: 1)
        report = try await delivery.runOnce()
        #expect(report.claimed == 0)
        #expect(smsc.received.count == 6)

        // Staff see encodings, parts, provider ids, the refusal, and the receipts (which arrive asynchronously).
        var anaSMS: [StoredMessage] = []
        for _ in 0..<200 {
            anaSMS = try await store.messages(clientID: ana.id, limit: 100).filter { $0.channel == .sms }
            if anaSMS.allSatisfy({ $0.deliveryReport == "DELIVRD" }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(
            anaSMS.count == 4
                && anaSMS.allSatisfy {
                    $0.status == .sent && $0.encoding == "gsm7" && $0.parts == 1 && $0.deliveryReport == "DELIVRD"
                })
        #expect(
            Set(anaSMS.flatMap(\.providerIDs)) == Set(smsc.received.filter { !$0.rejected }.compactMap(\.message_id)))
        let rexSMS = try await store.messages(clientID: rex.id, limit: 100).filter { $0.channel == .sms }
        #expect(
            rexSMS.count == 2
                && rexSMS.allSatisfy {
                    $0.status == .failed && $0.attempts == 1 && $0.lastError?.contains("ESME_RINVDSTADR") == true
                })
        #expect(
            try await store.messages(clientID: ion.id, limit: 100).filter { $0.channel == .sms }.allSatisfy {
                $0.status == .skipped
            })
        await smpp.shutdown()
        await smtp.shutdown()
    }

    /// The SMSC and the mail server both stop for a while: messages wait and back off, then every one
    /// arrives exactly once.
    @Test func serversStoppedAndStartedAgainLoseNothingAndSendNothingTwice() async throws {
        let db = try await TestDatabase.open(.sqlite)
        defer { Task { await db.close() } }
        let smsc = try await SMSCSimulator()
        defer { smsc.stop() }
        let smtpPeer = try SMTPTransportTests().peer()
        // The sink numbers its files from 1 when started, so the restarted one writes to a folder of its own.
        let mailDir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mail-\(UUID().uuidString.prefix(8))")
        let mailAfterRestart = mailDir.appendingPathComponent("after-restart")
        try FileManager.default.createDirectory(at: mailAfterRestart, withIntermediateDirectories: true)
        let smtpPort = try PeerProcess.freePort()
        let caDir = URL(fileURLWithPath: smtpPeer.ca).deletingLastPathComponent()
        func startSMTP(_ dir: URL) async throws -> PeerProcess {
            try await PeerProcess(
                try PeerProcess.python(),
                [
                    PeerProcess.script("smtp_sink.py"), dir.path, "\(smtpPort)", smtpPeer.ca,
                    caDir.appendingPathComponent("key.pem").path,
                ], readyWhen: "SMTP sink on")
        }
        var smtpServer = try await startSMTP(mailDir)
        defer { smtpServer.stop() }

        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let store = SQLMessageStore(database: db)
        let smtp = try SMTPTransport(
            settings: SMTPSettings(
                host: "127.0.0.1", port: smtpPort, security: .startTLS, username: "billing", password: "s3cret",
                trustRootsFile: smtpPeer.ca, timeoutSeconds: 5), logger: Logger(label: "test"))
        let smpp = SMPPTransport(settings: smsc.settings(), logger: Logger(label: "test")) { _ in }
        let settings = NotificationSettings(
            fromAddress: try EmailAddress.parse("billing@hostico.test"), smsSender: try SmsSenderID("Hostico"),
            sendingWindow: SmsSendingWindow(timeZone: TimeZone(identifier: "Europe/Bucharest")!),
            publicBaseURL: "https://client.hostico.test", retryBaseSeconds: 30)
        let delivery = DeliverNotifications(
            deps: deps, messages: store, email: smtp, sms: smpp, templates: try MustacheMessageTemplates(),
            settings: settings)
        let fixtures = Fixtures(deps)
        let plan = try await fixtures.plan()
        var clients: [Client] = []
        for i in 0..<10 {
            let c = try await fixtures.client(
                "c\(i)@example.ro", sms: true, phone: "07221234\(String(format: "%02d", i))")
            _ = try await fixtures.activeService(client: c, plan: plan, domain: "c\(i).ro")
            clients.append(c)
        }
        _ = try await delivery.runOnce()  // the order mails

        // Both servers go down; the renewal run produces 10 e-mails and 10 SMS.
        smsc.stop()
        smtpServer.stop()
        clock.advance(days: 20)
        _ = try await RunBilling(deps)(asOf: deps.today())
        var report = try await delivery.runOnce()
        #expect(report.deferred == 20 && report.sent == 0, "\(report)")
        let waiting = try await store.messages(clientID: nil, status: .queued, limit: 100)
        #expect(waiting.count == 20 && waiting.allSatisfy { $0.attempts == 1 && $0.lastError != nil })

        // Still down at the first retry: a second attempt, a longer wait.
        clock.advance(seconds: 30)
        report = try await delivery.runOnce()
        #expect(report.deferred == 20)

        // Back up: after the back-off everything goes, once.
        try await smsc.start()
        smtpServer = try await startSMTP(mailAfterRestart)
        try await Task.sleep(for: .milliseconds(300))  // the SMPP client's own (test-short) reconnect pause
        clock.advance(seconds: 60)
        report = try await delivery.runOnce()
        #expect(report.sent == 20, "\(report)")
        #expect(Set(smsc.received.map(\.destination_addr)) == Set(clients.map { String($0.phone!.e164.dropFirst()) }))
        #expect(smsc.received.count == 10)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: mailAfterRestart.path).filter { $0.hasSuffix(".eml") }
                .count == 10)
        clock.advance(days: 1)
        #expect(try await delivery.runOnce().claimed == 0)
        #expect(
            try await store.messages(clientID: nil, status: .sent, limit: 1000).filter { $0.attempts == 3 }.count == 20)
        await smpp.shutdown()
        await smtp.shutdown()
    }
}
