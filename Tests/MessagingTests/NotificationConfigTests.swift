import Bootstrap
import Foundation
import Testing

/// Start-up refuses notification settings that would lose or misdirect messages, naming each variable.
@Suite("Notification configuration")
struct NotificationConfigTests {
    func problems(_ env: [String: String]) async -> [String] {
        do {
            _ = try await AppConfig.load(overrides: env, environment: [:])
            return []
        } catch let e as AppConfig.Invalid {
            return e.problems
        } catch {
            return ["\(error)"]
        }
    }

    @Test func productionRefusesTheDevelopmentOutbox() async {
        let p = await problems(["APP_MODE": "production", "MAIL_TRANSPORT": "dev", "SMS_TRANSPORT": "dev"])
        #expect(p.contains { $0.hasPrefix("SMS_TRANSPORT=dev") })
        #expect(p.contains { $0.hasPrefix("MAIL_TRANSPORT=dev") })
    }

    @Test func productionNeedsAnHttpsPublicAddress() async {
        let p = await problems(["APP_MODE": "production", "PUBLIC_BASE_URL": "http://billing.example.ro"])
        #expect(p.contains("PUBLIC_BASE_URL must be an https address in production (got http://billing.example.ro)"))
        let q = await problems(["APP_MODE": "production", "PUBLIC_BASE_URL": "https://billing.example.ro"])
        #expect(!q.contains { $0.hasPrefix("PUBLIC_BASE_URL") })
    }

