import Domain
import Features
import Foundation
import Logging
import Messaging
import TestSupport
import Testing

/// The smpp34 SMSC simulator (scripts/peers/smsc_sim.py), started by each test on its own port so a test can
/// stop and restart it. It logs every submit_sm it receives, decoded on its own (GSM 03.38 / UTF-16BE).
final class SMSCSimulator: @unchecked Sendable {
    struct Submit: Decodable, Equatable {
        let message_id: String?
        let session_id: String
        let system_id: String?
        let source_addr: String
        let source_addr_ton: Int
        let source_addr_npi: Int
        let destination_addr: String
        let dest_addr_ton: Int
        let dest_addr_npi: Int
        let esm_class: Int
        let data_coding: Int
        let registered_delivery: Int
        let udh_hex: String
        let text: String?
        let rejected: Bool
    }

    let port: Int
    let log: URL
    let rejectPrefix: String
    private var peer: PeerProcess?

    init(rejectPrefix: String = "4072999") async throws {
        port = try PeerProcess.freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent(
            "smsc-\(port)-\(UUID().uuidString.prefix(6)).jsonl")
        self.rejectPrefix = rejectPrefix
        try await start()
    }

    func start() async throws {
        peer = try await PeerProcess(
            try PeerProcess.python(), [PeerProcess.script("smsc_sim.py"), "\(port)", log.path, rejectPrefix],
            readyWhen: "SMSC listening")
    }

    func stop() { peer?.stop() }

    var received: [Submit] {
        guard let data = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return data.split(separator: "\n").compactMap { try? JSONDecoder().decode(Submit.self, from: Data($0.utf8)) }
    }

    func settings(bindMode: SMPPSettings.BindMode = .transceiver, window: Int = 32) -> SMPPSettings {
        SMPPSettings(
            host: "127.0.0.1", port: port, systemID: "hostico", password: "secret", bindMode: bindMode, window: window,
            enquireLinkSeconds: 5, responseTimeoutSeconds: 5, reconnectMinSeconds: 0.05, reconnectMaxSeconds: 0.2)
    }
}

actor ReceiptLog {
    var receipts: [DeliveryReport] = []
    func add(_ r: DeliveryReport) { receipts.append(r) }

    /// Waits (up to 5 s) until `count` receipts have arrived.
    func wait(for count: Int) async throws -> [DeliveryReport] {
        for _ in 0..<100 where receipts.count < count { try await Task.sleep(for: .milliseconds(50)) }
        return receipts
    }
}

@Suite("SMPP 3.4 client against the smpp34 SMSC simulator")
struct SMPPTransportTests {
    let sender = try! SmsSenderID("Hostico")
    let phone = try! PhoneNumber.parse("+40722123456")

