import Domain
import Features
import Foundation
import Hummingbird

/// Ordering hosting: the catalogue with the order form, a review with the totals and VAT the proforma will have,
/// and the confirmation that places the order (one proforma for every service ordered) and shows that proforma.
extension ClientRoutes {
    /// Rows of the order form: one service each, the first required.
    static let orderRows = 3

    func registerOrders<Parent: WebRequestContext>(on r: RouterGroup<LoggedInContext<Parent>>) {
        r.get("order") { req, ctx in
            try requireAccount(req, ctx, returnTo: Paths.order)
            let (client, visit) = try await clientVisit(req, ctx)
            var values: [String: String] = [:]
            // A plan chosen in the catalogue comes preselected.
            if let chosen = req.uri.queryParameters.get("plan") { values["plan0"] = chosen }
            return try await orderPage(client, visit, values: values)
        }
        r.post("order/review") { req, ctx in
            try await orderStep(req, ctx) { client, visit, form, items, profileID in
                reviewPage(
                    try await PlaceOrder(deps).quote(clientID: client.id, items, billingProfileID: profileID),
                    form: form, visit)
            }
        }
        // "Change" on the review: the form again, filled in.
        r.post("order/edit") { req, ctx in
            try requireAccount(req, ctx, returnTo: Paths.order)
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            return try await orderPage(client, visit, form: form)
        }
        r.post("order") { req, ctx in
            try await orderStep(req, ctx) { client, visit, _, items, profileID in
                let placed = try await PlaceOrder(deps)(
                    clientID: client.id, items, billingProfileID: profileID, actor: .client(client.id))
                return areas.redirect(Paths.proforma(placed.proforma.id), visit, flash: "order_placed")
            }
        }
    }

    /// What the review and the confirmation share: the password first for a mail session, CSRF, the rows parsed
    /// (a bad row is the form again with its error), and a use case's field errors put back on their rows.
    func orderStep<Parent>(
        _ req: Request, _ ctx: LoggedInContext<Parent>,
        _ step: (Client, Visit, Form, [PlaceOrder.Item], Int64?) async throws -> Response
    ) async throws -> Response {
        try requireAccount(req, ctx, returnTo: Paths.order)
        let (client, visit) = try await clientVisit(req, ctx)
        let form = try await Form.parse(req)
        try areas.checkCSRF(form, visit)
        let (items, rows, errors) = orderItems(form, visit)
        guard errors.isEmpty else { return try await orderPage(client, visit, form: form, errors: errors) }
        do {
            return try await step(client, visit, form, items, form.optional("profile").flatMap(Int64.init))
        } catch UseCaseError.invalid(let failure) {
            return try await orderPage(client, visit, form: form, errors: rowErrors(failure, rows: rows, visit))
        }
    }

