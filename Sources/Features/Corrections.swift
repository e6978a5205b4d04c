import Domain
import Foundation

/// Cancels an unpaid proforma (staff, or the system on termination). A paid one cannot be cancelled. What was
/// already paid on it becomes the client's credit, and the non-payment holds it placed are lifted.
public struct CancelProforma: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(proformaID: Int64, actor: Actor) async throws -> ProformaInvoice {
        try await deps.store.write { tx in
            guard let p = try await tx.proforma(id: proformaID, forUpdate: true) else { throw BillingError.notFound("proforma") }
            try await ProformaCancellation.cancel(p, why: "cancelled by \(actor)", by: actor, in: tx, deps: deps, at: deps.clock.now())
            return try p.cancelled()
        }
    }
}

/// Reverses a fiscal invoice with a storno invoice: a new number, negative amounts, a reference to the
/// original. The original is never touched.
public struct StornoFiscalInvoice: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public func callAsFunction(fiscalInvoiceID: Int64, actor: Actor) async throws -> FiscalInvoice {
        let today = deps.today()
        do {
            return try await deps.store.write { tx in
                guard let original = try await tx.fiscalInvoice(id: fiscalInvoiceID) else { throw BillingError.notFound("fiscal invoice") }
                if try await tx.fiscalInvoice(correcting: original.id) != nil { throw BillingError.from(InvoicingError.alreadyStornoed) }
                let draft: FiscalInvoiceDraft
                do { draft = try FiscalInvoiceDraft.storno(of: original, issueDate: today) } catch let e as InvoicingError { throw BillingError.from(e) }
                let now = deps.clock.now()
                let storno = try await FiscalIssuing.issue(draft, deps: deps, in: tx, at: now)
                try await tx.append(AuditEntry(actor: actor, action: "fiscal_invoice.stornoed", entity: "fiscal_invoice", entityID: original.id, before: auditJSON(["number": original.displayNumber]), after: auditJSON(["storno": storno.displayNumber, "total": storno.totals.gross.description]), at: now))
                return storno
            }
        } catch StoreError.duplicate {
            // Two storno requests at once: the UNIQUE (corrects) constraint kept the second out.
            throw BillingError.from(InvoicingError.alreadyStornoed)
        }
    }
}

/// Changes the billing data of an unpaid proforma: another stored profile, or new data (person ↔ company
/// either way). VAT is recomputed for the new buyer; each edit is a new version in the audit log.
public struct EditProformaBillingData: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public enum NewBuyer: Sendable {
        case profile(Int64)
        case data(BillingPartyDraft, saveAsProfile: Bool)
    }

    /// Totals for the new buyer without saving: shown before the client confirms.
    public func preview(proformaID: Int64, clientID: Int64?, buyer: NewBuyer) async throws -> ProformaInvoice {
        try await deps.store.read { r in
            guard let p = try await r.proforma(id: proformaID, forUpdate: false), clientID == nil || p.clientID == clientID else { throw BillingError.notFound("proforma") }
            let (party, profileID) = try await self.resolve(buyer, clientID: p.clientID, in: r)
            return try self.rebill(p, to: party, profileID: profileID)
        }
    }

    public func callAsFunction(proformaID: Int64, clientID: Int64?, buyer: NewBuyer, actor: Actor) async throws -> ProformaInvoice {
        try await deps.store.write { tx in
            guard let p = try await tx.proforma(id: proformaID, forUpdate: true), clientID == nil || p.clientID == clientID else { throw BillingError.notFound("proforma") }
            let (party, resolvedID) = try await self.resolve(buyer, clientID: p.clientID, in: tx)
            let now = deps.clock.now()
            // A new profile is inserted first so the proforma points at it; a refusal below rolls it back.
            var profileID = resolvedID
            if case .data(_, true) = buyer { profileID = try await tx.insert(profile: party, clientID: p.clientID, isDefault: false, at: now) }
            let final = try self.rebill(p, to: party, profileID: profileID)
            try await tx.update(proforma: final, at: now)
            try await tx.append(AuditEntry(actor: actor, action: "proforma.billing_data_edited", entity: "proforma", entityID: p.id, before: auditJSON(ProformaSnapshot(p)), after: auditJSON(ProformaSnapshot(final)), at: now))
            return final
        }
    }

    private func rebill(_ p: ProformaInvoice, to party: BillingParty, profileID: Int64?) throws -> ProformaInvoice {
        guard p.state == .unpaid else { throw BillingError.from(InvoicingError.proformaNotUnpaid(p.state)) }
        let vat: VatTreatment
        do { vat = try deps.vat.treatment(for: party, on: p.dueDate) } catch { throw BillingError.mapping(error) }
        do { return try p.rebilled(to: party, profileID: profileID, vat: vat) } catch { throw BillingError.mapping(error) }
    }

    private func resolve(_ buyer: NewBuyer, clientID: Int64, in r: any StoreReader) async throws -> (BillingParty, Int64?) {
        switch buyer {
        case .profile(let id):
            guard let profile = try await r.billingProfile(id: id), profile.clientID == clientID else { throw BillingError.notFound("billing profile") }
            return (profile.party, id)
        case .data(let draft, _):
            do { return (try draft.validated(), nil) } catch { throw BillingError.invalid(error) }
        }
    }
}

/// The one way a fiscal invoice comes into existence: the next number of its year's series, stored, and
/// recorded for e-Factura (to upload, or not required by the configured scope) in the same transaction.
enum FiscalIssuing {
    static func issue(_ draft: FiscalInvoiceDraft, deps: AppDependencies, in tx: any StoreTransaction, at now: Date) async throws -> FiscalInvoice {
        let series = FiscalNumbering.series(prefix: deps.numbering.fiscalPrefix, year: draft.issueDate.year)
        let number = try await tx.nextNumber(series: series)
        let fiscal = try await tx.insert(fiscal: draft, series: series, number: number, at: now)
        try await tx.insertEFactura(fiscalInvoiceID: fiscal.id, state: deps.policy.efactura.initialState(for: fiscal.buyer), at: now)
        return fiscal
    }
}
