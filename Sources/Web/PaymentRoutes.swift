import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// The gateway's webhook: public, no session, no CSRF; the signature is the only authentication. Anything not signed
/// and fresh is refused with 400 and changes nothing; a repeated event is acknowledged and not processed again.
struct PaymentWebhookRoute {
    let cards: CardPayments

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/webhooks/\(cards.gateway.name)") { req, _ in
            let body = try await req.body.collect(upTo: 1 << 20)
            let signature = req.headers[HTTPField.Name("Stripe-Signature")!] ?? ""
            do {
                let result = try await cards.webhook(payload: Array(buffer: body), signature: signature)
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"received":"\#(result)"}"#)))
            } catch CardGatewayError.badSignature {
                return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"error":"invalid signature"}"#)))
            }
        }
    }
}

extension ClientRoutes {
    /// Card payment of a proforma: the page's script posts the tokenised card here and gets JSON back (where to go
    /// next, or the 3-D Secure client secret, or why the card failed). The return address reads the outcome from
    /// the gateway, never from the browser.
    func registerCardPayments<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        guard let cards = areas.cards else { return }
        r.post("invoices/proforma/:id/card") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            let page = "/invoices/proforma/\(p.id)"
            var answer = ["next": page]
            var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
            switch try await cards.pay(proformaID: p.id, clientID: client.id, paymentMethod: form["payment_method"]) {
            case .paid: headers.append(HTTPField(name: .setCookie, value: areas.cookies.set(WebAreas.flashCookie, "payment_recorded", maxAge: 60)))
            case .needsAuthentication(let intentID, let secret): answer = ["clientSecret": secret, "next": page + "/card/return?payment_intent=" + intentID]
            case .failed, .pending: break  // the page shows the reason
            }
            let json = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys, .withoutEscapingSlashes])
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
        r.get("invoices/proforma/:id/card/return") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            let outcome = try await cards.returned(proformaID: p.id, clientID: client.id, intentID: req.uri.queryParameters.get("payment_intent") ?? "")
            if case .paid = outcome { return areas.redirect("/invoices/proforma/\(p.id)", visit, flash: "payment_recorded") }
            return areas.redirect("/invoices/proforma/\(p.id)", visit)
        }
    }
}
