import Documents
import Domain
import Features
import Foundation
import Hummingbird

/// The staff area: its own login with 2FA required, client search and page, the money and hosting actions,
/// the audit log. Pages are in English (the staff's working language here); client data are shown as typed.
struct StaffRoutes {
    let areas: WebAreas
    var deps: AppDependencies { areas.deps }
    var login: LoginFlow { LoginFlow(areas: areas, realm: .staff) }

    func staffVisit<Parent>(_ req: Request, _ ctx: LoggedInContext<Parent>) throws -> (Int64, Visit) {
        var visit = areas.visit(req, ctx)
        visit.language = .en
        return (ctx.account.subjectID, visit)
    }

    /// Runs a staff action from a form: CSRF checked, the use case called, back to the page with a note.
    func action<Parent>(
        _ r: RouterGroup<LoggedInContext<Parent>>, _ path: RouterPath,
        _ body: @escaping @Sendable (Request, LoggedInContext<Parent>, Form, Actor) async throws -> (String, String)
    ) {
        r.post(path) { req, ctx in
            let (staffID, visit) = try staffVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            return try await refusalsAsPage(visit) {
                let (location, flash) = try await body(req, ctx, form, .staff(staffID))
                return areas.redirect(location, visit, flash: flash)
            }
        }
    }

    /// A staff form's answer, or its refusal as a page with the field messages (422).
    func refusalsAsPage(_ visit: Visit, _ work: () async throws -> Response) async throws -> Response {
        do {
            return try await work()
        } catch UseCaseError.invalid(let failure) {
            return areas.message(
                visit, status: .unprocessableContent, heading: "Please correct the input",
                text: failure.errors.map(\.message).joined(separator: " "))
        }
    }

    func apiKeysPage(_ visit: Visit, created: (id: Int64, secret: String)?) async throws -> Response {
        let now = deps.clock.now()
        let keys = try await ListAPIKeys(deps)()
        let stamp = { (d: Date?) in d.map { Formatting.timestamp($0, deps) } ?? "—" }
        var model: [String: Any] = [
            "keys": keys.reversed().map { k in
                [
                    "id": k.id, "name": k.name, "scopes": APIScope.text(k.scopes), "created": stamp(k.createdAt),
                    "expires": k.expiresAt.map { Formatting.timestamp($0, deps) } ?? "never",
                    "lastUsed": k.lastUsedAt.map { Formatting.timestamp($0, deps) } ?? "never",
                    "state": k.revokedAt != nil ? "revoked" : k.isUsable(at: now) ? "active" : "expired",
                    "canRevoke": k.revokedAt == nil,
                ] as [String: Any]
            }
        ]
        if let created { model["created"] = ["id": created.id, "secret": created.secret] }
        return areas.page("staff-api-keys", title: "API keys", model, visit)
    }