    /// The catalogue (plans on sale with every price) and the order form.
    func orderPage(
        _ client: Client, _ visit: Visit, form: Form? = nil, values: [String: String] = [:],
        errors: [String: String] = [:]
    ) async throws -> Response {
        let v = visit.views
        let plans = try await ServiceQueries(deps).plans().filter { !$0.retired }
        let profiles = try await ClientQueries(deps).billingProfiles(clientID: client.id)
        func value(_ name: String) -> String { form.map { $0[name] } ?? values[name] ?? "" }
        let catalogue: [[String: Any]] = plans.map { p in
            let includes = p.description.split(whereSeparator: \.isNewline).map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            return [
                "name": p.name, "code": p.code, "provisioned": p.provisioner != nil,
                "includes": includes, "hasIncludes": !includes.isEmpty,
                "prices": BillingCycle.allCases.compactMap { c in
                    p.price(for: c).map {
                        [
                            "cycle": v.cycle(c), "price": v.money($0),
                            "choose": "\(Paths.order)?plan=\(p.id):\(c.rawValue)",
                        ]
                            as [String: Any]
                    }
                },
            ]
        }
        let choices = plans.flatMap { p in
            BillingCycle.allCases.compactMap { c in
                p.price(for: c).map { (value: "\(p.id):\(c.rawValue)", label: "\(p.name) — \(v.cycle(c)) — \($0)") }
            }
        }
        let rows: [[String: Any]] = (0..<Self.orderRows).map { i in
            var plan = areas.field("plan\(i)", v.f("order_service", String(i + 1)), errors: errors)
            plan["hasOptions"] = true
            plan["options"] =
                [
                    [
                        "value": "", "label": i == 0 ? v.s("order_choose") : v.s("order_none"),
                        "selected": value("plan\(i)").isEmpty,
                    ]
                ]
                + choices.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value("plan\(i)")] }
            return [
                "plan": plan,
                "domain": areas.field(
                    "domain\(i)", v.s("domain"), value: value("domain\(i)"), hint: i == 0 ? v.s("domain_hint") : nil,
                    errors: errors),
            ]
        }
        var profile = areas.field("profile", v.s("order_profile"), errors: errors)
        profile["hasOptions"] = true
        let chosenProfile = form?.optional("profile").flatMap(Int64.init)
        profile["options"] = profiles.map { p in
            [
                "value": String(p.id), "label": v.partyLabel(p.party),
                "selected": chosenProfile.map { $0 == p.id } ?? p.isDefault,
            ] as [String: Any]
        }
        return areas.formPage(
            "order", title: v.s("order_title"),
            ["catalogue": catalogue, "hasPlans": !plans.isEmpty, "rows": rows, "profile": profile], visit,
            errors: errors)
    }

    /// What the order costs, as its proforma will show it, with the form's values carried to the confirmation.
    func reviewPage(_ quote: PlaceOrder.Quote, form: Form, _ visit: Visit) -> Response {
        let v = visit.views
        var model = v.body(
            buyer: quote.profile.party, seller: deps.seller, lines: quote.lines, totals: quote.totals, vat: quote.vat)
        var hidden: [[String: String]] = [["name": "profile", "value": String(quote.profile.id)]]
        for i in 0..<Self.orderRows {
            for name in ["plan\(i)", "domain\(i)"] where !form[name].isEmpty {
                hidden.append(["name": name, "value": form[name]])
            }
        }
        model["hidden"] = hidden
        model["due"] = v.date(quote.dueDate)
        model["total"] = v.money(quote.totals.gross)
        return areas.page("order-review", title: v.s("order_review_title"), model, visit)
    }

    /// The filled rows as order items; a row with a domain but no plan, or a bad domain, is an error on its field.
    func orderItems(_ form: Form, _ visit: Visit) -> (items: [PlaceOrder.Item], rows: [Int], errors: [String: String]) {
        var items: [PlaceOrder.Item] = []
        var rows: [Int] = []
        var errors: [String: String] = [:]
        for i in 0..<Self.orderRows {
            let plan = form["plan\(i)"].trimmingCharacters(in: .whitespaces)
            let domain = form["domain\(i)"].trimmingCharacters(in: .whitespaces)
            if plan.isEmpty && domain.isEmpty && i > 0 { continue }
            let parts = plan.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2, let planID = Int64(parts[0]) else {
                errors["plan\(i)"] = Strings.message(
                    rule: "plan.not-sold", english: "Choose one of the plans on sale.", in: visit.views.language)
                continue
            }
            do {
                items.append(try .parse(planID: planID, cycle: parts[1], domain: domain))
                rows.append(i)
            } catch UseCaseError.invalid(let failure) {
                for e in failure.errors {
                    errors[e.field == "domain" ? "domain\(i)" : "plan\(i)"] = Strings.message(
                        for: e, in: visit.views.language)
                }
            } catch {
                errors["plan\(i)"] = error.localizedDescription
            }
        }
        return (items, rows, errors)
    }

    /// The use case names `items[k].planId` (or `planId` for one item): the k-th filled row of the form.
    func rowErrors(_ failure: ValidationFailure, rows: [Int], _ visit: Visit) -> [String: String] {
        var out: [String: String] = [:]
        for e in failure.errors {
            var name = e.field
            if name == "profile" || name == "items" {
                name = "plan\(rows.first ?? 0)"
            } else if let open = name.firstIndex(of: "["), let close = name.firstIndex(of: "]"),
                let k = Int(name[name.index(after: open)..<close]), k < rows.count
            {
                name = "plan\(rows[k])"
            } else {
                name = "plan\(rows.first ?? 0)"
            }
            if out[name] == nil { out[name] = Strings.message(for: e, in: visit.views.language) }
        }
        return out
    }
}
