import Foundation

/// Why a proforma exists: the client ordered, or the system renewed. Only renewals may cause an SMS.
public enum ProformaOrigin: String, Sendable, Codable, CaseIterable {
    case order
    case renewal
}

public enum ProformaState: String, Sendable, Codable, CaseIterable {
    case unpaid, paid, cancelled
}

/// One invoice line. A service line names the service and the period it pays for.
public struct InvoiceLine: Sendable, Hashable, Codable {
    public let serviceID: Int64?
    public let period: ServicePeriod?
    public let description: String
    public let quantity: Int64
    public let unitPriceMinor: Int64

    public init(
        serviceID: Int64?, period: ServicePeriod?, description: String, quantity: Int64 = 1, unitPriceMinor: Int64
    ) {
        self.serviceID = serviceID
        self.period = period
        self.description = description
        self.quantity = quantity
        self.unitPriceMinor = unitPriceMinor
    }

    public var netMinor: Int64 { quantity * unitPriceMinor }

    /// The same line for another period of its service; the period written in the description follows.
    public func moved(to new: ServicePeriod) -> InvoiceLine {
        let text =
            period.map { old in
                description.replacingOccurrences(of: "(\(old.start) – \(old.end))", with: "(\(new.start) – \(new.end))")
            } ?? description
        return InvoiceLine(
            serviceID: serviceID, period: new, description: text, quantity: quantity, unitPriceMinor: unitPriceMinor)
    }
}

public enum InvoicingError: Error, Sendable, Equatable {
    /// Only an unpaid proforma can be edited, paid or cancelled.
    case proformaNotUnpaid(ProformaState)
    case currencyMismatch(expected: Currency, got: Currency)
    case nonPositiveAmount
    case alreadyStornoed
    case stornoOfStorno
    /// An extension must move the due date later than `current`.
    case extensionNotLater(CivilDate)
    /// The corrected billing data would change the invoice's VAT (and so the amount that was paid).
    case reissueChangesTotals
}

/// A request for payment; not a fiscal document. Editable (billing data) while unpaid.
public struct ProformaInvoice: Sendable, Hashable {
    public let id: Int64
    public let number: String
    public let clientID: Int64
    public let origin: ProformaOrigin
    public let state: ProformaState
    public let currency: Currency
    public let issueDate: CivilDate
    public let dueDate: CivilDate
    public let buyer: BillingParty
    public let billingProfileID: Int64?
    public let vat: VatTreatment
    public let lines: [InvoiceLine]
    public let paidMinor: Int64
    /// Increases with every edit of the billing data; the audit log keeps each version.
    public let version: Int
    /// A later due date granted by staff (a payment extension); the printed due date stays as issued.
    public let extendedDueDate: CivilDate?

    public init(
        id: Int64, number: String, clientID: Int64, origin: ProformaOrigin, state: ProformaState, currency: Currency,
        issueDate: CivilDate, dueDate: CivilDate, buyer: BillingParty, billingProfileID: Int64?, vat: VatTreatment,
        lines: [InvoiceLine], paidMinor: Int64, version: Int, extendedDueDate: CivilDate? = nil
    ) {
        self.id = id
        self.number = number
        self.clientID = clientID
        self.origin = origin
        self.state = state
        self.currency = currency
        self.issueDate = issueDate
        self.dueDate = dueDate
        self.buyer = buyer
        self.billingProfileID = billingProfileID
        self.vat = vat
        self.lines = lines
        self.paidMinor = paidMinor
        self.version = version
        self.extendedDueDate = extendedDueDate
    }

    /// The day dunning counts from: the extension when staff granted one, else the due date.
    public var effectiveDueDate: CivilDate { extendedDueDate ?? dueDate }

    /// The due date of a renewal of `period` issued on `issueDate`: the period's first day, but never sooner than
    /// `minPaymentDays` after the issue (a period billed late is not overdue the day it is billed).
    public static func renewalDueDate(of period: ServicePeriod, issuedOn issueDate: CivilDate, minPaymentDays: Int)
        -> CivilDate
    {
        max(period.start, issueDate.adding(days: minPaymentDays))
    }

