import Domain
import Foundation

/// Reading invoices, for the client area, the staff pages and the API. `visibleTo`: a client sees only its own
/// (another client's is "not found", so its existence is not told); nil is staff or an API key, who see any.
public struct InvoiceQueries: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func proforma(id: Int64, visibleTo clientID: Int64? = nil) async throws -> ProformaInvoice {
        guard let p = try await deps.store.read({ r in try await r.proforma(id: id, forUpdate: false) }),
            clientID == nil || p.clientID == clientID
        else {
            throw UseCaseError.notFound("proforma")
        }
        return p
    }

    public func fiscalInvoice(id: Int64, visibleTo clientID: Int64? = nil) async throws -> FiscalInvoice {
        guard let f = try await deps.store.read({ r in try await r.fiscalInvoice(id: id) }),
            clientID == nil || f.clientID == clientID
        else {
            throw UseCaseError.notFound("fiscal invoice")
        }
        return f
    }

    /// Newest first; every client's when `clientID` is nil.
    public func proformas(clientID: Int64?, state: ProformaState?, limit: Int, offset: Int) async throws
        -> [ProformaInvoice]
    {
        try await deps.store.read { r in
            try await r.proformas(clientID: clientID, state: state, limit: limit, offset: offset)
        }
    }

    /// Newest first; every client's when `clientID` is nil.
    public func fiscalInvoices(clientID: Int64?, limit: Int, offset: Int) async throws -> [FiscalInvoice] {
        try await deps.store.read { r in try await r.fiscalInvoices(clientID: clientID, limit: limit, offset: offset) }
    }

    /// One client's proformas and fiscal invoices (My Invoices, the staff client page), read together.
    public func ofClient(_ clientID: Int64, limit: Int = 500) async throws -> ClientInvoices {
        try await deps.store.read { r in
            ClientInvoices(
                proformas: try await r.proformas(clientID: clientID, state: nil, limit: limit, offset: 0),
                fiscalInvoices: try await r.fiscalInvoices(clientID: clientID, limit: limit, offset: 0))
        }
    }

    /// The fiscal invoice issued when the proforma was paid, and the storno that corrects a fiscal invoice: the
    /// documents an invoice page links to.
    public func fiscalInvoice(forProforma id: Int64) async throws -> FiscalInvoice? {
        try await deps.store.read { r in try await r.fiscalInvoice(proformaID: id) }
    }

    public func storno(correcting id: Int64) async throws -> FiscalInvoice? {
        try await deps.store.read { r in try await r.fiscalInvoice(correcting: id) }
    }

    /// What the client owes today (its unpaid proformas with money open).
    public func amountOwed(clientID: Int64) async throws -> AmountOwed {
        let unpaid = try await deps.store.read { r in
            try await r.proformas(clientID: clientID, state: .unpaid, limit: 200, offset: 0)
        }
        return AmountOwed(unpaid: unpaid, today: deps.today())
    }

    /// The e-Factura state of invoices, newest first; all states when `state` is nil.
    public func efacturaSubmissions(state: EFacturaState?, limit: Int) async throws -> [EFacturaSubmission] {
        try await deps.store.read { r in try await r.efacturaSubmissions(state: state, limit: limit) }
    }

    public func efacturaSubmission(fiscalInvoiceID: Int64) async throws -> EFacturaSubmission? {
        try await deps.store.read { r in try await r.efacturaSubmission(fiscalInvoiceID: fiscalInvoiceID) }
    }

    /// The billing runs' reports, newest first.
    public func billingRuns(limit: Int) async throws -> [BillingRunReport] {
        try await deps.store.read { r in try await r.billingRuns(limit: limit) }
    }
}

public struct ClientInvoices: Sendable {
    public let proformas: [ProformaInvoice]
    public let fiscalInvoices: [FiscalInvoice]
}