    func register<Context: WebRequestContext>(on staffArea: RouterGroup<Context>) {
        login.register(on: staffArea)
        let r = staffArea.loggedIn(login)
        r.get("/") { req, ctx in
            let (_, visit) = try staffVisit(req, ctx)
            let q = req.uri.queryParameters.get("q") ?? ""
            let home = try await BackOfficeQueries(deps).home(query: q)
            // An invoice number found by the search opens that invoice.
            let wanted = q.trimmingCharacters(in: .whitespaces).uppercased()
            if !wanted.isEmpty, home.clients.count == 1 {
                let invoices = try await InvoiceQueries(deps).ofClient(home.clients[0].id)
                if let p = invoices.proformas.first(where: { $0.number.uppercased() == wanted }) {
                    return areas.redirect(Paths.Staff.proforma(p.id), visit)
                }
                if let f = invoices.fiscalInvoices.first(where: { $0.displayNumber.uppercased() == wanted }) {
                    return areas.redirect(Paths.Staff.fiscalInvoice(f.id), visit)
                }
            }
            var model = StaffHomePage.model(home, query: q, deps)
            if q.isEmpty {
                model["queue"] = StaffHomePage.queue(
                    try await BackOfficeQueries(deps).workQueue(messages: areas.messages), deps)
            }
            return areas.page("staff-clients", title: q.isEmpty ? "Work queue" : "Clients", model, visit)
        }
        r.get("audit") { req, ctx in
            let (_, visit) = try staffVisit(req, ctx)
            return try await auditPage(req, visit)
        }
        r.get("api-keys") { req, ctx in
            let (_, visit) = try staffVisit(req, ctx)
            return try await apiKeysPage(visit, created: nil)
        }
        r.post("api-keys") { req, ctx in
            let (staffID, visit) = try staffVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let scopes = APIScope.allCases.filter { form.checked("scope_\($0.rawValue)") }.map(\.rawValue)
            let days = form.optional("expires_days")
            do {
                guard days.map({ Int($0) != nil }) ?? true else {
                    throw UseCaseError.invalid(
                        ValidationFailure(
                            field: "expiresInDays", rule: "range", message: "A key expires in 1 to 3650 days, or never."
                        ))
                }
                let (id, secret) = try await CreateAPIKey(deps)(
                    name: form["name"], scopes: scopes.isEmpty ? [""] : scopes, expiresInDays: days.flatMap { Int($0) },
                    staffID: staffID)
                // The secret is shown on this answer only: never in a redirect, a cookie or a log.
                return try await apiKeysPage(visit, created: (id, secret))
            } catch UseCaseError.invalid(let failure) {
                return areas.message(
                    visit, status: .unprocessableContent, heading: "Please correct the input",
                    text: failure.errors.map(\.message).joined(separator: " "))
            }
        }
        action(r, "api-keys/:id/revoke") { _, ctx, _, actor in
            try await RevokeAPIKey(deps)(id: try ctx.parameters.require("id", as: Int64.self), actor: actor)
            return (Paths.Staff.apiKeys, "saved")
        }
        r.get("clients/:id") { req, ctx in
            let (_, visit) = try staffVisit(req, ctx)
            let tab = req.uri.queryParameters.get("tab").flatMap(Paths.Staff.ClientTab.init(rawValue:)) ?? .overview
            return try await clientPage(try ctx.parameters.require("id", as: Int64.self), tab: tab, visit)
        }
        r.get("proformas/:id") { req, ctx in
            let (_, visit) = try staffVisit(req, ctx)
            let p = try await areas.proforma(ctx)
            var m = visit.views.body(buyer: p.buyer, seller: deps.seller, lines: p.lines, totals: p.totals, vat: p.vat)
            m.merge([
                "heading": "Proforma \(p.number)", "status": p.state.rawValue, "statusCode": p.state.rawValue,
                "clientID": p.clientID, "issued": p.issueDate.description,
                "due": Self.due(p), "pdf": Paths.Staff.proformaPDF(p.id),
            ]) { _, b in b }
            return areas.page("staff-invoice", title: p.number, m, visit)
        }
        r.get("proformas/:id/pdf") { req, ctx in
            _ = try staffVisit(req, ctx)
            let p = try await areas.proforma(ctx)
            return areas.pdf(InvoicePDF.render(p, seller: deps.seller), name: p.number)
        }
        r.get("fiscal-invoices/:id") { req, ctx in
            let (_, visit) = try staffVisit(req, ctx)
            let f = try await areas.fiscal(ctx)
            let submission = try await InvoiceQueries(deps).efacturaSubmission(fiscalInvoiceID: f.id)
            var m = visit.views.body(
                buyer: f.buyer, seller: f.seller, lines: f.lines, totals: f.totals, vat: f.vat,
                exchange: f.exchangeRate.map { ($0, f.vatRONMinor) })
            m.merge([
                "heading": "\(f.kind == .storno ? "Storno" : "Invoice") \(f.displayNumber)", "status": "issued",
                "statusCode": "paid", "clientID": f.clientID,
                "issued": f.issueDate.description, "pdf": Paths.Staff.fiscalInvoicePDF(f.id),
            ]) { _, b in b }
            if let s = submission {
                m["efactura"] =
                    "\(s.state.rawValue.replacingOccurrences(of: "_", with: " ")), upload by \(s.deadline)"
                    + (s.uploadIndex.map { ", upload index \($0)" } ?? "")
            }
            return areas.page("staff-invoice", title: f.displayNumber, m, visit)
        }
        r.get("fiscal-invoices/:id/pdf") { req, ctx in
            _ = try staffVisit(req, ctx)
            let f = try await areas.fiscal(ctx)
            return areas.pdf(InvoicePDF.render(f), name: f.displayNumber)
        }
        action(r, "proformas/:id/payments") { _, ctx, form, actor in
            let p = try await areas.proforma(ctx)
            // The form's one-time key: a double submit (or the browser resending it) records the transfer once.
            let input = try RecordPayment.Input.parse(
                amount: form["amount"], currency: p.currency.rawValue, method: PaymentMethod.bankTransfer.rawValue,
                receivedOn: nil,
                reference: form.optional("reference"), idempotencyKey: form.optional("once").map { "staff-form:\($0)" },
                today: deps.today())
            _ = try await RecordPayment(deps)(proformaID: p.id, input, actor: actor)
            return (Paths.Staff.client(p.clientID, tab: .invoices), "payment_recorded")
        }
        action(r, "proformas/:id/extension") { _, ctx, form, actor in
            let p = try await ExtendPaymentDeadline(deps)(
                proformaID: try ctx.parameters.require("id", as: Int64.self), until: form["until"],
                note: form.optional("note"), actor: actor)
            return (Paths.Staff.client(p.clientID, tab: .invoices), "saved")
        }
        action(r, "services/:id/suspend") { _, ctx, form, actor in
            let s = try await SuspendService(deps)(
                serviceID: try ctx.parameters.require("id", as: Int64.self), reason: form["reason"],
                note: form.optional("note"), actor: actor)
            return (Paths.Staff.client(s.clientID), "saved")
        }
        action(r, "services/:id/cancel") { _, ctx, _, actor in
            let s = try await CancelService(deps).atPeriodEnd(
                serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: nil, actor: actor)
            return (Paths.Staff.client(s.clientID), "saved")
        }
        action(r, "services/:id/cancel/withdraw") { _, ctx, _, actor in
            let s = try await CancelService(deps).withdraw(
                serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: nil, actor: actor)
            return (Paths.Staff.client(s.clientID), "saved")
        }
        action(r, "services/:id/terminate") { _, ctx, form, actor in
            let s = try await CancelService(deps).terminateNow(
                serviceID: try ctx.parameters.require("id", as: Int64.self), reason: form["reason"], actor: actor)
            return (Paths.Staff.client(s.clientID), "saved")
        }
        // An order placed for the client (by phone): one service, its proforma e-mailed as for the client's own.
        action(r, "clients/:id/orders") { _, ctx, form, actor in
            let clientID = try ctx.parameters.require("id", as: Int64.self)
            let parts = form["plan"].split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let planID = Int64(parts[0]) else {
                throw UseCaseError.invalid(
                    ValidationFailure(field: "plan", rule: "plan.not-sold", message: "Choose one of the plans on sale.")
                )
            }
            let placed = try await PlaceOrder(deps)(
                clientID: clientID, try .parse(planID: planID, cycle: parts[1], domain: form["domain"]),
                billingProfileID: nil, actor: actor)
            return (Paths.Staff.proforma(placed.proforma.id), "saved")
        }
        action(r, "clients/:id/credit/refund") { _, ctx, form, actor in
            let clientID = try ctx.parameters.require("id", as: Int64.self)
            _ = try await RefundCredit(deps)(
                clientID: clientID,
                try .parse(amount: form["amount"], currency: form["currency"], reference: form["reference"]),
                actor: actor)
            return (Paths.Staff.client(clientID, tab: .invoices), "saved")
        }
        StaffEFacturaRoutes(staff: self).register(on: r)
        StaffPlanRoutes(staff: self).register(on: r)
        registerConfirmedActions(on: r)
    }

