import Domain
import Foundation

/// Issues proformas inside a transaction: numbers from the proforma series, VAT for each buyer, the
/// `proforma.issued` outbox event with its origin, and the audit entry; then the client's credit pays what it can.
/// Shared by orders and renewals; the billing run issues a whole batch of clients' proformas with a few multi-row
/// statements. Callers write their services before issuing: paying from credit may activate or extend them.
struct ProformaIssuer: Sendable {
    let deps: AppDependencies

    struct Request: Sendable {
        let clientID: Int64
        let profile: BillingProfile
        let currency: Currency
        let lines: [InvoiceLine]
        let dueDate: CivilDate
    }

    func issue(
        in tx: any StoreTransaction, clientID: Int64, profile: BillingProfile, origin: ProformaOrigin,
        currency: Currency,
        lines: [InvoiceLine], issueDate: CivilDate, dueDate: CivilDate, actor: Actor, notice: [String: String] = [:]
    ) async throws -> ProformaInvoice {
        try await issue(
            in: tx, [Request(clientID: clientID, profile: profile, currency: currency, lines: lines, dueDate: dueDate)],
            origin: origin, issueDate: issueDate, actor: actor, notice: notice)[0]
    }

    /// `notice` adds to the `proforma.issued` event's payload (e.g. `reopened`, which the messages read).
    func issue(
        in tx: any StoreTransaction, _ requests: [Request], origin: ProformaOrigin, issueDate: CivilDate, actor: Actor,
        notice: [String: String] = [:]
    ) async throws -> [ProformaInvoice] {
        guard !requests.isEmpty else { return [] }
        let treatments = try requests.map { r in
            do { return try deps.vat.treatment(for: r.profile.party, on: r.dueDate) } catch {
                throw UseCaseError.mapping(error)
            }
        }
        let series = ProformaNumbering.series(prefix: deps.numbering.proformaPrefix, year: issueDate.year)
        let numbers = try await tx.nextNumbers(series: series, count: requests.count)
        let now = deps.clock.now()
        let drafts = zip(requests, zip(numbers, treatments)).map { r, nv in
            NewProforma(
                series: series, number: nv.0, displayNumber: ProformaNumbering.display(series: series, number: nv.0),
                clientID: r.clientID, origin: origin, currency: r.currency, issueDate: issueDate, dueDate: r.dueDate,
                buyer: r.profile.party, billingProfileID: r.profile.id, vat: nv.1, lines: r.lines, createdAt: now)
        }
        let proformas = try await tx.insert(proformas: drafts)
        // The clients' credit pays what it can of a fresh proforma (not of periods billed again after a storno).
        let fromCredit =
            notice["reopened"] == nil ? try await Credits.plan(for: proformas, in: tx, today: deps.today()) : [:]
        // A proforma the credit pays in full is not announced (the payment confirmation follows); one it pays in
        // part asks for what is left.
        try await tx.enqueue(
            proformas.compactMap { p in
                let credit = fromCredit[p.id] ?? 0
                guard credit < p.totals.grossMinor else { return nil }
                var payload = [
                    "proformaID": String(p.id), "number": p.number, "origin": origin.rawValue,
                    "total": p.totals.gross.description, "dueDate": p.dueDate.description,
                ]
                if credit > 0 {
                    payload["creditApplied"] = Money(minor: credit, currency: p.currency).description
                    payload["leftToPay"] = Money(minor: p.totals.grossMinor - credit, currency: p.currency).description
                }
                return OutboxEvent(
                    kind: .proformaIssued, key: "proforma:\(p.id)", clientID: p.clientID,
                    payload: payload.merging(notice) { a, _ in a }, createdAt: now)
            })
        try await tx.append(
            proformas.map { p in
                AuditEntry(
                    actor: actor, action: "proforma.issued", entity: "proforma", entityID: p.id, before: nil,
                    after: auditJSON(ProformaSnapshot(p)), at: now)
            })
        var result = proformas
        for (i, p) in proformas.enumerated() {
            guard let credit = fromCredit[p.id] else { continue }
            try await Credits.apply(credit, to: p, in: tx, deps: deps, at: now)
            result[i] = try await tx.proforma(id: p.id, forUpdate: false) ?? p
        }
        return result
    }
}

/// The audit form of a proforma's money-relevant data.
struct ProformaSnapshot: Encodable {
    let number: String
    let state: String
    let version: Int
    let buyer: BillingParty
    let vat: VatTreatment
    let net: String
    let vatAmount: String
    let total: String
    let paid: String

    init(_ p: ProformaInvoice) {
        number = p.number
        state = p.state.rawValue
        version = p.version
        buyer = p.buyer
        vat = p.vat
        let t = p.totals
        net = t.net.description
        vatAmount = t.vat.description
        total = t.gross.description
        paid = Money(minor: p.paidMinor, currency: p.currency).description
    }
}

extension StoreReader {
    func defaultProfile(clientID: Int64) async throws -> BillingProfile? {
        let profiles = try await billingProfiles(clientID: clientID)
        return profiles.first(where: \.isDefault) ?? profiles.first
    }

    /// The client's profile `id`, or their default one when none is chosen; 404 for another client's profile.
    func chosenProfile(clientID: Int64, id: Int64?) async throws -> BillingProfile {
        if let id {
            guard let p = try await billingProfile(id: id), p.clientID == clientID else {
                throw UseCaseError.notFound("billing profile")
            }
            return p
        }
        guard let p = try await defaultProfile(clientID: clientID) else {
            throw UseCaseError.conflict(rule: "client.no-profile", message: "The client has no billing profile.")
        }
        return p
    }
}
