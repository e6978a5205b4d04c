import Domain
import Features
import Foundation
import Hummingbird

/// The catalogue for staff: every plan with its prices, a form to add one, each plan's edit form (name, prices,
/// provisioner) and taking it off sale or back. New prices apply to new orders; services keep theirs.
struct StaffPlanRoutes {
    let staff: StaffRoutes
    var areas: WebAreas { staff.areas }
    var deps: AppDependencies { staff.deps }

    func register<Parent: WebRequestContext>(on r: RouterGroup<LoggedInContext<Parent>>) {
        r.get("plans") { req, ctx in
            let (_, visit) = try staff.staffVisit(req, ctx)
            return try await plansPage(visit)
        }
        r.post("plans") { req, ctx in
            let (staffID, visit) = try staff.staffVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            do {
                let input = try HostingPlanInput.parse(
                    code: form["code"], name: form["name"], description: form["description"],
                    currency: form["currency"],
                    prices: Self.prices(form), provisioner: form.optional("provisioner"))
                _ = try await CreateHostingPlan(deps)(input, actor: .staff(staffID))
                return areas.redirect(Paths.Staff.plans, visit, flash: "saved")
            } catch UseCaseError.invalid(let failure) {
                return try await plansPage(visit, form: form, errors: visit.views.errors(failure))
            }
        }
        r.get("plans/:id") { req, ctx in
            let (_, visit) = try staff.staffVisit(req, ctx)
            return try await editPage(try ctx.parameters.require("id", as: Int64.self), visit)
        }
        r.post("plans/:id") { req, ctx in
            let (staffID, visit) = try staff.staffVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let id = try ctx.parameters.require("id", as: Int64.self)
            let plan = try await ServiceQueries(deps).plan(id: id)
            do {
                let input = try HostingPlanInput.parse(
                    code: plan.code, name: form["name"], description: form["description"],
                    currency: plan.currency.rawValue, prices: Self.prices(form),
                    provisioner: form.optional("provisioner"))
                _ = try await UpdateHostingPlan(deps)(planID: id, input, actor: .staff(staffID))
                return areas.redirect(Paths.Staff.plans, visit, flash: "saved")
            } catch UseCaseError.invalid(let failure) {
                return try await editPage(id, visit, form: form, errors: visit.views.errors(failure))
            }
        }
        for (path, retired) in [("retire", true), ("on-sale", false)] {
            staff.action(r, RouterPath("plans/:id/\(path)")) { _, ctx, _, actor in
                _ = try await RetireHostingPlan(deps)(
                    planID: try ctx.parameters.require("id", as: Int64.self), retired: retired, actor: actor)
                return (Paths.Staff.plans, "saved")
            }
        }
    }

    /// `price_monthly` … `price_biennial`; an empty field is no price for that cycle.
    static func prices(_ form: Form) -> [String: String] {
        Dictionary(uniqueKeysWithValues: BillingCycle.allCases.map { ($0.rawValue, form["price_\($0.rawValue)"]) })
    }

    func priceFields(_ plan: HostingPlan?, form: Form?, errors: [String: String]) -> [[String: Any]] {
        BillingCycle.allCases.map { c in
            var f = areas.field(
                "price_\(c.rawValue)", "\(c.rawValue.capitalized) price",
                value: form?["price_\(c.rawValue)"] ?? plan?.prices[c].map { Money.format(minor: $0) } ?? "",
                errors: errors, inputmode: "decimal")
            if let e = errors["prices.\(c.rawValue)"] { f["error"] = e }
            return f
        }
    }

    func description(_ value: String, _ errors: [String: String]) -> [String: Any] {
        var f = areas.field(
            "description", "What it includes (shown in the catalogue; one item per line)", value: value, errors: errors)
        f["textarea"] = true
        return f
    }

    func plansPage(_ visit: Visit, form: Form? = nil, errors: [String: String] = [:]) async throws -> Response {
        let plans = try await ServiceQueries(deps).plans()
        var currency = areas.field("currency", "Currency", errors: errors)
        currency["hasOptions"] = true
        currency["options"] = Currency.allCases.map {
            ["value": $0.rawValue, "label": $0.rawValue, "selected": (form?["currency"] ?? "RON") == $0.rawValue]
                as [String: Any]
        }
        let model: [String: Any] = [
            "plans": plans.map { p in
                [
                    "id": p.id, "code": p.code, "name": p.name, "currency": p.currency.rawValue,
                    "prices": BillingCycle.allCases.compactMap { c in
                        p.price(for: c).map { "\(c.rawValue) \($0)" }
                    }.joined(separator: " · "),
                    "provisioner": p.provisioner ?? "by hand", "retired": p.retired,
                    "href": Paths.Staff.plan(p.id),
                ] as [String: Any]
            },
            "fields": [
                areas.field(
                    "code", "Code (letters, digits, dashes; fixed)", value: form?["code"] ?? "", errors: errors),
                areas.field("name", "Name", value: form?["name"] ?? "", errors: errors),
                description(form?["description"] ?? "", errors), currency,
            ] + priceFields(nil, form: form, errors: errors) + [
                areas.field(
                    "provisioner", "Provisioner (empty: set up by hand)", value: form?["provisioner"] ?? "",
                    errors: errors)
            ],
        ]
        return areas.formPage("staff-plans", title: "Plans", model, visit, errors: errors)
    }

    func editPage(_ id: Int64, _ visit: Visit, form: Form? = nil, errors: [String: String] = [:]) async throws
        -> Response
    {
        let plan = try await ServiceQueries(deps).plan(id: id)
        let model: [String: Any] = [
            "id": plan.id, "code": plan.code, "currency": plan.currency.rawValue, "retired": plan.retired,
            "action": Paths.Staff.plan(plan.id),
            "fields": [
                areas.field("name", "Name", value: form?["name"] ?? plan.name, errors: errors),
                description(form?["description"] ?? plan.description, errors),
            ]
                + priceFields(plan, form: form, errors: errors) + [
                    areas.field(
                        "provisioner", "Provisioner (empty: set up by hand)",
                        value: form?["provisioner"] ?? plan.provisioner ?? "", errors: errors)
                ],
        ]
        return areas.formPage("staff-plan", title: "Plan \(plan.code)", model, visit, errors: errors)
    }
}
