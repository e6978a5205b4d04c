/// A hosting plan with a price per billing cycle, in one currency.
public struct HostingPlan: Sendable, Hashable {
    public let id: Int64
    public let code: String
    public let name: String
    public let currency: Currency
    public let prices: [BillingCycle: Int64]
    /// Which provisioner creates and suspends its accounts on a server (nil: staff do it by hand).
    public let provisioner: String?
    /// No longer sold (orders refuse it); its services keep renewing at their price.
    public let retired: Bool
    /// What it includes (disk, sites, mailboxes…), as the catalogue shows it.
    public let description: String

    public init(
        id: Int64, code: String, name: String, currency: Currency, prices: [BillingCycle: Int64],
        provisioner: String? = nil, retired: Bool = false, description: String = ""
    ) {
        self.description = description
        self.retired = retired
        self.provisioner = provisioner
        self.id = id
        self.code = code
        self.name = name
        self.currency = currency
        self.prices = prices
    }

    public func price(for cycle: BillingCycle) -> Money? {
        prices[cycle].map { Money(minor: $0, currency: currency) }
    }
}
