import Domain
import Features
import Foundation
import Logging
import NIOCore
import NIOPosix

public struct SMPPSettings: Sendable {
    public enum BindMode: String, Sendable {
        /// Sends only; no delivery receipts come back.
        case transmitter
        /// Sends and receives delivery receipts on the same connection.
        case transceiver
    }

    public let host: String
    public let port: Int
    public let systemID: String
    public let password: String
    public let systemType: String
    public let bindMode: BindMode
    /// Ask the SMSC for a delivery receipt (registered_delivery = 1); useful only with a transceiver bind.
    public let requestDeliveryReceipts: Bool
    /// submit_sm requests outstanding at once before the next waits for a response.
    public let window: Int
    public let enquireLinkSeconds: Int64
    public let responseTimeoutSeconds: Int64
    /// Reconnect back-off: the first wait, doubling up to the last.
    public let reconnectMinSeconds: Double
    public let reconnectMaxSeconds: Double

    public init(
        host: String, port: Int, systemID: String, password: String, systemType: String = "",
        bindMode: BindMode = .transceiver,
        requestDeliveryReceipts: Bool = true, window: Int = 32, enquireLinkSeconds: Int64 = 30,
        responseTimeoutSeconds: Int64 = 10,
        reconnectMinSeconds: Double = 1, reconnectMaxSeconds: Double = 60
    ) {
        self.host = host
        self.port = port
        self.systemID = systemID
        self.password = password
        self.systemType = systemType
        self.bindMode = bindMode
        self.requestDeliveryReceipts = requestDeliveryReceipts
        self.window = max(1, window)
        self.enquireLinkSeconds = enquireLinkSeconds
        self.responseTimeoutSeconds = responseTimeoutSeconds
        self.reconnectMinSeconds = reconnectMinSeconds
        self.reconnectMaxSeconds = reconnectMaxSeconds
    }
}

