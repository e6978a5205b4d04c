import Configuration
import Documents
import Domain
import Features
import Foundation
import Logging
import Messaging
import Storage

/// Notification settings: which transports, the sender identities, SMS rules.
public struct NotificationConfig: Sendable {
    public enum MailTransport: String, Sendable { case dev, smtp }
    public enum SmsTransportKind: String, Sendable { case dev, smpp, kannel }

    public var mailTransport: MailTransport
    public var smtp: SMTPSettings?
    public var from: EmailAddress
    public var fromName: String
    public var replyTo: EmailAddress?
    public var smsTransport: SmsTransportKind
    public var smpp: SMPPSettings?
    public var kannel: KannelSettings?
    /// Signs the delivery-report URLs given to Kannel.
    public var reportSecret: String?
    public var smsSender: SmsSenderID
    public var transliterate: Bool
    public var sendingWindow: SmsSendingWindow
    public var devOutboxFolder: String
    public var intervalSeconds: Int

    static func read(_ r: ConfigReader, mode: AppConfig.Mode, publicBaseURL: String, problems: inout [String])
        -> NotificationConfig
    {
        func email(_ key: ConfigKey, _ env: String, _ def: String?) -> EmailAddress? {
            guard let raw = r.string(forKey: key) ?? def else { return nil }
            guard let e = try? EmailAddress.parse(raw) else {
                problems.append("\(env) is not a valid e-mail address")
                return nil
            }
            return e
        }
        let mail =
            MailTransport(rawValue: r.string(forKey: "mail.transport", default: mode == .demo ? "dev" : "smtp"))
            ?? {
                problems.append("MAIL_TRANSPORT must be dev or smtp")
                return .dev
            }()
        var smtp: SMTPSettings?
        if mail == .smtp {
            let host = r.string(forKey: "smtp.host") ?? ""
            if host.isEmpty { problems.append("SMTP_HOST is required when MAIL_TRANSPORT=smtp") }
            let security =
                SMTPSettings.Security(rawValue: r.string(forKey: "smtp.security", default: "starttls"))
                ?? {
                    problems.append("SMTP_SECURITY must be none, starttls or tls")
                    return .startTLS
                }()
            let port = Int(r.string(forKey: "smtp.port") ?? (security == .tls ? "465" : "587")) ?? 587
            smtp = SMTPSettings(
                host: host, port: port, security: security, username: r.string(forKey: "smtp.username"),
                password: r.string(forKey: "smtp.password", isSecret: true),
                trustRootsFile: r.string(forKey: "smtp.ca.file"))
        }
        let smsKind =
            SmsTransportKind(rawValue: r.string(forKey: "sms.transport", default: "dev"))
            ?? {
                problems.append("SMS_TRANSPORT must be dev, smpp or kannel")
                return .dev
            }()
        if mode == .production && smsKind == .dev {
            problems.append("SMS_TRANSPORT=dev writes SMS to files; production needs smpp or kannel")
        }
        if mode == .production && mail == .dev {
            problems.append("MAIL_TRANSPORT=dev writes e-mail to files; production needs smtp")
        }
        var smpp: SMPPSettings?
        if smsKind == .smpp {
            let host = r.string(forKey: "smpp.host") ?? ""
            let systemID = r.string(forKey: "smpp.system.id") ?? ""
            if host.isEmpty || systemID.isEmpty {
                problems.append("SMPP_HOST and SMPP_SYSTEM_ID are required when SMS_TRANSPORT=smpp")
            }
            let bind =
                SMPPSettings.BindMode(rawValue: r.string(forKey: "smpp.bind", default: "transceiver"))
                ?? {
                    problems.append("SMPP_BIND must be transceiver or transmitter")
                    return .transceiver
                }()
            smpp = SMPPSettings(
                host: host, port: Int(r.string(forKey: "smpp.port", default: "2775")) ?? 2775, systemID: systemID,
                password: r.string(forKey: "smpp.password", isSecret: true) ?? "",
                systemType: r.string(forKey: "smpp.system.type", default: ""),
                bindMode: bind,
                requestDeliveryReceipts: r.string(forKey: "smpp.delivery.receipts", default: "true") != "false",
                window: Int(r.string(forKey: "smpp.window", default: "32")) ?? 32)
        }
        var kannel: KannelSettings?
        let reportSecret = r.string(forKey: "sms.report.secret", isSecret: true)
        if smsKind == .kannel {
            let url = r.string(forKey: "kannel.sendsms.url") ?? ""
            if URL(string: url)?.scheme?.hasPrefix("http") != true {
                problems.append(
                    "KANNEL_SENDSMS_URL must be the smsbox sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms")
            }
            if (reportSecret ?? "").count < 16 {
                problems.append(
                    "SMS_REPORT_SECRET (at least 16 characters) signs Kannel's delivery-report URLs; it is required when SMS_TRANSPORT=kannel"
                )
            }
            kannel = KannelSettings(
                sendURL: url, username: r.string(forKey: "kannel.username") ?? "",
                password: r.string(forKey: "kannel.password", isSecret: true) ?? "",
                reportBaseURL: publicBaseURL)
        }
        let sender: SmsSenderID
        do { sender = try SmsSenderID(r.string(forKey: "sms.sender", default: "Hostico")) } catch {
            problems.append("SMS_SENDER: " + (error.errors.first?.message ?? "invalid"))
            sender = try! SmsSenderID("Hostico")
        }
        let tzName = r.string(forKey: "sms.time.zone", default: "Europe/Bucharest")
        let tz =
            TimeZone(identifier: tzName)
            ?? {
                problems.append("SMS_TIME_ZONE \(tzName) is not a known time zone")
                return TimeZone(identifier: "UTC")!
            }()
        // SMS_QUIET_START/_END named the window before it was called the sending window; they are still read.
        let start = Int(r.string(forKey: "sms.window.start") ?? r.string(forKey: "sms.quiet.start", default: "9")) ?? -1
        let end = Int(r.string(forKey: "sms.window.end") ?? r.string(forKey: "sms.quiet.end", default: "19")) ?? -1
        if !(0 <= start && start < end && end <= 24) {
            problems.append("SMS_WINDOW_START and SMS_WINDOW_END must be hours with 0 ≤ start < end ≤ 24")
        }
        return NotificationConfig(
            mailTransport: mail, smtp: smtp,
            from: email("mail.from", "MAIL_FROM", "billing@hostico.example")
                ?? (try! EmailAddress.parse("billing@hostico.example")),
            fromName: r.string(forKey: "mail.from.name", default: "Hostico"),
            replyTo: email("mail.reply.to", "MAIL_REPLY_TO", nil),
            smsTransport: smsKind, smpp: smpp, kannel: kannel, reportSecret: reportSecret, smsSender: sender,
            transliterate: r.string(forKey: "sms.transliterate", default: "true") != "false",
            sendingWindow: (0 <= start && start < end && end <= 24)
                ? SmsSendingWindow(startHour: start, endHour: end, timeZone: tz) : SmsSendingWindow(timeZone: tz),
            devOutboxFolder: r.string(forKey: "dev.outbox.dir", default: "./data/dev-outbox"),
            intervalSeconds: Int(r.string(forKey: "notify.interval.seconds", default: "5")) ?? 5)
    }

