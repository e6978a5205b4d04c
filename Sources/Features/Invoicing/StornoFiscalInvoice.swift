import Domain
import Foundation

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
    /// `note` is the staff's reason, kept in the audit log with the storno.
    public func callAsFunction(
        fiscalInvoiceID: Int64, then: String?, billingProfileID: Int64? = nil, moneyReturned: Bool = false,
        note: String? = nil, actor: Actor
    ) async throws -> Result {
        guard let followUp = then.flatMap(StornoFollowUp.init(rawValue:)) else {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "then", rule: "storno.then",
                    message:
                        "Choose what the storno means: reissue (corrected billing data), reopen (the money did not stay; bill the periods again) or end (terminate the services, credit what was paid)."
                ))
        }
        let today = deps.today()
        do {
            return try await deps.store.write { tx in
                guard let original = try await tx.fiscalInvoice(id: fiscalInvoiceID) else {
                    throw UseCaseError.notFound("fiscal invoice")
                }
                if try await tx.fiscalInvoice(correcting: original.id) != nil {
                    throw UseCaseError.from(InvoicingError.alreadyStornoed)
                }
                let now = deps.clock.now()
                let proforma =
                    try await original.proformaID.asyncMap { try await tx.proforma(id: $0, forUpdate: true) } ?? nil
                var services: [HostingService] = []
                for sid in Set(original.lines.compactMap(\.serviceID)).sorted() {
                    if let s = try await tx.service(id: sid, forUpdate: true) { services.append(s) }
                }
                if followUp == .reopen {
                    guard proforma != nil else {
                        throw UseCaseError.conflict(
                            rule: "storno.no-proforma",
                            message:
                                "This invoice was not issued from a proforma, so there is nothing to bill again: use reissue or end."
                        )
                    }
                    if let ended = services.first(where: { $0.state == .terminated }) {
                        throw UseCaseError.conflict(
                            rule: "storno.service-ended",
                            message: "\(ended.domain) has ended, so its periods cannot be billed again: use end.")
                    }
                }
                let storno = try await FiscalIssuing.reverse(
                    original, then: followUp.rawValue, note: note, by: actor, deps: deps, in: tx, at: now)
                switch followUp {
                case .reissue:
                    let reissued = try await reissue(
                        original, profileID: billingProfileID, today: today, actor: actor, in: tx, at: now)
                    return Result(storno: storno, reissued: reissued, reopened: nil, endedServiceIDs: [])
                case .reopen:
                    let reopened = try await reopen(
                        proforma!, original: original, services: services, today: today, actor: actor, in: tx, at: now)
                    return Result(storno: storno, reissued: nil, reopened: reopened, endedServiceIDs: [])
                case .end:
                    var ended: [Int64] = []
                    for s in services where s.state != .terminated {
                        try await ServiceEnding.end(
                            s, on: today, reason: .staff, why: "\(original.displayNumber) reversed", by: actor, in: tx,
                            deps: deps,
                            at: now)
                        ended.append(s.id)
                    }
                    if !moneyReturned {
                        try await Credits.add(
                            Money(minor: original.totals.grossMinor, currency: original.currency),
                            clientID: original.clientID, from: original.displayNumber, paymentID: nil,
                            note: "Paid for \(original.displayNumber), reversed by \(storno.displayNumber)",
                            why: "invoice reversed, services ended", by: actor, in: tx, at: now)
                    }
                    return Result(storno: storno, reissued: nil, reopened: nil, endedServiceIDs: ended)
                }
            }
        } catch StoreError.duplicate {
            // Two storno requests at once: the UNIQUE (corrects) constraint kept the second out.
            throw UseCaseError.from(InvoicingError.alreadyStornoed)
        }
    }

    private func reissue(
        _ original: FiscalInvoice, profileID: Int64?, today: CivilDate, actor: Actor, in tx: any StoreTransaction,
        at now: Date
    ) async throws -> FiscalInvoice {
        let profile = try await tx.chosenProfile(clientID: original.clientID, id: profileID)
        let vat: VatTreatment
        do { vat = try deps.vat.treatment(for: profile.party, on: original.issueDate) } catch {
            throw UseCaseError.mapping(error)
        }
        let draft: FiscalInvoiceDraft
        do {
            draft = try FiscalInvoiceDraft.reissue(
                of: original, to: profile.party, vat: vat, issueDate: today, seller: deps.seller)
        } catch { throw UseCaseError.from(error) }
        return try await FiscalIssuing.reissue(draft, replacing: original, by: actor, deps: deps, in: tx, at: now)
    }

    private func reopen(
        _ proforma: ProformaInvoice, original: FiscalInvoice, services: [HostingService], today: CivilDate,
        actor: Actor, in tx: any StoreTransaction, at now: Date
    ) async throws -> ProformaInvoice {
        let reversed = try await tx.reversePayments(proformaID: proforma.id, at: now)
        try await tx.append(
            AuditEntry(
                actor: actor, action: "payment.reversed", entity: "proforma", entityID: proforma.id, before: nil,
                after: auditJSON([
                    "amount": Money(minor: reversed, currency: proforma.currency).description,
                    "storno of": original.displayNumber,
                ]), at: now))
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
        guard let profile else {
            throw UseCaseError.conflict(rule: "client.no-profile", message: "The client has no billing profile.")
        }
        return try await ProformaIssuer(deps: deps).issue(
            in: tx, clientID: proforma.clientID, profile: profile, origin: .renewal, currency: proforma.currency,
            lines: proforma.lines,
            issueDate: today, dueDate: today.adding(days: deps.policy.minPaymentDays), actor: actor,
            notice: ["reopened": original.displayNumber])
    }
}
