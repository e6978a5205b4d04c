import Features
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL

public struct SMTPSettings: Sendable {
    public enum Security: String, Sendable {
        /// Plain connection (only for a relay on the same host).
        case none
        /// Plain connection upgraded with STARTTLS before authenticating; refused if the server lacks it.
        case startTLS = "starttls"
        /// TLS from the first byte (port 465).
        case tls
    }

    public let host: String
    public let port: Int
    public let security: Security
    public let username: String?
    public let password: String?
    /// PEM file of the certificate authorities to trust instead of the system's (a private relay, the tests).
    public let trustRootsFile: String?
    public let heloName: String
    public let timeoutSeconds: Int64
    /// Connections kept open for reuse.
    public let maxIdleConnections: Int

    public init(
        host: String, port: Int, security: Security, username: String? = nil, password: String? = nil,
        trustRootsFile: String? = nil,
        heloName: String = "hostico.localhost", timeoutSeconds: Int64 = 30, maxIdleConnections: Int = 8
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.trustRootsFile = trustRootsFile
        self.heloName = heloName
        self.timeoutSeconds = timeoutSeconds
        self.maxIdleConnections = maxIdleConnections
    }
}

/// An SMTP client on SwiftNIO: implicit TLS or STARTTLS, AUTH PLAIN or LOGIN, connections reused between
/// messages. 4xx replies and network trouble are temporary failures, 5xx replies permanent ones.
public actor SMTPTransport: EmailTransport {
    let settings: SMTPSettings
    let group: any EventLoopGroup
    let logger: Logger
    private var idle: [SMTPConnection] = []
    private let tls: NIOSSLContext?

    public init(
        settings: SMTPSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) throws {
        self.settings = settings
        self.group = group
        self.logger = logger
        if settings.security == .none {
            tls = nil
        } else {
            var config = TLSConfiguration.makeClientConfiguration()
            if let file = settings.trustRootsFile { config.trustRoots = .file(file) }
            tls = try NIOSSLContext(configuration: config)
        }
    }

    public func send(_ email: OutgoingEmail) async throws -> String? {
        let data = MIMEMessage.render(email)
        // A reused connection may have been closed by the server while idle: then one fresh attempt.
        if let conn = idle.popLast() {
            do {
                let id = try await conn.deliver(from: email.from.value, to: email.to.value, data: data)
                release(conn)
                return id
            } catch SMTPConnection.Failure.connection {
                conn.close()
            } catch {
                conn.close()
                throw Self.map(error)
            }
        }
        do {
            let conn = try await SMTPConnection.open(settings: settings, tls: tls, group: group)
            do {
                let id = try await conn.deliver(from: email.from.value, to: email.to.value, data: data)
                release(conn)
                return id
            } catch {
                conn.close()
                throw error
            }
        } catch {
            throw Self.map(error)
        }
    }

    private func release(_ conn: SMTPConnection) {
        if idle.count < settings.maxIdleConnections { idle.append(conn) } else { conn.quit() }
    }

    public func shutdown() {
        for c in idle { c.quit() }
        idle.removeAll()
    }

    static func map(_ error: any Error) -> DeliveryError {
        switch error {
        case let e as DeliveryError: return e
        case SMTPConnection.Failure.reply(let code, let text):
            return code >= 500 ? .permanent("SMTP \(code) \(text)") : .temporary("SMTP \(code) \(text)")
        case SMTPConnection.Failure.protocolViolation(let m): return .temporary("SMTP: \(m)")
        case SMTPConnection.Failure.connection(let m): return .temporary("SMTP connection: \(m)")
        default: return .temporary("SMTP: \(error)")
        }
    }
}

struct SMTPReply: Sendable {
    let code: Int
    let lines: [String]
    var text: String { lines.joined(separator: " ") }
}

/// One SMTP session. Used by one task at a time: the transport hands a connection to a single sender.
final class SMTPConnection: @unchecked Sendable {
    enum Failure: Error {
        case reply(Int, String)
        case connection(String)
        case protocolViolation(String)
    }

    let channel: any Channel
    private var replies: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator
    private let decoder: SMTPReplyDecoder
    private var repliesRead = 0
    private let timeout: TimeAmount
    private(set) var extensions: Set<String> = []
    private(set) var authMechanisms: Set<String> = []

    private init(
        channel: any Channel, replies: AsyncThrowingStream<SMTPReply, any Error>, decoder: SMTPReplyDecoder,
        timeout: TimeAmount
    ) {
        self.channel = channel
        self.replies = replies.makeAsyncIterator()
        self.decoder = decoder
        self.timeout = timeout
    }