/// An SMPP 3.4 client (ESME) on SwiftNIO: one bound session shared by all senders, a window of outstanding
/// submit_sm, enquire_link keep-alive, reconnection with back-off, every deliver_sm answered and delivery
/// receipts handed to `onReceipt`; inbound messages are answered and ignored (the product is one-way).
public actor SMPPTransport: SmsTransport {
    let settings: SMPPSettings
    let group: any EventLoopGroup
    let logger: Logger
    let onReceipt: @Sendable (DeliveryReport) async -> Void

    private var session: SMPPSession?
    private var connecting: Task<SMPPSession, any Error>?
    private var retryAt: NIODeadline = .uptimeNanoseconds(0)
    private var backoff: Double
    private var inFlight = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(
        settings: SMPPSettings, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger,
        onReceipt: @escaping @Sendable (DeliveryReport) async -> Void
    ) {
        self.settings = settings
        self.group = group
        self.logger = logger
        self.onReceipt = onReceipt
        self.backoff = settings.reconnectMinSeconds
    }

    public func send(to: PhoneNumber, from sender: SmsSenderID, _ sms: EncodedSms) async throws -> [String] {
        // Parts go one after the other: an SMSC may expect a concatenated message's parts in order.
        var ids: [String] = []
        for part in sms.parts {
            let pdu = SubmitSm(
                sourceAddress: sender.value, destinationAddress: String(to.e164.dropFirst()),
                esmClass: part.header.isEmpty ? 0 : 0x40,  // UDHI: the short_message starts with the concatenation header
                registeredDelivery: settings.requestDeliveryReceipts ? 1 : 0, dataCoding: sms.encoding.dataCoding,
                shortMessage: part.header + part.payload)
            ids.append(try await submit(pdu))
        }
        return ids
    }

    private func submit(_ submit: SubmitSm) async throws -> String {
        await acquireWindow()
        defer { releaseWindow() }
        let session = try await boundSession()
        let response: SMPPPDU
        do {
            response = try await session.request(.submitSm, body: submit.body(allocator: session.allocator))
        } catch {
            throw DeliveryError.temporary("SMPP: \(error)")
        }
        guard response.status == SMPPStatus.ok else {
            let reason = "SMSC refused submit_sm: \(SMPPStatus.describe(response.status))"
            throw SMPPStatus.isTemporary(response.status)
                ? DeliveryError.temporary(reason) : DeliveryError.permanent(reason)
        }
        var body = response.body
        let id = (try? body.readCString("message_id")) ?? ""
        return id
    }

    private func acquireWindow() async {
        if inFlight < settings.window {
            inFlight += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func releaseWindow() {
        // The slot passes straight to the next waiter, so inFlight stays the same.
        if waiting.isEmpty { inFlight -= 1 } else { waiting.removeFirst().resume() }
    }

    /// The bound session, connecting and binding first when there is none; while the SMSC is unreachable,
    /// callers fail at once (a temporary failure) until the back-off has passed.
    private func boundSession() async throws -> SMPPSession {
        if let session, session.isActive { return session }
        session = nil
        if let connecting { return try await connecting.value }
        guard NIODeadline.now() >= retryAt else {
            throw DeliveryError.temporary(
                "SMSC \(settings.host):\(settings.port) unreachable; next connection attempt in \((retryAt - .now()).nanoseconds / 1_000_000) ms"
            )
        }
        let task = Task {
            do { return try await self.connect() } catch {
                throw (error as? DeliveryError)
                    ?? DeliveryError.temporary("SMPP connect \(settings.host):\(settings.port): \(error)")
            }
        }
        connecting = task
        do {
            let s = try await task.value
            connecting = nil
            session = s
            backoff = settings.reconnectMinSeconds
            logger.info(
                "SMPP bound",
                metadata: ["smsc": "\(settings.host):\(settings.port)", "mode": "\(settings.bindMode.rawValue)"])
            return s
        } catch {
            connecting = nil
            retryAt = .now() + .nanoseconds(Int64(backoff * 1e9))
            logger.warning(
                "SMPP connection failed",
                metadata: [
                    "smsc": "\(settings.host):\(settings.port)", "error": "\(error)", "retry_in_s": "\(backoff)",
                ])
            backoff = min(settings.reconnectMaxSeconds, backoff * 2)
            throw error
        }
    }

    private func connect() async throws -> SMPPSession {
        let onReceipt = self.onReceipt
        let logger = self.logger
        let session = try await SMPPSession.open(settings: settings, group: group) { deliver in
            guard let receipt = deliver.receipt else {
                logger.debug("inbound SMS ignored: the service is one-way")
                return
            }
            Task { await onReceipt(DeliveryReport(providerID: receipt.messageID, status: receipt.state)) }
        }
        let command: SMPPCommand = settings.bindMode == .transceiver ? .bindTransceiver : .bindTransmitter
        var body = session.allocator.buffer(capacity: 64)
        body.writeCString(settings.systemID)
        body.writeCString(settings.password)
        body.writeCString(settings.systemType)
        body.writeInteger(UInt8(0x34))  // interface_version 3.4
        body.writeInteger(UInt8(0))  // addr_ton
        body.writeInteger(UInt8(0))  // addr_npi
        body.writeCString("")  // address_range
        let response: SMPPPDU
        do {
            response = try await session.request(command, body: body)
        } catch {
            session.close()
            throw error
        }
        guard response.status == SMPPStatus.ok else {
            session.close()
            // A refused bind is a configuration problem; messages wait (temporary) while staff fix it.
            throw DeliveryError.temporary(
                "SMSC refused the bind as \(settings.systemID): \(SMPPStatus.describe(response.status))")
        }
        return session
    }

    /// Unbinds politely (some SMSCs never answer, so not for long) and closes.
    public func shutdown() async {
        guard let s = session else { return }
        session = nil
        _ = try? await s.request(.unbind, body: ByteBuffer(), timeout: .seconds(1))
        s.close()
    }
}

/// A connected SMPP session: requests matched to responses by sequence number.
final class SMPPSession: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case closed
        case timeout(String)
        case connect(String)

        var description: String {
            switch self {
            case .closed: "connection closed"
            case .timeout(let c): "no response to \(c)"
            case .connect(let m): "connect: \(m)"
            }
        }
    }

    let channel: any Channel
    let timeout: TimeAmount
    var allocator: ByteBufferAllocator { channel.allocator }
    var isActive: Bool { channel.isActive }

    private init(channel: any Channel, timeout: TimeAmount) {
        self.channel = channel
        self.timeout = timeout
    }

    static func open(
        settings: SMPPSettings, group: any EventLoopGroup, onDeliver: @escaping @Sendable (DeliverSm) -> Void
    ) async throws -> SMPPSession {
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(settings.responseTimeoutSeconds))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMPPFrameDecoder()))
                        try channel.pipeline.syncOperations.addHandler(
                            SMPPClientHandler(
                                enquireLinkEvery: .seconds(settings.enquireLinkSeconds),
                                responseTimeout: .seconds(settings.responseTimeoutSeconds), onDeliver: onDeliver))
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw Failure.connect("\(settings.host):\(settings.port): \(error)")
        }
        return SMPPSession(channel: channel, timeout: .seconds(settings.responseTimeoutSeconds))
    }

    func request(_ command: SMPPCommand, body: ByteBuffer, timeout: TimeAmount? = nil) async throws -> SMPPPDU {
        let promise = channel.eventLoop.makePromise(of: SMPPPDU.self)
        channel.writeAndFlush(
            SMPPClientHandler.Request(
                command: command, body: body, timeout: timeout ?? self.timeout, response: promise), promise: nil)
        return try await promise.futureResult.get()
    }

    func close() { channel.close(promise: nil) }
}

