import Documents
import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// My Invoices, one invoice (view, PDF, pay by card or, in demo mode, the demo gateway) and editing a proforma's
/// billing data.
extension ClientRoutes {
    func registerInvoices<Parent: WebRequestContext>(on r: RouterGroup<LoggedInContext<Parent>>) {
        r.get("invoices") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let invoices = try await InvoiceQueries(deps).ofClient(client.id)
            let credit = try await PaymentQueries(deps).credit(clientID: client.id, limit: 50)
            return areas.page(
                "invoices", title: visit.views.s("invoices_title"),
                InvoicesPage.model(invoices, credit: credit, today: deps.today(), visit.views, deps), visit)
        }
        r.get("invoices/proforma/:id") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            var model = proformaModel(p, visit)
            try await addSettlement(&model, proformaID: p.id, visit.views)
            if p.state == .paid, let f = try await InvoiceQueries(deps).fiscalInvoice(forProforma: p.id) {
                model["fiscalLink"] = ["href": Paths.fiscalInvoice(f.id), "label": f.displayNumber]
            }
            guard let cards = areas.cards, p.state == .unpaid, var pay = model["pay"] as? [String: Any] else {
                return areas.page("invoice", title: p.number, model, visit)
            }
            let v = visit.views
            pay["card"] = [
                "key": cards.gateway.publishableKey, "script": cards.gateway.scriptURL,
                "action": Paths.proformaCard(p.id),
                "label": v.f("card_pay", pay["open"] as? String ?? ""), "working": v.s("card_working"),
                "failed": v.s("card_failed"),
            ]
            if let last = try await cards.attempts(proformaID: p.id).first, let reason = last.failure {
                pay["cardFailure"] = v.f("card_failure", reason)
            }
            model["pay"] = pay
            var response = areas.page("invoice", title: p.number, model, visit)
            response.headers[.contentSecurityPolicy] = PageHeaders.paymentPolicy(
                gatewayOrigins: cards.gateway.pageOrigins)
            return response
        }
        r.get("invoices/proforma/:id/pdf") { req, ctx in
            let (client, _) = try await clientVisit(req, ctx)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            return areas.pdf(InvoicePDF.render(p, seller: deps.seller), name: p.number)
        }
        r.get("invoices/fiscal/:id") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let f = try await areas.fiscal(ctx, ownedBy: client.id)
            var model = fiscalModel(f, visit)
            if f.kind == .invoice, let id = f.proformaID {
                try await addSettlement(&model, proformaID: id, visit.views)
                model["reference"] = [
                    "label": visit.views.s("proforma"), "value": f.proformaNumber ?? "", "href": Paths.proforma(id),
                ]
            }
            if let id = f.correctsID {
                model["reference"] = [
                    "label": visit.views.s("fiscal"), "value": visit.views.f("corrects", f.correctsNumber ?? ""),
                    "href": Paths.fiscalInvoice(id),
                ]
            }
            if f.kind == .invoice, let storno = try await InvoiceQueries(deps).storno(correcting: f.id) {
                model["stornoLink"] = ["href": Paths.fiscalInvoice(storno.id), "label": storno.displayNumber]
            }
            return areas.page("invoice", title: f.displayNumber, model, visit)
        }
        r.get("invoices/fiscal/:id/pdf") { req, ctx in
            let (client, _) = try await clientVisit(req, ctx)
            let f = try await areas.fiscal(ctx, ownedBy: client.id)
            return areas.pdf(InvoicePDF.render(f), name: f.displayNumber)
        }
        // There is no edit form for a fiscal invoice; a forged POST gets the rule, and nothing changes.
        r.post("invoices/fiscal/:id/billing-data") { req, ctx -> Response in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            _ = try await areas.fiscal(ctx, ownedBy: client.id)
            throw UseCaseError.conflict(rule: "fiscal.immutable", message: visit.views.s("fiscal_note"))
        }
        r.post("invoices/proforma/:id/pay") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            guard areas.settings.demoPayments else {
                throw PageError(status: .notFound, message: visit.views.s("not_found"))
            }
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            // A second click (or a resent form) pays nothing twice.
            _ = try await RecordPayment(deps)(
                proformaID: p.id,
                .init(
                    amount: Money(minor: p.openMinor, currency: p.currency), method: .demo,
                    reference: "demo-\(p.number)-\(p.version)",
                    idempotencyKey: "demo:\(p.number)-\(p.version)"), actor: .client(client.id))
            return areas.redirect(Paths.proforma(p.id), visit, flash: "payment_recorded")
        }
        r.get("invoices/proforma/:id/billing-data") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            guard p.state == .unpaid else {
                throw UseCaseError.conflict(rule: "proforma.not-unpaid", message: visit.views.s("not_editable"))
            }
            return try await editPage(p, client: client, visit, form: nil)
        }
        r.post("invoices/proforma/:id/billing-data") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let id = try ctx.parameters.require("id", as: Int64.self)
            let buyer: EditProformaBillingData.NewBuyer
            if form["source"].hasPrefix("profile:"), let pid = Int64(form["source"].dropFirst(8)) {
                // Data typed into the new-data fields while a saved profile is chosen are never dropped silently.
                let current = try await areas.proforma(ctx, ownedBy: client.id)
                let typed = Views.partyDraft(form).1
                let shown = Views.partyValues(current.buyer)
                if form.values["p_name"] != nil, typed.contains(where: { shown[$0.key, default: ""] != $0.value }) {
                    return try await editPage(
                        current, client: client, visit, form: form,
                        errors: ["source": visit.views.s("typed_but_profile")])
                }
                buyer = .profile(pid)
            } else {
                // Saving the data as a billing profile changes the account: a session from an e-mail link confirms
                // the password first (editing the proforma alone does not need it).
                if form.checked("saveProfile"), form["step"] == "save" { _ = try login.requireAccountSession(req, ctx) }
                buyer = .data(Views.partyDraft(form).0, saveAsProfile: form.checked("saveProfile"))
            }
            let edit = EditProformaBillingData(deps)
            do {
                if form["step"] == "save" {
                    _ = try await edit(proformaID: id, clientID: client.id, buyer: buyer, actor: .client(client.id))
                    return areas.redirect(Paths.proforma(id), visit, flash: "edited")
                }
                let preview = try await edit.preview(proformaID: id, clientID: client.id, buyer: buyer)
                let current = try await areas.proforma(ctx, ownedBy: client.id)
                return try await editPage(current, client: client, visit, form: form, preview: preview)
            } catch UseCaseError.invalid(let failure) {
                let p = try await areas.proforma(ctx, ownedBy: client.id)
                return try await editPage(p, client: client, visit, form: form, errors: visit.views.errors(failure))
            }
        }
    }

    func proformaModel(_ p: ProformaInvoice, _ visit: Visit) -> [String: Any] {
        let v = visit.views
        var m = v.body(buyer: p.buyer, seller: deps.seller, lines: p.lines, totals: p.totals, vat: p.vat)
        m["heading"] = ["kind": v.s("proforma"), "number": p.number]
        m["status"] = v.status(p.state)
        m["statusCode"] = p.state.rawValue
        m["issued"] = v.date(p.issueDate)
        m["due"] = v.date(p.effectiveDueDate)
        m["note"] = v.s("proforma_note")
        m["pdf"] = Paths.proformaPDF(p.id)
        if p.state == .unpaid {
            m["edit"] = Paths.proformaBillingData(p.id)
            let open = v.money(p.openMinor, p.currency)
            var pay: [String: Any] = [
                "bankText": v.f("bank_details", open, deps.seller.name, deps.seller.iban, deps.seller.bank, p.number),
                "paid": v.money(p.paidMinor, p.currency), "open": open,
            ]
            if areas.settings.demoPayments { pay["demo"] = ["action": Paths.proformaDemoPay(p.id)] }
            m["pay"] = pay
        }
        return m
    }

    /// The payments a proforma received (date, method, reference, amount), as the invoice page's Payments block.
    func addSettlement(_ model: inout [String: Any], proformaID: Int64, _ v: Views) async throws {
        let payments = try await PaymentQueries(deps).list(PaymentFilter(proformaID: proformaID), limit: 50, offset: 0)
            .filter { $0.reversedAt == nil }
        model["hasPayments"] = !payments.isEmpty
        model["payments"] = payments.reversed().map {
            [
                "date": v.date($0.receivedOn), "method": v.s("method_\($0.method.rawValue)"),
                "reference": $0.gatewayReference ?? "—", "amount": v.money($0.amount),
            ] as [String: Any]
        }
    }

    func fiscalModel(_ f: FiscalInvoice, _ visit: Visit) -> [String: Any] {
        let v = visit.views
        var m = v.body(
            buyer: f.buyer, seller: f.seller, lines: f.lines, totals: f.totals, vat: f.vat,
            exchange: f.exchangeRate.map { ($0, f.vatRONMinor) })
        m["heading"] = ["kind": v.s(f.kind == .storno ? "storno" : "fiscal"), "number": f.displayNumber]
        m["status"] = v.s("status_paid")
        m["statusCode"] = "paid"
        m["issued"] = v.date(f.issueDate)
        m["note"] = v.s("fiscal_note")
        m["pdf"] = Paths.fiscalInvoicePDF(f.id)
        if let n = f.correctsNumber {
            m["reference"] = ["label": v.s("storno"), "value": v.f("corrects", n)]
        } else if let n = f.proformaNumber {
            m["reference"] = ["label": v.s("proforma"), "value": v.f("from_proforma", n)]
        }
        return m
    }

    func editPage(
        _ p: ProformaInvoice, client: Client, _ visit: Visit, form: Form?, preview: ProformaInvoice? = nil,
        errors: [String: String] = [:]
    ) async throws -> Response {
        let v = visit.views
        let profiles = try await ClientQueries(deps).billingProfiles(clientID: client.id)
        let source = form?["source"] ?? (p.billingProfileID.map { "profile:\($0)" } ?? "new")
        // One select for the choice: Tab reaches it, and every choice is an option (radios share one Tab stop).
        var sourceField = areas.field("source", v.s("invoice_to"), errors: errors)
        sourceField["hasOptions"] = true
        sourceField["options"] =
            profiles.map {
                [
                    "value": "profile:\($0.id)", "label": v.partyLabel($0.party),
                    "selected": source == "profile:\($0.id)",
                ]
                    as [String: Any]
            } + [["value": "new", "label": v.s("use_new_option"), "selected": source == "new" || profiles.isEmpty]]
        var model: [String: Any] = [
            "heading": v.f("edit_title", p.number), "action": Paths.proformaBillingData(p.id),
            "back": Paths.proforma(p.id), "source": sourceField,
            "saveProfile": areas.checkbox(
                "saveProfile", v.s("save_as_profile"), checked: form?.checked("saveProfile") ?? false),
        ]
        let values = form.map { Views.partyDraft($0).1 } ?? Views.partyValues(p.buyer)
        model.merge(v.partyForm(values, errors: errors)) { a, _ in a }
        if let preview {
            var body = v.body(
                buyer: preview.buyer, seller: deps.seller, lines: preview.lines, totals: preview.totals,
                vat: preview.vat)
            body["compare"] = [
                "rows": [
                    ["label": v.s("buyer"), "before": v.partyLabel(p.buyer), "after": v.partyLabel(preview.buyer)],
                    [
                        "label": v.s("vat"), "before": v.money(p.totals.vatMinor, p.currency),
                        "after": v.money(preview.totals.vatMinor, preview.currency),
                    ],
                    ["label": v.s("total"), "before": v.money(p.totals.gross), "after": v.money(preview.totals.gross)],
                ]
            ]
            model["preview"] = body
        }
        return areas.formPage("edit-proforma", title: v.f("edit_title", p.number), model, visit, errors: errors)
    }
}

