import Domain
import Features
import Foundation
import Logging
import Messaging
import Testing

/// The SMTP client against aiosmtpd (started by `make test` with STARTTLS and AUTH, see scripts/peers.sh).
/// Messages are read back with Python's e-mail parser, as a mail client would.
@Suite("SMTP transport against aiosmtpd", .serialized)
struct SMTPTransportTests {
    struct MissingPeer: Error, CustomStringConvertible {
        var description: String {
            "TEST_SMTP_PORT / TEST_SMTP_DIR / TEST_SMTP_CA are not set: run the tests with `make test`"
        }
    }

    struct Peer {
        let port: Int
        let dir: URL
        let ca: String
    }

    func peer() throws -> Peer {
        let env = ProcessInfo.processInfo.environment
        guard let p = env["TEST_SMTP_PORT"].flatMap(Int.init), let d = env["TEST_SMTP_DIR"],
            let ca = env["TEST_SMTP_CA"]
        else { throw MissingPeer() }
        return Peer(port: p, dir: URL(fileURLWithPath: d), ca: ca)
    }

    func transport(_ peer: Peer, password: String = "s3cret") throws -> SMTPTransport {
        try SMTPTransport(
            settings: SMTPSettings(
                host: "127.0.0.1", port: peer.port, security: .startTLS, username: "billing", password: password,
                trustRootsFile: peer.ca, timeoutSeconds: 10), logger: Logger(label: "test"))
    }

    func email(to: String, language: Language, id: String) throws -> OutgoingEmail {
        let templates = try MustacheMessageTemplates()
        let ctx = MessageContext(
            language: language, clientName: "Ștefan <b>Țuțea</b>",
            payload: [
                "number": "PF-2026-000042", "origin": "renewal", "total": "121.00 RON", "dueDate": "2026-12-01",
                "proformaID": "42",
            ], clientAreaURL: "https://client.hostico.test")
        let (subject, text, html) = try templates.email(.proformaIssued, ctx)
        return OutgoingEmail(
            messageID: "<\(id)@hostico.test>", from: try EmailAddress.parse("billing@hostico.test"),
            fromName: "Hostico Facturare", replyTo: try EmailAddress.parse("support@hostico.test"),
            to: try EmailAddress.parse(to), subject: subject, text: text, html: html,
            date: Date(timeIntervalSince1970: 1_795_000_000), language: language)
    }

