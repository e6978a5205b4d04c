import Configuration
import Domain
import Features
import Foundation
import Logging
import Messaging
import ServiceLifecycle
import Storage

/// Notification settings: which transports, the sender identities, SMS rules.
public struct NotificationConfig: Sendable {
    public enum MailTransport: String, Sendable { case dev, smtp }
    public enum SmsTransportKind: String, Sendable { case dev }

    public var mailTransport: MailTransport
    public var smtp: SMTPSettings?
    public var from: EmailAddress
    public var fromName: String
    public var replyTo: EmailAddress?
    public var smsTransport: SmsTransportKind
    public var smsSender: SmsSenderID
    public var transliterate: Bool
    public var quietHours: QuietHours
    public var devOutboxFolder: String
    public var intervalSeconds: Int

    static func read(_ r: ConfigReader, mode: AppConfig.Mode, problems: inout [String]) -> NotificationConfig {
        func email(_ key: ConfigKey, _ env: String, _ def: String?) -> EmailAddress? {
            guard let raw = r.string(forKey: key) ?? def else { return nil }
            guard let e = try? EmailAddress.parse(raw) else { problems.append("\(env) is not a valid e-mail address"); return nil }
            return e
        }
        let mail = MailTransport(rawValue: r.string(forKey: "mail.transport", default: mode == .demo ? "dev" : "smtp")) ?? {
            problems.append("MAIL_TRANSPORT must be dev or smtp")
            return .dev
        }()
        var smtp: SMTPSettings?
        if mail == .smtp {
            let host = r.string(forKey: "smtp.host") ?? ""
            if host.isEmpty { problems.append("SMTP_HOST is required when MAIL_TRANSPORT=smtp") }
            let security = SMTPSettings.Security(rawValue: r.string(forKey: "smtp.security", default: "starttls")) ?? {
                problems.append("SMTP_SECURITY must be none, starttls or tls")
                return .startTLS
            }()
            let port = Int(r.string(forKey: "smtp.port") ?? (security == .tls ? "465" : "587")) ?? 587
            smtp = SMTPSettings(host: host, port: port, security: security, username: r.string(forKey: "smtp.username"),
                                password: r.string(forKey: "smtp.password", isSecret: true), trustRootsFile: r.string(forKey: "smtp.ca.file"))
        }
        let smsKind = SmsTransportKind(rawValue: r.string(forKey: "sms.transport", default: "dev")) ?? {
            problems.append("SMS_TRANSPORT: only dev is available in this release (SMPP and Kannel are being built)")
            return .dev
        }()
        if mode == .production && smsKind == .dev { problems.append("SMS_TRANSPORT=dev writes SMS to files; production needs a real SMS transport") }
        let sender: SmsSenderID
        do { sender = try SmsSenderID(r.string(forKey: "sms.sender", default: "Hostico")) } catch {
            problems.append("SMS_SENDER: " + (error.errors.first?.message ?? "invalid"))
            sender = try! SmsSenderID("Hostico")
        }
        let tzName = r.string(forKey: "sms.time.zone", default: "Europe/Bucharest")
        let tz = TimeZone(identifier: tzName) ?? { problems.append("SMS_TIME_ZONE \(tzName) is not a known time zone"); return TimeZone(identifier: "UTC")! }()
        let start = Int(r.string(forKey: "sms.quiet.start", default: "9")) ?? -1
        let end = Int(r.string(forKey: "sms.quiet.end", default: "19")) ?? -1
        if !(0 <= start && start < end && end <= 24) { problems.append("SMS_QUIET_START and SMS_QUIET_END must be hours with 0 ≤ start < end ≤ 24") }
        return NotificationConfig(
            mailTransport: mail, smtp: smtp, from: email("mail.from", "MAIL_FROM", "billing@hostico.example") ?? (try! EmailAddress.parse("billing@hostico.example")),
            fromName: r.string(forKey: "mail.from.name", default: "Hostico"), replyTo: email("mail.reply.to", "MAIL_REPLY_TO", nil),
            smsTransport: smsKind, smsSender: sender, transliterate: r.string(forKey: "sms.transliterate", default: "true") != "false",
            quietHours: (0 <= start && start < end && end <= 24) ? QuietHours(startHour: start, endHour: end, timeZone: tz) : QuietHours(timeZone: tz),
            devOutboxFolder: r.string(forKey: "dev.outbox.dir", default: "./data/dev-outbox"),
            intervalSeconds: Int(r.string(forKey: "notify.interval.seconds", default: "5")) ?? 5)
    }

    /// The delivery use case wired to the configured transports.
    public func makeDelivery(deps: AppDependencies, database: Database, publicBaseURL: String) throws -> DeliverNotifications {
        let email: any EmailTransport
        let sms: any SmsTransport
        let dev = try DevOutboxTransport(folder: URL(fileURLWithPath: devOutboxFolder))
        switch mailTransport {
        case .dev:
            deps.logger.notice("e-mail goes to the development outbox folder, not to clients", metadata: ["folder": "\(devOutboxFolder)"])
            email = dev
        case .smtp: email = try SMTPTransport(settings: smtp!, logger: deps.logger)
        }
        switch smsTransport {
        case .dev:
            deps.logger.notice("SMS go to the development outbox folder, not to phones", metadata: ["folder": "\(devOutboxFolder)"])
            sms = dev
        }
        let settings = NotificationSettings(fromAddress: from, fromName: fromName, replyTo: replyTo, smsSender: smsSender, transliterateRomanian: transliterate,
                                            quietHours: quietHours, publicBaseURL: publicBaseURL)
        return DeliverNotifications(deps: deps, messages: SQLMessageStore(database: database), email: email, sms: sms, templates: try MustacheMessageTemplates(), settings: settings)
    }
}

/// Delivers the outbox every few seconds until graceful shutdown; any number may run against one database.
public struct NotificationWorker: Service {
    let delivery: DeliverNotifications
    let interval: Duration
    let logger: Logger

    public init(delivery: DeliverNotifications, interval: Duration, logger: Logger) {
        self.delivery = delivery
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await delivery.runOnce()
                if report.dispatched + report.claimed > 0 { logger.info("notifications delivered", metadata: ["report": "\(report)"]) }
            } catch {
                logger.error("notification delivery failed", metadata: ["error": "\(error)"])
            }
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }
}