    /// The delivery use case wired to the configured transports.
    public func makeDelivery(deps: AppDependencies, database: Database, publicBaseURL: String, links: MailLinks?) throws
        -> DeliverNotifications
    {
        let sms: any SmsTransport
        let dev = try DevOutboxTransport(folder: URL(fileURLWithPath: devOutboxFolder))
        let email = try makeEmailTransport(deps: deps)
        let store = SQLMessageStore(database: database)
        switch smsTransport {
        case .dev:
            deps.logger.notice(
                "SMS go to the development outbox folder, not to phones", metadata: ["folder": "\(devOutboxFolder)"])
            sms = dev
        case .smpp:
            let reports = DeliveryReportBatcher(store: store, clock: deps.clock, logger: deps.logger)
            sms = SMPPTransport(settings: smpp!, logger: deps.logger) { await reports.add($0) }
        case .kannel:
            sms = KannelTransport(
                settings: kannel!, signer: DeliveryReportSigner(secret: reportSecret ?? ""), random: deps.random)
        }
        return DeliverNotifications(
            deps: deps, messages: store, email: email, sms: sms, templates: try MustacheMessageTemplates(),
            settings: settings(publicBaseURL: publicBaseURL),
            documents: PDFInvoiceDocuments(), links: links)
    }

    public func settings(publicBaseURL: String) -> NotificationSettings {
        NotificationSettings(
            fromAddress: from, fromName: fromName, replyTo: replyTo, smsSender: smsSender,
            transliterateRomanian: transliterate,
            sendingWindow: sendingWindow, publicBaseURL: publicBaseURL)
    }

    public func makeEmailTransport(deps: AppDependencies) throws -> any EmailTransport {
        switch mailTransport {
        case .dev:
            deps.logger.notice(
                "e-mail goes to the development outbox folder, not to clients",
                metadata: ["folder": "\(devOutboxFolder)"])
            return try DevOutboxTransport(folder: URL(fileURLWithPath: devOutboxFolder))
        case .smtp: return try SMTPTransport(settings: smtp!, logger: deps.logger)
        }
    }
}