    /// The files the sink wrote for the message with this Message-ID, parsed by Python's `email` package.
    func received(_ peer: Peer, messageID: String) throws -> [String: String] {
        let script = """
            import email, glob, json, sys
            from email import policy
            for path in sorted(glob.glob(sys.argv[1] + '/*.eml')):
                m = email.message_from_bytes(open(path, 'rb').read(), policy=policy.default)
                if m['Message-ID'] == sys.argv[2]:
                    env = json.load(open(path[:-4] + '.json'))
                    print(json.dumps({'subject': str(m['Subject']), 'from': str(m['From']), 'to': str(m['To']), 'replyTo': str(m['Reply-To']),
                        'language': str(m['Content-Language']), 'date': str(m['Date']), 'type': m.get_content_type(),
                        'text': m.get_body(('plain',)).get_content(), 'html': m.get_body(('html',)).get_content(),
                        'tls': str(env['tls']), 'auth': str(env['auth']), 'rcpt': ','.join(env['rcpt_tos']),
                        'attachments': ';'.join(f"{a.get_filename()}|{a.get_content_type()}|{a.get_content()[:5].decode('latin-1')}|{len(a.get_content())}" for a in m.iter_attachments())}))
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, peer.dir.path, messageID]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return try JSONDecoder().decode([String: String].self, from: data)
    }

    @Test func startTLSAuthAndMultipartUTF8InRomanianAndHindi() async throws {
        let peer = try peer()
        let smtp = try transport(peer)
        let ro = try email(to: "stefan@example.ro", language: .ro, id: "ro-\(UUID().uuidString)")
        let hi = try email(to: "priya@example.in", language: .hi, id: "hi-\(UUID().uuidString)")
        let queueRO = try await smtp.send(ro)
        let queueHI = try await smtp.send(hi)  // the same connection, reused
        await smtp.shutdown()
        #expect(queueRO?.hasPrefix("Q") == true && queueHI?.hasPrefix("Q") == true)

        let r = try received(peer, messageID: ro.messageID)
        #expect(r["tls"] == "True" && r["auth"] == "billing" && r["rcpt"] == "stefan@example.ro")
        #expect(r["subject"] == "Factura proformă PF-2026-000042 pentru reînnoire")
        #expect(r["from"] == "Hostico Facturare <billing@hostico.test>")
        #expect(r["replyTo"] == "support@hostico.test")
        #expect(r["language"] == "ro" && r["type"] == "multipart/alternative")
        #expect(r["date"] == "Wed, 18 Nov 2026 11:06:40 +0000")
        #expect(
            r["text"]?.contains("Bună ziua, Ștefan <b>Țuțea</b>,") == true, "the text part shows the name as written")
        #expect(
            r["text"]?.contains(
                "Am emis factura proformă PF-2026-000042 în valoare de 121,00 RON, cu scadența 01.12.2026.") == true)
        #expect(r["html"]?.contains("Ștefan &lt;b&gt;Țuțea&lt;/b&gt;") == true, "the HTML part escapes client text")
        #expect(r["html"]?.contains("<b>Țuțea</b>") == false)

        let h = try received(peer, messageID: hi.messageID)
        #expect(h["subject"] == "प्रोफ़ॉर्मा चालान PF-2026-000042 (नवीनीकरण)")
        #expect(h["language"] == "hi")
        #expect(h["text"]?.contains("हमने 121.00 RON का प्रोफ़ॉर्मा चालान PF-2026-000042 जारी किया है") == true)
    }

    @Test func aPDFAttachmentArrivesIntact() async throws {
        let peer = try peer()
        let smtp = try transport(peer)
        let base = try email(to: "ana@example.ro", language: .ro, id: "att-\(UUID().uuidString)")
        let pdf = Array("%PDF-1.5 test body".utf8) + (0..<3000).map { UInt8($0 % 256) }
        let mail = OutgoingEmail(
            messageID: base.messageID, from: base.from, fromName: base.fromName, replyTo: base.replyTo, to: base.to,
            subject: base.subject,
            text: base.text, html: base.html, date: base.date, language: base.language,
            attachments: [EmailAttachment(filename: "HST2026-000001.pdf", contentType: "application/pdf", bytes: pdf)])
        _ = try await smtp.send(mail)
        await smtp.shutdown()
        let r = try received(peer, messageID: mail.messageID)
        #expect(r["type"] == "multipart/mixed")
        #expect(r["attachments"] == "HST2026-000001.pdf|application/pdf|%PDF-|\(pdf.count)")
        #expect(r["text"]?.contains("PF-2026-000042") == true, "the text body is still found")
    }

    @Test func wrongPasswordIsAPermanentFailure() async throws {
        let peer = try peer()
        let smtp = try transport(peer, password: "wrong")
        await #expect(throws: DeliveryError.self) {
            _ = try await smtp.send(try email(to: "x@example.ro", language: .en, id: "bad-\(UUID().uuidString)"))
        }
        do {
            _ = try await smtp.send(try email(to: "x@example.ro", language: .en, id: "bad2-\(UUID().uuidString)"))
        } catch let e as DeliveryError {
            guard case .permanent(let m) = e else {
                Issue.record("expected a permanent failure, got \(e)")
                return
            }
            #expect(m.hasPrefix("SMTP 535"))
        }
    }

    @Test func aServerThatIsDownIsATemporaryFailure() async throws {
        let smtp = try SMTPTransport(
            settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .startTLS, timeoutSeconds: 2),
            logger: Logger(label: "test"))
        do {
            _ = try await smtp.send(try email(to: "x@example.ro", language: .en, id: "down-\(UUID().uuidString)"))
            Issue.record("sent to a closed port")
        } catch let e as DeliveryError {
            guard case .temporary = e else {
                Issue.record("expected a temporary failure, got \(e)")
                return
            }
        }
    }
}
