import AsyncHTTPClient
import Crypto
import Domain
import Features
import Foundation
import NIOCore

public struct KannelSettings: Sendable {
    /// The smsbox sendsms URL, e.g. http://127.0.0.1:13013/cgi-bin/sendsms.
    public let sendURL: String
    public let username: String
    public let password: String
    /// Where Kannel reports delivery: our server's public base URL (the route is /hooks/kannel/dlr).
    public let reportBaseURL: String
    public let timeoutSeconds: Int64

    public init(sendURL: String, username: String, password: String, reportBaseURL: String, timeoutSeconds: Int64 = 10)
    {
        self.sendURL = sendURL
        self.username = username
        self.password = password
        self.reportBaseURL = reportBaseURL
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Signs the delivery-report URL handed to Kannel, so that only reports for ids we issued are accepted
/// (the report endpoint is reachable by anyone who can reach the server).
public struct DeliveryReportSigner: Sendable {
    let key: SymmetricKey

    public init(secret: String) { key = SymmetricKey(data: SHA256.hash(data: Data(("hostico-dlr|" + secret).utf8))) }

    public func signature(_ providerID: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(providerID.utf8), using: key).hexString
    }

    public func isAuthentic(_ providerID: String, signature: String) -> Bool {
        guard signature.count == 64, let bytes = [UInt8](hex: signature) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Data(providerID.utf8), using: key)
    }

    /// Kannel's DLR types (the `%d` of the report URL) as words staff understand.
    public static func status(kannelType: Int) -> String {
        switch kannelType {
        case 1: "DELIVRD"
        case 2: "UNDELIV"
        case 4: "BUFFERED"
        case 8: "SMSC-ACK"
        case 16: "REJECTD"
        default: "TYPE-\(kannelType)"
        }
    }
}

/// SMS through Kannel's HTTP sendsms interface. Credentials and routing go in `X-Kannel-*` headers (never in
/// a URL, where proxies and logs would keep them); the text is the body. Kannel splits long texts itself.
/// Kannel answers without a message id, so each message gets a random one of ours, carried in the signed
/// delivery-report URL.
public struct KannelTransport: SmsTransport {
    let settings: KannelSettings
    let signer: DeliveryReportSigner
    let client: HTTPClient
    let random: any RandomSource

    public init(
        settings: KannelSettings, signer: DeliveryReportSigner, client: HTTPClient = .shared, random: any RandomSource
    ) {
        self.settings = settings
        self.signer = signer
        self.client = client
        self.random = random
    }

    public func send(to: PhoneNumber, from sender: SmsSenderID, _ sms: EncodedSms) async throws -> [String] {
        let providerID = "k-" + random.hex(16)
        let base =
            settings.reportBaseURL.hasSuffix("/") ? String(settings.reportBaseURL.dropLast()) : settings.reportBaseURL
        // Final states only (delivered 1, undelivered 2, SMSC reject 16): the last report is the message's state.
        let reportURL = "\(base)/hooks/kannel/dlr?id=\(providerID)&sig=\(signer.signature(providerID))&type=%d"
        var request = HTTPClientRequest(url: settings.sendURL)
        request.method = .POST
        request.headers.add(name: "X-Kannel-Username", value: settings.username)
        request.headers.add(name: "X-Kannel-Password", value: settings.password)
        request.headers.add(name: "X-Kannel-From", value: sender.value)
        request.headers.add(name: "X-Kannel-To", value: String(to.e164.dropFirst()))
        request.headers.add(name: "X-Kannel-Coding", value: sms.encoding == .gsm7 ? "0" : "2")
        request.headers.add(name: "X-Kannel-DLR-Mask", value: "19")
        request.headers.add(name: "X-Kannel-DLR-Url", value: reportURL)
        request.headers.add(name: "Content-Type", value: "text/plain; charset=UTF-8")
        request.body = .bytes(ByteBuffer(string: sms.text))
        let response: HTTPClientResponse
        let body: String
        do {
            response = try await client.execute(request, timeout: .seconds(settings.timeoutSeconds))
            body = String(buffer: try await response.body.collect(upTo: 64 * 1024)).trimmingCharacters(
                in: .whitespacesAndNewlines)
        } catch {
            throw DeliveryError.temporary("Kannel \(settings.sendURL): \(error)")
        }
        switch response.status.code {
        case 200..<300:
            return [providerID]
        // Bad credentials or a busy gateway are Kannel's (or our configuration's) problem, not the message's.
        case 403, 408, 429, 500...:
            throw DeliveryError.temporary("Kannel \(response.status.code): \(body)")
        default:
            throw DeliveryError.permanent("Kannel \(response.status.code): \(body)")
        }
    }
}
