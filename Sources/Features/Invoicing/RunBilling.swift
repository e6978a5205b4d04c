import Domain
import Foundation

/// The billing run: for every live service whose next period starts within the lead time, one `renewal`
/// proforma per client, due date and currency, with one line per service period.
///
/// Idempotent and crash-safe: work is committed per small batch of clients; each client's services are
/// re-read under lock, so a second or concurrent run finds nothing left to issue, and the schema's
/// UNIQUE (service, period start) refuses a duplicate line whatever happens.
public struct RunBilling: Sendable {
    let deps: AppDependencies
    /// Clients committed per transaction. Small, so a crash loses little and locks are short.
    let clientsPerTransaction: Int

    public init(_ deps: AppDependencies, clientsPerTransaction: Int = 200) {
        self.deps = deps
        self.clientsPerTransaction = max(1, clientsPerTransaction)
    }

    /// A run a person asked for (`requestedBy`, with their reason `note`) is audited with its report.
    public func callAsFunction(
        asOf: CivilDate, requestedBy: Actor? = nil, note: String? = nil,
        progress: (@Sendable (BillingRunReport) -> Void)? = nil
    ) async throws -> BillingRunReport {
        let started = deps.clock.now()
        let report = try await issueRenewals(asOf: asOf, progress: progress)
        let finished = deps.clock.now()
        try await deps.store.write { tx in
            try await tx.insert(report: report, startedAt: started, finishedAt: finished)
            if let actor = requestedBy {
                try await tx.append(
                    AuditEntry(
                        actor: actor, action: "billing.run_requested", entity: "billing_run", entityID: 0, before: nil,
                        after: auditJSON(
                            [
                                "asOf": asOf.description, "proformasIssued": String(report.proformasIssued),
                                "failures": String(report.failures.count),
                            ].merging(note.map { ["note": $0] } ?? [:]) { a, _ in a }), at: finished))
            }
        }
        return report
    }

    /// The run without its report row: the daily tasks record it with theirs, in one transaction.
    func issueRenewals(asOf: CivilDate, progress: (@Sendable (BillingRunReport) -> Void)? = nil) async throws
        -> BillingRunReport
    {
        // A run catches up days that have come. A later day (a typo such as 2062 for 2026) would issue every period
        // up to it at once, for every service.
        guard asOf <= deps.today() else {
            throw UseCaseError.invalid(
                ValidationFailure(
                    field: "asOf", rule: "date.future",
                    message:
                        "The billing run covers days that have come: give today (\(deps.today())) or an earlier day."))
        }
        var report = BillingRunReport(asOf: asOf)
        let cutoff = asOf.adding(days: deps.policy.renewalLeadDays)
        var after: Int64 = 0
        while true {
            let from = after
            let page = try await deps.store.read { r in
                try await r.clientsWithRenewalsDue(cutoff: cutoff, afterClientID: from, limit: 1000)
            }
            guard let last = page.last else { break }
            after = last
            var start = 0
            while start < page.count {
                let batch = Array(page[start..<min(page.count, start + clientsPerTransaction)])
                start += batch.count
                do {
                    let outcome = try await deps.store.write { tx in
                        try await self.bill(clientIDs: batch, asOf: asOf, in: tx)
                    }
                    report.add(outcome)
                } catch {
                    // One bad client must not stop the others: redo the batch one client per transaction.
                    for id in batch {
                        do {
                            report.add(
                                try await deps.store.write { tx in
                                    try await self.bill(clientIDs: [id], asOf: asOf, in: tx)
                                })
                        } catch StoreError.duplicate {
                            report.skippedAlreadyIssued += 1
                        } catch {
                            report.failures.append(.init(clientID: id, reason: String(describing: error)))
                            deps.logger.error(
                                "billing run failed for a client",
                                metadata: ["client_id": "\(id)", "error": "\(error)"])
                        }
                    }
                }
                progress?(report)
            }
        }
        return report
    }