    /// An audit entry as staff read it: who by name, the entity linked, and the change as "field: old → new".
    func auditRow(_ e: StoredAuditEntry, _ staff: [Int64: String]) -> [String: Any] {
        var row: [String: Any] = [
            "at": Formatting.timestamp(e.at, deps), "actor": Actor(e.actor).map { Self.who($0, staff) } ?? e.actor,
            "action": e.action, "entity": "\(e.entity.replacingOccurrences(of: "_", with: " ")) #\(e.entityID)",
            "changes": AuditChange.lines(before: e.before, after: e.after),
        ]
        let href: String? =
            switch e.entity {
            case "client": Paths.Staff.client(e.entityID)
            case "proforma": Paths.Staff.proforma(e.entityID)
            case "fiscal_invoice": Paths.Staff.fiscalInvoice(e.entityID)
            case "plan": Paths.Staff.plan(e.entityID)
            default: nil
            }
        if let href { row["href"] = href }
        return row
    }

    /// Who did something, as staff read it: a colleague by name, the rest by kind and number.
    static func who(_ actor: Actor, _ staff: [Int64: String]) -> String {
        switch actor {
        case .system: "the system"
        case .staff(let id): staff[id].map { "\($0) (staff #\(id))" } ?? "staff #\(id)"
        case .client(let id): "client #\(id)"
        case .apiKey(let id): "API key #\(id)"
        }
    }

    /// The due date in force, and the printed one when staff extended it.
    static func due(_ p: ProformaInvoice) -> String {
        p.effectiveDueDate.description + (p.extendedDueDate != nil ? " (extended from \(p.dueDate))" : "")
    }
}