    @Test func pdusCarryTheSenderEncodingAndConcatenationAndReceiptsComeBack() async throws {
        let smsc = try await SMSCSimulator()
        defer { smsc.stop() }
        let receipts = ReceiptLog()
        let smpp = SMPPTransport(settings: smsc.settings(), logger: Logger(label: "test")) { await receipts.add($0) }

        let short = SmsEncoder.encode(
            "Hostico: factura PF-2026-000001, 121.00 RON. Nu raspundeti.", transliterate: true, reference: 1)
        let romanian = String(repeating: "Ștefan Țuțea, proforma PF-2026-000002 pentru reînnoire e gata. ", count: 3)
        let long = SmsEncoder.encode(romanian, transliterate: true, reference: 0x45)
        let hindi = SmsEncoder.encode(
            "नमस्ते! आपका चालान PF-2026-000003 तैयार है। कृपया 01.12.2026 तक भुगतान करें। उत्तर न दें।", transliterate: true,
            reference: 0xB7)
        let euro = SmsEncoder.encode("Total: 10 € [EUR] ~ {ok}", transliterate: true, reference: 2)
        #expect(long.encoding == .gsm7 && long.parts.count == 2)
        #expect(hindi.encoding == .ucs2 && hindi.parts.count == 2)

        var ids: [String] = []
        for sms in [short, long, hindi, euro] { ids += try await smpp.send(to: phone, from: sender, sms) }
        #expect(ids == (1...6).map { "msg-\($0)" })

        let got = smsc.received
        #expect(got.count == 6)
        #expect(got.allSatisfy { $0.source_addr == "Hostico" && $0.source_addr_ton == 5 && $0.source_addr_npi == 0 })
        #expect(
            got.allSatisfy { $0.destination_addr == "40722123456" && $0.dest_addr_ton == 1 && $0.dest_addr_npi == 1 })
        #expect(got.allSatisfy { $0.registered_delivery == 1 && $0.system_id == "hostico" })
        #expect(got[0].data_coding == 0 && got[0].esm_class == 0 && got[0].udh_hex.isEmpty)
        #expect(got[0].text == "Hostico: factura PF-2026-000001, 121.00 RON. Nu raspundeti.")
        // The long Romanian text: GSM-7 after transliteration, two parts with UDH 05 00 03 ref 02 n, reassembled intact.
        #expect(got[1...2].map(\.udh_hex) == ["050003450201", "050003450202"])
        #expect(got[1...2].allSatisfy { $0.esm_class == 0x40 && $0.data_coding == 0 })
        #expect(got[1...2].compactMap(\.text).joined() == SmsEncoder.transliterateRomanian(romanian))
        // Hindi: UCS-2 (data_coding 8), two parts.
        #expect(got[3...4].map(\.udh_hex) == ["050003b70201", "050003b70202"])
        #expect(got[3...4].allSatisfy { $0.data_coding == 8 })
        #expect(
            got[3...4].compactMap(\.text).joined()
                == "नमस्ते! आपका चालान PF-2026-000003 तैयार है। कृपया 01.12.2026 तक भुगतान करें। उत्तर न दें।")
        // Extension characters survive the escape.
        #expect(got[5].text == "Total: 10 € [EUR] ~ {ok}" && got[5].data_coding == 0)

        // Every part's receipt arrives on the transceiver bind (and each deliver_sm was answered, or the SMSC would stall).
        let r = try await receipts.wait(for: 6)
        #expect(Set(r.map(\.providerID)) == Set(ids))
        #expect(r.allSatisfy { $0.status == "DELIVRD" })
        await smpp.shutdown()
    }

    @Test func aRejectedNumberIsAPermanentFailure() async throws {
        let smsc = try await SMSCSimulator()
        defer { smsc.stop() }
        let smpp = SMPPTransport(settings: smsc.settings(bindMode: .transmitter), logger: Logger(label: "test")) { _ in
        }
        let sms = SmsEncoder.encode("Hostico: test", transliterate: true, reference: 1)
        await #expect(throws: DeliveryError.permanent("SMSC refused submit_sm: ESME_RINVDSTADR (0xB)")) {
            try await smpp.send(to: try PhoneNumber.parse("+40729990000"), from: sender, sms)
        }
        // The session is still good for the next message.
        #expect(try await smpp.send(to: phone, from: sender, sms) == ["msg-2"])
        #expect(smsc.received.map(\.registered_delivery) == [1, 1])
        await smpp.shutdown()
    }

    @Test func anUnreachableSMSCIsATemporaryFailureAndTheClientReconnects() async throws {
        let smsc = try await SMSCSimulator()
        let smpp = SMPPTransport(settings: smsc.settings(), logger: Logger(label: "test")) { _ in }
        let sms = SmsEncoder.encode("Hostico: test", transliterate: true, reference: 1)
        #expect(try await smpp.send(to: phone, from: sender, sms) == ["msg-1"])

        smsc.stop()
        try await Task.sleep(for: .milliseconds(100))
        await #expect(throws: DeliveryError.self) { try await smpp.send(to: phone, from: sender, sms) }
        do {
            _ = try await smpp.send(to: phone, from: sender, sms)
            Issue.record("a stopped SMSC cannot accept a message")
        } catch let e as DeliveryError {
            guard case .temporary = e else {
                Issue.record("expected a temporary failure, got \(e)")
                return
            }
        }

        try await smsc.start()
        try await Task.sleep(for: .milliseconds(300))  // past the (test-short) reconnect back-off
        let ids = try await smpp.send(to: phone, from: sender, sms)
        #expect(ids == ["msg-1"], "the restarted simulator numbers from 1 again")
        #expect(smsc.received.count == 2)
        await smpp.shutdown()
        smsc.stop()
    }

    @Test func manySendersShareOneSessionWithinTheWindow() async throws {
        let smsc = try await SMSCSimulator()
        defer { smsc.stop() }
        let smpp = SMPPTransport(settings: smsc.settings(window: 4), logger: Logger(label: "test")) { _ in }
        let sms = SmsEncoder.encode("Hostico: test", transliterate: true, reference: 1)
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<200 { group.addTask { try await smpp.send(to: phone, from: sender, sms) } }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == 200)
        #expect(Set(smsc.received.map(\.session_id)).count == 1, "one bind for all senders")
        #expect(smsc.received.count == 200)
        await smpp.shutdown()
    }

    @Test func enquireLinkKeepsAnIdleSessionBound() async throws {
        let smsc = try await SMSCSimulator()
        defer { smsc.stop() }
        let settings = SMPPSettings(
            host: "127.0.0.1", port: smsc.port, systemID: "hostico", password: "secret", enquireLinkSeconds: 1,
            responseTimeoutSeconds: 2)
        let smpp = SMPPTransport(settings: settings, logger: Logger(label: "test")) { _ in }
        let sms = SmsEncoder.encode("Hostico: test", transliterate: true, reference: 1)
        _ = try await smpp.send(to: phone, from: sender, sms)
        // Three keep-alive rounds; an unanswered enquire_link (or an unmatched response) would close the session.
        try await Task.sleep(for: .milliseconds(3_500))
        _ = try await smpp.send(to: phone, from: sender, sms)
        #expect(Set(smsc.received.map(\.session_id)).count == 1, "the same bind before and after the idle time")
        await smpp.shutdown()
    }
}
