import AsyncHTTPClient
import Crypto
import Domain
import Features
import Foundation
import NIOCore
import NIOHTTP1

public struct StripeSettings: Sendable {
    /// `https://api.stripe.com`; tests point it at localstripe.
    public var apiBase: String
    /// Stripe.js (`https://js.stripe.com/v3/`); tests load localstripe's.
    public var scriptURL: String
    public var secretKey: String
    public var publishableKey: String
    public var webhookSecret: String
    /// Age a webhook signature may have (Stripe's default tolerance).
    public var toleranceSeconds: TimeInterval

    public init(
        apiBase: String, scriptURL: String, secretKey: String, publishableKey: String, webhookSecret: String,
        toleranceSeconds: TimeInterval = 300
    ) {
        self.apiBase = apiBase
        self.scriptURL = scriptURL
        self.secretKey = secretKey
        self.publishableKey = publishableKey
        self.webhookSecret = webhookSecret
        self.toleranceSeconds = toleranceSeconds
    }
}

/// Stripe's REST API (PaymentIntents, refunds) over AsyncHTTPClient, and its webhook signatures.
public struct StripeGateway: CardGateway {
    let settings: StripeSettings
    let client: HTTPClient

    public init(settings: StripeSettings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    public var name: String { "stripe" }
    public var signatureHeader: String { "Stripe-Signature" }
    public var publishableKey: String { settings.publishableKey }
    public var scriptURL: String { settings.scriptURL }
    public var pageOrigins: [String] {
        var origins = [WebForm.origin(of: settings.scriptURL), WebForm.origin(of: settings.apiBase)]
        if settings.scriptURL.hasPrefix("https://js.stripe.com") { origins.append("https://hooks.stripe.com") }
        return Array(Set(origins.compactMap { $0 })).sorted()
    }

    public func createIntent(amount: Money, paymentMethod: String, proforma: ProformaInvoice, attemptKey: String)
        async throws -> CardIntent
    {
        try intent(
            from: try await call(
                .POST, "/v1/payment_intents",
                form: [
                    ("amount", String(amount.minor)), ("currency", amount.currency.rawValue.lowercased()),
                    ("payment_method", paymentMethod),
                    ("payment_method_types[]", "card"), ("confirm", "true"),
                    ("metadata[proforma_id]", String(proforma.id)), ("metadata[proforma_number]", proforma.number),
                    ("metadata[attempt]", attemptKey),
                ], idempotencyKey: attemptKey))
    }

    public func intent(id: String) async throws -> CardIntent {
        guard id.hasPrefix("pi_"), id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw CardGatewayError.failed("not a payment intent id")
        }
        return try intent(from: try await call(.GET, "/v1/payment_intents/\(id)", form: [], idempotencyKey: nil))
    }

    public func refund(intentID: String, idempotencyKey: String) async throws -> String {
        let json = try await call(
            .POST, "/v1/refunds", form: [("payment_intent", intentID)], idempotencyKey: idempotencyKey)
        guard let id = json["id"] as? String else { throw CardGatewayError.failed("the refund has no id") }
        return id
    }

    /// `Stripe-Signature: t=…,v1=…[,v1=…]`: HMAC-SHA256 of "t.payload" under the endpoint secret; any v1 may match
    /// (Stripe signs with two secrets while one is rolled); older or newer than the tolerance is refused.
    public func event(payload: [UInt8], signature: String, now: Date) throws -> GatewayEvent {
        var timestamp: Int?
        var signatures: [String] = []
        for part in signature.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2 else { continue }
            if kv[0] == "t" { timestamp = Int(kv[1]) } else if kv[0] == "v1" { signatures.append(kv[1]) }
        }
        guard let timestamp, !signatures.isEmpty else {
            throw CardGatewayError.badSignature("no timestamp or v1 signature")
        }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= settings.toleranceSeconds else {
            throw CardGatewayError.badSignature("outside the tolerance")
        }
        let signed = Array("\(timestamp).".utf8) + payload
        let key = SymmetricKey(data: Array(settings.webhookSecret.utf8))
        guard
            signatures.contains(where: {
                [UInt8](hex: $0).map { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: key) }
                    ?? false
            })
        else {
            throw CardGatewayError.badSignature("no matching v1 signature")
        }
        guard let json = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
            let id = json["id"] as? String, let type = json["type"] as? String
        else {
            throw CardGatewayError.badSignature("not an event")
        }
        let object = (json["data"] as? [String: Any])?["object"] as? [String: Any]
        let intent = object.flatMap { $0["object"] as? String == "payment_intent" ? try? self.intent(from: $0) : nil }
        return GatewayEvent(id: id, type: type, intent: intent)
    }

    func intent(from json: [String: Any]) throws -> CardIntent {
        guard let id = json["id"] as? String, let raw = json["status"] as? String,
            let status = CardIntentStatus(rawValue: raw),
            let minor = (json["amount"] as? NSNumber)?.int64Value,
            let currency = (json["currency"] as? String).flatMap({ Currency(rawValue: $0.uppercased()) })
        else { throw CardGatewayError.failed("unexpected payment intent") }
        let metadata = json["metadata"] as? [String: Any]
        let failure = (json["last_payment_error"] as? [String: Any])?["message"] as? String
        return CardIntent(
            id: id, status: status, amount: Money(minor: minor, currency: currency),
            clientSecret: json["client_secret"] as? String,
            proformaID: (metadata?["proforma_id"] as? String).flatMap(Int64.init),
            attemptKey: metadata?["attempt"] as? String, failure: failure)
    }

    private func call(_ method: HTTPMethod, _ path: String, form: [(String, String)], idempotencyKey: String?)
        async throws -> [String: Any]
    {
        var request = HTTPClientRequest(url: settings.apiBase + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(settings.secretKey)")
        request.headers.add(name: "Stripe-Version", value: "2024-06-20")
        if let idempotencyKey { request.headers.add(name: "Idempotency-Key", value: idempotencyKey) }
        if method == .POST {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: WebForm.encode(form)))
        }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: .seconds(20))
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw CardGatewayError.failed("Stripe could not be reached: \(type(of: error))")
        }
        let bytes = body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? []
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
        let code = Int(response.status.code)
        if (200..<300).contains(code) { return json }
        let error = json["error"] as? [String: Any] ?? [:]
        let message = (error["message"] as? String) ?? "HTTP \(code)"
        // 402: the card was declined (Stripe's "request failed" for card errors).
        if code == 402 || (error["type"] as? String) == "card_error" { throw CardGatewayError.declined(message) }
        throw CardGatewayError.failed(message)
    }
}
