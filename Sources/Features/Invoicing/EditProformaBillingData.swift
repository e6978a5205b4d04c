import Domain
import Foundation

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
            guard let p = try await r.proforma(id: proformaID, forUpdate: false),
                clientID == nil || p.clientID == clientID
            else { throw UseCaseError.notFound("proforma") }
            let (party, profileID) = try await self.resolve(buyer, clientID: p.clientID, in: r)
            return try self.rebill(p, to: party, profileID: profileID)
        }
    }

    public func callAsFunction(proformaID: Int64, clientID: Int64?, buyer: NewBuyer, actor: Actor) async throws
        -> ProformaInvoice
    {
        try await deps.store.write { tx in
            guard let p = try await tx.proforma(id: proformaID, forUpdate: true),
                clientID == nil || p.clientID == clientID
            else { throw UseCaseError.notFound("proforma") }
            let (party, resolvedID) = try await self.resolve(buyer, clientID: p.clientID, in: tx)
            let now = deps.clock.now()
            // A new profile is inserted first so the proforma points at it; a refusal below rolls it back.
            var profileID = resolvedID
            if case .data(_, true) = buyer {
                profileID = try await tx.insert(profile: party, clientID: p.clientID, isDefault: false, at: now)
            }
            let final = try self.rebill(p, to: party, profileID: profileID)
            try await tx.update(proforma: final, at: now)
            try await tx.append(
                AuditEntry(
                    actor: actor, action: "proforma.billing_data_edited", entity: "proforma", entityID: p.id,
                    before: auditJSON(ProformaSnapshot(p)), after: auditJSON(ProformaSnapshot(final)), at: now))
            return final
        }
    }

    private func rebill(_ p: ProformaInvoice, to party: BillingParty, profileID: Int64?) throws -> ProformaInvoice {
        guard p.state == .unpaid else { throw UseCaseError.from(InvoicingError.proformaNotUnpaid(p.state)) }
        let vat: VatTreatment
        do { vat = try deps.vat.treatment(for: party, on: p.dueDate) } catch { throw UseCaseError.mapping(error) }
        do { return try p.rebilled(to: party, profileID: profileID, vat: vat) } catch {
            throw UseCaseError.mapping(error)
        }
    }

    private func resolve(_ buyer: NewBuyer, clientID: Int64, in r: any StoreReader) async throws -> (
        BillingParty, Int64?
    ) {
        switch buyer {
        case .profile(let id):
            guard let profile = try await r.billingProfile(id: id), profile.clientID == clientID else {
                throw UseCaseError.notFound("billing profile")
            }
            return (profile.party, id)
        case .data(let draft, _):
            do { return (try draft.validated(), nil) } catch { throw UseCaseError.invalid(error) }
        }
    }
}
