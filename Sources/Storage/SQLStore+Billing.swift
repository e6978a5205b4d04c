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
                paidPeriods: Int(try r.int("paid_periods")), lifecycle: lifecycle)
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
                    "(\(bind: s.id), \(bind: s.state.rawValue), \(bind: Int64(s.invoicedPeriods)), \(bind: Int64(s.paidPeriods)), \(bind: s.nextPeriodToInvoice.start.description), \(bind: terminatedAt ?? -1))"
            }
            // VALUES columns are column1… on both engines; -1 stands for "not terminated" (a typed NULL would differ per engine).
            try await run(
                """
                UPDATE services SET state = v.column2, invoiced_periods = v.column3, paid_periods = v.column4, next_invoice_date = v.column5,
                  terminated_at = NULLIF(v.column6, -1), updated_at = \(bind: stamp)
                FROM (VALUES \(values.joined(separator: ", "))) AS v WHERE services.id = v.column1
                """)
        }
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

    // MARK: Proformas

    func nextNumbers(series: String, count: Int) async throws -> ClosedRange<Int64> {
        precondition(count > 0)
        try await run(
            "INSERT INTO number_counters (series, value) VALUES (\(bind: series), 0) ON CONFLICT (series) DO NOTHING")
        // The UPDATE takes the counter row's lock until commit: numbers are gapless and never shared.
        guard
            let r = try await row(
                "UPDATE number_counters SET value = value + \(bind: Int64(count)) WHERE series = \(bind: series) RETURNING value"
            )
        else {
            throw StoreError.notFound("counter \(series)")
        }
        let last = try r.int("value")
        return (last - Int64(count) + 1)...last
    }

    func insert(proformas: [NewProforma]) async throws -> [ProformaInvoice] {
        guard !proformas.isEmpty else { return [] }
        var ids: [String: Int64] = [:]
        for chunk in proformas.chunked(into: 1_000) {
            var insert = sql.insert(into: "proformas").columns(
                "series", "seq", "number", "client_id", "origin", "state", "currency", "issue_date", "due_date",
                "buyer_json", "buyer_name",
                "billing_profile_id", "vat_json", "net_minor", "vat_minor", "total_minor", "paid_minor", "version",
                "created_at", "updated_at")
            for p in chunk {
                let totals = InvoiceTotals(
                    currency: p.currency, lines: p.lines.map { ($0.netMinor, p.vat.category, p.vat.basisPoints) })
                let at = millis(p.createdAt)
                insert = insert.values(
                    [
                        p.series, p.number, p.displayNumber, p.clientID, p.origin.rawValue, "unpaid",
                        p.currency.rawValue, p.issueDate.description,
                        p.dueDate.description, try json(p.buyer), p.buyer.name, p.billingProfileID, try json(p.vat),
                        totals.netMinor, totals.vatMinor,
                        totals.grossMinor, Int64(0), Int64(1), at, at,
                    ] as [any Encodable & Sendable])
            }
            for r in try await uniqueAsDuplicate(
                "proforma number", { try await insert.returning("id", "number").all() })
            {
                ids[try r.string("number")] = try r.int("id")
            }
        }
        let lines = try proformas.flatMap { p -> [[any Encodable & Sendable]] in
            guard let id = ids[p.displayNumber] else { throw StoreError.notFound("proforma \(p.displayNumber)") }
            return p.lines.enumerated().map { i, line in
                [
                    id, Int64(i), line.serviceID, line.period.map { Int64($0.index) }, line.period?.start.description,
                    line.period?.end.description,
                    line.description, line.quantity, line.unitPriceMinor,
                ]
            }
        }
        for chunk in lines.chunked(into: 2_000) {
            var insert = sql.insert(into: "proforma_lines").columns(
                "proforma_id", "position", "service_id", "period_index", "period_start", "period_end", "description",
                "quantity", "unit_price_minor")
            for row in chunk { insert = insert.values(row) }
            // UNIQUE (service_id, period_start): a service period is never invoiced twice.
            try await uniqueAsDuplicate("proforma line for service period") { try await insert.run() }
        }
        return proformas.map { p in
            ProformaInvoice(
                id: ids[p.displayNumber]!, number: p.displayNumber, clientID: p.clientID, origin: p.origin,
                state: .unpaid, currency: p.currency, issueDate: p.issueDate, dueDate: p.dueDate, buyer: p.buyer,
                billingProfileID: p.billingProfileID, vat: p.vat, lines: p.lines, paidMinor: 0, version: 1)
        }
    }

    func update(proforma p: ProformaInvoice, at: Date) async throws {
        let t = p.totals
        try await run(
            """
            UPDATE proformas SET state = \(bind: p.state.rawValue), buyer_json = \(bind: try json(p.buyer)), buyer_name = \(bind: p.buyer.name),
              billing_profile_id = \(bind: p.billingProfileID), vat_json = \(bind: try json(p.vat)), net_minor = \(bind: t.netMinor), vat_minor = \(bind: t.vatMinor),
              total_minor = \(bind: t.grossMinor), paid_minor = \(bind: p.paidMinor), version = \(bind: Int64(p.version)),
              extended_due_date = \(bind: p.extendedDueDate?.description), updated_at = \(bind: millis(at))
            WHERE id = \(bind: p.id)
            """)
    }

    func proforma(id: Int64, forUpdate: Bool) async throws -> ProformaInvoice? {
        try await decodeProformas(
            try await rows("SELECT * FROM proformas WHERE id = \(bind: id)\(unsafeRaw: lock(forUpdate))")
        ).first
    }

    func proformas(clientID: Int64?, state: ProformaState?, limit: Int, offset: Int) async throws -> [ProformaInvoice] {
        try await decodeProformas(
            try await rows(
                """
                SELECT * FROM proformas WHERE (\(bind: clientID) IS NULL OR client_id = \(bind: clientID)) AND (\(bind: state?.rawValue) IS NULL OR state = \(bind: state?.rawValue))
                ORDER BY id DESC LIMIT \(bind: Int64(limit)) OFFSET \(bind: Int64(offset))
                """))
    }

    func unpaidProformas(dueOnOrBefore: CivilDate, origin: ProformaOrigin?) async throws -> [Int64] {
        try await rows(
            """
            SELECT id FROM proformas WHERE state = 'unpaid' AND COALESCE(extended_due_date, due_date) <= \(bind: dueOnOrBefore.description)
              AND (\(bind: origin?.rawValue) IS NULL OR origin = \(bind: origin?.rawValue))
            ORDER BY id
            """
        ).map { try $0.int("id") }
    }

    func proformasToSuspend(dueOnOrBefore: CivilDate) async throws -> [Int64] {
        try await rows(
            """
            SELECT DISTINCT p.id FROM proformas p JOIN proforma_lines l ON l.proforma_id = p.id JOIN services s ON s.id = l.service_id
            WHERE p.state = 'unpaid' AND COALESCE(p.extended_due_date, p.due_date) <= \(bind: dueOnOrBefore.description) AND s.state IN ('active','suspended')
              AND NOT EXISTS (SELECT 1 FROM service_holds h WHERE h.service_id = s.id AND h.proforma_id = p.id AND h.lifted_at IS NULL)
            ORDER BY p.id
            """
        ).map { try $0.int("id") }
    }

    func unpaidDueDates(dueOnOrBefore: CivilDate) async throws -> [UnpaidDue] {
        try await rows(
            """
            SELECT id, due_date, extended_due_date FROM proformas WHERE state = 'unpaid' AND COALESCE(extended_due_date, due_date) <= \(bind: dueOnOrBefore.description)
            ORDER BY id
            """
        ).map { r in
            UnpaidDue(
                proformaID: try r.int("id"), dueDate: try r.civil("due_date"),
                extendedDueDate: try r.stringOrNil("extended_due_date").flatMap(CivilDate.init))
        }
    }

    func outboxKeys(among keys: [String]) async throws -> Set<String> {
        var found: Set<String> = []
        for chunk in keys.chunked(into: 1_000) {
            let rows = try await sql.select().column("event_key").from("outbox").where("event_key", .in, Array(chunk))
                .all()
            for r in rows { found.insert(try r.string("event_key")) }
        }
        return found
    }

    func unpaidProformas(serviceID: Int64) async throws -> [Int64] {
        try await rows(
            """
            SELECT DISTINCT p.id FROM proformas p JOIN proforma_lines l ON l.proforma_id = p.id
            WHERE l.service_id = \(bind: serviceID) AND p.state = 'unpaid' ORDER BY p.id
            """
        ).map { try $0.int("id") }
    }

    func moveLine(proformaID: Int64, serviceID: Int64, to line: InvoiceLine) async throws {
        try await run(
            """
            UPDATE proforma_lines SET period_index = \(bind: line.period.map { Int64($0.index) }), period_start = \(bind: line.period?.start.description),
              period_end = \(bind: line.period?.end.description), description = \(bind: line.description)
            WHERE proforma_id = \(bind: proformaID) AND service_id = \(bind: serviceID)
            """)
    }

    func reversePayments(proformaID: Int64, at: Date) async throws -> Int64 {
        let open = try await rows(
            "SELECT amount_minor FROM payments WHERE proforma_id = \(bind: proformaID) AND reversed_at IS NULL"
        ).map { try $0.int("amount_minor") }
        try await run(
            "UPDATE payments SET reversed_at = \(bind: millis(at)) WHERE proforma_id = \(bind: proformaID) AND reversed_at IS NULL"
        )
        return open.reduce(0, +)
    }

    func releasePeriods(proformaID: Int64) async throws {
        try await run("UPDATE proforma_lines SET released = 1 WHERE proforma_id = \(bind: proformaID)")
    }

    func deleteLines(proformaID: Int64, serviceIDs: Set<Int64>) async throws {
        guard !serviceIDs.isEmpty else { return }
        try await run(
            "DELETE FROM proforma_lines WHERE proforma_id = \(bind: proformaID) AND service_id IN (\(binds: serviceIDs.sorted()))"
        )
    }

    private func decodeProformas(_ rows: [any SQLRow]) async throws -> [ProformaInvoice] {
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.int("id") }
        var lines: [Int64: [InvoiceLine]] = [:]
        for r in try await self.rows(
            "SELECT * FROM proforma_lines WHERE proforma_id IN (\(binds: ids)) ORDER BY proforma_id, position")
        {
            var period: ServicePeriod?
            if let idx = try r.intOrNil("period_index"),
                let s = try r.stringOrNil("period_start").flatMap(CivilDate.init),
                let e = try r.stringOrNil("period_end").flatMap(CivilDate.init)
            {
                period = ServicePeriod(index: Int(idx), start: s, end: e)
            }
            lines[try r.int("proforma_id"), default: []].append(
                InvoiceLine(
                    serviceID: try r.intOrNil("service_id"), period: period, description: try r.string("description"),
                    quantity: try r.int("quantity"), unitPriceMinor: try r.int("unit_price_minor")))
        }
        return try rows.map { r in
            let id = try r.int("id")
            return ProformaInvoice(
                id: id, number: try r.string("number"), clientID: try r.int("client_id"),
                origin: try r.enumValue("origin", ProformaOrigin.self),
                state: try r.enumValue("state", ProformaState.self),
                currency: try r.enumValue("currency", Currency.self),
                issueDate: try r.civil("issue_date"), dueDate: try r.civil("due_date"),
                buyer: try decodeJSON(BillingParty.self, try r.string("buyer_json")),
                billingProfileID: try r.intOrNil("billing_profile_id"),
                vat: try decodeJSON(VatTreatment.self, try r.string("vat_json")),
                lines: lines[id] ?? [], paidMinor: try r.int("paid_minor"), version: Int(try r.int("version")),
                extendedDueDate: try r.stringOrNil("extended_due_date").flatMap(CivilDate.init))
        }
    }

    // MARK: Payments and credit

    /// An idempotency key seen before is `StoreError.duplicate` through ON CONFLICT DO NOTHING, not a failed
    /// statement: on PostgreSQL a UNIQUE violation aborts the whole transaction, and the caller still needs it to
    /// read the first payment and the proforma's fiscal invoice (a redirect and a webhook reporting one card payment).
    func insert(payment p: NewPayment) async throws -> Int64 {
        guard
            let r = try await row(
                """
                INSERT INTO payments (proforma_id, client_id, amount_minor, currency, method, gateway_ref, received_on, recorded_by, recorded_at, idempotency_key)
                VALUES (\(bind: p.proformaID), \(bind: p.clientID), \(bind: p.amount.minor), \(bind: p.amount.currency.rawValue), \(bind: p.method.rawValue),
                        \(bind: p.gatewayReference), \(bind: p.receivedOn.description), \(bind: p.recordedBy.description), \(bind: millis(p.recordedAt)), \(bind: p.idempotencyKey))
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING id
                """)
        else { throw StoreError.duplicate("payment idempotency key") }
        return try r.decode(column: "id", as: Int64.self)
    }

    func payments(proformaID: Int64) async throws -> [PaymentRecord] {
        try await rows("SELECT * FROM payments WHERE proforma_id = \(bind: proformaID) ORDER BY id").map(decodePayment)
    }

    func payment(idempotencyKey: String) async throws -> PaymentRecord? {
        try await row("SELECT * FROM payments WHERE idempotency_key = \(bind: idempotencyKey)").map(decodePayment)
    }

    private func decodePayment(_ r: any SQLRow) throws -> PaymentRecord {
        PaymentRecord(
            id: try r.int("id"), proformaID: try r.int("proforma_id"), clientID: try r.int("client_id"),
            amount: Money(minor: try r.int("amount_minor"), currency: try r.enumValue("currency", Currency.self)),
            method: try r.enumValue("method", PaymentMethod.self), gatewayReference: try r.stringOrNil("gateway_ref"),
            receivedOn: try r.civil("received_on"), recordedBy: try r.string("recorded_by"))
    }

    func proformaIDs(clientID: Int64, paidBy method: PaymentMethod) async throws -> Set<Int64> {
        Set(
            try await rows(
                "SELECT DISTINCT proforma_id FROM payments WHERE client_id = \(bind: clientID) AND method = \(bind: method.rawValue)"
            ).map { try $0.int("proforma_id") })
    }

    func addCredit(clientID: Int64, amount: Money, paymentID: Int64?, note: String, at: Date) async throws {
        try await run(
            "INSERT INTO client_credits (client_id, currency, amount_minor, payment_id, note, at) VALUES (\(bind: clientID), \(bind: amount.currency.rawValue), \(bind: amount.minor), \(bind: paymentID), \(bind: note), \(bind: millis(at)))"
        )
    }

    func creditBalance(clientID: Int64, currency: Currency) async throws -> Int64 {
        try await row(
            "SELECT CAST(COALESCE(SUM(amount_minor), 0) AS BIGINT) AS total FROM client_credits WHERE client_id = \(bind: clientID) AND currency = \(bind: currency.rawValue)"
        )?.int("total") ?? 0
    }

    // MARK: Fiscal invoices

    func insert(fiscal d: FiscalInvoiceDraft, series: String, number: Int64, at: Date) async throws -> FiscalInvoice {
        let id = try await insertReturningID(
            """
            INSERT INTO fiscal_invoices (series, number, kind, client_id, proforma_id, corrects_id, issue_date, currency, net_minor, vat_minor, total_minor,
              vat_ron_minor, exchange_rate_e4, exchange_rate_date, document_json, created_at)
            VALUES (\(bind: series), \(bind: number), \(bind: d.kind.rawValue), \(bind: d.clientID), \(bind: d.proformaID), \(bind: d.correctsID), \(bind: d.issueDate.description),
              \(bind: d.currency.rawValue), \(bind: d.totals.netMinor), \(bind: d.totals.vatMinor), \(bind: d.totals.grossMinor), \(bind: d.vatRONMinor),
              \(bind: d.exchangeRate?.ronPerUnitE4), \(bind: d.exchangeRate?.date.description), \(bind: try json(d.numbered(id: 0, series: series, number: number))), \(bind: millis(at)))
            RETURNING id
            """, what: "fiscal invoice")
        return d.numbered(id: id, series: series, number: number)
    }

    private func decodeFiscal(_ r: any SQLRow) throws -> FiscalInvoice {
        let s = try decodeJSON(FiscalInvoice.self, try r.string("document_json"))
        // The document is stored whole; only its id is the row's.
        return FiscalInvoice(
            id: try r.int("id"), series: s.series, number: s.number, kind: s.kind, clientID: s.clientID,
            proformaID: s.proformaID,
            proformaNumber: s.proformaNumber, correctsID: s.correctsID, correctsNumber: s.correctsNumber,
            issueDate: s.issueDate,
            currency: s.currency, seller: s.seller, buyer: s.buyer, vat: s.vat, lines: s.lines, totals: s.totals,
            exchangeRate: s.exchangeRate, vatRONMinor: s.vatRONMinor)
    }

    func fiscalInvoice(id: Int64) async throws -> FiscalInvoice? {
        try await row("SELECT id, document_json FROM fiscal_invoices WHERE id = \(bind: id)").map(decodeFiscal)
    }

    func fiscalInvoice(proformaID: Int64) async throws -> FiscalInvoice? {
        try await row("SELECT id, document_json FROM fiscal_invoices WHERE proforma_id = \(bind: proformaID)").map(
            decodeFiscal)
    }

    func fiscalInvoice(correcting id: Int64) async throws -> FiscalInvoice? {
        try await row("SELECT id, document_json FROM fiscal_invoices WHERE corrects_id = \(bind: id)").map(decodeFiscal)
    }

    func fiscalInvoices(clientID: Int64?, limit: Int, offset: Int) async throws -> [FiscalInvoice] {
        try await rows(
            "SELECT id, document_json FROM fiscal_invoices WHERE (\(bind: clientID) IS NULL OR client_id = \(bind: clientID)) ORDER BY id DESC LIMIT \(bind: Int64(limit)) OFFSET \(bind: Int64(offset))"
        ).map(decodeFiscal)
    }

    func enqueue(provisioning j: NewProvisioningJob) async throws {
        let at = millis(j.createdAt)
        try await sql.insert(into: "provisioning_jobs").columns(
            "service_id", "action", "job_key", "payload_json", "status", "attempts", "next_attempt_at", "created_at",
            "updated_at"
        )
        .values(
            [j.serviceID, j.action.rawValue, j.key, try json(j.payload), "queued", Int64(0), at, at, at]
                as [any Encodable & Sendable]
        )
        .ignoringConflicts(with: "job_key").run()
    }

    func provisioner(serviceID: Int64) async throws -> String? {
        try await row(
            "SELECT p.provisioner FROM services s JOIN plans p ON p.id = s.plan_id WHERE s.id = \(bind: serviceID)")?
            .stringOrNil("provisioner")
    }

    func provisioningJobs(serviceID: Int64) async throws -> [ProvisioningJob] {
        try await rows("SELECT * FROM provisioning_jobs WHERE service_id = \(bind: serviceID) ORDER BY id").map(
            decodeProvisioningJob)
    }

    func insertEFactura(fiscalInvoiceID: Int64, state: EFacturaState, at: Date) async throws {
        try await run(
            "INSERT INTO efactura_submissions (fiscal_invoice_id, state, updated_at) VALUES (\(bind: fiscalInvoiceID), \(bind: state.rawValue), \(bind: millis(at)))"
        )
    }

    func efacturaSubmissions(state: EFacturaState?, limit: Int) async throws -> [EFacturaSubmission] {
        try await efacturaSubmissions(state: state, fiscalInvoiceID: nil, limit: limit)
    }

    func efacturaSubmission(fiscalInvoiceID: Int64) async throws -> EFacturaSubmission? {
        try await efacturaSubmissions(state: nil, fiscalInvoiceID: fiscalInvoiceID, limit: 1).first
    }

    private func efacturaSubmissions(state: EFacturaState?, fiscalInvoiceID: Int64?, limit: Int) async throws
        -> [EFacturaSubmission]
    {
        var query = SQLQueryString(
            """
            SELECT e.fiscal_invoice_id, e.state, e.upload_index, e.errors, e.attempts, e.last_error,
              CASE WHEN e.response_zip IS NULL THEN 0 ELSE 1 END AS has_zip, f.series, f.number, f.issue_date
            FROM efactura_submissions e JOIN fiscal_invoices f ON f.id = e.fiscal_invoice_id WHERE 1 = 1
            """)
        if let state { query = query + " AND e.state = \(bind: state.rawValue)" }
        if let fiscalInvoiceID { query = query + " AND e.fiscal_invoice_id = \(bind: fiscalInvoiceID)" }
        return try await rows(
            query + " ORDER BY f.issue_date DESC, e.fiscal_invoice_id DESC LIMIT \(bind: Int64(limit))"
        ).map { r in
            EFacturaSubmission(
                fiscalInvoiceID: try r.int("fiscal_invoice_id"),
                number: FiscalNumbering.display(series: try r.string("series"), number: try r.int("number")),
                issueDate: try r.civil("issue_date"), state: try r.enumValue("state", EFacturaState.self),
                uploadIndex: try r.stringOrNil("upload_index"), errors: try r.stringOrNil("errors"),
                attempts: Int(try r.int("attempts")), lastError: try r.stringOrNil("last_error"),
                hasResponseFile: try r.int("has_zip") == 1)
        }
    }

    func fiscalInvoices(issuedFrom: CivilDate, through: CivilDate) async throws -> [FiscalInvoice] {
        try await rows(
            "SELECT id, document_json FROM fiscal_invoices WHERE issue_date >= \(bind: issuedFrom.description) AND issue_date <= \(bind: through.description) ORDER BY series, number"
        ).map(decodeFiscal)
    }

    func exchangeRate(currency: Currency, onOrBefore date: CivilDate) async throws -> ExchangeRate? {
        guard
            let r = try await row(
                "SELECT * FROM exchange_rates WHERE currency = \(bind: currency.rawValue) AND rate_date <= \(bind: date.description) ORDER BY rate_date DESC LIMIT 1"
            )
        else { return nil }
        return ExchangeRate(
            currency: currency, ronPerUnitE4: try r.int("ron_per_unit_e4"), date: try r.civil("rate_date"))
    }

    func upsert(rate: ExchangeRate) async throws {
        try await run(
            """
            INSERT INTO exchange_rates (currency, rate_date, ron_per_unit_e4) VALUES (\(bind: rate.currency.rawValue), \(bind: rate.date.description), \(bind: rate.ronPerUnitE4))
            ON CONFLICT (currency, rate_date) DO UPDATE SET ron_per_unit_e4 = EXCLUDED.ron_per_unit_e4
            """)
    }

    // MARK: Outbox, audit, runs

    func enqueue(_ events: [OutboxEvent]) async throws {
        for chunk in events.chunked(into: 2_000) {
            var insert = sql.insert(into: "outbox").columns(
                "kind", "event_key", "client_id", "payload_json", "created_at")
            for e in chunk {
                insert = insert.values(
                    [e.kind.rawValue, e.key, e.clientID, try json(e.payload), millis(e.createdAt)]
                        as [any Encodable & Sendable])
            }
            // The event key is unique: the same event never yields a second message.
            try await insert.ignoringConflicts(with: "event_key").run()
        }
    }

    func outbox(clientID: Int64?, limit: Int) async throws -> [StoredOutboxEvent] {
        try await rows(
            "SELECT * FROM outbox WHERE (\(bind: clientID) IS NULL OR client_id = \(bind: clientID)) ORDER BY id LIMIT \(bind: Int64(limit))"
        ).map(decodeOutboxEvent)
    }

    func append(_ entries: [AuditEntry]) async throws {
        for chunk in entries.chunked(into: 2_000) {
            var insert = sql.insert(into: "audit_log").columns(
                "at", "actor", "action", "entity", "entity_id", "before_json", "after_json")
            for a in chunk {
                insert = insert.values(
                    [millis(a.at), a.actor.description, a.action, a.entity, a.entityID, a.before, a.after]
                        as [any Encodable & Sendable])
            }
            try await insert.run()
        }
    }

    func audit(clientID: Int64, limit: Int) async throws -> [StoredAuditEntry] {
        try await rows(
            """
            SELECT * FROM audit_log WHERE actor = \(bind: Actor.client(clientID).description)
               OR (entity = 'client' AND entity_id = \(bind: clientID))
               OR (entity = 'proforma' AND entity_id IN (SELECT id FROM proformas WHERE client_id = \(bind: clientID)))
               OR (entity = 'service' AND entity_id IN (SELECT id FROM services WHERE client_id = \(bind: clientID)))
               OR (entity = 'fiscal_invoice' AND entity_id IN (SELECT id FROM fiscal_invoices WHERE client_id = \(bind: clientID)))
               OR (entity = 'billing_profile' AND entity_id IN (SELECT id FROM billing_profiles WHERE client_id = \(bind: clientID)))
            ORDER BY id DESC LIMIT \(bind: Int64(limit))
            """
        ).map(decodeAudit)
    }

    private func decodeAudit(_ r: any SQLRow) throws -> StoredAuditEntry {
        StoredAuditEntry(
            id: try r.int("id"), actor: try r.string("actor"), action: try r.string("action"),
            entity: try r.string("entity"), entityID: try r.int("entity_id"), before: try r.stringOrNil("before_json"),
            after: try r.stringOrNil("after_json"), at: date(millis: try r.int("at")))
    }

    func audit(action: String, limit: Int) async throws -> [StoredAuditEntry] {
        try await rows(
            "SELECT * FROM audit_log WHERE action = \(bind: action) ORDER BY id DESC LIMIT \(bind: Int64(limit))"
        ).map(decodeAudit)
    }

    func newestAudit(limit: Int) async throws -> [StoredAuditEntry] {
        try await rows("SELECT * FROM audit_log ORDER BY id DESC LIMIT \(bind: Int64(limit))").map(decodeAudit)
    }

    func audit(entity: String?, entityID: Int64?, limit: Int) async throws -> [StoredAuditEntry] {
        try await rows(
            """
            SELECT * FROM audit_log WHERE (\(bind: entity) IS NULL OR entity = \(bind: entity)) AND (\(bind: entityID) IS NULL OR entity_id = \(bind: entityID))
            ORDER BY id LIMIT \(bind: Int64(limit))
            """
        ).map { r in
            StoredAuditEntry(
                id: try r.int("id"), actor: try r.string("actor"), action: try r.string("action"),
                entity: try r.string("entity"), entityID: try r.int("entity_id"),
                before: try r.stringOrNil("before_json"), after: try r.stringOrNil("after_json"),
                at: date(millis: try r.int("at")))
        }
    }

    func insert(report: BillingRunReport, startedAt: Date, finishedAt: Date) async throws {
        try await run(
            """
            INSERT INTO billing_runs (as_of, started_at, finished_at, considered, issued, periods, skipped, failures_json)
            VALUES (\(bind: report.asOf.description), \(bind: millis(startedAt)), \(bind: millis(finishedAt)), \(bind: Int64(report.servicesConsidered)), \(bind: Int64(report.proformasIssued)),
                    \(bind: Int64(report.periodsInvoiced)), \(bind: Int64(report.skippedAlreadyIssued)), \(bind: try json(report.failures)))
            """)
    }

    func record(dailyRun d: DailyRunReport) async throws {
        try await run(
            """
            INSERT INTO daily_runs (as_of, started_at, finished_at, failures, failures_json)
            VALUES (\(bind: d.asOf.description), \(bind: millis(d.startedAt)), \(bind: millis(d.finishedAt)), \(bind: Int64(d.failures.count)), \(bind: try json(d.failures)))
            ON CONFLICT (as_of) DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at, failures = EXCLUDED.failures, failures_json = EXCLUDED.failures_json
            """)
    }

    func record(quietDays: [DailyRunReport]) async throws {
        for chunk in quietDays.chunked(into: 1_000) {
            var insert = sql.insert(into: "daily_runs").columns(
                "as_of", "started_at", "finished_at", "failures", "failures_json")
            for d in chunk {
                insert = insert.values(
                    [d.asOf.description, millis(d.startedAt), millis(d.finishedAt), Int64(0), "[]"]
                        as [any Encodable & Sendable])
            }
            try await insert.ignoringConflicts(with: "as_of").run()
        }
    }

    func dailyWorkAhead(invoiceAfter: CivilDate, dueAfter: CivilDate, holdsFrom: Date) async throws -> DailyWorkAhead {
        let invoice = try await row(
            """
            SELECT MIN(next_invoice_date) AS day FROM services WHERE state IN ('active','suspended') AND next_invoice_date > \(bind: invoiceAfter.description)
            """)?.stringOrNil("day").flatMap(CivilDate.init)
        let due = try await rows(
            """
            SELECT DISTINCT COALESCE(extended_due_date, due_date) AS day, origin FROM proformas
            WHERE state = 'unpaid' AND COALESCE(extended_due_date, due_date) > \(bind: dueAfter.description)
            """
        ).map { r in
            DailyWorkAhead.Due(date: try r.civil("day"), origin: try r.enumValue("origin", ProformaOrigin.self))
        }
        let hold = try await row(
            """
            SELECT MIN(h.placed_at) AS at FROM service_holds h JOIN services s ON s.id = h.service_id
            WHERE s.state = 'suspended' AND h.lifted_at IS NULL AND h.reason = 'non_payment' AND h.placed_at >= \(bind: millis(holdsFrom))
            """)?.intOrNil("at").map { date(millis: $0) }
        return DailyWorkAhead(nextInvoiceDate: invoice, unpaidDue: due, earliestHold: hold)
    }

    func lastDailyRun() async throws -> CivilDate? {
        try await row("SELECT MAX(as_of) AS day FROM daily_runs")?.stringOrNil("day").flatMap(CivilDate.init)
    }

    func dailyRuns(limit: Int) async throws -> [DailyRunReport] {
        try await rows("SELECT * FROM daily_runs ORDER BY as_of DESC LIMIT \(bind: Int64(limit))").map { r in
            DailyRunReport(
                asOf: try r.civil("as_of"), startedAt: date(millis: try r.int("started_at")),
                finishedAt: date(millis: try r.int("finished_at")),
                failures: try decodeJSON([DailyTaskFailure].self, try r.string("failures_json")))
        }
    }

    func billingRuns(limit: Int) async throws -> [BillingRunReport] {
        try await rows("SELECT * FROM billing_runs ORDER BY id DESC LIMIT \(bind: Int64(limit))").map { r in
            var report = BillingRunReport(asOf: try r.civil("as_of"))
            report.servicesConsidered = Int(try r.int("considered"))
            report.proformasIssued = Int(try r.int("issued"))
            report.periodsInvoiced = Int(try r.int("periods"))
            report.skippedAlreadyIssued = Int(try r.int("skipped"))
            report.failures = try decodeJSON([BillingRunReport.Failure].self, try r.string("failures_json"))
            return report
        }
    }
}

/// An outbox row, for staff views and for the notification dispatcher alike.
func decodeOutboxEvent(_ r: any SQLRow) throws -> StoredOutboxEvent {
    StoredOutboxEvent(
        id: try r.int("id"), kind: try r.string("kind"), key: try r.string("event_key"),
        clientID: try r.int("client_id"),
        payload: try decodeJSON([String: String].self, try r.string("payload_json")),
        createdAt: date(millis: try r.int("created_at")))
}

func decodeProvisioningJob(_ r: any SQLRow) throws -> ProvisioningJob {
    ProvisioningJob(
        id: try r.int("id"), serviceID: try r.int("service_id"),
        action: try r.enumValue("action", ProvisioningAction.self),
        payload: try decodeJSON([String: String].self, try r.string("payload_json")),
        status: try r.enumValue("status", ProvisioningJobStatus.self),
        attempts: Int(try r.int("attempts")), lastError: try r.stringOrNil("last_error"),
        createdAt: date(millis: try r.int("created_at")),
        updatedAt: date(millis: try r.int("updated_at")))
}