extension ClientRoutes {
    /// Card payment of a proforma: the page's script posts the tokenised card here and gets JSON back (where to go
    /// next, or the 3-D Secure client secret, or why the card failed). The return address reads the outcome from
    /// the gateway, never from the browser.
    func registerCardPayments<Parent: WebRequestContext>(on r: RouterGroup<LoggedInContext<Parent>>) {
        guard let cards = areas.cards else { return }
        r.post("invoices/proforma/:id/card") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            let page = Paths.proforma(p.id)
            var answer = ["next": page]
            var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
            switch try await cards.pay(proformaID: p.id, clientID: client.id, paymentMethod: form["payment_method"]) {
            case .paid:
                headers.append(
                    HTTPField(
                        name: .setCookie, value: areas.cookies.set(WebAreas.flashCookie, "payment_recorded", maxAge: 60)
                    ))
            case .needsAuthentication(let intentID, let secret):
                answer = ["clientSecret": secret, "next": page + "/card/return?payment_intent=" + intentID]
            case .failed, .pending: break  // the page shows the reason
            }
            let json = try JSONSerialization.data(
                withJSONObject: answer, options: [.sortedKeys, .withoutEscapingSlashes])
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: json)))
        }
        r.get("invoices/proforma/:id/card/return") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let p = try await areas.proforma(ctx, ownedBy: client.id)
            let outcome = try await cards.returned(
                proformaID: p.id, clientID: client.id, intentID: req.uri.queryParameters.get("payment_intent") ?? "")
            if case .paid = outcome { return areas.redirect(Paths.proforma(p.id), visit, flash: "payment_recorded") }
            return areas.redirect(Paths.proforma(p.id), visit)
        }
    }
}

