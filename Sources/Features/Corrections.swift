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

/// What a storno means for the sale it reverses; staff choose it on the storno form (and in the API).
public enum StornoFollowUp: String, Sendable, CaseIterable {
    /// The sale stands, the invoice had wrong billing data: the same lines and amounts are invoiced again to the
    /// client's corrected billing profile (only when the VAT, so the amount paid, stays the same).
    case reissue
    /// The money did not stay (a bounced transfer, a chargeback, a payment booked on the wrong proforma): the
    /// payments are marked taken back, and the periods are billed again on a new unpaid proforma due after the
    /// minimum term; dunning follows from it.
    case reopen
    /// The client leaves: the services it billed are terminated today and what was paid becomes the client's credit,
    /// to refund (a card refund returns it to the card instead).
    case end
}

/// Reverses a fiscal invoice with a storno invoice: a new number, negative amounts, a reference to the original. The
/// original is never touched. The follow-up decides what happens to the sale.
public struct StornoFiscalInvoice: Sendable {
    let deps: AppDependencies
    public init(_ deps: AppDependencies) { self.deps = deps }

    public struct Result: Sendable {
        public let storno: FiscalInvoice
        /// `reissue`: the new fiscal invoice.
        public let reissued: FiscalInvoice?
        /// `reopen`: the new unpaid proforma for the same periods.
        public let reopened: ProformaInvoice?
        /// `end`: the services terminated.
        public let endedServiceIDs: [Int64]
    }

    /// `then` is the follow-up's name (reissue, reopen, end); `billingProfileID` picks the corrected data for a
    /// reissue (default: the client's default profile). `moneyReturned` is set by a card refund: the money went back
    /// to the card, so `end` credits nothing.
    public func callAsFunction(fiscalInvoiceID: Int64, then: String?, billingProfileID: Int64? = nil, moneyReturned: Bool = false, actor: Actor) async throws -> Result {
        guard let followUp = then.flatMap(StornoFollowUp.init(rawValue:)) else {
            throw BillingError.invalid(ValidationFailure(field: "then", rule: "storno.then", message: "Choose what the storno means: reissue (corrected billing data), reopen (the money did not stay; bill the periods again) or end (terminate the services, credit what was paid)."))
        }
        let today = deps.today()
        do {
            return try await deps.store.write { tx in
                guard let original = try await tx.fiscalInvoice(id: fiscalInvoiceID) else { throw BillingError.notFound("fiscal invoice") }
                if try await tx.fiscalInvoice(correcting: original.id) != nil { throw BillingError.from(InvoicingError.alreadyStornoed) }
                let draft: FiscalInvoiceDraft
                do { draft = try FiscalInvoiceDraft.storno(of: original, issueDate: today) } catch let e as InvoicingError { throw BillingError.from(e) }
                let now = deps.clock.now()
                let proforma = try await original.proformaID.asyncMap { try await tx.proforma(id: $0, forUpdate: true) } ?? nil
                var services: [HostingService] = []
                for sid in Set(original.lines.compactMap(\.serviceID)).sorted() {
                    if let s = try await tx.service(id: sid, forUpdate: true) { services.append(s) }
                }
                if followUp == .reopen {
                    guard proforma != nil else {
                        throw BillingError.conflict(rule: "storno.no-proforma", message: "This invoice was not issued from a proforma, so there is nothing to bill again: use reissue or end.")
                    }
                    if let ended = services.first(where: { $0.state == .terminated }) {
                        throw BillingError.conflict(rule: "storno.service-ended", message: "\(ended.domain) has ended, so its periods cannot be billed again: use end.")
                    }
                }
                let storno = try await FiscalIssuing.issue(draft, deps: deps, in: tx, at: now)
                try await tx.append(AuditEntry(actor: actor, action: "fiscal_invoice.stornoed", entity: "fiscal_invoice", entityID: original.id, before: auditJSON(["number": original.displayNumber]), after: auditJSON(["storno": storno.displayNumber, "total": storno.totals.gross.description, "then": followUp.rawValue]), at: now))
                switch followUp {
                case .reissue:
                    let reissued = try await reissue(original, profileID: billingProfileID, today: today, actor: actor, in: tx, at: now)
                    return Result(storno: storno, reissued: reissued, reopened: nil, endedServiceIDs: [])
                case .reopen:
                    let reopened = try await reopen(proforma!, original: original, services: services, today: today, actor: actor, in: tx, at: now)
                    return Result(storno: storno, reissued: nil, reopened: reopened, endedServiceIDs: [])
                case .end:
                    var ended: [Int64] = []
                    for s in services where s.state != .terminated {
                        try await ServiceEnding.end(s, on: today, why: "\(original.displayNumber) reversed", by: actor, in: tx, deps: deps, at: now)
                        ended.append(s.id)
                    }
                    if !moneyReturned {
                        try await Credits.add(Money(minor: original.totals.grossMinor, currency: original.currency), clientID: original.clientID, from: original.displayNumber, paymentID: nil,
                                              note: "Paid for \(original.displayNumber), reversed by \(storno.displayNumber)", why: "invoice reversed, services ended", by: actor, in: tx, at: now)
                    }
                    return Result(storno: storno, reissued: nil, reopened: nil, endedServiceIDs: ended)
                }
            }
        } catch StoreError.duplicate {
            // Two storno requests at once: the UNIQUE (corrects) constraint kept the second out.
            throw BillingError.from(InvoicingError.alreadyStornoed)
        }
    }

