import Features
import Hummingbird

/// The delivery-report URL Kannel calls (`/hooks/kannel/dlr?id=…&sig=…&type=%d`). Only ids we signed are
/// recorded, so nobody else can fill the reports table or mark a message delivered.
public struct DeliveryReportRoutes: Sendable {
    let messages: any MessageStore
    let clock: any TimeSource
    let isAuthentic: @Sendable (_ providerID: String, _ signature: String) -> Bool
    let status: @Sendable (_ kannelType: Int) -> String

    public init(
        messages: any MessageStore, clock: any TimeSource, isAuthentic: @escaping @Sendable (String, String) -> Bool,
        status: @escaping @Sendable (Int) -> String
    ) {
        self.messages = messages
        self.clock = clock
        self.isAuthentic = isAuthentic
        self.status = status
    }

    public func register<Context: APIRequestContext>(on router: Router<Context>) {
        let routes = self
        router.get("/hooks/kannel/dlr") { req, _ -> Response in
            let q = req.uri.queryParameters
            guard let id = q.get("id"), let sig = q.get("sig"), let type = q.get("type", as: Int.self), id.count <= 64
            else {
                return Response(status: .badRequest)
            }
            guard routes.isAuthentic(id, sig) else { return Response(status: .forbidden) }
            _ = try await routes.messages.recordDeliveryReport(
                providerID: id, status: routes.status(type), at: routes.clock.now())
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok")))
        }
    }
}
