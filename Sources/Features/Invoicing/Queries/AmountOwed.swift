import Domain

/// What a client owes now: its unpaid proformas with money still open, oldest due first (the "what I owe" banner on
/// every client page, the first rows of My Invoices).
public struct AmountOwed: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public let proformaID: Int64
        public let number: String
        public let open: Money
        public let dueDate: CivilDate
    }

    /// Oldest due first; on one day, the lower number first.
    public let items: [Item]
    public let today: CivilDate

    public init(unpaid: [ProformaInvoice], today: CivilDate) {
        self.today = today
        items =
            unpaid
            .filter { $0.state == .unpaid && $0.openMinor > 0 }
            .map {
                Item(
                    proformaID: $0.id, number: $0.number, open: Money(minor: $0.openMinor, currency: $0.currency),
                    dueDate: $0.effectiveDueDate)
            }
            .sorted { ($0.dueDate, $0.number) < ($1.dueDate, $1.number) }
    }

    public var isEmpty: Bool { items.isEmpty }

    /// The open total per currency, in the order the currencies first fall due (amounts in two currencies are
    /// never added together).
    public var totals: [Money] {
        var out: [Money] = []
        for item in items {
            if let i = out.firstIndex(where: { $0.currency == item.open.currency }) {
                out[i] = out[i] + item.open
            } else {
                out.append(item.open)
            }
        }
        return out
    }

    /// The one to pay first.
    public var oldest: Item? { items.first }

    /// Days past the oldest due date; 0 while nothing is late (a proforma is late the day after its due date).
    public var daysOverdue: Int { oldest.map { max(0, $0.dueDate.days(until: today)) } ?? 0 }

    public func isOverdue(_ dueDate: CivilDate) -> Bool { dueDate < today }
}
