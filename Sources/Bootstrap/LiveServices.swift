import ANAF
import Documents
import Domain
import Features
import Foundation
import Messaging
import Payments
import Storage

/// The live object graph, built once per process from the configuration: what `serve`, `worker` and the one-shot
/// commands use, so every part of a process shares one identity, one mailer and one set of queues.
public struct LiveServices: Sendable {
    public let config: AppConfig
    public let deps: AppDependencies
    public let database: Database
    /// Login, 2FA, sessions and mail links.
    public let identity: Identity
    /// Account e-mails sent at once (password reset, login e-mail changed).
    public let mailer: any AccountMailer
    public let messages: SQLMessageStore
    public let provisioningQueue: SQLProvisioningQueue
    public let provisioning: ProvisionServices
    public let efacturaQueue: SQLEFacturaQueue
    /// Nil when ANAF is not configured: uploads are off.
    public let efactura: SubmitEFactura?
    /// Nil when Stripe is not configured.
    public let cards: CardPayments?

    public init(config: AppConfig, deps: AppDependencies, database: Database) throws {
        self.config = config
        self.deps = deps
        self.database = database
        identity = Identity(
            deps: deps, store: SQLIdentityStore(database: database), box: AESGCMSecretBox(key: config.secretKey),
            mac: CryptoMessageAuthentication(),
            settings: IdentitySettings(mailLinkValidity: TimeInterval(config.mailLinkValidityDays * 86400)))
        mailer = TemplatedAccountMailer(
            templates: try MustacheMessageTemplates(),
            transport: try config.notifications.makeEmailTransport(deps: deps),
            settings: config.notifications.settings(publicBaseURL: config.publicBaseURL), clock: deps.clock,
            random: deps.random)
        messages = SQLMessageStore(database: database)
        provisioningQueue = SQLProvisioningQueue(database: database)
        provisioning = ProvisionServices(
            deps: deps, queue: provisioningQueue,
            provisioner: CommandProvisioner(commands: config.provisioning.commands),
            settings: ProvisioningSettings(publicBaseURL: config.publicBaseURL))
        let efacturaQueue = SQLEFacturaQueue(database: database)
        self.efacturaQueue = efacturaQueue
        efactura = config.efactura.map { efactura in
            SubmitEFactura(
                deps: deps, queue: efacturaQueue, gateway: ANAFEFacturaClient(settings: efactura.anaf),
                box: AESGCMSecretBox(key: config.secretKey),
                xml: { Array(EFactura.xml($0).utf8) })
        }
        cards = config.stripe.map {
            CardPayments(
                deps: deps, gateway: StripeGateway(settings: $0), store: SQLCardPaymentStore(database: database))
        }
    }

    /// Notification delivery through the configured transports; made by the processes that deliver (it opens the
    /// SMS connection when first used).
    public func makeDelivery() throws -> DeliverNotifications {
        try config.notifications.makeDelivery(
            deps: deps, database: database, publicBaseURL: config.publicBaseURL, links: MailLinks(identity))
    }
}
