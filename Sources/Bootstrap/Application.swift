import API
import Domain
import Features
import Foundation
import Payments
import Hummingbird
import Logging
import Messaging
import ServiceLifecycle
import Storage
import Web
import NIOCore

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


/// The login and 2FA use cases wired to the database and the configured key.
public func makeIdentity(config: AppConfig, deps: AppDependencies, database: Database) -> Identity {
    Identity(deps: deps, store: SQLIdentityStore(database: database), box: AESGCMSecretBox(key: config.secretKey), mac: CryptoMessageAuthentication(),
             settings: IdentitySettings(mailLinkValidity: TimeInterval(config.mailLinkValidityDays * 86400)))
}

/// The account e-mails sent at once (password reset, login e-mail changed), through the configured transport.
public func makeAccountMailer(config: AppConfig, deps: AppDependencies) throws -> any AccountMailer {
    TemplatedAccountMailer(templates: try MustacheMessageTemplates(), transport: try config.notifications.makeEmailTransport(deps: deps),
                           settings: config.notifications.settings(publicBaseURL: config.publicBaseURL), clock: deps.clock, random: deps.random)
}

/// The HTTP application: the client area and staff area (HTML), and the JSON API.
public func buildApplication(config: AppConfig, deps: AppDependencies, database: Database) throws -> some ApplicationProtocol {
    let messages = SQLMessageStore(database: database)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ClientAddressMiddleware<AppRequestContext>(trusted: config.trustedProxies))
    if config.publicBaseURL.lowercased().hasPrefix("https://") { router.add(middleware: StrictTransportMiddleware<AppRequestContext>()) }
    router.get("/health") { _, _ in "ok" }
    let mailer = try makeAccountMailer(config: config, deps: deps)
    let cards = config.stripe.map { CardPayments(deps: deps, gateway: StripeGateway(settings: $0), store: SQLCardPaymentStore(database: database)) }
    try WebAreas(deps: deps, identity: makeIdentity(config: config, deps: deps, database: database),
                 settings: WebSettings(publicBaseURL: config.publicBaseURL, demoPayments: config.mode == .demo), messages: messages, mailer: mailer, cards: cards,
                 efactura: makeEFacturaSubmission(config: config, deps: deps, database: database), efacturaQueue: SQLEFacturaQueue(database: database)).register(on: router)
    BillingAPI(deps, messages: messages, provisioning: SQLProvisioningQueue(database: database), efactura: SQLEFacturaQueue(database: database)).register(on: router)
    if config.notifications.smsTransport == .kannel {
        let signer = DeliveryReportSigner(secret: config.notifications.reportSecret ?? "")
        DeliveryReportRoutes(messages: messages, clock: deps.clock, isAuthentic: { signer.isAuthentic($0, signature: $1) }, status: DeliveryReportSigner.status(kannelType:)).register(on: router)
    }
    return Application(router: router, configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Hostico"), logger: deps.logger)
}

/// What `serve` (unless --no-worker) and `worker` run beside requests: the daily billing tasks, the session
/// sweep, notification delivery, provisioning and, when ANAF is configured, e-Factura uploads.
public func backgroundServices(config: AppConfig, deps: AppDependencies, database: Database, billingInterval: Duration) throws -> [any Service] {
    let identity = makeIdentity(config: config, deps: deps, database: database)
    let delivery = try config.notifications.makeDelivery(deps: deps, database: database, publicBaseURL: config.publicBaseURL, links: MailLinks(identity))
    var services: [any Service] = [
        BillingWorker(deps: deps, interval: billingInterval),
        SessionSweeper(identity: identity, interval: .seconds(600)),
        NotificationWorker(delivery: delivery, interval: .seconds(config.notifications.intervalSeconds), logger: deps.logger),
        ProvisioningWorker(provision: config.provisioning.makeProvisioning(deps: deps, database: database, publicBaseURL: config.publicBaseURL),
                           interval: .seconds(config.provisioning.intervalSeconds), logger: deps.logger),
    ]
    if let submit = makeEFacturaSubmission(config: config, deps: deps, database: database), let efactura = config.efactura {
        services.append(EFacturaWorker(submit: submit, interval: .seconds(efactura.intervalSeconds), logger: deps.logger))
    }
    return services
}

/// Runs the daily tasks every `interval` until graceful shutdown, first catching up any day missed since the last
/// recorded run (so an outage ends as on-time runs would have). Several workers may run at once: the tasks are
/// idempotent and lock what they change.
public struct BillingWorker: Service {
    let deps: AppDependencies
    let interval: Duration

    public init(deps: AppDependencies, interval: Duration) {
        self.deps = deps
        self.interval = interval
    }

    public func run() async throws {
        let tasks = DailyBillingTasks(deps)
        await repeatUntilShutdown(every: interval, logger: deps.logger, failure: "daily billing tasks failed") {
            for summary in try await tasks.catchUp(through: deps.today()) {
                if summary.failures.isEmpty {
                    deps.logger.info("daily billing tasks done", metadata: ["summary": "\(summary)"])
                } else {
                    deps.logger.error("daily billing tasks done with failures", metadata: ["summary": "\(summary)"])
                }
            }
        }
    }
}

/// The loop of every background service: a pass, then a pause, until graceful shutdown. A failed pass is logged
/// and the next one runs as usual; the pause ends early when shutdown begins.
func repeatUntilShutdown(every interval: Duration, logger: Logger, failure: Logger.Message, _ pass: () async throws -> Void) async {
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
        do {
            try await pass()
        } catch {
            logger.error(failure, metadata: ["error": "\(error)"])
        }
        do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
    }
}

/// Removes dead web sessions every `interval` (any number of these may run against one database).
public struct SessionSweeper: Service {
    let identity: Identity
    let interval: Duration

    public init(identity: Identity, interval: Duration) {
        self.identity = identity
        self.interval = interval
    }

    public func run() async throws {
        await repeatUntilShutdown(every: interval, logger: identity.deps.logger, failure: "session sweep failed") {
            try await identity.sweepSessions()
        }
    }
}
