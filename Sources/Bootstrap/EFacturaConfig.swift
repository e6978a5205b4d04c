import ANAF
import Configuration
import Features
import Foundation

/// The ANAF connection, when `ANAF_CLIENT_ID` is set: the application registered in ANAF's portal (client id and
/// secret, the redirect URI registered with it) and which ANAF environment to talk to.
public struct EFacturaConfig: Sendable {
    public var anaf: ANAFSettings
    public var intervalSeconds: Int

    static let environments = [
        "prod": "https://api.anaf.ro/prod/FCTEL/rest", "test": "https://api.anaf.ro/test/FCTEL/rest",
    ]

    static func read(_ r: ConfigReader, mode: AppConfig.Mode, publicBaseURL: String, problems: inout [String])
        -> EFacturaConfig?
    {
        guard let clientID = r.string(forKey: "anaf.client.id"), !clientID.isEmpty else { return nil }
        let secret = r.string(forKey: "anaf.client.secret", isSecret: true) ?? ""
        if secret.isEmpty { problems.append("ANAF_CLIENT_SECRET is required with ANAF_CLIENT_ID") }
        let environment = r.string(forKey: "anaf.environment", default: mode == .production ? "prod" : "test")
        let api =
            r.string(forKey: "anaf.api.url") ?? environments[environment]
            ?? {
                problems.append("ANAF_ENVIRONMENT must be prod or test")
                return environments["test"]!
            }()
        let oauth = r.string(forKey: "anaf.oauth.url", default: "https://logincert.anaf.ro/anaf-oauth2/v1")
        let redirect = r.string(forKey: "anaf.redirect.uri", default: publicBaseURL + "/staff/efactura/oauth")
        for (name, url) in [("ANAF_API_URL", api), ("ANAF_OAUTH_URL", oauth), ("ANAF_REDIRECT_URI", redirect)]
        where !(url.hasPrefix("https://") || (mode == .demo && url.hasPrefix("http://"))) {
            problems.append("\(name) must be an https URL")
        }
        if mode == .production, environment != "prod" || r.string(forKey: "anaf.api.url") != nil {
            problems.append(
                "production uploads to ANAF's production e-Factura (unset ANAF_API_URL, ANAF_ENVIRONMENT=prod)")
        }
        let interval = Int(r.string(forKey: "efactura.interval.seconds", default: "60")) ?? 60
        return EFacturaConfig(
            anaf: ANAFSettings(
                apiBase: api, oauthBase: oauth, clientID: clientID, clientSecret: secret, redirectURI: redirect),
            intervalSeconds: max(1, interval))
    }
}
