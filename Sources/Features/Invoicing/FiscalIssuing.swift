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
}
