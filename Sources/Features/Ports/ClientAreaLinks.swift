import Domain

/// The client-area addresses that leave the server: the log-in links and invoice numbers in e-mails, the reset and
/// e-mail confirmation links, the "pay here" page a provisioner shows on a suspended site. One builder, given the
/// configured public base URL (never a request's Host); the web area registers the same pages and links to them
/// through these paths.
public struct ClientAreaLinks: Sendable, Equatable {
    /// Without a trailing slash.
    public let baseURL: String

    public init(baseURL: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
    }

    public static let resetPasswordPath = "/reset-password"
    public static let confirmEmailPath = "/confirm-email"

    /// The invoice's page in the client area.
    public static func invoicePath(_ invoice: InvoiceRef) -> String {
        "/invoices/\(invoice.kind.rawValue)/\(invoice.id)"
    }

    /// The path a log-in link's token is appended to; the invoice is in the path so that even a token that does not
    /// work can lead to the login page with that invoice as the destination.
    public static func mailLinkPath(_ invoice: InvoiceRef, token: String) -> String {
        "/mail/\(invoice.kind.rawValue)/\(invoice.id)/\(token)"
    }

    /// The client area's front page (the footer of every e-mail).
    public var home: String { baseURL }
    public func invoice(_ invoice: InvoiceRef) -> String { baseURL + Self.invoicePath(invoice) }
    public func mailLink(_ invoice: InvoiceRef, token: String) -> String {
        baseURL + Self.mailLinkPath(invoice, token: token)
    }
    public func resetPassword(token: String) -> String { baseURL + Self.resetPasswordPath + "?token=" + token }
    public func confirmEmail(token: String) -> String { baseURL + Self.confirmEmailPath + "?token=" + token }
}
