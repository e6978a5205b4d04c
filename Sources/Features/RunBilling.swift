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

    public init(_ deps: AppDependencies, clientsPerTransaction: Int = 50) {
        self.deps = deps
        self.clientsPerTransaction = max(1, clientsPerTransaction)
    }

    public func callAsFunction(asOf: CivilDate, progress: (@Sendable (BillingRunReport) -> Void)? = nil) async throws -> BillingRunReport {
        let started = deps.clock.now()
        var report = BillingRunReport(asOf: asOf)
        let cutoff = asOf.adding(days: deps.policy.renewalLeadDays)
        var after: Int64 = 0
        while true {
            let from = after
            let page = try await deps.store.read { r in try await r.clientsWithRenewalsDue(cutoff: cutoff, afterClientID: from, limit: 1000) }
            guard let last = page.last else { break }
            after = last
            var start = 0
            while start < page.count {
                let batch = Array(page[start..<min(page.count, start + clientsPerTransaction)])
                start += batch.count
                do {
                    let outcomes = try await deps.store.write { tx in
                        var all: [ClientOutcome] = []
                        for id in batch { all.append(try await self.bill(clientID: id, asOf: asOf, in: tx)) }
                        return all
                    }
                    for o in outcomes { report.add(o) }
                } catch {
                    // One bad client must not stop the others: redo the batch one client per transaction.
                    for id in batch {
                        do {
                            let o = try await deps.store.write { tx in try await self.bill(clientID: id, asOf: asOf, in: tx) }
                            report.add(o)
                        } catch StoreError.duplicate {
                            report.skippedAlreadyIssued += 1
                        } catch {
                            report.failures.append(.init(clientID: id, reason: String(describing: error)))
                            deps.logger.error("billing run failed for a client", metadata: ["client_id": "\(id)", "error": "\(error)"])
                        }
                    }
                }
                progress?(report)
            }
        }
        let finished = deps.clock.now()
        let final = report
        try await deps.store.write { tx in try await tx.insert(report: final, startedAt: started, finishedAt: finished) }
        return report
    }

    private func bill(clientID: Int64, asOf: CivilDate, in tx: any StoreTransaction) async throws -> ClientOutcome {
        var outcome = ClientOutcome()
        let services = try await tx.services(clientID: clientID, forUpdate: true)
        let cutoff = asOf.adding(days: deps.policy.renewalLeadDays)
        struct Group { var lines: [InvoiceLine] = []; var services: [Int64: ServicePeriod] = [:] }
        var groups: [String: (due: CivilDate, currency: Currency, group: Group)] = [:]
        var updated: [Int64: HostingService] = [:]
        var plans: [Int64: HostingPlan] = [:]
        for service in services where service.state == .active || service.state == .suspended {
            guard service.nextPeriodToInvoice.start <= cutoff else { continue }
            outcome.considered += 1
            let periods = service.periodsToInvoice(asOf: asOf, leadDays: deps.policy.renewalLeadDays)
            if periods.isEmpty { outcome.skipped += 1; continue }
            if plans[service.planID] == nil { plans[service.planID] = try await tx.plan(id: service.planID) }
            let planName = plans[service.planID]?.name ?? "Hosting"
            for p in periods {
                let key = "\(p.start)|\(service.price.currency.rawValue)"
                var entry = groups[key] ?? (p.start, service.price.currency, Group())
                entry.group.lines.append(InvoiceLine(serviceID: service.id, period: p, description: "\(planName) – \(service.domain) (\(p.start) – \(p.end))", unitPriceMinor: service.price.minor))
                groups[key] = entry
                outcome.periods += 1
            }
            updated[service.id] = service.invoiced(through: periods.last!)
        }
        guard !groups.isEmpty else { return outcome }
        guard let profile = try await tx.defaultProfile(clientID: clientID) else {
            throw BillingError.conflict(rule: "client.no-profile", message: "client \(clientID) has no billing profile")
        }
        let issuer = ProformaIssuer(deps: deps)
        for key in groups.keys.sorted() {
            let g = groups[key]!
            _ = try await issuer.issue(in: tx, clientID: clientID, profile: profile, origin: .renewal, currency: g.currency, lines: g.group.lines, issueDate: asOf, dueDate: g.due, actor: .system)
            outcome.issued += 1
        }
        let now = deps.clock.now()
        for s in updated.values { try await tx.update(service: s, at: now) }
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
