import AsyncHTTPClient
import Bootstrap
import Crypto
import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Payments
import SQLKit
import Storage
import TestSupport
import Testing

@testable import Web

/// Card payments through the Stripe adapter against localstripe (`TEST_STRIPE_URL`, started by `make test`).
/// Serialized: localstripe sends every event to every registered webhook, so one test at a time registers one.
@Suite("Card payments (Stripe, tested against localstripe)", .serialized)
struct CardPaymentTests {
    struct MissingPeer: Error, CustomStringConvertible {
        var description: String {
            "TEST_STRIPE_URL is not set: run the tests with `make test` (scripts/peers.sh starts localstripe)"
        }
    }

    static func stripeURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["TEST_STRIPE_URL"] else { throw MissingPeer() }
        return url
    }

    static let webhookSecret = "whsec_hostico_test_\(UUID().uuidString.prefix(8))"

    static func environment() throws -> [String: String] {
        let url = try stripeURL()
        return [
            "STRIPE_SECRET_KEY": "sk_test_hostico", "STRIPE_PUBLISHABLE_KEY": "pk_test_hostico",
            "STRIPE_WEBHOOK_SECRET": webhookSecret,
            "STRIPE_API_URL": url, "STRIPE_JS_URL": url + "/js.stripe.com/v3/",
        ]
    }

    static func gateway() throws -> StripeGateway {
        StripeGateway(
            settings: StripeSettings(
                apiBase: try stripeURL(), scriptURL: try stripeURL() + "/js.stripe.com/v3/",
                secretKey: "sk_test_hostico",
                publishableKey: "pk_test_hostico", webhookSecret: webhookSecret))
    }

    /// What Stripe.js does with the card form: a token whose card id the PaymentIntent takes as payment method.
    static func card(_ number: String) async throws -> String {
        let json = try await stripe(
            .POST, "/v1/tokens",
            "card[number]=\(number)&card[exp_month]=12&card[exp_year]=2030&card[cvc]=123&key=pk_test_hostico")
        return try #require((json["card"] as? [String: Any])?["id"] as? String)
    }

    /// What localstripe's Stripe.js does when the client completes (or fails) 3-D Secure.
    static func authenticate(_ intent: CardIntent, success: Bool) async throws {
        _ = try await stripe(
            .POST, "/v1/payment_intents/\(intent.id)/_authenticate?success=\(success)",
            #"{"key":"pk_test_hostico","client_secret":"\#(intent.clientSecret ?? "")"}"#)
    }

    static func stripe(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: try stripeURL() + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer sk_test_hostico")
        if let body {
            request.headers.add(
                name: "Content-Type",
                value: body.hasPrefix("{") ? "application/json" : "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .ok, "localstripe \(path): \(response.status)")
        return bytes.readableBytes == 0
            ? [:] : try JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any] ?? [:]
    }

    /// An event signed with the endpoint secret, as Stripe signs it (`t=…,v1=HMAC-SHA256("t.payload")`).
    static func signed(_ payload: String, at t: Date, secret: String = webhookSecret) -> String {
        let ts = Int(t.timeIntervalSince1970)
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array("\(ts).\(payload)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(ts),v1=" + mac.hexString
    }

    static func event(id: String, intentID: String) async throws -> String {
        let intent = try await stripe(.GET, "/v1/payment_intents/\(intentID)")
        let data = try JSONSerialization.data(
            withJSONObject: [
                "id": id, "object": "event", "type": "payment_intent.succeeded", "data": ["object": intent],
            ], options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    struct Setup {
        let h: WebHarness
        let ana: Client
        let proforma: ProformaInvoice
        let cards: CardPayments
    }

    static func setup(database kind: DatabaseKind = .sqlite) async throws -> Setup {
        let h = try await WebHarness.make(environment: try environment(), database: kind)
        h.clock.set(Date())  // the gateway signs webhooks with the real time
        let ana = try await h.fixtures.client("ana@example.ro", language: "en")
        let order = try await PlaceOrder(h.deps)(
            clientID: ana.id, try .parse(planID: try await h.fixtures.plan().id, cycle: "monthly", domain: "ana.ro"),
            billingProfileID: nil, actor: .client(ana.id))
        let cards = CardPayments(deps: h.deps, gateway: try gateway(), store: SQLCardPaymentStore(database: h.db))
        return Setup(h: h, ana: ana, proforma: order.proforma, cards: cards)
    }

    /// Runs a test that does not serve HTTP and closes the database whatever happened.
    static func withSetup(database kind: DatabaseKind = .sqlite, _ body: (Setup) async throws -> Void) async throws {
        let s = try await setup(database: kind)
        try await s.h.closingDatabase { try await body(s) }
    }

    static func counts(_ h: WebHarness, proformaID: Int64) async throws -> (payments: Int, fiscal: Int) {
        try await h.deps.store.read { r in
            (
                try await r.payments(proformaID: proformaID).count,
                try await r.fiscalInvoices(
                    clientID: try await r.proforma(id: proformaID, forUpdate: false)!.clientID, limit: 50, offset: 0
                ).count
            )
        }
    }

    // MARK: The adapter

    @Test func theAdapterCreatesConfirmsDeclinesAuthenticatesAndRefunds() async throws {
        try await Self.withSetup { s in
            let g = try Self.gateway()
            let amount = Money(minor: 12_100, currency: .RON)
            let paid = try await g.createIntent(
                amount: amount, paymentMethod: try await Self.card("4242424242424242"), proforma: s.proforma,
                attemptKey: "k-\(UUID())")
            #expect(paid.status == .succeeded && paid.amount == amount && paid.proformaID == s.proforma.id)
            #expect(try await g.intent(id: paid.id) == paid)

            await #expect(throws: CardGatewayError.declined("Your card was declined.")) {
                try await g.createIntent(
                    amount: amount, paymentMethod: try await Self.card("4000000000000341"), proforma: s.proforma,
                    attemptKey: "k-\(UUID())")
            }

            let secure = try await g.createIntent(
                amount: amount, paymentMethod: try await Self.card("4000000000003220"), proforma: s.proforma,
                attemptKey: "k-\(UUID())")
            #expect(secure.status == .requiresAction && secure.clientSecret?.hasPrefix(secure.id + "_secret_") == true)
            try await Self.authenticate(secure, success: true)
            #expect(try await g.intent(id: secure.id).status == .succeeded)

            #expect(try await g.refund(intentID: paid.id, idempotencyKey: "refund-\(UUID())").hasPrefix("re_"))
            await #expect(throws: CardGatewayError.self) { try await g.intent(id: "pi_doesnotexist") }
        }
    }

    @Test func webhookSignaturesMustBeValidFreshAndFromTheEndpointSecret() async throws {
        let g = try Self.gateway()
        let now = Date()
        let payload =
            #"{"id":"evt_1","object":"event","type":"charge.succeeded","data":{"object":{"object":"charge"}}}"#
        let good = Self.signed(payload, at: now)
        #expect(try g.event(payload: Array(payload.utf8), signature: good, now: now).id == "evt_1")
        // Several v1 values (a secret being rolled): one matching is enough.
        #expect(
            try g.event(
                payload: Array(payload.utf8),
                signature:
                    "t=\(Int(now.timeIntervalSince1970)),v1=\(String(repeating: "0", count: 64)),\(good.split(separator: ",")[1])",
                now: now
            ).id == "evt_1")
        for (why, signature, at) in [
            ("forged", Self.signed(payload, at: now, secret: "whsec_someone_else"), now),
            ("stale", good, now.addingTimeInterval(301)),
            ("from the future", good, now.addingTimeInterval(-301)), ("unsigned", "", now),
            ("no v1", "t=\(Int(now.timeIntervalSince1970))", now),
        ] {
            #expect(throws: CardGatewayError.self, "\(why)") {
                try g.event(payload: Array(payload.utf8), signature: signature, now: at)
            }
        }
        // A changed payload under a valid signature.
        #expect(throws: CardGatewayError.self) {
            try g.event(
                payload: Array(payload.replacingOccurrences(of: "evt_1", with: "evt_2").utf8), signature: good, now: now
            )
        }
    }

    // MARK: Through the client area

    @Test func aClientPaysByCardAndTheGatewaysWebhookAddsNoSecondPayment() async throws {
        let s = try await Self.setup()
        try await s.h.runLive { c in
            let port = try #require(c.port)
            _ = try await Self.stripe(
                .POST, "/_config/webhooks/hostico-tests",
                #"{"url":"http://127.0.0.1:\#(port)/webhooks/stripe","secret":"\#(Self.webhookSecret)"}"#)
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            let page = try await b.get("/invoices/proforma/\(s.proforma.id)")
            let stripeURL = try Self.stripeURL()
            #expect(
                page.body.contains(#"data-key="pk_test_hostico""#)
                    && page.body.contains(#"<script src="\#(stripeURL)/js.stripe.com/v3/"></script>"#))
            #expect(!page.body.contains("sk_test_hostico"))  // the secret key never reaches the browser
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self' \(stripeURL)") == true)
            #expect(try await b.get("/invoices").headers[.contentSecurityPolicy]?.contains("script-src") == false)  // other pages run no script

            let answer = try await b.post(
                "/invoices/proforma/\(s.proforma.id)/card",
                [("payment_method", try await Self.card("4242424242424242"))])
            #expect(answer.body == #"{"next":"/invoices/proforma/\#(s.proforma.id)"}"#)
            let after = try await b.get("/invoices/proforma/\(s.proforma.id)")
            #expect(after.body.visibleText.contains("The payment is recorded.") && after.body.contains("pill paid"))
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (1, 1))

            // localstripe delivers payment_intent.succeeded a second later, signed: acknowledged, no second payment.
            var delivered = false
            for _ in 0..<50 where !delivered {
                try await Task.sleep(for: .milliseconds(100))
                delivered =
                    try await s.h.db.withReader { sql in
                        try await sql.raw("SELECT 1 AS one FROM gateway_events WHERE type = 'payment_intent.succeeded'")
                            .first()
                    } != nil
            }
            #expect(delivered)
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (1, 1))
            let payment = try #require(
                try await s.h.deps.store.read { r in try await r.payments(proformaID: s.proforma.id) }.first)
            #expect(
                payment.method == .card && payment.gatewayReference?.hasPrefix("pi_") == true
                    && payment.amount.minor == s.proforma.totals.gross.minor)

            // A replayed event id is acknowledged and not processed; a forged or stale one is refused with 400.
            let payload = try await Self.event(
                id: "evt_replay_\(UUID().uuidString.prefix(6))", intentID: payment.gatewayReference!)
            for expected in [#"{"received":"processed"}"#, #"{"received":"duplicate"}"#] {
                let r = try await c.execute(
                    uri: "/webhooks/stripe", method: .post,
                    headers: [HTTPField.Name("Stripe-Signature")!: Self.signed(payload, at: Date())],
                    body: ByteBuffer(string: payload))
                #expect(r.status == .ok && String(buffer: r.body) == expected)
            }
            for signature in [
                Self.signed(payload, at: Date(), secret: "whsec_forged"),
                Self.signed(payload, at: Date().addingTimeInterval(-600)), "",
            ] {
                let r = try await c.execute(
                    uri: "/webhooks/stripe", method: .post, headers: [HTTPField.Name("Stripe-Signature")!: signature],
                    body: ByteBuffer(string: payload))
                #expect(r.status == .badRequest)
            }
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (1, 1))
        }
    }

    @Test func aDeclinedCardAndFailed3DSLeaveTheProformaUnpaidWithTheReasonThen3DSPays() async throws {
        let s = try await Self.setup()
        try await s.h.run { c in
            let b = Browser(c)
            try await b.logIn("ana@example.ro", "correct horse battery")
            try await b.get("/invoices/proforma/\(s.proforma.id)")
            try await b.post(
                "/invoices/proforma/\(s.proforma.id)/card",
                [("payment_method", try await Self.card("4000000000000341"))])
            var page = try await b.get("/invoices/proforma/\(s.proforma.id)")
            #expect(
                page.body.visibleText.contains("Your last card payment did not go through: Your card was declined."))
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (0, 0))

            // 3-D Secure: the browser gets the client secret, the bank's page fails, the return shows the reason.
            var answer = try await b.post(
                "/invoices/proforma/\(s.proforma.id)/card",
                [("payment_method", try await Self.card("4000000000003220"))])
            var json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: String])
            let intentID = try #require(json["next"]?.split(separator: "=").last.map(String.init))
            #expect(json["clientSecret"]?.hasPrefix(intentID + "_secret_") == true)
            try await Self.authenticate(try await s.cards.gateway.intent(id: intentID), success: false)
            #expect(try await b.get(json["next"]!).location == "/invoices/proforma/\(s.proforma.id)")
            page = try await b.get("/invoices/proforma/\(s.proforma.id)")
            #expect(
                page.body.visibleText.contains(
                    "did not go through: The provided PaymentMethod has failed authentication."))
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (0, 0))

            answer = try await b.post(
                "/invoices/proforma/\(s.proforma.id)/card",
                [("payment_method", try await Self.card("4000000000003220"))])
            json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: String])
            try await Self.authenticate(
                try await s.cards.gateway.intent(id: String(json["next"]!.split(separator: "=").last!)), success: true)
            #expect(try await b.get(json["next"]!).location == "/invoices/proforma/\(s.proforma.id)")
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (1, 1))
            // Another client cannot use the return address of Ana's payment.
            let bob = Browser(c)
            _ = try await s.h.fixtures.client("bob@example.ro", language: "en")
            try await bob.logIn("bob@example.ro", "correct horse battery")
            #expect(try await bob.get(json["next"]!).status == .notFound)
        }
    }

    @Test(arguments: [DatabaseKind.sqlite, .postgres])
    func aRedirectAndAWebhookAtTheSameTimeRecordOnePaymentAndOneFiscalNumber(kind: DatabaseKind) async throws {
        try await Self.withSetup(database: kind) { s in
            // An intent that succeeded at the gateway and was not yet recorded here (the browser is on its way back).
            let key = "hostico-race-\(UUID().uuidString.prefix(8))"
            let store = SQLCardPaymentStore(database: s.h.db)
            try await store.insertAttempt(
                slot: key, key: key, proformaID: s.proforma.id, clientID: s.ana.id, gateway: "stripe",
                amount: Money(minor: s.proforma.openMinor, currency: s.proforma.currency), at: Date())
            let intent = try await s.cards.gateway.createIntent(
                amount: Money(minor: s.proforma.openMinor, currency: s.proforma.currency),
                paymentMethod: try await Self.card("4242424242424242"),
                proforma: s.proforma, attemptKey: key)
            let payload = try await Self.event(id: "evt_race_\(UUID().uuidString.prefix(6))", intentID: intent.id)
            let twice = try await Self.event(id: "evt_race_other_\(UUID().uuidString.prefix(6))", intentID: intent.id)
            async let redirect = s.cards.returned(proformaID: s.proforma.id, clientID: s.ana.id, intentID: intent.id)
            async let webhook = s.cards.webhook(
                payload: Array(payload.utf8), signature: Self.signed(payload, at: Date()))
            async let secondEvent = s.cards.webhook(
                payload: Array(twice.utf8), signature: Self.signed(twice, at: Date()))
            let results = try await (redirect, webhook, secondEvent)
            #expect(results.1 == .processed && results.2 == .processed)
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (1, 1))
            let fiscal = try await s.h.deps.store.read { r in
                try await r.fiscalInvoices(clientID: s.ana.id, limit: 5, offset: 0)
            }
            #expect(fiscal.count == 1 && fiscal[0].number == 1)
        }
    }

    /// Issue 18.8: two "Pay" submits of one proforma at once (a double click, two tabs) create one intent at the
    /// gateway and one payment; the second is answered with the first attempt's state.
    @Test(arguments: [DatabaseKind.sqlite, .postgres])
    func twoPaySubmitsAtOnceCreateOneIntent(kind: DatabaseKind) async throws {
        try await Self.withSetup(database: kind) { s in
            let method = try await Self.card("4242424242424242")
            @Sendable func submit() async -> String {
                do {
                    switch try await s.cards.pay(proformaID: s.proforma.id, clientID: s.ana.id, paymentMethod: method) {
                    case .paid: return "paid"
                    case .pending: return "pending"
                    case .failed(let why): return "failed: \(why)"
                    case .needsAuthentication: return "3ds"
                    }
                } catch { return "refused: \(error)" }
            }
            async let first = submit()
            async let second = submit()
            let answers = await [first, second]
            #expect(answers.contains("paid"), "\(answers)")
            #expect(
                answers.allSatisfy {
                    $0 == "paid" || $0 == "pending" || $0.hasPrefix("refused: ") && $0.contains("paid")
                }, "\(answers)")
            #expect(try await s.cards.attempts(proformaID: s.proforma.id).count == 1)
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (1, 1))
        }
    }

    /// One gateway account may serve several databases (staging and production). The key the gateway sees is its
    /// idempotency key, so it must not repeat between them although the proforma numbers do.
    @Test func twoDatabasesOnOneGatewayAccountSendDifferentKeys() async throws {
        try await Self.withSetup { a in
            try await Self.withSetup { b in
                #expect(a.proforma.number == b.proforma.number && a.proforma.openMinor == b.proforma.openMinor)
                var keys: [String] = []
                for s in [a, b] {
                    let live = s.h.deps.with(random: SystemRandom())
                    let cards = CardPayments(
                        deps: live, gateway: s.cards.gateway, store: SQLCardPaymentStore(database: s.h.db))
                    guard
                        case .paid = try await cards.pay(
                            proformaID: s.proforma.id, clientID: s.ana.id,
                            paymentMethod: try await Self.card("4242424242424242"))
                    else {
                        Issue.record("not paid")
                        return
                    }
                    let attempts = try await cards.attempts(proformaID: s.proforma.id)
                    #expect(attempts.count == 1)
                    keys += attempts.map(\.key)
                }
                #expect(
                    keys.count == 2 && keys[0] != keys[1]
                        && keys.allSatisfy { $0.hasPrefix("hostico-\(a.proforma.number)-") }, "\(keys)")
            }
        }
    }

    @Test func moneyForACancelledProformaBecomesTheClientsCredit() async throws {
        try await Self.withSetup { s in
            let key = "hostico-cancelled-\(UUID().uuidString.prefix(8))"
            let amount = Money(minor: s.proforma.openMinor, currency: s.proforma.currency)
            try await SQLCardPaymentStore(database: s.h.db).insertAttempt(
                slot: key, key: key, proformaID: s.proforma.id, clientID: s.ana.id, gateway: "stripe", amount: amount,
                at: Date())
            let intent = try await s.cards.gateway.createIntent(
                amount: amount, paymentMethod: try await Self.card("4242424242424242"), proforma: s.proforma,
                attemptKey: key)
            _ = try await CancelProforma(s.h.deps)(proformaID: s.proforma.id, actor: .staff(1))
            let payload = try await Self.event(id: "evt_cancelled_\(UUID().uuidString.prefix(6))", intentID: intent.id)
            #expect(
                try await s.cards.webhook(payload: Array(payload.utf8), signature: Self.signed(payload, at: Date()))
                    == .processed)
            // The payment is kept (one row), no fiscal invoice is issued, and the money is the client's credit, audited.
            #expect(try await Self.counts(s.h, proformaID: s.proforma.id) == (1, 0))
            #expect(
                try await s.h.deps.store.read { r in
                    try await r.creditBalance(clientID: s.ana.id, currency: amount.currency)
                } == amount.minor)
            let audit = try await s.h.deps.store.read { r in try await r.audit(clientID: s.ana.id, limit: 20) }
            #expect(audit.contains { $0.action == "credit.added" && $0.after?.contains(s.proforma.number) == true })
        }
    }

    @Test func staffRefundAtTheGatewayAndIssueAStorno() async throws {
        let s = try await Self.setup()
        _ = try await CreateStaff(s.h.deps)(email: "ops@hostico.ro", name: "Ops", password: "staff password 1")
        let outcome = try await s.cards.pay(
            proformaID: s.proforma.id, clientID: s.ana.id, paymentMethod: try await Self.card("4242424242424242"))
        guard case .paid(let paid) = outcome, let fiscal = paid.fiscalInvoice else {
            Issue.record("paid by card: \(outcome)")
            await s.h.db.close()
            return
        }
        try await s.h.run { c in
            let staff = Browser(c)
            try await staff.logInStaffSettingUp2FA("ops@hostico.ro", "staff password 1", s.h)
            let page = try await staff.get("/staff/clients/\(s.ana.id)?tab=invoices")
            #expect(page.body.contains("/staff/fiscal-invoices/\(fiscal.id)/refund"))
            #expect(
                try await staff.post("/staff/fiscal-invoices/\(fiscal.id)/refund", []).body.visibleText.contains(
                    "Refund \(fiscal.displayNumber) to the card?"))
            #expect(
                try await staff.post(
                    "/staff/fiscal-invoices/\(fiscal.id)/refund", [("confirmed", "1"), ("auditNote", "client asked")]
                ).location == "/staff/clients/\(s.ana.id)?tab=invoices")
            let invoices = try await s.h.deps.store.read { r in
                try await r.fiscalInvoices(clientID: s.ana.id, limit: 5, offset: 0)
            }
            #expect(invoices.contains { $0.kind == .storno && $0.correctsID == fiscal.id })
            let audit = try await s.h.deps.store.read { r in try await r.audit(clientID: s.ana.id, limit: 50) }
            #expect(audit.contains { $0.action == "card.refunded" && $0.after?.contains(#""refunds":"re_"#) == true })
            #expect(
                !(try await staff.get("/staff/clients/\(s.ana.id)?tab=invoices").body.contains(
                    "/staff/fiscal-invoices/\(fiscal.id)/refund")))
        }
    }
}