    /// Bills a batch of clients in one transaction: their services are read (and locked) in one query and
    /// every proforma, line, outbox event and audit entry is written with multi-row statements.
    private func bill(clientIDs: [Int64], asOf: CivilDate, in tx: any StoreTransaction) async throws -> ClientOutcome {
        var outcome = ClientOutcome()
        let services = try await tx.services(clientIDs: clientIDs, forUpdate: true)
        let cutoff = asOf.adding(days: deps.policy.renewalLeadDays)
        // One proforma per client, due date and currency.
        struct Key: Hashable, Comparable {
            let clientID: Int64, due: CivilDate, currency: Currency
            static func < (a: Key, b: Key) -> Bool {
                (a.clientID, a.due, a.currency.rawValue) < (b.clientID, b.due, b.currency.rawValue)
            }
        }
        var groups: [Key: [InvoiceLine]] = [:]
        var updated: [HostingService] = []
        var planNames: [Int64: String] = [:]
        var changed: [AuditEntry] = []
        for before in services where before.state == .active || before.state == .suspended {
            guard before.nextPeriodToInvoice.start <= cutoff else { continue }
            outcome.considered += 1
            let periods = before.periodsToInvoice(asOf: asOf, leadDays: deps.policy.renewalLeadDays)
            guard let last = periods.last else {
                outcome.skipped += 1
                continue
            }
            // A downgrade the client chose takes over with the first renewal billed after it.
            let service = before.applyingScheduledChange()
            if service.planID != before.planID {
                changed.append(
                    AuditEntry(
                        actor: .system, action: "service.plan_changed", entity: "service", entityID: service.id,
                        before: auditJSON(["plan": String(before.planID), "price": before.price.description]),
                        after: auditJSON([
                            "plan": String(service.planID), "price": service.price.description, "from": "renewal",
                        ]), at: deps.clock.now()))
            }
            if planNames[service.planID] == nil {
                planNames[service.planID] = try await tx.plan(id: service.planID)?.name ?? "Hosting"
            }
            let planName = planNames[service.planID]!
            for p in periods {
                let line = InvoiceLine(
                    serviceID: service.id, period: p,
                    description: "\(planName) – \(service.domain) (\(p.start) – \(p.end))",
                    unitPriceMinor: service.price.minor)
                let due = ProformaInvoice.renewalDueDate(
                    of: p, issuedOn: asOf, minPaymentDays: deps.policy.minPaymentDays)
                groups[Key(clientID: service.clientID, due: due, currency: service.price.currency), default: []].append(
                    line)
                outcome.periods += 1
            }
            updated.append(service.invoiced(through: last))
        }
        guard !groups.isEmpty else { return outcome }
        let profiles = try await tx.defaultProfiles(clientIDs: Array(Set(groups.keys.map(\.clientID))))
        if let missing = groups.keys.map(\.clientID).first(where: { profiles[$0] == nil }) {
            throw UseCaseError.conflict(rule: "client.no-profile", message: "client \(missing) has no billing profile")
        }
        let requests = groups.keys.sorted().map { k in
            ProformaIssuer.Request(
                clientID: k.clientID, profile: profiles[k.clientID]!, currency: k.currency, lines: groups[k]!,
                dueDate: k.due)
        }
        // Before issuing: a renewal paid from credit extends the services as it is issued.
        try await tx.update(services: updated, at: deps.clock.now())
        if !changed.isEmpty { try await tx.append(changed) }
        let issued = try await ProformaIssuer(deps: deps).issue(
            in: tx, requests, origin: .renewal, issueDate: asOf, actor: .system)
        outcome.issued += issued.count
        return outcome
    }
}

extension BillingRunReport {
    fileprivate mutating func add(_ o: ClientOutcome) {
        servicesConsidered += o.considered
        proformasIssued += o.issued
        periodsInvoiced += o.periods
        skippedAlreadyIssued += o.skipped
    }
}

private struct ClientOutcome: Sendable {
    var considered = 0, issued = 0, periods = 0, skipped = 0
}
