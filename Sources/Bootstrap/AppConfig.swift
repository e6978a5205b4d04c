import Configuration
import Domain
import Features
import Foundation
import Payments

/// Every setting, read once at start-up (command-line overrides > environment > `.env` > defaults) and
/// validated. Nothing else reads the environment.
public struct AppConfig: Sendable {
    public enum Mode: String, Sendable { case demo, production }

    public var mode: Mode
    public var databaseURL: String?
    public var sqlitePath: String
    public var host: String
    public var port: Int
    public var publicBaseURL: String
    public var policy: BillingPolicy
    public var numbering: NumberingSettings
    public var euConsumerVat: EUConsumerVat
    public var timeZone: TimeZone
    public var seller: Seller
    public var logLevel: String
    public var notifications: NotificationConfig
    public var provisioning: ProvisioningConfig
    /// 32 bytes that seal TOTP secrets at rest (AES-256-GCM). Changing it makes existing 2FA set-ups unreadable.
    public var secretKey: [UInt8]
    /// Demo and test only: the clock runs this many seconds ahead (e.g. to see a week-old e-mail link expire).
    public var clockOffsetSeconds: Int = 0
    /// How long the log-in link in an invoice e-mail works, from when the e-mail is produced.
    public var mailLinkValidityDays: Int = 7
    /// Card payments through Stripe, when `STRIPE_SECRET_KEY` is set.
    public var stripe: StripeSettings?
    /// Uploads to ANAF's e-Factura, when `ANAF_CLIENT_ID` is set.
    public var efactura: EFacturaConfig?
    /// Reverse proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, CIDRs); none by default.
    public var trustedProxies: [IPNetwork] = []
    /// Where clients reach a person (`SUPPORT_EMAIL`, `SUPPORT_URL`), shown on the pages.
    public var support: SupportContact = .none

    public struct Invalid: Error, CustomStringConvertible {
        public let problems: [String]
        public var description: String { "configuration: " + problems.joined(separator: "; ") }
    }

    /// Defaults describe a demo company; production must name its own seller.
    static let demoSeller = Seller(
        name: "Hostico Demo SRL", cui: "18547290", vatNumber: "RO18547290", tradeRegisterNumber: "J40/1234/2015",
        shareCapital: "200 RON",
        address: PostalAddress(
            street: "Str. Exemplu nr. 1", city: "SECTOR3", county: "B", postalCode: "030001", country: "RO"),
        iban: "RO49AAAA1B31007593840000", bank: "Banca Demo")

    public static func load(
        overrides: [String: String] = [:], environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> AppConfig {
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: overrides),
            EnvironmentVariablesProvider(
                environmentVariables: environment,
                secretsSpecifier: .specific([
                    "DATABASE_URL", "SMTP_PASSWORD", "SMPP_PASSWORD", "KANNEL_PASSWORD", "SMS_REPORT_SECRET",
                    "SECRET_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "ANAF_CLIENT_SECRET",
                ])),
        ]
        if let dotEnv = try? await EnvironmentVariablesProvider(environmentFilePath: ".env", allowMissing: true) {
            providers.append(dotEnv)
        }
        let r = ConfigReader(providers: providers)
        var problems: [String] = []

        let mode =
            Mode(rawValue: r.string(forKey: "app.mode", default: "demo"))
            ?? {
                problems.append("APP_MODE must be demo or production")
                return .demo
            }()
        func int(_ key: ConfigKey, _ env: String, _ def: Int, _ range: ClosedRange<Int>) -> Int {
            let raw = r.string(forKey: key) ?? String(def)
            guard let v = Int(raw), range.contains(v) else {
                problems.append("\(env) must be a whole number in \(range)")
                return def
            }
            return v
        }
        var scopes: Set<EFacturaScope> = []
        for word in r.string(forKey: "efactura.scope", default: "b2b,b2c").split(separator: ",").map({
            $0.trimmingCharacters(in: .whitespaces)
        }) where !word.isEmpty {
            if let s = EFacturaScope(rawValue: word) {
                scopes.insert(s)
            } else {
                problems.append("EFACTURA_SCOPE is a list of b2b, b2c, foreign (got \(word))")
            }
        }
        let policy = BillingPolicy(
            renewalLeadDays: int("billing.renewal.lead.days", "BILLING_RENEWAL_LEAD_DAYS", 14, 0...120),
            suspendAfterDays: int("billing.suspend.after.days", "BILLING_SUSPEND_AFTER_DAYS", 5, 0...120),
            terminateAfterDays: int("billing.terminate.after.days", "BILLING_TERMINATE_AFTER_DAYS", 30, 1...3650),
            reminderDays: (r.string(forKey: "billing.reminder.days") ?? "1,3").split(separator: ",").compactMap {
                Int($0.trimmingCharacters(in: .whitespaces))
            },
            orderDueDays: int("billing.order.due.days", "BILLING_ORDER_DUE_DAYS", 7, 0...60),
            maxExtensionDays: int("billing.max.extension.days", "BILLING_MAX_EXTENSION_DAYS", 14, 1...90),
            orderCancelDays: int("billing.order.cancel.days", "BILLING_ORDER_CANCEL_DAYS", 30, 1...365),
            minPaymentDays: int("billing.min.payment.days", "BILLING_MIN_PAYMENT_DAYS", 7, 0...60),
            efactura: EFacturaPolicy(scopes: scopes))
        let tzName = r.string(forKey: "billing.time.zone", default: "Europe/Bucharest")
        let tz =
            TimeZone(identifier: tzName)
            ?? {
                problems.append("BILLING_TIME_ZONE \(tzName) is not a known time zone")
                return TimeZone(identifier: "UTC")!
            }()
        let euVat =
            EUConsumerVat(rawValue: r.string(forKey: "vat.eu.consumers", default: "romanian"))
            ?? {
                problems.append("VAT_EU_CONSUMERS must be romanian or destination")
                return .romanian
            }()