    private func reissue(_ original: FiscalInvoice, profileID: Int64?, today: CivilDate, actor: Actor, in tx: any StoreTransaction, at now: Date) async throws -> FiscalInvoice {
        let profile = try await tx.chosenProfile(clientID: original.clientID, id: profileID)
        let vat: VatTreatment
        do { vat = try deps.vat.treatment(for: profile.party, on: original.issueDate) } catch { throw BillingError.mapping(error) }
        let draft: FiscalInvoiceDraft
        do { draft = try FiscalInvoiceDraft.reissue(of: original, to: profile.party, vat: vat, issueDate: today, seller: deps.seller) } catch { throw BillingError.from(error) }
        let fiscal = try await FiscalIssuing.issue(draft, deps: deps, in: tx, at: now)
        try await tx.append(AuditEntry(actor: actor, action: "fiscal_invoice.reissued", entity: "fiscal_invoice", entityID: fiscal.id, before: auditJSON(["number": original.displayNumber]), after: auditJSON(["number": fiscal.displayNumber, "buyer": profile.party.name]), at: now))
        return fiscal
    }

    private func reopen(_ proforma: ProformaInvoice, original: FiscalInvoice, services: [HostingService], today: CivilDate, actor: Actor, in tx: any StoreTransaction, at now: Date) async throws -> ProformaInvoice {
        let reversed = try await tx.reversePayments(proformaID: proforma.id, at: now)
        try await tx.append(AuditEntry(actor: actor, action: "payment.reversed", entity: "proforma", entityID: proforma.id, before: nil, after: auditJSON(["amount": Money(minor: reversed, currency: proforma.currency).description, "storno of": original.displayNumber]), at: now))
        // The paid proforma keeps its history; its lines give their periods to the new one.
        try await tx.releasePeriods(proformaID: proforma.id)
        for s in services {
            let periods = Set(proforma.lines.filter { $0.serviceID == s.id }.compactMap { $0.period?.index })
            try await tx.update(service: s.paymentReversed(for: periods), at: now)
        }
        // Billed to the same profile as before (the client's default one if that was deleted).
        var profile: BillingProfile?
        if let pid = proforma.billingProfileID { profile = try await tx.billingProfile(id: pid) }
        if profile == nil { profile = try await tx.defaultProfile(clientID: proforma.clientID) }
        guard let profile else { throw BillingError.conflict(rule: "client.no-profile", message: "The client has no billing profile.") }
        return try await ProformaIssuer(deps: deps).issue(
            in: tx, clientID: proforma.clientID, profile: profile, origin: .renewal, currency: proforma.currency, lines: proforma.lines,
            issueDate: today, dueDate: today.adding(days: deps.policy.minPaymentDays), actor: actor, notice: ["reopened": original.displayNumber])
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
