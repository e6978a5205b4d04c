import Domain
import Features
import Foundation
import SQLKit

extension SQLTransaction {
    // MARK: Services

    func service(id: Int64, forUpdate: Bool) async throws -> HostingService? {
        try await decodeServices(
            try await rows("SELECT * FROM services WHERE id = \(bind: id)\(unsafeRaw: lock(forUpdate))")
        ).first
    }

    func services(clientID: Int64, forUpdate: Bool) async throws -> [HostingService] {
        try await services(clientIDs: [clientID], forUpdate: forUpdate)
    }

    func services(clientIDs: [Int64], forUpdate: Bool) async throws -> [HostingService] {
        guard !clientIDs.isEmpty else { return [] }
        return try await decodeServices(
            try await rows(
                "SELECT * FROM services WHERE client_id IN (\(binds: clientIDs)) ORDER BY id\(unsafeRaw: lock(forUpdate))"
            ))
    }

    private func decodeServices(_ rows: [any SQLRow]) async throws -> [HostingService] {
        guard !rows.isEmpty else { return [] }
        var holds: [Int64: [Hold]] = [:]
        let suspendedIDs = try rows.filter { try $0.string("state") == "suspended" }.map { try $0.int("id") }
        if !suspendedIDs.isEmpty {
            for r in try await self.rows(
                "SELECT * FROM service_holds WHERE lifted_at IS NULL AND service_id IN (\(binds: suspendedIDs)) ORDER BY id"
            ) {
                let h = Hold(
                    id: try r.int("id"), reason: try r.enumValue("reason", HoldReason.self),
                    placedBy: Actor(try r.string("placed_by")) ?? .system,
                    placedAt: date(millis: try r.int("placed_at")), note: try r.stringOrNil("note"),
                    proformaID: try r.intOrNil("proforma_id"))
                holds[try r.int("service_id"), default: []].append(h)
            }
        }
        return try rows.map { r in
            let id = try r.int("id")
            let lifecycle: HostingService.Lifecycle
            switch try r.enumValue("state", ServiceState.self) {
            case .pending: lifecycle = .pending
            case .active, .suspended: lifecycle = .live(holds: holds[id] ?? [])
            case .terminated: lifecycle = .terminated(on: date(millis: try r.intOrNil("terminated_at") ?? 0))
            }
            return HostingService(
                id: id, clientID: try r.int("client_id"), planID: try r.int("plan_id"), domain: try r.string("domain"),
                cycle: try r.enumValue("cycle", BillingCycle.self),
                price: Money(minor: try r.int("price_minor"), currency: try r.enumValue("currency", Currency.self)),
                anchor: try r.civil("anchor_date"), invoicedPeriods: Int(try r.int("invoiced_periods")),
                paidPeriods: Int(try r.int("paid_periods")), lifecycle: lifecycle,
                endsOn: try r.stringOrNil("ends_on").flatMap(CivilDate.init),
                scheduledChange: try r.intOrNil("next_plan_id").map { plan in
                    PlanChange(
                        planID: plan,
                        price: Money(
                            minor: try r.intOrNil("next_price_minor") ?? 0,
                            currency: try r.enumValue("currency", Currency.self)))
                })
        }
    }

    func clientsWithRenewalsDue(cutoff: CivilDate, afterClientID: Int64, limit: Int) async throws -> [Int64] {
        try await rows(
            """
            SELECT DISTINCT client_id FROM services
            WHERE state IN ('active','suspended') AND next_invoice_date <= \(bind: cutoff.description) AND client_id > \(bind: afterClientID)
              AND NOT EXISTS (SELECT 1 FROM service_holds h WHERE h.service_id = services.id AND h.lifted_at IS NULL AND h.reason <> 'non_payment')
            ORDER BY client_id LIMIT \(bind: Int64(limit))
            """
        ).map { try $0.int("client_id") }
    }

    func servicesSuspendedSince(placedBefore: Date) async throws -> [Int64] {
        try await rows(
            """
            SELECT DISTINCT s.id FROM services s JOIN service_holds h ON h.service_id = s.id
            WHERE s.state = 'suspended' AND h.lifted_at IS NULL AND h.reason = 'non_payment' AND h.placed_at < \(bind: millis(placedBefore))
            ORDER BY s.id
            """
        ).map { try $0.int("id") }
    }

