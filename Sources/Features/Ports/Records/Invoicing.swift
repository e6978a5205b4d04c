import Domain
import Foundation

public struct NewProforma: Sendable {
    public let series: String
    public let number: Int64
    public let displayNumber: String
    public let clientID: Int64
    public let origin: ProformaOrigin
    public let currency: Currency
    public let issueDate: CivilDate
    public let dueDate: CivilDate
    public let buyer: BillingParty
    public let billingProfileID: Int64?
    public let vat: VatTreatment
    public let lines: [InvoiceLine]
    public let createdAt: Date

    public init(
        series: String, number: Int64, displayNumber: String, clientID: Int64, origin: ProformaOrigin,
        currency: Currency, issueDate: CivilDate, dueDate: CivilDate, buyer: BillingParty, billingProfileID: Int64?,
        vat: VatTreatment, lines: [InvoiceLine], createdAt: Date
    ) {
        self.series = series
        self.number = number
        self.displayNumber = displayNumber
        self.clientID = clientID
        self.origin = origin
        self.currency = currency
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.buyer = buyer
        self.billingProfileID = billingProfileID
        self.vat = vat
        self.lines = lines
        self.createdAt = createdAt
    }

}

public struct BillingRunReport: Sendable, Codable, Equatable {
    public var asOf: CivilDate
    public var servicesConsidered = 0
    public var proformasIssued = 0
    public var periodsInvoiced = 0
    public var skippedAlreadyIssued = 0
    public var failures: [Failure] = []

    public struct Failure: Sendable, Codable, Equatable {
        public let clientID: Int64
        public let reason: String
    }

    public init(asOf: CivilDate) { self.asOf = asOf }
}

/// The daily tasks of one day: when they ran and which units failed.
/// An unpaid proforma's due dates (`StoreReader.unpaidDueDates`).
public struct UnpaidDue: Sendable, Equatable {
    public let proformaID: Int64
    public let dueDate: CivilDate
    public let extendedDueDate: CivilDate?
    public var effectiveDueDate: CivilDate { extendedDueDate ?? dueDate }
    public init(proformaID: Int64, dueDate: CivilDate, extendedDueDate: CivilDate?) {
        self.proformaID = proformaID
        self.dueDate = dueDate
        self.extendedDueDate = extendedDueDate
    }
}

/// See `StoreReader.dailyWorkAhead`.
public struct DailyWorkAhead: Sendable, Equatable {
    public struct Due: Sendable, Equatable {
        public let date: CivilDate
        public let origin: ProformaOrigin
        public init(date: CivilDate, origin: ProformaOrigin) {
            self.date = date
            self.origin = origin
        }
    }
    public var nextInvoiceDate: CivilDate?
    public var unpaidDue: [Due]
    public var earliestHold: Date?
    /// The earliest last day of a cancelled service still running.
    public var nextEnd: CivilDate?

    public init(nextInvoiceDate: CivilDate?, unpaidDue: [Due], earliestHold: Date?, nextEnd: CivilDate? = nil) {
        self.nextEnd = nextEnd
        self.nextInvoiceDate = nextInvoiceDate
        self.unpaidDue = unpaidDue
        self.earliestHold = earliestHold
    }
}

public struct DailyRunReport: Sendable, Codable, Equatable {
    public let asOf: CivilDate
    public let startedAt: Date
    public let finishedAt: Date
    public let failures: [DailyTaskFailure]

    public init(asOf: CivilDate, startedAt: Date, finishedAt: Date, failures: [DailyTaskFailure]) {
        self.asOf = asOf
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.failures = failures
    }
}