/// My Invoices' model: proformas and fiscal invoices newest first, and the credit when the client has any.
enum InvoicesPage {
    /// Unpaid proformas first (oldest due first, overdue ones marked, each with Pay), then everything else newest
    /// first, a fiscal invoice above the proforma it came from.
    static func model(
        _ invoices: ClientInvoices, credit: PaymentQueries.Credit, today: CivilDate, _ v: Views, _ deps: AppDependencies
    ) -> [String: Any] {
        func proformaRow(_ p: ProformaInvoice) -> [String: Any] {
            var row: [String: Any] = [
                "number": p.number, "type": v.s("proforma"), "issued": v.date(p.issueDate),
                "due": v.date(p.effectiveDueDate),
                "total": v.money(p.totals.gross), "status": v.status(p.state), "statusCode": p.state.rawValue,
                "href": Paths.proforma(p.id), "pdf": Paths.proformaPDF(p.id),
            ]
            if p.state == .unpaid {
                row["edit"] = Paths.proformaBillingData(p.id)
                row["pay"] = ["href": Paths.proforma(p.id) + "#pay", "label": v.s("pay")]
                if p.effectiveDueDate < today {
                    row["overdue"] = v.f("overdue_since", v.date(p.effectiveDueDate))
                    row["statusCode"] = "overdue"
                }
            }
            return row
        }
        let unpaid = invoices.proformas.filter { $0.state == .unpaid }.sorted {
            ($0.effectiveDueDate, $0.number) < ($1.effectiveDueDate, $1.number)
        }
        var rows: [(CivilDate, Int, [String: Any])] = invoices.proformas.filter { $0.state != .unpaid }.map {
            ($0.issueDate, 0, proformaRow($0))
        }
        rows += invoices.fiscalInvoices.map { f in
            (
                f.issueDate, 1,
                [
                    "number": f.displayNumber, "type": v.s(f.kind == .storno ? "storno" : "fiscal"),
                    "issued": v.date(f.issueDate), "due": "—",
                    "total": v.money(f.totals.gross), "status": v.s("status_paid"), "statusCode": "paid",
                    "href": Paths.fiscalInvoice(f.id), "pdf": Paths.fiscalInvoicePDF(f.id),
                ] as [String: Any]
            )
        }
        // Newest first; on one day the fiscal invoice sits above the proforma it came from.
        rows.sort { ($0.0, $0.1) > ($1.0, $1.1) }
        var model: [String: Any] = [
            "unpaidTable": ["rows": unpaid.map(proformaRow), "caption": v.s("unpaid_first")],
            "hasUnpaid": !unpaid.isEmpty,
            "othersTable": ["rows": rows.map(\.2), "caption": v.s("invoices_title")], "hasOthers": !rows.isEmpty,
            "hasInvoices": !rows.isEmpty || !unpaid.isEmpty,
        ]
        if !credit.entries.isEmpty {
            model["credit"] =
                [
                    "balances": credit.balances.isEmpty
                        ? v.money(0, .RON) : credit.balances.map(v.money).joined(separator: " · "),
                    "entries": credit.entries.map { e in
                        [
                            "date": Formatting.timestamp(e.at, deps), "note": e.note,
                            "amount": v.money(e.amount),
                            "negative": e.amount.minor < 0,
                        ] as [String: Any]
                    },
                ] as [String: Any]
        }
        return model
    }
}
