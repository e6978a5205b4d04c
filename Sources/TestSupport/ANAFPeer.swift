import ANAF
import AsyncHTTPClient
import Foundation

/// ANAF's e-Factura service on 127.0.0.1 (scripts/peers/anaf_sim.py): its published API, judging each upload
/// with the official XSD and schematrons from vendor/efactura. Started per test, so a test owns its uploads.
public final class ANAFPeer: @unchecked Sendable {
    public static let clientID = "hostico-test-client"
    public static let clientSecret = "s3cret-for-tests"
    public let process: PeerProcess
    public let port: Int

    public init(processingPolls: Int = 1, tokenSeconds: Int = 7_776_000) async throws {
        port = try PeerProcess.freePort()
        let kit = URL(fileURLWithPath: PeerProcess.script("anaf_sim.py")).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("vendor/efactura").path
        process = try await PeerProcess(
            try PeerProcess.python(),
            [
                PeerProcess.script("anaf_sim.py"), String(port), kit, Self.clientID, Self.clientSecret,
                "--processing-polls", String(processingPolls), "--token-seconds", String(tokenSeconds),
            ],
            readyWhen: "ANAF simulator on", timeout: 60)
    }

    public var base: String { "http://127.0.0.1:\(port)" }

    public func settings(redirect: String = "https://billing.hostico.test/staff/efactura/oauth") -> ANAFSettings {
        ANAFSettings(
            apiBase: base + "/test/FCTEL/rest", oauthBase: base + "/anaf-oauth2/v1", clientID: Self.clientID,
            clientSecret: Self.clientSecret, redirectURI: redirect)
    }

    /// A test hook of the peer (fail the next calls, expire every access token).
    public func hook(_ path: String) async throws {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        guard response.status == .ok else {
            throw PeerProcess.MissingPeer(what: "the ANAF peer's hook \(path) (HTTP \(response.status.code))")
        }
    }

    public struct Upload: Decodable, Sendable {
        public let index: String
        public let cif: String
        public let standard: String
        public let number: String
        public let errors: [String]
    }

    public func uploads() async throws -> [Upload] {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: base + "/_sim/uploads"), timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 22)
        return try JSONDecoder().decode([Upload].self, from: Data(buffer: body))
    }

    /// What a staff member's browser does: opens ANAF's authorisation page (here it answers at once) and is sent
    /// back to the redirect URI with a code and the state.
    public func authorize(_ url: String) async throws -> (code: String, state: String) {
        let client = HTTPClient(
            eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
        try await client.shutdown()
        let items =
            response.status == .found
            ? URLComponents(string: response.headers.first(name: "Location") ?? "")?.queryItems ?? [] : []
        guard let code = items.first(where: { $0.name == "code" })?.value,
            let state = items.first(where: { $0.name == "state" })?.value
        else {
            throw PeerProcess.MissingPeer(
                what: "an authorisation code from the ANAF peer (HTTP \(response.status.code))")
        }
        return (code, state)
    }
}