        // The seller: in production every field must be set explicitly and valid.
        let sellerKeys = [
            "SELLER_NAME", "SELLER_CUI", "SELLER_TRADE_REGISTER", "SELLER_STREET", "SELLER_CITY", "SELLER_COUNTY",
            "SELLER_IBAN", "SELLER_BANK",
        ]
        func sellerValue(_ env: String, _ def: String?) -> String? {
            let key = ConfigKey(env.lowercased().split(separator: "_").map(String.init))
            if let v = r.string(forKey: key), !v.isEmpty { return v }
            if mode == .production, sellerKeys.contains(env) {
                problems.append("\(env) is required in production")
                return nil
            }
            return def
        }
        let d = demoSeller
        let sellerCUI = sellerValue("SELLER_CUI", d.cui) ?? ""
        if (try? CUI.parse(sellerCUI)) == nil, !sellerCUI.isEmpty {
            problems.append("SELLER_CUI \(sellerCUI) is not a valid CUI")
        }
        let iban = sellerValue("SELLER_IBAN", d.iban) ?? ""
        if (try? IBAN.parse(iban)) == nil, !iban.isEmpty { problems.append("SELLER_IBAN is not a valid IBAN") }
        let seller = Seller(
            name: sellerValue("SELLER_NAME", d.name) ?? "", cui: sellerCUI,
            vatNumber: sellerValue("SELLER_VAT", d.vatNumber),
            tradeRegisterNumber: sellerValue("SELLER_TRADE_REGISTER", d.tradeRegisterNumber) ?? "",
            shareCapital: sellerValue("SELLER_SHARE_CAPITAL", d.shareCapital),
            address: PostalAddress(
                street: sellerValue("SELLER_STREET", d.address.street) ?? "",
                city: sellerValue("SELLER_CITY", d.address.city) ?? "",
                county: sellerValue("SELLER_COUNTY", d.address.county),
                postalCode: sellerValue("SELLER_POSTAL_CODE", d.address.postalCode), country: "RO"),
            iban: iban, bank: sellerValue("SELLER_BANK", d.bank) ?? "")