    public var totals: InvoiceTotals {
        InvoiceTotals(currency: currency, lines: lines.map { ($0.netMinor, vat.category, vat.basisPoints) })
    }

    public var openMinor: Int64 { max(0, totals.grossMinor - paidMinor) }

    func with(
        state: ProformaState? = nil, buyer: BillingParty? = nil, profileID: Int64?? = nil, vat: VatTreatment? = nil,
        lines: [InvoiceLine]? = nil,
        paidMinor: Int64? = nil, version: Int? = nil, extendedDueDate: CivilDate? = nil
    ) -> ProformaInvoice {
        ProformaInvoice(
            id: id, number: number, clientID: clientID, origin: origin, state: state ?? self.state, currency: currency,
            issueDate: issueDate, dueDate: dueDate, buyer: buyer ?? self.buyer,
            billingProfileID: profileID ?? self.billingProfileID, vat: vat ?? self.vat, lines: lines ?? self.lines,
            paidMinor: paidMinor ?? self.paidMinor, version: version ?? self.version,
            extendedDueDate: extendedDueDate ?? self.extendedDueDate)
    }

    // MARK: Named transitions

    /// New billing data, with VAT recomputed for the new buyer. Only while unpaid.
    public func rebilled(to buyer: BillingParty, profileID: Int64?, vat: VatTreatment) throws(InvoicingError)
        -> ProformaInvoice
    {
        guard state == .unpaid else { throw .proformaNotUnpaid(state) }
        return with(buyer: buyer, profileID: .some(profileID), vat: vat, version: version + 1)
    }

    /// Re-prices VAT (a rate that changed before payment); never silently keeps an old rate.
    public func repriced(vat: VatTreatment) -> ProformaInvoice { vat == self.vat ? self : with(vat: vat) }

    public func cancelled() throws(InvoicingError) -> ProformaInvoice {
        guard state == .unpaid else { throw .proformaNotUnpaid(state) }
        return with(state: .cancelled)
    }

    /// A payment extension: dunning counts from `day` instead. Only later than the day in force, and only while unpaid.
    public func extended(until day: CivilDate) throws(InvoicingError) -> ProformaInvoice {
        guard state == .unpaid else { throw .proformaNotUnpaid(state) }
        guard day > effectiveDueDate else { throw .extensionNotLater(effectiveDueDate) }
        return with(extendedDueDate: day)
    }

    /// After lines were removed: the payments already made, applied to what is left. When they cover it, the proforma
    /// is paid and the rest is credit.
    public func reapplyingPayments() -> PaymentApplication {
        let applied = min(paidMinor, totals.grossMinor)
        let done = state == .unpaid && applied >= totals.grossMinor && paidMinor > 0
        return PaymentApplication(
            proforma: with(state: done ? .paid : state, paidMinor: applied), appliedMinor: applied,
            creditMinor: paidMinor - applied)
    }

    /// The order's line of `serviceID` moved to `period` (the service starts on the day the order is paid).
    public func movingLine(of serviceID: Int64, to period: ServicePeriod) -> ProformaInvoice {
        with(lines: lines.map { $0.serviceID == serviceID ? $0.moved(to: period) : $0 })
    }

    /// The proforma without the lines of `serviceIDs` (services that ended): what is left is still to be paid.
    public func removingLines(of serviceIDs: Set<Int64>) throws(InvoicingError) -> ProformaInvoice {
        guard state == .unpaid else { throw .proformaNotUnpaid(state) }
        return with(lines: lines.filter { line in line.serviceID.map { !serviceIDs.contains($0) } ?? true })
    }

    /// What a payment does: partial payments accumulate; the part above the open amount becomes credit.
    public struct PaymentApplication: Sendable, Equatable {
        public let proforma: ProformaInvoice
        public let appliedMinor: Int64
        public let creditMinor: Int64
        public var completesPayment: Bool { proforma.state == .paid }
    }