    func paidPeriodIndexes(serviceID: Int64) async throws -> Set<Int> {
        Set(
            try await rows(
                """
                SELECT l.period_index FROM proforma_lines l JOIN proformas p ON p.id = l.proforma_id
                WHERE l.service_id = \(bind: serviceID) AND p.state = 'paid' AND l.released = 0 AND l.period_index IS NOT NULL
                """
            ).map { Int(try $0.int("period_index")) })
    }

    func insert(service s: NewService) async throws -> Int64 {
        let at = millis(s.createdAt)
        return try await insertReturningID(
            """
            INSERT INTO services (client_id, plan_id, domain, cycle, price_minor, currency, anchor_date, invoiced_periods, paid_periods, next_invoice_date, state, created_at, updated_at)
            VALUES (\(bind: s.clientID), \(bind: s.planID), \(bind: s.domain), \(bind: s.cycle.rawValue), \(bind: s.price.minor), \(bind: s.price.currency.rawValue),
                    \(bind: s.anchor.description), 0, 0, \(bind: s.anchor.description), 'pending', \(bind: at), \(bind: at))
            RETURNING id
            """, what: "service")
    }

    func update(services: [HostingService], at: Date) async throws {
        // One statement per chunk: the billing run moves thousands of services per transaction.
        let stamp = millis(at)
        for chunk in services.chunked(into: 5_000) {
            let values = chunk.map { s -> SQLQueryString in
                let terminatedAt: Int64? = if case .terminated(let on) = s.lifecycle { millis(on) } else { nil }
                return
                    "(\(bind: s.id), \(bind: s.state.rawValue), \(bind: Int64(s.invoicedPeriods)), \(bind: Int64(s.paidPeriods)), \(bind: (s.renewsOn ?? Self.never).description), \(bind: terminatedAt ?? -1), \(bind: s.endsOn?.description ?? ""), \(bind: s.planID), \(bind: s.price.minor), \(bind: s.scheduledChange?.planID ?? -1), \(bind: s.scheduledChange?.price.minor ?? -1))"
            }
            // VALUES columns are column1… on both engines; -1 and '' stand for "none" (a typed NULL would differ per engine).
            try await run(
                """
                UPDATE services SET state = v.column2, invoiced_periods = v.column3, paid_periods = v.column4, next_invoice_date = v.column5,
                  terminated_at = NULLIF(v.column6, -1), ends_on = NULLIF(v.column7, ''),
                  plan_id = v.column8, price_minor = v.column9, next_plan_id = NULLIF(v.column10, -1), next_price_minor = NULLIF(v.column11, -1), updated_at = \(bind: stamp)
                FROM (VALUES \(values.joined(separator: ", "))) AS v WHERE services.id = v.column1
                """)
        }
    }

    /// The next invoice date of a service that will not renew: past every scan.
    static let never = CivilDate(year: 9999, month: 12, day: 31)!

    func servicesEnding(before day: CivilDate) async throws -> [Int64] {
        try await rows(
            "SELECT id FROM services WHERE ends_on IS NOT NULL AND ends_on < \(bind: day.description) AND state IN ('active','suspended') ORDER BY id"
        ).map { try $0.int("id") }
    }

    func reanchor(serviceID: Int64, anchor: CivilDate) async throws {
        try await run(
            "UPDATE services SET anchor_date = \(bind: anchor.description), next_invoice_date = \(bind: anchor.description) WHERE id = \(bind: serviceID) AND state = 'pending'"
        )
    }

    func insertHold(serviceID: Int64, reason: HoldReason, by: Actor, at: Date, note: String?, proformaID: Int64?)
        async throws -> Hold
    {
        let id = try await insertReturningID(
            """
            INSERT INTO service_holds (service_id, reason, placed_by, placed_at, note, proforma_id)
            VALUES (\(bind: serviceID), \(bind: reason.rawValue), \(bind: by.description), \(bind: millis(at)), \(bind: note), \(bind: proformaID))
            RETURNING id
            """, what: "hold")
        return Hold(
            id: id, reason: reason, placedBy: by, placedAt: Date(timeIntervalSince1970: Double(millis(at)) / 1000),
            note: note, proformaID: proformaID)
    }

    func liftHolds(ids: [Int64], by: Actor, at: Date) async throws {
        guard !ids.isEmpty else { return }
        try await run(
            "UPDATE service_holds SET lifted_at = \(bind: millis(at)), lifted_by = \(bind: by.description) WHERE id IN (\(binds: ids)) AND lifted_at IS NULL"
        )
    }
}