        let proformaPrefix = r.string(forKey: "numbering.proforma.prefix", default: "PF")
        let fiscalPrefix = r.string(forKey: "numbering.fiscal.prefix", default: "HST")
        for (name, value) in [("NUMBERING_PROFORMA_PREFIX", proformaPrefix), ("NUMBERING_FISCAL_PREFIX", fiscalPrefix)]
        where value.isEmpty || value.count > 10 || !value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            problems.append("\(name) must be 1–10 letters or digits")
        }
        let port = int("http.port", "HTTP_PORT", 8080, 1...65535)
        let host = r.string(forKey: "http.host", default: "127.0.0.1")
        let publicBaseURL = r.string(forKey: "public.base.url", default: "http://\(host):\(port)")
        let notifications = NotificationConfig.read(r, mode: mode, publicBaseURL: publicBaseURL, problems: &problems)
        let provisioning = ProvisioningConfig.read(r, problems: &problems)
        let demoKey = Array("hostico-demo-key-not-for-production".utf8.prefix(32))
        var secretKey = demoKey
        if let raw = r.string(forKey: "secret.key", isSecret: true), !raw.isEmpty {
            if let bytes = Data(base64Encoded: raw), bytes.count == 32 {
                secretKey = Array(bytes)
            } else {
                problems.append("SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)")
            }
            if mode == .production, secretKey == demoKey || Set(secretKey).count < 8 {
                problems.append("SECRET_KEY is the demo key or not random; make one with openssl rand -base64 32")
            }
        } else if mode == .production {
            problems.append("SECRET_KEY is required in production (openssl rand -base64 32)")
        }
        var trustedProxies: [IPNetwork] = []
        for item in r.string(forKey: "trusted.proxies", default: "").split(separator: ",").map({
            $0.trimmingCharacters(in: .whitespaces)
        }) where !item.isEmpty {
            if let network = IPNetwork(item) {
                trustedProxies.append(network)
            } else {
                problems.append("TRUSTED_PROXIES must be addresses or CIDRs separated by commas (got \(item))")
            }
        }
        let clockOffset = int("clock.offset.seconds", "CLOCK_OFFSET_SECONDS", 0, 0...(10 * 366 * 86400))
        let mailLinkDays = int("mail.link.validity.days", "MAIL_LINK_VALIDITY_DAYS", 7, 1...30)
        var stripe: StripeSettings?
        if let secret = r.string(forKey: "stripe.secret.key", isSecret: true), !secret.isEmpty {
            let publishable = r.string(forKey: "stripe.publishable.key") ?? ""
            let webhookSecret = r.string(forKey: "stripe.webhook.secret", isSecret: true) ?? ""
            if publishable.isEmpty { problems.append("STRIPE_PUBLISHABLE_KEY is required with STRIPE_SECRET_KEY") }
            if webhookSecret.isEmpty {
                problems.append(
                    "STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (the webhook endpoint's signing secret)")
            }
            let api = r.string(forKey: "stripe.api.url", default: "https://api.stripe.com")
            let script = r.string(forKey: "stripe.js.url", default: "https://js.stripe.com/v3/")
            for (name, url) in [("STRIPE_API_URL", api), ("STRIPE_JS_URL", script)]
            where !(url.hasPrefix("https://") || (mode == .demo && url.hasPrefix("http://"))) {
                problems.append("\(name) must be an https URL")
            }
            stripe = StripeSettings(
                apiBase: api, scriptURL: script, secretKey: secret, publishableKey: publishable,
                webhookSecret: webhookSecret)
        }
        let efactura = EFacturaConfig.read(r, mode: mode, publicBaseURL: publicBaseURL, problems: &problems)
        let supportEmail = r.string(forKey: "support.email").flatMap { $0.isEmpty ? nil : $0 }
        let supportURL = r.string(forKey: "support.url").flatMap { $0.isEmpty ? nil : $0 }
        if let e = supportEmail, (try? EmailAddress.parse(e)) == nil {
            problems.append("SUPPORT_EMAIL must be an e-mail address (got \(e))")
        }
        if let u = supportURL, !(u.hasPrefix("https://") || u.hasPrefix("http://")) {
            problems.append("SUPPORT_URL must be an http(s) address (got \(u))")
        }
        if mode == .production, supportEmail == nil, supportURL == nil {
            problems.append("SUPPORT_EMAIL or SUPPORT_URL is required in production (pages tell clients where to ask)")
        }
        if clockOffset != 0, mode == .production {
            problems.append("CLOCK_OFFSET_SECONDS is for demo and tests; it must not be set in production")
        }
        // Production cookies carry Secure, which browsers drop over http: the public address must be https.
        if mode == .production, !publicBaseURL.lowercased().hasPrefix("https://") {
            problems.append("PUBLIC_BASE_URL must be an https address in production (got \(publicBaseURL))")
        }
        if !problems.isEmpty { throw Invalid(problems: problems) }
        var config = AppConfig(
            mode: mode, databaseURL: r.string(forKey: "database.url", isSecret: true),
            sqlitePath: r.string(forKey: "sqlite.path", default: "./data/hostico.sqlite"),
            host: host, port: port, publicBaseURL: publicBaseURL, policy: policy,
            numbering: NumberingSettings(proformaPrefix: proformaPrefix, fiscalPrefix: fiscalPrefix),
            euConsumerVat: euVat, timeZone: tz, seller: seller,
            logLevel: r.string(forKey: "log.level", default: "info"), notifications: notifications,
            provisioning: provisioning, secretKey: secretKey)
        config.clockOffsetSeconds = clockOffset
        config.mailLinkValidityDays = mailLinkDays
        config.stripe = stripe
        config.efactura = efactura
        config.trustedProxies = trustedProxies
        config.support = SupportContact(
            email: supportEmail ?? (mode == .demo && supportURL == nil ? "support@hostico.example" : nil),
            url: supportURL)
        return config
    }
}