    public func applying(payment: Money) throws(InvoicingError) -> PaymentApplication {
        guard payment.currency == currency else { throw .currencyMismatch(expected: currency, got: payment.currency) }
        guard payment.minor > 0 else { throw .nonPositiveAmount }
        guard state == .unpaid else { throw .proformaNotUnpaid(state) }
        let applied = min(payment.minor, openMinor)
        let paid = paidMinor + applied
        let done = paid >= totals.grossMinor
        return PaymentApplication(
            proforma: with(state: done ? .paid : .unpaid, paidMinor: paid), appliedMinor: applied,
            creditMinor: payment.minor - applied)
    }
}

/// The seller's identity as printed on every fiscal invoice (Codul fiscal art. 319, Legea 31/1990 art. 74).
public struct Seller: Sendable, Hashable, Codable {
    public let name: String
    public let cui: String
    public let vatNumber: String?
    public let tradeRegisterNumber: String
    public let shareCapital: String?
    public let address: PostalAddress
    public let iban: String
    public let bank: String

    public init(
        name: String, cui: String, vatNumber: String?, tradeRegisterNumber: String, shareCapital: String?,
        address: PostalAddress, iban: String, bank: String
    ) {
        self.name = name
        self.cui = cui
        self.vatNumber = vatNumber
        self.tradeRegisterNumber = tradeRegisterNumber
        self.shareCapital = shareCapital
        self.address = address
        self.iban = iban
        self.bank = bank
    }
}

public enum FiscalInvoiceKind: String, Sendable, Codable {
    case invoice
    /// Reverses an earlier invoice with negative amounts; references it.
    case storno
}

/// A tax invoice: created once from a fully paid proforma (or as the storno of one), never changed afterwards.
/// Every property is `let` and there is no transition: a correction is a new storno invoice.
public struct FiscalInvoice: Sendable, Hashable, Codable {
    public let id: Int64
    public let series: String
    public let number: Int64
    public let kind: FiscalInvoiceKind
    public let clientID: Int64
    public let proformaID: Int64?
    public let proformaNumber: String?
    public let correctsID: Int64?
    public let correctsNumber: String?
    public let issueDate: CivilDate
    public let currency: Currency
    public let seller: Seller
    public let buyer: BillingParty
    public let vat: VatTreatment
    public let lines: [InvoiceLine]
    public let totals: InvoiceTotals
    /// For a foreign-currency invoice: the rate used to state the VAT in lei (art. 319(23)).
    public let exchangeRate: ExchangeRate?
    public let vatRONMinor: Int64

    public init(
        id: Int64, series: String, number: Int64, kind: FiscalInvoiceKind, clientID: Int64, proformaID: Int64?,
        proformaNumber: String?, correctsID: Int64?, correctsNumber: String?, issueDate: CivilDate, currency: Currency,
        seller: Seller, buyer: BillingParty, vat: VatTreatment, lines: [InvoiceLine], totals: InvoiceTotals,
        exchangeRate: ExchangeRate?, vatRONMinor: Int64
    ) {
        self.id = id
        self.series = series
        self.number = number
        self.kind = kind
        self.clientID = clientID
        self.proformaID = proformaID
        self.proformaNumber = proformaNumber
        self.correctsID = correctsID
        self.correctsNumber = correctsNumber
        self.issueDate = issueDate
        self.currency = currency
        self.seller = seller
        self.buyer = buyer
        self.vat = vat
        self.lines = lines
        self.totals = totals
        self.exchangeRate = exchangeRate
        self.vatRONMinor = vatRONMinor
    }

    /// "HST2026-000042".
    public var displayNumber: String { FiscalNumbering.display(series: series, number: number) }
}

/// The parts of a fiscal invoice decided before a number is allocated.
public struct FiscalInvoiceDraft: Sendable, Hashable {
    public let kind: FiscalInvoiceKind
    public let clientID: Int64
    public let proformaID: Int64?
    public let proformaNumber: String?
    public let correctsID: Int64?
    public let correctsNumber: String?
    public let issueDate: CivilDate
    public let currency: Currency
    public let seller: Seller
    public let buyer: BillingParty
    public let vat: VatTreatment
    public let lines: [InvoiceLine]
    public let totals: InvoiceTotals
    public let exchangeRate: ExchangeRate?
    public let vatRONMinor: Int64