/// Runs on the channel's event loop: numbers requests, matches responses, answers what the SMSC asks,
/// and keeps the link alive.
final class SMPPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = SMPPPDU
    typealias OutboundIn = Request
    typealias OutboundOut = ByteBuffer

    struct Request: Sendable {
        let command: SMPPCommand
        let body: ByteBuffer
        let timeout: TimeAmount
        let response: EventLoopPromise<SMPPPDU>
    }

    private var nextSequence: UInt32 = 1
    private var pending: [UInt32: (promise: EventLoopPromise<SMPPPDU>, timer: Scheduled<Void>, command: SMPPCommand)] =
        [:]
    private var keepAlive: RepeatedTask?
    private var unansweredEnquireLink: UInt32?
    private let enquireLinkEvery: TimeAmount
    private let responseTimeout: TimeAmount
    private let onDeliver: @Sendable (DeliverSm) -> Void

    init(enquireLinkEvery: TimeAmount, responseTimeout: TimeAmount, onDeliver: @escaping @Sendable (DeliverSm) -> Void)
    {
        self.enquireLinkEvery = enquireLinkEvery
        self.responseTimeout = responseTimeout
        self.onDeliver = onDeliver
    }

    private func takeSequence() -> UInt32 {
        let s = nextSequence
        nextSequence = nextSequence >= 0x7FFF_FFFF ? 1 : nextSequence + 1
        return s
    }

    func channelActive(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        keepAlive = context.eventLoop.scheduleRepeatedTask(initialDelay: enquireLinkEvery, delay: enquireLinkEvery) {
            _ in
            let (handler, context) = loopBound.value
            // The previous enquire_link went unanswered for a whole interval: the link is dead.
            if handler.unansweredEnquireLink != nil {
                context.close(promise: nil)
                return
            }
            let seq = handler.takeSequence()
            handler.unansweredEnquireLink = seq
            context.writeAndFlush(
                handler.wrapOutboundOut(
                    SMPPPDU(commandID: SMPPCommand.enquireLink.rawValue, status: 0, sequence: seq, body: ByteBuffer())
                        .encoded(allocator: context.channel.allocator)), promise: nil)
        }
        context.fireChannelActive()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard context.channel.isActive else {
            request.response.fail(SMPPSession.Failure.closed)
            promise?.fail(SMPPSession.Failure.closed)
            return
        }
        let seq = takeSequence()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: request.timeout) {
            let expired = loopBound.value.pending.removeValue(forKey: seq)
            expired?.promise.fail(SMPPSession.Failure.timeout("\(request.command)"))
        }
        pending[seq] = (request.response, timer, request.command)
        let pdu = SMPPPDU(commandID: request.command.rawValue, status: 0, sequence: seq, body: request.body)
        context.write(wrapOutboundOut(pdu.encoded(allocator: context.channel.allocator)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let pdu = unwrapInboundIn(data)
        if pdu.isResponse {
            if pdu.commandID == SMPPCommand.enquireLink.rawValue | SMPPCommand.responseBit,
                pdu.sequence == unansweredEnquireLink
            {
                unansweredEnquireLink = nil
                return
            }
            if let p = pending.removeValue(forKey: pdu.sequence) {
                p.timer.cancel()
                p.promise.succeed(pdu)
            }
            return
        }
        switch SMPPCommand(rawValue: pdu.commandID) {
        case .deliverSm:
            // Always answered, even when the content cannot be read, or the SMSC would resend it forever.
            reply(context, to: pdu, status: SMPPStatus.ok, body: Self.emptyMessageID(context))
            if let deliver = try? DeliverSm(parsing: pdu.body) { onDeliver(deliver) }
        case .enquireLink:
            reply(context, to: pdu, status: SMPPStatus.ok, body: ByteBuffer())
        case .unbind:
            reply(context, to: pdu, status: SMPPStatus.ok, body: ByteBuffer())
            context.close(promise: nil)
        case .dataSm:
            reply(context, to: pdu, status: SMPPStatus.ok, body: Self.emptyMessageID(context))
        default:
            reply(context, to: pdu, status: SMPPStatus.invalidCommandID, body: ByteBuffer(), nack: true)
        }
    }

    private static func emptyMessageID(_ context: ChannelHandlerContext) -> ByteBuffer {
        var b = context.channel.allocator.buffer(capacity: 1)
        b.writeInteger(UInt8(0))
        return b
    }

    private func reply(
        _ context: ChannelHandlerContext, to pdu: SMPPPDU, status: UInt32, body: ByteBuffer, nack: Bool = false
    ) {
        let id = nack ? SMPPCommand.genericNack.rawValue : pdu.commandID | SMPPCommand.responseBit
        context.writeAndFlush(
            wrapOutboundOut(
                SMPPPDU(commandID: id, status: status, sequence: pdu.sequence, body: body).encoded(
                    allocator: context.channel.allocator)), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepAlive?.cancel()
        keepAlive = nil
        for (_, p) in pending {
            p.timer.cancel()
            p.promise.fail(SMPPSession.Failure.closed)
        }
        pending.removeAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
