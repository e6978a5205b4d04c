import AsyncHTTPClient
import Features
import Foundation
import NIOCore
import NIOHTTP1
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

public struct ANAFSettings: Sendable {
    /// `https://api.anaf.ro/prod/FCTEL/rest` (or `/test/…` for ANAF's test environment).
    public var apiBase: String
    /// `https://logincert.anaf.ro/anaf-oauth2/v1`.
    public var oauthBase: String
    public var clientID: String
    public var clientSecret: String
    /// Registered with ANAF for the application: the staff area's callback.
    public var redirectURI: String

    public init(apiBase: String, oauthBase: String, clientID: String, clientSecret: String, redirectURI: String) {
        self.apiBase = apiBase
        self.oauthBase = oauthBase
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
    }
}

/// ANAF's e-Factura REST API (domain.md §2.4) over AsyncHTTPClient: OAuth 2.0 (authorization code with the
/// company's certificate, then refresh tokens; JWT tokens), `upload`, `stareMesaj`, `descarcare`.
public struct ANAFEFacturaClient: EFacturaGateway {
    let settings: ANAFSettings
    let client: HTTPClient

    public init(settings: ANAFSettings, client: HTTPClient = .shared) {
        self.settings = settings
        self.client = client
    }

    public func authorizationURL(state: String) -> String {
        settings.oauthBase + "/authorize?"
            + WebForm.encode([
                ("response_type", "code"), ("client_id", settings.clientID), ("redirect_uri", settings.redirectURI),
                ("token_content_type", "jwt"), ("state", state),
            ])
    }

    public func exchange(code: String) async throws -> ANAFTokens {
        try await token([
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", settings.redirectURI),
            ("token_content_type", "jwt"),
        ])
    }

    public func refresh(refreshToken: String) async throws -> ANAFTokens {
        try await token([
            ("grant_type", "refresh_token"), ("refresh_token", refreshToken), ("token_content_type", "jwt"),
        ])
    }

