/// Which fiscal invoices go to e-Factura: a setting, because the law is read differently for foreign buyers
/// (domain.md §2.1). The default sends every invoice to a Romanian buyer, companies and persons alike.
public enum EFacturaScope: String, Sendable, Hashable, CaseIterable {
    /// A Romanian company.
    case b2b
    /// A Romanian private person (mandatory since 2025).
    case b2c
    /// A buyer outside Romania, person or company.
    case foreign

    public static func of(_ buyer: BillingParty) -> EFacturaScope {
        guard buyer.country == "RO" else { return .foreign }
        if case .person = buyer { return .b2c }
        return .b2b
    }
}

/// Where an invoice stands with e-Factura.
public enum EFacturaState: String, Sendable, Hashable, Codable, CaseIterable {
    case toUpload = "to_upload"
    case uploaded
    case accepted
    case rejected
    /// Outside the configured scope; kept so staff see the decision.
    case notRequired = "not_required"
}

public struct EFacturaPolicy: Sendable, Hashable {
    public var scopes: Set<EFacturaScope>

    public init(scopes: Set<EFacturaScope> = [.b2b, .b2c]) { self.scopes = scopes }

    public func initialState(for buyer: BillingParty) -> EFacturaState {
        scopes.contains(EFacturaScope.of(buyer)) ? .toUpload : .notRequired
    }
}

/// A fiscal invoice's e-Factura record, as staff see it.
public struct EFacturaSubmission: Sendable, Hashable {
    public let fiscalInvoiceID: Int64
    public let number: String
    public let issueDate: CivilDate
    public let state: EFacturaState
    public let uploadIndex: String?
    /// ANAF's errors for a rejected invoice.
    public let errors: String?
    /// Uploads or status checks tried since the last transition.
    public let attempts: Int
    /// Why the last try must be repeated (ANAF unreachable, a token refused).
    public let lastError: String?
    /// ANAF's ZIP is stored: the signed original (accepted) or the error file (rejected).
    public let hasResponseFile: Bool

    public init(
        fiscalInvoiceID: Int64, number: String, issueDate: CivilDate, state: EFacturaState, uploadIndex: String?,
        errors: String?,
        attempts: Int = 0, lastError: String? = nil, hasResponseFile: Bool = false
    ) {
        self.fiscalInvoiceID = fiscalInvoiceID
        self.number = number
        self.issueDate = issueDate
        self.state = state
        self.uploadIndex = uploadIndex
        self.errors = errors
        self.attempts = attempts
        self.lastError = lastError
        self.hasResponseFile = hasResponseFile
    }

    public var deadline: CivilDate { EFacturaDeadline.deadline(issuedOn: issueDate) }

    /// Past the deadline and not validly transmitted yet (an upload ANAF rejected does not count).
    public func isOverdue(today: CivilDate) -> Bool {
        (state == .toUpload || state == .rejected) && today > deadline
    }
}
