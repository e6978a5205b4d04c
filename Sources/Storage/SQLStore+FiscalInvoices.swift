import Domain
import Features
import Foundation
import SQLKit

extension SQLTransaction {
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
        var q: SQLQueryString = "SELECT id, document_json FROM fiscal_invoices"
        if let clientID { q += " WHERE client_id = \(bind: clientID)" }
        q += " ORDER BY id DESC LIMIT \(bind: Int64(limit)) OFFSET \(bind: Int64(offset))"
        return try await rows(q).map(decodeFiscal)
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
}
