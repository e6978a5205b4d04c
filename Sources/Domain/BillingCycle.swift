/// How often a hosting service renews. Due dates are anchored to the first due date, never chained.
public enum BillingCycle: String, Sendable, Codable, CaseIterable, Hashable {
    case monthly, quarterly, semiannual, annual, biennial

    public var months: Int {
        switch self {
        case .monthly: 1
        case .quarterly: 3
        case .semiannual: 6
        case .annual: 12
        case .biennial: 24
        }
    }

    /// The k-th due date (k = 0 is the first): first due date + k cycles, clamped to the month's end.
    /// Jan 31 monthly gives Feb 28/29, Mar 31, Apr 30: the anchor day survives short months.
    public func dueDate(anchor: CivilDate, index k: Int) -> CivilDate {
        anchor.adding(months: k * months, anchorDay: anchor.day)
    }

    /// The service period that starts on due date k: [due(k), due(k+1) - 1 day].
    public func period(anchor: CivilDate, index k: Int) -> ServicePeriod {
        ServicePeriod(
            index: k, start: dueDate(anchor: anchor, index: k),
            end: dueDate(anchor: anchor, index: k + 1).adding(days: -1))
    }
}

/// One billed period of a hosting service, both ends inclusive.
public struct ServicePeriod: Sendable, Hashable, Codable {
    public let index: Int
    public let start: CivilDate
    public let end: CivilDate

    public init(index: Int, start: CivilDate, end: CivilDate) {
        self.index = index
        self.start = start
        self.end = end
    }
}