    public init(
        kind: FiscalInvoiceKind, clientID: Int64, proformaID: Int64?, proformaNumber: String?, correctsID: Int64?,
        correctsNumber: String?, issueDate: CivilDate, currency: Currency, seller: Seller, buyer: BillingParty,
        vat: VatTreatment, lines: [InvoiceLine], totals: InvoiceTotals, exchangeRate: ExchangeRate?, vatRONMinor: Int64
    ) {
        self.kind = kind
        self.clientID = clientID
        self.proformaID = proformaID
        self.proformaNumber = proformaNumber
        self.correctsID = correctsID
        self.correctsNumber = correctsNumber
        self.issueDate = issueDate
        self.currency = currency
        self.seller = seller
        self.buyer = buyer
        self.vat = vat
        self.lines = lines
        self.totals = totals
        self.exchangeRate = exchangeRate
        self.vatRONMinor = vatRONMinor
    }

    /// From a fully paid proforma: its (final) billing data, lines and VAT.
    public static func from(
        paid proforma: ProformaInvoice, issueDate: CivilDate, seller: Seller, exchangeRate: ExchangeRate?
    ) -> FiscalInvoiceDraft {
        precondition(proforma.state == .paid, "a fiscal invoice exists only for a paid proforma")
        let totals = proforma.totals
        return FiscalInvoiceDraft(
            kind: .invoice, clientID: proforma.clientID, proformaID: proforma.id, proformaNumber: proforma.number,
            correctsID: nil, correctsNumber: nil, issueDate: issueDate, currency: proforma.currency, seller: seller,
            buyer: proforma.buyer, vat: proforma.vat, lines: proforma.lines, totals: totals, exchangeRate: exchangeRate,
            vatRONMinor: exchangeRate?.toRON(totals.vatMinor) ?? totals.vatMinor)
    }

    /// The full reversal of `original`: same lines with negative quantities, unit prices stay positive (BR-27).
    public static func storno(of original: FiscalInvoice, issueDate: CivilDate) throws(InvoicingError)
        -> FiscalInvoiceDraft
    {
        guard original.kind == .invoice else { throw .stornoOfStorno }
        let lines = original.lines.map {
            InvoiceLine(
                serviceID: $0.serviceID, period: $0.period, description: $0.description, quantity: -$0.quantity,
                unitPriceMinor: $0.unitPriceMinor)
        }
        let totals = InvoiceTotals(
            currency: original.currency,
            lines: lines.map { ($0.netMinor, original.vat.category, original.vat.basisPoints) })
        return FiscalInvoiceDraft(
            kind: .storno, clientID: original.clientID, proformaID: nil, proformaNumber: original.proformaNumber,
            correctsID: original.id, correctsNumber: original.displayNumber, issueDate: issueDate,
            currency: original.currency, seller: original.seller, buyer: original.buyer, vat: original.vat,
            lines: lines,
            totals: totals, exchangeRate: original.exchangeRate, vatRONMinor: -original.vatRONMinor)
    }

    /// The sale of a stornoed `original` invoiced again to corrected billing data: the same lines and amounts, the
    /// new buyer. Only when the new buyer's VAT gives the same totals: the client paid those.
    public static func reissue(
        of original: FiscalInvoice, to buyer: BillingParty, vat: VatTreatment, issueDate: CivilDate, seller: Seller
    ) throws(InvoicingError) -> FiscalInvoiceDraft {
        guard original.kind == .invoice else { throw .stornoOfStorno }
        let totals = InvoiceTotals(
            currency: original.currency, lines: original.lines.map { ($0.netMinor, vat.category, vat.basisPoints) })
        guard totals == original.totals else { throw .reissueChangesTotals }
        // proforma_id stays with the original (one fiscal invoice per proforma); the number is printed on it.
        return FiscalInvoiceDraft(
            kind: .invoice, clientID: original.clientID, proformaID: nil, proformaNumber: original.proformaNumber,
            correctsID: nil, correctsNumber: nil, issueDate: issueDate, currency: original.currency, seller: seller,
            buyer: buyer, vat: vat, lines: original.lines, totals: totals, exchangeRate: original.exchangeRate,
            vatRONMinor: original.vatRONMinor)
    }

