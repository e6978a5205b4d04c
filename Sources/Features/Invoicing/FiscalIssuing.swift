import Domain
import Foundation

/// The one way a fiscal invoice comes into existence: the next number of its year's series, stored, and
/// recorded for e-Factura (to upload, or not required by the configured scope) in the same transaction.
enum FiscalIssuing {
    static func issue(_ draft: FiscalInvoiceDraft, deps: AppDependencies, in tx: any StoreTransaction, at now: Date)
        async throws -> FiscalInvoice
    {
        let series = FiscalNumbering.series(prefix: deps.numbering.fiscalPrefix, year: draft.issueDate.year)
        let number = try await tx.nextNumber(series: series)
        let fiscal = try await tx.insert(fiscal: draft, series: series, number: number, at: now)
        try await tx.insertEFactura(
            fiscalInvoiceID: fiscal.id, state: deps.policy.efactura.initialState(for: fiscal.buyer), at: now)
        return fiscal
    }

    /// Reverses `original` with a storno (its own number, the amounts negated, a reference to the original), audited
    /// as `fiscal_invoice.stornoed` with what follows it (`then`) and the staff's reason (`note`).
    static func reverse(
        _ original: FiscalInvoice, then: String, note: String? = nil, by actor: Actor, deps: AppDependencies,
        in tx: any StoreTransaction, at now: Date
    ) async throws -> FiscalInvoice {
        let draft: FiscalInvoiceDraft
        do { draft = try FiscalInvoiceDraft.storno(of: original, issueDate: deps.today()) } catch let e
            as InvoicingError
        {
            throw UseCaseError.from(e)
        }
        let storno = try await issue(draft, deps: deps, in: tx, at: now)
        try await tx.append(
            AuditEntry(
                actor: actor, action: "fiscal_invoice.stornoed", entity: "fiscal_invoice", entityID: original.id,
                before: auditJSON(["number": original.displayNumber]),
                after: auditJSON(
                    [
                        "storno": storno.displayNumber, "total": storno.totals.gross.description, "then": then,
                    ].merging(note.map { ["note": $0] } ?? [:]) { a, _ in a }),
                at: now))
        return storno
    }

    /// A corrected invoice issued after a storno (other billing data, or the lines that stay), audited as
    /// `fiscal_invoice.reissued` with the original's number.
    static func reissue(
        _ draft: FiscalInvoiceDraft, replacing original: FiscalInvoice, by actor: Actor, deps: AppDependencies,
        in tx: any StoreTransaction, at now: Date
    ) async throws -> FiscalInvoice {
        let fiscal = try await issue(draft, deps: deps, in: tx, at: now)
        try await tx.append(
            AuditEntry(
                actor: actor, action: "fiscal_invoice.reissued", entity: "fiscal_invoice", entityID: fiscal.id,
                before: auditJSON(["number": original.displayNumber]),
                after: auditJSON(["number": fiscal.displayNumber, "buyer": fiscal.buyer.name]), at: now))
        return fiscal
    }
}