/// The staff home's model: the client search, the last billing and daily runs with their failures, and money that
/// waits for a refund.
enum StaffHomePage {
    /// The work queue: one card per kind of work, with its count, its first items linked and where the rest are.
    static func queue(_ q: WorkQueue, _ deps: AppDependencies) -> [String: Any] {
        let v = Views(.en)
        func card<T>(
            _ key: String, _ title: String, _ section: WorkQueue.Section<T>, more: String? = nil,
            _ row: (T) -> (href: String, text: String)
        ) -> [String: Any] {
            var c: [String: Any] = [
                "key": key, "title": title, "count": section.count, "empty": section.isEmpty,
                "items": section.first.map {
                    let r = row($0)
                    return ["href": r.href, "text": r.text]
                },
            ]
            if let more, section.count > section.first.count { c["more"] = more }
            return c
        }
        let today = deps.today()
        let cards: [[String: Any]] = [
            card("overdue", "Overdue proformas", q.overdueProformas) { p in
                (
                    Paths.Staff.proforma(p.id),
                    "\(p.number) · client #\(p.clientID) · \(v.money(p.openMinor, p.currency)) · due \(v.date(p.effectiveDueDate)), \(p.effectiveDueDate.days(until: today)) days ago"
                )
            },
            card("suspended", "Services suspended for non-payment", q.suspendedForNonPayment) { s in
                (Paths.Staff.client(s.clientID), "\(s.domain) · client #\(s.clientID)")
            },
            card("orders", "Unpaid orders past their due date", q.unpaidOrders) { p in
                (
                    Paths.Staff.proforma(p.id),
                    "\(p.number) · client #\(p.clientID) · \(v.money(p.openMinor, p.currency)) · ordered \(v.date(p.issueDate))"
                )
            },
            card("efactura-overdue", "e-Factura uploads overdue", q.efacturaOverdue, more: Paths.Staff.efactura) { e in
                (Paths.Staff.fiscalInvoice(e.fiscalInvoiceID), "\(e.number) · deadline \(v.date(e.deadline))")
            },
            card("efactura-rejected", "e-Factura uploads rejected", q.efacturaRejected, more: Paths.Staff.efactura) {
                e in
                (Paths.Staff.fiscalInvoice(e.fiscalInvoiceID), "\(e.number) · \(e.errors ?? e.lastError ?? "rejected")")
            },
            card("efactura-due", "e-Factura uploads due", q.efacturaToUpload, more: Paths.Staff.efactura) { e in
                (Paths.Staff.fiscalInvoice(e.fiscalInvoiceID), "\(e.number) · deadline \(v.date(e.deadline))")
            },
            card("messages", "Messages that failed", q.failedMessages) { m in
                (
                    Paths.Staff.client(m.clientID),
                    "\(m.channel.rawValue) \(m.eventKind) · client #\(m.clientID) · \(m.lastError ?? "")"
                )
            },
        ]
        return ["cards": cards, "clear": q.isEmpty]
    }

    static func model(_ home: BackOfficeQueries.Home, query q: String, _ deps: AppDependencies) -> [String: Any] {
        let credits = home.recentCredits
        var model: [String: Any] = [
            "q": q,
            "clients": home.clients.map {
                ["id": $0.id, "email": $0.email, "name": $0.name ?? ""] as [String: Any]
            }, "hasClients": !home.clients.isEmpty,
        ]
        if let run = home.lastBillingRun {
            model["lastRun"] =
                "Last run as of \(run.asOf): \(run.proformasIssued) proformas issued, \(run.failures.count) failures."
        }
        // Money that arrived for a cancelled or already paid proforma, or stayed on a cancelled one: staff may refund it.
        model["credits"] = credits.map { e in
            let detail =
                (try? JSONDecoder().decode([String: String].self, from: Data((e.after ?? "{}").utf8))) ?? [:]
            return [
                "at": Formatting.timestamp(e.at, deps), "client": e.entityID, "amount": detail["amount"] ?? "",
                "from": detail["from"] ?? "", "why": detail["why"] ?? "",
            ] as [String: Any]
        }
        model["hasCredits"] = !credits.isEmpty
        if let day = home.lastDailyRun {
            model["lastDay"] =
                "Daily tasks last ran for \(day.asOf) (finished \(Formatting.timestamp(day.finishedAt, deps))): \(day.failures.count) failures."
            model["hasDayFailures"] = !day.failures.isEmpty
            model["dayFailures"] = day.failures.map { f in
                [
                    "text": "\(f.task): \(f.entity) #\(f.entityID): \(f.reason)",
                    "href": f.entity == "client"
                        ? Paths.Staff.client(f.entityID)
                        : f.entity == "proforma" ? Paths.Staff.proforma(f.entityID) : "",
                ] as [String: Any]
            }
        }
        return model
    }
}
