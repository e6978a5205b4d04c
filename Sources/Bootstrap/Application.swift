import API
import Domain
import Features
import Foundation
import Hummingbird
import Logging
import Messaging
import NIOCore
import Payments
import ServiceLifecycle
import Storage
import Web

/// The one request context of the application: the API's bearer-key actor and the web areas' session.
public struct AppRequestContext: APIRequestContext, WebRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var actor: Actor?
    public var session: WebSession?
    public let remoteAddress: SocketAddress?
    /// The client's address behind trusted proxies (`TRUSTED_PROXIES`), set by `ClientAddressMiddleware`.
    public var clientAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    public var peerIP: String? { remoteAddress?.ipAddress }
    public var remoteIP: String { clientAddress ?? peerIP ?? "unknown" }
}

/// The HTTP application: the client area and staff area (HTML), and the JSON API.
public func buildApplication(_ live: LiveServices) throws -> some ApplicationProtocol {
    let (config, deps) = (live.config, live.deps)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ClientAddressMiddleware<AppRequestContext>(trusted: config.trustedProxies))
    if config.publicBaseURL.lowercased().hasPrefix("https://") {
        router.add(middleware: StrictTransportMiddleware<AppRequestContext>())
    }
    router.get("/health") { _, _ in "ok" }
    try WebAreas(
        deps: deps, identity: live.identity,
        settings: WebSettings(
            publicBaseURL: config.publicBaseURL, demoPayments: config.mode == .demo,
            smsWindow: config.notifications.sendingWindow, support: config.support), messages: live.messages,
        mailer: live.mailer, cards: live.cards, efactura: live.efactura, efacturaQueue: live.efacturaQueue
    ).register(on: router)
    BillingAPI(deps, messages: live.messages, provisioning: live.provisioningQueue, efactura: live.efacturaQueue)
        .register(on: router)
    if config.notifications.smsTransport == .kannel {
        let signer = DeliveryReportSigner(secret: config.notifications.reportSecret ?? "")
        DeliveryReportRoutes(
            messages: live.messages, clock: deps.clock, isAuthentic: { signer.isAuthentic($0, signature: $1) },
            status: DeliveryReportSigner.status(kannelType:)
        )
        .register(on: router)
    }
    return Application(
        router: router, configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Hostico"),
        logger: deps.logger)
}

/// What `serve` (unless --no-worker) and `worker` run beside requests: the daily billing tasks, the session
/// sweep, notification delivery, provisioning and, when ANAF is configured, e-Factura uploads. Any number of
/// processes may run them on one database: each pass claims or locks what it changes.
public func backgroundServices(_ live: LiveServices, billingInterval: Duration) throws -> [any Service] {
    let (deps, logger) = (live.deps, live.deps.logger)
    let tasks = DailyBillingTasks(deps)
    let delivery = try live.makeDelivery()
    var services: [any Service] = [
        // Catches up any day missed since the last recorded run first, so an outage ends as on-time runs would have.
        PeriodicService(name: "daily billing tasks", every: billingInterval, logger: logger) {
            for summary in try await tasks.catchUp(through: deps.today()) {
                if summary.failures.isEmpty {
                    logger.info("daily billing tasks done", metadata: ["summary": "\(summary)"])
                } else {
                    logger.error("daily billing tasks done with failures", metadata: ["summary": "\(summary)"])
                }
            }
        },
        PeriodicService(name: "session sweep", every: .seconds(600), logger: logger) {
            try await live.identity.sweepSessions()
        },
        PeriodicService(
            name: "notification delivery", every: .seconds(live.config.notifications.intervalSeconds), logger: logger
        ) {
            let report = try await delivery.runOnce()
            if report.dispatched + report.claimed > 0 {
                logger.info("notifications delivered", metadata: ["report": "\(report)"])
            }
        },
        PeriodicService(name: "provisioning", every: .seconds(live.config.provisioning.intervalSeconds), logger: logger)
        {
            let report = try await live.provisioning.runOnce()
            if report.done + report.retried + report.failed > 0 {
                logger.info("provisioning", metadata: ["report": "\(report)"])
            }
        },
    ]
    if let submit = live.efactura, let efactura = live.config.efactura {
        services.append(
            PeriodicService(name: "e-Factura", every: .seconds(efactura.intervalSeconds), logger: logger) {
                let report = try await submit.runOnce()
                if report.uploaded + report.accepted + report.rejected + report.failed > 0 {
                    logger.info("e-Factura", metadata: ["report": "\(report)"])
                }
            })
    }
    return services
}

/// A background service: a pass, then a pause, until graceful shutdown. A failed pass is logged and the next one
/// runs as usual; the pause ends early when shutdown begins.
public struct PeriodicService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let pass: @Sendable () async throws -> Void

    public init(
        name: String, every interval: Duration, logger: Logger, pass: @escaping @Sendable () async throws -> Void
    ) {
        self.name = name
        self.interval = interval
        self.logger = logger
        self.pass = pass
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await pass()
            } catch {
                logger.error("\(name) failed", metadata: ["error": "\(error)"])
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }
}