    /// What still stands of a stornoed `original` when only some of its lines are taken back (a period its service
    /// ended before): those `kept` lines, to the same buyer at the same VAT and exchange rate, on a new invoice.
    public static func remainder(of original: FiscalInvoice, keeping kept: [InvoiceLine], issueDate: CivilDate)
        throws(InvoicingError) -> FiscalInvoiceDraft
    {
        guard original.kind == .invoice else { throw .stornoOfStorno }
        let totals = InvoiceTotals(
            currency: original.currency,
            lines: kept.map { ($0.netMinor, original.vat.category, original.vat.basisPoints) })
        return FiscalInvoiceDraft(
            kind: .invoice, clientID: original.clientID, proformaID: nil, proformaNumber: original.proformaNumber,
            correctsID: nil, correctsNumber: nil, issueDate: issueDate, currency: original.currency,
            seller: original.seller,
            buyer: original.buyer, vat: original.vat, lines: kept, totals: totals, exchangeRate: original.exchangeRate,
            vatRONMinor: original.exchangeRate?.toRON(totals.vatMinor) ?? totals.vatMinor)
    }

    public func numbered(id: Int64, series: String, number: Int64) -> FiscalInvoice {
        FiscalInvoice(
            id: id, series: series, number: number, kind: kind, clientID: clientID, proformaID: proformaID,
            proformaNumber: proformaNumber, correctsID: correctsID, correctsNumber: correctsNumber,
            issueDate: issueDate,
            currency: currency, seller: seller, buyer: buyer, vat: vat, lines: lines, totals: totals,
            exchangeRate: exchangeRate, vatRONMinor: vatRONMinor)
    }
}

public enum FiscalNumbering {
    /// Series restart each year under a documented decision, so the year is part of the series name.
    public static func series(prefix: String, year: Int) -> String { "\(prefix)\(year)" }
    public static func display(series: String, number: Int64) -> String { "\(series)-\(pad(number, 6))" }
}

public enum ProformaNumbering {
    public static func series(prefix: String, year: Int) -> String { "\(prefix)-\(year)" }
    public static func display(series: String, number: Int64) -> String { "\(series)-\(pad(number, 6))" }
}

func pad(_ n: Int64, _ width: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, width - s.count)) + s
}

/// The company's dunning timetable (all configurable; defaults from domain.md).
public struct BillingPolicy: Sendable, Hashable {
    public var renewalLeadDays: Int
    public var suspendAfterDays: Int
    public var terminateAfterDays: Int
    public var reminderDays: [Int]
    public var orderDueDays: Int
    /// How far after the day it is granted staff may move an unpaid proforma's due date.
    public var maxExtensionDays: Int
    /// An order proforma still unpaid this many days after its due date is cancelled with its pending services.
    public var orderCancelDays: Int
    /// A renewal is never due sooner than this many days after it is issued (a period billed late, after a worker
    /// outage or an abuse hold, gets this much time instead of a due date in the past).
    public var minPaymentDays: Int
    public var efactura: EFacturaPolicy

    public init(
        renewalLeadDays: Int = 14, suspendAfterDays: Int = 5, terminateAfterDays: Int = 30,
        reminderDays: [Int] = [1, 3], orderDueDays: Int = 7,
        maxExtensionDays: Int = 14, orderCancelDays: Int = 30, minPaymentDays: Int = 7,
        efactura: EFacturaPolicy = EFacturaPolicy()
    ) {
        self.minPaymentDays = minPaymentDays
        self.efactura = efactura
        self.maxExtensionDays = maxExtensionDays
        self.orderCancelDays = orderCancelDays
        self.renewalLeadDays = renewalLeadDays
        self.suspendAfterDays = suspendAfterDays
        self.terminateAfterDays = terminateAfterDays
        self.reminderDays = reminderDays
        self.orderDueDays = orderDueDays
    }
}
