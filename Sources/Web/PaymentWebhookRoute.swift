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
            let signature = HTTPField.Name(cards.gateway.signatureHeader).flatMap { req.headers[$0] } ?? ""
            do {
                let result = try await cards.webhook(payload: Array(buffer: body), signature: signature)
                return Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"received":"\#(result)"}"#)))
            } catch CardGatewayError.badSignature {
                return Response(
                    status: .badRequest, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"error":"invalid signature"}"#)))
            }
        }
    }
}
