import AsyncHTTPClient
import Bootstrap
import Domain
import Features
import Foundation
import Hummingbird
import Messaging
import Storage
import TestSupport
import Testing

/// Kannel 1.4.5 (Debian's bearerbox + smsbox), started by the test on ports of its own, in front of its fake
/// SMSC or of the smpp34 simulator.
final class Kannel: @unchecked Sendable {
    enum SMSC {
        case fake
        case smpp(port: Int)
    }

    let dir: URL
    let sendsmsPort: Int
    let adminPort: Int
    private var peers: [PeerProcess] = []
    private let fake: PeerProcess?

    init(_ smsc: SMSC) async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/bearerbox"),
            FileManager.default.isExecutableFile(atPath: "/usr/lib/kannel/test/fakesmsc")
        else {
            throw PeerProcess.MissingPeer(what: "Kannel (apt kannel kannel-extras)")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("kannel-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        adminPort = try PeerProcess.freePort()
        let boxPort = try PeerProcess.freePort()
        sendsmsPort = try PeerProcess.freePort()
        let fakePort = try PeerProcess.freePort()
        let smscGroup: String
        switch smsc {
        case .fake:
            smscGroup =
                "smsc = fake\nsmsc-id = FAKE\nhost = 127.0.0.1\nport = \(fakePort)\nconnect-allow-ip = 127.0.0.1"
        case .smpp(let port):
            smscGroup = """
                smsc = smpp
                smsc-id = SIM
                host = 127.0.0.1
                port = \(port)
                transceiver-mode = true
                smsc-username = kannel
                smsc-password = secret
                system-type = ""
                source-addr-autodetect = true
                enquire-link-interval = 30
                reconnect-delay = 2
                """
        }
        let conf = """
            group = core
            admin-port = \(adminPort)
            admin-interface = 127.0.0.1
            admin-password = adminpw
            status-password = statuspw
            admin-allow-ip = 127.0.0.1
            smsbox-port = \(boxPort)
            smsbox-interface = 127.0.0.1
            box-allow-ip = 127.0.0.1
            log-file = "\(dir.path)/bearerbox.log"
            log-level = 1
            dlr-storage = internal

            group = smsc
            \(smscGroup)

            group = smsbox
            bearerbox-host = 127.0.0.1
            bearerbox-port = \(boxPort)
            sendsms-port = \(sendsmsPort)
            sendsms-interface = 127.0.0.1
            log-file = "\(dir.path)/smsbox.log"
            log-level = 1

            group = sendsms-user
            username = hostico
            password = secret
            concatenation = true
            max-messages = 5

            group = sms-service
            keyword = default
            text = "No service"
            catch-all = true

            """
        let path = dir.appendingPathComponent("kannel.conf").path
        try conf.write(toFile: path, atomically: true, encoding: .utf8)
        peers.append(try await PeerProcess("/usr/sbin/bearerbox", [path], port: boxPort))
        if case .fake = smsc {
            let f = try await PeerProcess(
                "/usr/lib/kannel/test/fakesmsc",
                ["-H", "127.0.0.1", "-r", "\(fakePort)", "-m", "0", "000 000 text nop"], readyWhen: nil, port: nil,
                timeout: 0.2, requireReady: false)
            peers.append(f)
            fake = f
        } else {
            fake = nil
        }
        peers.append(try await PeerProcess("/usr/sbin/smsbox", [path], port: sendsmsPort))
    }

    /// Waits until bearerbox reports its SMSC connection online.
    func waitOnline() async throws {
        for _ in 0..<200 {
            let status = try? await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(adminPort)/status.txt?password=statuspw"),
                timeout: .seconds(2))
            if let status, String(buffer: try await status.body.collect(upTo: 1 << 20)).contains("online") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PeerProcess.MissingPeer(what: "Kannel's SMSC connection (not online after 20 s)")
    }

    /// What the fake SMSC printed: `Got message N: <from to type data>`; long texts arrive as `udh` parts.
    struct FakeSMSCMessage {
        let from: String
        let to: String
        let type: String
        let udh: [UInt8]
        let data: [UInt8]
    }

    var fakeSMSCMessages: [FakeSMSCMessage] {
        (fake?.output ?? "").split(separator: "\n").compactMap { line in
            guard let r = line.range(of: #"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$"#, options: .regularExpression)
            else { return nil }
            let inner = line[r].drop { $0 != "<" }.dropFirst().dropLast()
            let f = inner.split(separator: " ", maxSplits: 3).map(String.init)
            guard f.count == 4 else { return nil }
            func bytes(_ s: Substring) -> [UInt8] {
                Array((s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "").utf8)
            }
            func raw(_ s: Substring) -> [UInt8] {
                // Percent-decoding to bytes (the payload is binary: UTF-16BE or septets).
                var out: [UInt8] = []
                var i = s.startIndex
                while i < s.endIndex {
                    if s[i] == "%", let j = s.index(i, offsetBy: 3, limitedBy: s.endIndex),
                        let b = UInt8(s[s.index(after: i)..<j], radix: 16)
                    {
                        out.append(b)
                        i = j
                    } else {
                        out.append(s[i] == "+" ? 0x20 : UInt8(ascii: s[i].unicodeScalars.first!))
                        i = s.index(after: i)
                    }
                }
                return out
            }
            switch f[2] {
            case "udh":
                let parts = f[3].split(separator: " ", maxSplits: 2)
                return FakeSMSCMessage(
                    from: f[0], to: f[1], type: "udh", udh: raw(parts[0]), data: parts.count == 3 ? raw(parts[2]) : [])
            case "text":
                return FakeSMSCMessage(from: f[0], to: f[1], type: "text", udh: [], data: bytes(Substring(f[3])))
            default:
                return FakeSMSCMessage(from: f[0], to: f[1], type: f[2], udh: [], data: raw(Substring(f[3])))
            }
        }
    }

    func stop() {
        for p in peers.reversed() { p.stop() }
    }
}

private func utf16BE(_ bytes: [UInt8]) -> String {
    String(
        decoding: stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) },
        as: UTF16.self)
}