    @Test func productionRefusesTheDemoSecretKey() async {
        let demo = Array("hostico-demo-key-not-for-production".utf8.prefix(32))
        let base64 = { (bytes: [UInt8]) in Data(bytes).base64EncodedString() }
        let refused = "SECRET_KEY is the demo key or not random; make one with openssl rand -base64 32"
        #expect(await problems(["APP_MODE": "production", "SECRET_KEY": base64(demo)]).contains(refused))
        #expect(
            await problems(["APP_MODE": "production", "SECRET_KEY": base64([UInt8](repeating: 0, count: 32))]).contains(
                refused))
        #expect(
            !(await problems(["APP_MODE": "production", "SECRET_KEY": base64((0..<32).map { UInt8($0 * 7 + 3) })])
                .contains(refused)))
        // The demo may keep its key.
        #expect(!(await problems(["SECRET_KEY": base64(demo)]).contains(refused)))
    }

    @Test func trustedProxiesMustBeAddresses() async {
        #expect(await problems(["TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8"]).isEmpty)
        #expect(
            await problems(["TRUSTED_PROXIES": "127.0.0.1, localhost"]) == [
                "TRUSTED_PROXIES must be addresses or CIDRs separated by commas (got localhost)"
            ])
    }

    @Test func smppAndKannelNeedTheirSettings() async {
        var p = await problems(["SMS_TRANSPORT": "smpp"])
        #expect(p == ["SMPP_HOST and SMPP_SYSTEM_ID are required when SMS_TRANSPORT=smpp"])
        p = await problems(["SMS_TRANSPORT": "kannel", "KANNEL_SENDSMS_URL": "ftp://x", "SMS_REPORT_SECRET": "short"])
        #expect(
            p.count == 2 && p.contains { $0.hasPrefix("KANNEL_SENDSMS_URL") }
                && p.contains { $0.hasPrefix("SMS_REPORT_SECRET") })
        p = await problems(["SMS_TRANSPORT": "carrier-pigeon", "SMS_SENDER": "Hostico Billing Ltd"])
        #expect(p.contains("SMS_TRANSPORT must be dev, smpp or kannel"))
        #expect(p.contains { $0.hasPrefix("SMS_SENDER:") })
        p = await problems([
            "SMS_TRANSPORT": "smpp", "SMPP_HOST": "127.0.0.1", "SMPP_SYSTEM_ID": "hostico", "SMPP_BIND": "receiver",
        ])
        #expect(p == ["SMPP_BIND must be transceiver or transmitter"])
    }

    @Test func mailLinkValidityIsASettingAndTheClockOffsetStaysOutOfProduction() async throws {
        #expect(try await AppConfig.load(overrides: [:], environment: [:]).mailLinkValidityDays == 7)
        #expect(
            try await AppConfig.load(overrides: ["MAIL_LINK_VALIDITY_DAYS": "3"], environment: [:]).mailLinkValidityDays
                == 3)
        #expect(
            await problems(["MAIL_LINK_VALIDITY_DAYS": "0"]) == [
                "MAIL_LINK_VALIDITY_DAYS must be a whole number in 1...30"
            ])
        #expect(
            try await AppConfig.load(overrides: ["CLOCK_OFFSET_SECONDS": "604801"], environment: [:]).clockOffsetSeconds
                == 604801)
        #expect(
            await problems(["APP_MODE": "production", "CLOCK_OFFSET_SECONDS": "60"]).contains {
                $0.hasPrefix("CLOCK_OFFSET_SECONDS is for demo and tests")
            })
    }

    @Test func cardPaymentsNeedEveryStripeSetting() async throws {
        #expect(try await AppConfig.load(overrides: [:], environment: [:]).stripe == nil)
        let p = await problems(["STRIPE_SECRET_KEY": "sk_test_x"])
        #expect(
            p.contains { $0.hasPrefix("STRIPE_PUBLISHABLE_KEY is required") }
                && p.contains { $0.hasPrefix("STRIPE_WEBHOOK_SECRET is required") })
        #expect(
            await problems([
                "APP_MODE": "production", "STRIPE_SECRET_KEY": "sk", "STRIPE_PUBLISHABLE_KEY": "pk",
                "STRIPE_WEBHOOK_SECRET": "wh", "STRIPE_API_URL": "http://127.0.0.1:1",
            ])
            .contains("STRIPE_API_URL must be an https URL"))
        let config = try await AppConfig.load(
            overrides: [
                "STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_PUBLISHABLE_KEY": "pk_test_x",
                "STRIPE_WEBHOOK_SECRET": "whsec_x",
            ], environment: [:])
        #expect(
            config.stripe?.apiBase == "https://api.stripe.com"
                && config.stripe?.scriptURL == "https://js.stripe.com/v3/")
    }

    @Test func anafUploadsNeedTheApplicationsSecretAndProductionTalksToANAFsProductionService() async throws {
        #expect(try await AppConfig.load(overrides: [:], environment: [:]).efactura == nil)
        #expect(
            await problems(["ANAF_CLIENT_ID": "app"]).contains("ANAF_CLIENT_SECRET is required with ANAF_CLIENT_ID"))
        #expect(
            await problems(["ANAF_CLIENT_ID": "app", "ANAF_CLIENT_SECRET": "s", "ANAF_ENVIRONMENT": "staging"])
                .contains("ANAF_ENVIRONMENT must be prod or test"))
        let demo = try await AppConfig.load(
            overrides: [
                "ANAF_CLIENT_ID": "app", "ANAF_CLIENT_SECRET": "s", "PUBLIC_BASE_URL": "https://billing.hostico.ro",
            ], environment: [:])
        #expect(demo.efactura?.anaf.apiBase == "https://api.anaf.ro/test/FCTEL/rest")
        #expect(demo.efactura?.anaf.oauthBase == "https://logincert.anaf.ro/anaf-oauth2/v1")
        #expect(demo.efactura?.anaf.redirectURI == "https://billing.hostico.ro/staff/efactura/oauth")
        let production = ["APP_MODE": "production", "ANAF_CLIENT_ID": "app", "ANAF_CLIENT_SECRET": "s"]
        #expect(
            await problems(production.merging(["ANAF_ENVIRONMENT": "test"]) { $1 }).contains {
                $0.hasPrefix("production uploads to ANAF's production e-Factura")
            })
        #expect(
            await problems(production.merging(["ANAF_API_URL": "http://127.0.0.1:1/x"]) { $1 }).contains(
                "ANAF_API_URL must be an https URL"))
    }
}