    static func open(settings: SMTPSettings, tls: NIOSSLContext?, group: any EventLoopGroup) async throws
        -> SMTPConnection
    {
        let (stream, continuation) = AsyncThrowingStream<SMTPReply, any Error>.makeStream()
        let implicitTLS = settings.security == .tls ? tls : nil
        let host = settings.host
        let decoder = SMTPReplyDecoder(continuation)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(settings.timeoutSeconds))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: implicitTLS, serverHostname: Self.sniName(host)))
                        }
                        try channel.pipeline.syncOperations.addHandler(decoder)
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw Failure.connection("\(settings.host):\(settings.port): \(error)")
        }
        let conn = SMTPConnection(
            channel: channel, replies: stream, decoder: decoder, timeout: .seconds(settings.timeoutSeconds))
        do {
            try conn.expect(220, try await conn.readReply())
            try await conn.hello(settings.heloName)
            if settings.security == .startTLS {
                guard conn.extensions.contains("STARTTLS"), let tls else {
                    throw Failure.reply(530, "the server does not offer STARTTLS; refusing to send in clear text")
                }
                try conn.expect(220, try await conn.command("STARTTLS"))
                try await channel.eventLoop.submit {
                    try channel.pipeline.syncOperations.addHandler(
                        try NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)), position: .first)
                }.get()
                try await conn.hello(settings.heloName)
            }
            if let user = settings.username, let password = settings.password {
                try await conn.authenticate(user: user, password: password)
            }
            return conn
        } catch {
            conn.close()
            throw error
        }
    }

    /// SNI takes a host name, never an IP address; for an address the certificate is checked against it.
    static func sniName(_ host: String) -> String? {
        host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : host
    }

    private func hello(_ name: String) async throws {
        let reply = try await command("EHLO \(name)")
        try expect(250, reply)
        extensions = []
        authMechanisms = []
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ").map(String.init)
            guard let first = words.first else { continue }
            extensions.insert(first)
            if first == "AUTH" { authMechanisms.formUnion(words.dropFirst()) }
        }
    }

    private func authenticate(user: String, password: String) async throws {
        if authMechanisms.contains("PLAIN") {
            let token = Data(("\u{0}" + user + "\u{0}" + password).utf8).base64EncodedString()
            try expect(235, try await command("AUTH PLAIN \(token)"))
        } else if authMechanisms.contains("LOGIN") {
            try expect(334, try await command("AUTH LOGIN"))
            try expect(334, try await command(Data(user.utf8).base64EncodedString()))
            try expect(235, try await command(Data(password.utf8).base64EncodedString()))
        } else {
            throw Failure.reply(504, "the server offers neither AUTH PLAIN nor AUTH LOGIN")
        }
    }

    /// One message; returns the queue id the server names in its final reply, if any.
    func deliver(from: String, to: String, data: String) async throws -> String? {
        guard channel.isActive else { throw Failure.connection("closed") }
        let mail = try await command("MAIL FROM:<\(from)>" + (extensions.contains("8BITMIME") ? " BODY=8BITMIME" : ""))
        try expect(250, mail)
        let rcpt = try await command("RCPT TO:<\(to)>")
        guard rcpt.code == 250 || rcpt.code == 251 else {
            _ = try? await command("RSET")
            throw Failure.reply(rcpt.code, rcpt.text)
        }
        try expect(354, try await command("DATA"))
        // Dot-stuffing: a line that starts with "." gets a second one.
        var body = data.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        if body.hasPrefix(".") { body = "." + body }
        if !body.hasSuffix("\r\n") { body += "\r\n" }
        try await write(body + ".\r\n")
        let done = try await readReply()
        try expect(250, done)
        return done.text.split(separator: " ").last.map(String.init)
    }

    func quit() {
        let channel = self.channel
        Task {
            try? await channel.writeAndFlush(ByteBuffer(string: "QUIT\r\n")).get()
            try? await channel.close().get()
        }
    }

    func close() { channel.close(promise: nil) }

    fileprivate func command(_ line: String) async throws -> SMTPReply {
        try await write(line + "\r\n")
        return try await readReply()
    }

    private func write(_ text: String) async throws {
        do { try await channel.writeAndFlush(ByteBuffer(string: text)).get() } catch {
            throw Failure.connection("write: \(error)")
        }
    }

    fileprivate func readReply() async throws -> SMTPReply {
        // A server that stops answering has the connection closed under it, which ends the wait. A reply that has
        // arrived but waits for this task to get a thread (a busy machine) is an answer, not silence: the timer runs
        // on the channel's event loop, as the decoder does, and looks at what the decoder has passed on.
        let channel = self.channel
        let decoder = self.decoder
        let expected = repliesRead + 1
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            if decoder.repliesDecoded < expected { channel.close(promise: nil) }
        }
        defer { timer.cancel() }
        do {
            guard let reply = try await replies.next() else { throw Failure.connection("closed by the server") }
            repliesRead += 1
            return reply
        } catch let f as Failure {
            throw f
        } catch {
            throw Failure.connection("\(error)")
        }
    }

    fileprivate func expect(_ code: Int, _ reply: SMTPReply) throws {
        guard reply.code == code else { throw Failure.reply(reply.code, reply.text) }
    }
}

/// Splits the byte stream into SMTP replies ("250-first", …, "250 last").
/// Its state is touched only on the channel's event loop (its handler methods and the reply timer).
final class SMTPReplyDecoder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    private var buffer = ByteBuffer()
    private var lines: [String] = []
    private(set) var repliesDecoded = 0

    init(_ continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        buffer.writeBuffer(&incoming)
        while let crlf = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = crlf - buffer.readerIndex + 1
            var line = buffer.readString(length: length) ?? ""
            line = line.trimmingCharacters(in: .newlines)
            guard line.count >= 3, let code = Int(line.prefix(3)) else {
                continuation.finish(throwing: SMTPConnection.Failure.protocolViolation("malformed reply line"))
                context.close(promise: nil)
                return
            }
            let more = line.count > 3 && line[line.index(line.startIndex, offsetBy: 3)] == "-"
            lines.append(line.count > 4 ? String(line.dropFirst(4)) : "")
            if !more {
                repliesDecoded += 1
                continuation.yield(SMTPReply(code: code, lines: lines))
                lines = []
            }
        }
        buffer.discardReadBytes()
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish(throwing: SMTPConnection.Failure.connection("closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: SMTPConnection.Failure.connection("\(error)"))
        context.close(promise: nil)
    }
}