    private func token(_ form: [(String, String)]) async throws -> ANAFTokens {
        var request = HTTPClientRequest(url: settings.oauthBase + "/token")
        request.method = .POST
        // client_secret_basic (RFC 6749 §2.3.1): the credentials never travel in a form or a URL.
        request.headers.add(
            name: "Authorization",
            value: "Basic "
                + Data("\(WebForm.escape(settings.clientID)):\(WebForm.escape(settings.clientSecret))".utf8)
                .base64EncodedString())
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: WebForm.encode(form)))
        let (status, body) = try await send(request)
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:]
        guard status == 200 else {
            let reason = (json["error"] as? String) ?? "HTTP \(status)"
            if status == 400 || status == 401 { throw EFacturaGatewayError.unauthorized("token endpoint: \(reason)") }
            throw EFacturaGatewayError.temporary("token endpoint: \(reason)")
        }
        guard let access = json["access_token"] as? String, let refresh = json["refresh_token"] as? String else {
            throw EFacturaGatewayError.temporary("token endpoint: no tokens in the answer")
        }
        let expiresIn = (json["expires_in"] as? NSNumber)?.intValue ?? 3600
        return ANAFTokens(accessToken: access, refreshToken: refresh, expiresIn: expiresIn)
    }

    public func upload(xml: [UInt8], sellerCUI: String, accessToken: String) async throws -> String {
        // Every document Hostico issues is a UBL Invoice (a storno has negative quantities, domain.md §2.3).
        var request = apiRequest(
            "/upload?" + WebForm.encode([("standard", "UBL"), ("cif", sellerCUI)]), token: accessToken)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/xml")
        request.body = .bytes(ByteBuffer(bytes: xml))
        let header = try XMLHeader(try await api(request))
        if header.attributes["ExecutionStatus"] == "0", let index = header.attributes["index_incarcare"], !index.isEmpty
        {
            return index
        }
        throw EFacturaGatewayError.refused(
            header.errors.isEmpty
                ? "upload refused (ExecutionStatus \(header.attributes["ExecutionStatus"] ?? "?"))"
                : header.errors.joined(separator: "\n"))
    }

    public func processing(uploadIndex: String, accessToken: String) async throws -> EFacturaProcessing {
        let header = try XMLHeader(
            try await api(
                apiRequest("/stareMesaj?" + WebForm.encode([("id_incarcare", uploadIndex)]), token: accessToken)))
        switch header.attributes["stare"] {
        case "in prelucrare"?: return .processing
        case "ok"?:
            guard let id = header.attributes["id_descarcare"] else {
                throw EFacturaGatewayError.temporary("stareMesaj ok without id_descarcare")
            }
            return .accepted(downloadID: id)
        case "nok"?: return .rejected(downloadID: header.attributes["id_descarcare"], reason: "ANAF: nok")
        case let other?: return .rejected(downloadID: header.attributes["id_descarcare"], reason: "ANAF: \(other)")
        case nil:
            // An <Errors> answer (no right to ask, unknown index, a limit reached): ask again later.
            throw EFacturaGatewayError.temporary(
                "stareMesaj: " + (header.errors.isEmpty ? "no state" : header.errors.joined(separator: "; ")))
        }
    }

    public func download(id: String, accessToken: String) async throws -> EFacturaResponseFile {
        let body = try await api(apiRequest("/descarcare?" + WebForm.encode([("id", id)]), token: accessToken))
        // An unknown id comes back as JSON ({"eroare": …}); a ZIP starts with "PK".
        guard body.starts(with: [0x50, 0x4B]) else {
            let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
            throw EFacturaGatewayError.temporary("descarcare: " + ((json?["eroare"] as? String) ?? "not a ZIP"))
        }
        let archive: Archive
        do { archive = try Archive(data: Data(body), accessMode: .read) } catch {
            throw EFacturaGatewayError.temporary("descarcare: unreadable ZIP")
        }
        var errors: [String] = []
        var signed = false
        for entry in archive where entry.type == .file {
            let name = (entry.path as NSString).lastPathComponent
            if name.hasPrefix("semnatura_") {
                signed = true
                continue
            }
            var data = Data()
            guard entry.uncompressedSize < 20 << 20 else { continue }
            _ = try? archive.extract(entry, skipCRC32: false) { data.append($0) }
            if let header = try? XMLHeader(Array(data)), header.root == "header" { errors += header.errors }
        }
        return EFacturaResponseFile(zip: body, errors: errors, signed: signed)
    }

    // MARK: HTTP

    private func apiRequest(_ pathAndQuery: String, token: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: settings.apiBase + pathAndQuery)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        return request
    }

    /// A call to the e-Factura API: 401/403 → unauthorized, 429 and 5xx → temporary.
    private func api(_ request: HTTPClientRequest) async throws -> [UInt8] {
        let (status, body) = try await send(request)
        switch status {
        case 200: return body
        case 401, 403: throw EFacturaGatewayError.unauthorized("HTTP \(status)")
        default: throw EFacturaGatewayError.temporary("HTTP \(status)")
        }
    }

    private func send(_ request: HTTPClientRequest) async throws -> (Int, [UInt8]) {
        do {
            do {
                return try await exchange(request)
            } catch ChannelError.ioOnClosedChannel {
                // A pooled keep-alive connection the server had already closed: the request never left, so it is
                // sent once more on a fresh connection (safe even for the one-time authorization code).
                return try await exchange(request)
            }
        } catch {
            // The error's own words (a connect timeout, a reset) say what to look at; requests carry tokens only in headers.
            let path = URL(string: request.url)?.path ?? ""
            throw EFacturaGatewayError.temporary(
                "ANAF could not be reached (\(request.method.rawValue) \(path)): \(type(of: error)) \(String(describing: error).prefix(200))"
            )
        }
    }
}

extension ANAFEFacturaClient {
    fileprivate func exchange(_ request: HTTPClientRequest) async throws -> (Int, [UInt8]) {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 50 << 20)
        return (Int(response.status.code), body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? [])
    }
}

/// ANAF's small XML answers: `<header …attributes…>` with `<Errors errorMessage=…/>` (API) or
/// `<Error errorMessage=…/>` (the error file in a ZIP).
struct XMLHeader {
    var root = ""
    var attributes: [String: String] = [:]
    var errors: [String] = []

    init(_ bytes: [UInt8]) throws {
        let collector = Collector()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = collector
        guard parser.parse(), let root = collector.root else {
            throw EFacturaGatewayError.temporary("ANAF answered something that is not XML")
        }
        self.root = root
        attributes = collector.rootAttributes
        errors = collector.errors
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var root: String?
        var rootAttributes: [String: String] = [:]
        var errors: [String] = []

        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            let local = String(name.split(separator: ":").last ?? Substring(name))
            if root == nil {
                root = local
                rootAttributes = attributes
            } else if local == "Errors" || local == "Error", let message = attributes["errorMessage"] {
                errors.append(message)
            }
        }
    }
}