@Suite("SMS through Kannel's sendsms, with delivery reports to our server", .serialized)
struct KannelTransportTests {
    struct World {
        let db: Database
        let clock: ManualClock
        let deps: AppDependencies
        let delivery: DeliverNotifications
        let store: SQLMessageStore
        let httpPort: Int
    }

    /// The application as `serve` wires it from configuration: SMS_TRANSPORT=kannel and the report route.
    func withWorld(kannel: Kannel, _ body: (World) async throws -> Void) async throws {
        let db = try await TestDatabase.open(.sqlite)
        defer { Task { await db.close() } }
        let httpPort = try PeerProcess.freePort()
        let outbox = FileManager.default.temporaryDirectory.appendingPathComponent(
            "outbox-\(UUID().uuidString.prefix(8))"
        ).path
        let config = try await AppConfig.load(
            overrides: [
                "APP_MODE": "demo", "HTTP_PORT": "\(httpPort)", "PUBLIC_BASE_URL": "http://127.0.0.1:\(httpPort)",
                "MAIL_TRANSPORT": "dev", "DEV_OUTBOX_DIR": outbox,
                "SMS_TRANSPORT": "kannel",
                "KANNEL_SENDSMS_URL": "http://127.0.0.1:\(kannel.sendsmsPort)/cgi-bin/sendsms",
                "KANNEL_USERNAME": "hostico",
                "KANNEL_PASSWORD": "secret", "SMS_REPORT_SECRET": "test-report-secret-0123456789",
            ], environment: [:])
        let clock = ManualClock(TestDates.start)
        let deps = makeTestDependencies(database: db, clock: clock)
        let store = SQLMessageStore(database: db)
        let delivery = try config.notifications.makeDelivery(
            deps: deps, database: db, publicBaseURL: config.publicBaseURL, links: nil)
        let app = try buildApplication(LiveServices(config: config, deps: deps, database: db))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            for _ in 0..<100 {
                if await PeerProcess.accepts(httpPort) { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            try await body(
                World(db: db, clock: clock, deps: deps, delivery: delivery, store: store, httpPort: httpPort))
            group.cancelAll()
        }
    }

    func waitForReports(_ w: World, clientIDs: [Int64]) async throws -> [StoredMessage] {
        var sms: [StoredMessage] = []
        for _ in 0..<150 {
            sms = []
            for id in clientIDs {
                sms += try await w.store.messages(clientID: id, limit: 50).filter { $0.channel == .sms }
            }
            if !sms.isEmpty, sms.allSatisfy({ $0.deliveryReport == "DELIVRD" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return sms
    }

    @Test func romanianAndHindiRenewalSMSThroughTheFakeSMSCWithDeliveryReports() async throws {
        let kannel = try await Kannel(.fake)
        defer { kannel.stop() }
        try await kannel.waitOnline()
        try await withWorld(kannel: kannel) { w in
            let fixtures = Fixtures(w.deps)
            let plan = try await fixtures.plan()
            let ana = try await fixtures.client("ana@example.ro", sms: true, phone: "0722123456")
            let priya = try await fixtures.client("priya@example.in", sms: true, phone: "+919812345678", language: "hi")
            _ = try await fixtures.activeService(client: ana, plan: plan, domain: "ana.ro")
            _ = try await fixtures.activeService(client: priya, plan: plan, domain: "priya.in")
            _ = try await w.delivery.runOnce()
            w.clock.advance(days: 20)
            _ = try await RunBilling(w.deps)(asOf: w.deps.today())
            let report = try await w.delivery.runOnce()
            #expect(report.sent == 4 && report.failed == 0, "\(report)")

            var got: [Kannel.FakeSMSCMessage] = []
            for _ in 0..<100 where got.count < 3 {
                got = kannel.fakeSMSCMessages
                try await Task.sleep(for: .milliseconds(100))
            }
            let toAna = got.filter { $0.to == "40722123456" }
            #expect(toAna.count == 1 && toAna[0].from == "Hostico" && toAna[0].type == "text")
            let anaText = String(decoding: toAna.first?.data ?? [], as: UTF8.self)
            #expect(anaText.hasPrefix("Hostico: proforma de reinnoire PF-2026-"))
            // Hindi: UCS-2, split by Kannel into two parts with a concatenation header.
            let toPriya = got.filter { $0.to == "919812345678" }
            #expect(toPriya.count == 2 && toPriya.allSatisfy { $0.type == "udh" && $0.from == "Hostico" })
            let hindi = utf16BE(toPriya.flatMap(\.data))
            #expect(hindi.hasPrefix("Hostico: नवीनीकरण प्रोफ़ॉर्मा PF-2026-") && hindi.hasSuffix("उत्तर न दें।"))

            // The fake SMSC acknowledges; Kannel calls our signed report URL; the messages show DELIVRD.
            let sms = try await waitForReports(w, clientIDs: [ana.id, priya.id])
            #expect(sms.count == 2 && sms.allSatisfy { $0.deliveryReport == "DELIVRD" && $0.providerIDs.count == 1 })
            #expect(sms.filter { $0.clientID == priya.id }.map(\.encoding) == ["ucs2"])

            // A forged report (wrong signature) is refused and changes nothing.
            let id = try #require(sms.first?.providerIDs.first)
            let forged = try await HTTPClient.shared.execute(
                HTTPClientRequest(
                    url:
                        "http://127.0.0.1:\(w.httpPort)/hooks/kannel/dlr?id=\(id)&sig=\(String(repeating: "0", count: 64))&type=2"
                ), timeout: .seconds(5))
            #expect(forged.status == .forbidden)
            #expect(
                try await w.store.messages(clientID: nil, status: .sent, limit: 50).filter { $0.channel == .sms }
                    .allSatisfy { $0.deliveryReport == "DELIVRD" })
            // A genuine report URL replayed with another status (the signature covers the id; Kannel fills the
            // status in) is answered but changes nothing: a message's final state is taken once.
            let sig = DeliveryReportSigner(secret: "test-report-secret-0123456789").signature(id)
            let replayed = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(w.httpPort)/hooks/kannel/dlr?id=\(id)&sig=\(sig)&type=2"),
                timeout: .seconds(5))
            #expect(replayed.status == .ok)
            #expect(
                try await w.store.messages(clientID: nil, status: .sent, limit: 50).filter { $0.channel == .sms }
                    .allSatisfy { $0.deliveryReport == "DELIVRD" })
        }
    }

    @Test func kannelSpeakingSMPPToTheSimulator() async throws {
        let smsc = try await SMSCSimulator()
        defer { smsc.stop() }
        let kannel = try await Kannel(.smpp(port: smsc.port))
        defer { kannel.stop() }
        try await kannel.waitOnline()
        try await withWorld(kannel: kannel) { w in
            let fixtures = Fixtures(w.deps)
            let plan = try await fixtures.plan()
            let ana = try await fixtures.client("ana@example.ro", sms: true, phone: "0722123456")
            let s = try await fixtures.activeService(client: ana, plan: plan, domain: "ana.ro")
            _ = try await SuspendService(w.deps)(serviceID: s.id, reason: "abuse", note: "spam", actor: .staff(1))
            _ = try await w.delivery.runOnce()

            var got: [SMSCSimulator.Submit] = []
            for _ in 0..<100 where got.isEmpty {
                got = smsc.received
                try await Task.sleep(for: .milliseconds(100))
            }
            let submit = try #require(got.first)
            #expect(got.count == 1)
            #expect(submit.source_addr == "Hostico" && submit.source_addr_ton == 5 && submit.source_addr_npi == 0)
            #expect(
                submit.destination_addr == "40722123456" && submit.data_coding == 0 && submit.registered_delivery == 1)
            #expect(
                submit.text
                    == "Hostico: gazduirea pentru ana.ro a fost suspendata. Contactati suportul. Nu raspundeti la acest mesaj."
            )
            let sms = try await waitForReports(w, clientIDs: [ana.id])
            #expect(sms.count == 1 && sms[0].deliveryReport == "DELIVRD")
        }
    }
}
