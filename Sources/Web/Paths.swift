import Domain
import Features

/// Every page address of the client and staff areas, in one place: pages link and redirect through these, never
/// through literals (the route patterns, `invoices/proforma/:id`, are registered beside their handlers).
enum Paths {
    static let home = "/"
    static let login = "/login"
    static let loginCode = "/login/code"
    static let signup = "/signup"
    static let services = "/services"
    static let order = "/order"
    static let invoices = "/invoices"
    static let details = "/details"
    static let newProfile = "/details/profiles/new"
    static let security = "/security"
    static let twoFactor = "/security/2fa"
    static let confirmPassword = "/confirm-password"
    static let confirmEmail = ClientAreaLinks.confirmEmailPath
    static let resetPassword = ClientAreaLinks.resetPasswordPath

    static func invoice(_ ref: InvoiceRef) -> String { ClientAreaLinks.invoicePath(ref) }
    static func proforma(_ id: Int64) -> String { invoice(InvoiceRef(.proforma, id)) }
    static func proformaPDF(_ id: Int64) -> String { proforma(id) + "/pdf" }
    static func proformaBillingData(_ id: Int64) -> String { proforma(id) + "/billing-data" }
    static func proformaDemoPay(_ id: Int64) -> String { proforma(id) + "/pay" }
    static func proformaCard(_ id: Int64) -> String { proforma(id) + "/card" }
    static func fiscalInvoice(_ id: Int64) -> String { invoice(InvoiceRef(.fiscal, id)) }
    static func fiscalInvoicePDF(_ id: Int64) -> String { fiscalInvoice(id) + "/pdf" }
    static func profile(_ id: Int64) -> String { "/details/profiles/\(id)" }
    static func serviceCancel(_ id: Int64) -> String { "/services/\(id)/cancel" }
    static func servicePlan(_ id: Int64) -> String { "/services/\(id)/plan" }
    static func serviceWithdrawCancel(_ id: Int64) -> String { "/services/\(id)/cancel/withdraw" }

    enum Staff {
        static let home = "/staff"
        static let security = "/staff/security"
        static let apiKeys = "/staff/api-keys"
        static let audit = "/staff/audit"
        static let efactura = "/staff/efactura"
        static let plans = "/staff/plans"
        static func plan(_ id: Int64) -> String { "/staff/plans/\(id)" }
        static func client(_ id: Int64) -> String { "/staff/clients/\(id)" }
        /// The client page's tabs: the overview (profiles, services) is the page itself.
        enum ClientTab: String, CaseIterable { case overview, invoices, messages, log }
        static func client(_ id: Int64, tab: ClientTab) -> String {
            tab == .overview ? client(id) : client(id) + "?tab=\(tab.rawValue)"
        }
        static func proforma(_ id: Int64) -> String { "/staff/proformas/\(id)" }
        static func proformaPDF(_ id: Int64) -> String { proforma(id) + "/pdf" }
        static func fiscalInvoice(_ id: Int64) -> String { "/staff/fiscal-invoices/\(id)" }
        static func fiscalInvoicePDF(_ id: Int64) -> String { fiscalInvoice(id) + "/pdf" }
    }
}
