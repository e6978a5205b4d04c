import Domain
import Features
import Foundation
import Hummingbird

/// The Services page: each service with its plan, cycle, next due date and, when held, why (and the proforma to pay).
extension ClientRoutes {
    func registerServices<Parent: WebRequestContext>(on r: RouterGroup<LoggedInContext<Parent>>) {
        r.get("services") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let queries = ServiceQueries(deps)
            let planNames = Dictionary(
                try await queries.plans().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            return areas.page(
                "services", title: visit.views.s("services_title"),
                ServicesPage.model(
                    try await queries.ofClient(client.id), planNames: planNames, visit.views, deps,
                    support: SupportContact.model(areas.settings.support, visit.views)), visit)
        }
        // Another plan: each candidate with what choosing it does (now for the difference, or from the renewal).
        r.get("services/:id/plan") { req, ctx in
            try requireAccount(req, ctx, returnTo: Paths.servicePlan(try ctx.parameters.require("id", as: Int64.self)))
            let (client, visit) = try await clientVisit(req, ctx)
            return try await planPage(
                serviceID: try ctx.parameters.require("id", as: Int64.self), client: client, visit)
        }
        r.post("services/:id/plan") { req, ctx in
            try requireAccount(req, ctx, returnTo: Paths.servicePlan(try ctx.parameters.require("id", as: Int64.self)))
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let id = try ctx.parameters.require("id", as: Int64.self)
            guard let planID = Int64(form["planId"]) else {
                return try await planPage(serviceID: id, client: client, visit)
            }
            let outcome = try await ChangePlan(deps)(
                serviceID: id, ownedBy: client.id, planID: planID, actor: .client(client.id))
            if let p = outcome.proforma { return areas.redirect(Paths.proforma(p.id), visit, flash: "plan_upgraded") }
            switch outcome.effect {
            case .now: return areas.redirect(Paths.services, visit, flash: "plan_changed")
            case .atRenewal: return areas.redirect(Paths.services, visit, flash: "plan_change_scheduled")
            case .unchanged: return areas.redirect(Paths.services, visit, flash: "plan_change_withdrawn")
            }
        }
        // Cancelling asks first, saying the last day: the service is not renewed after it.
        r.get("services/:id/cancel") { req, ctx in
            try requireAccount(
                req, ctx, returnTo: Paths.serviceCancel(try ctx.parameters.require("id", as: Int64.self)))
            let (client, visit) = try await clientVisit(req, ctx)
            let v = visit.views
            let s = try await ServiceQueries(deps).service(
                id: try ctx.parameters.require("id", as: Int64.self), ownedBy: client.id)
            guard case .live = s.lifecycle, s.endsOn == nil else { return areas.redirect(Paths.services, visit) }
            let last = max(s.nextDueDate.adding(days: -1), deps.today())
            return areas.page(
                "cancel-service", title: v.s("cancel_title"),
                [
                    "domain": s.domain, "text": v.f("cancel_text", s.domain, v.date(last)),
                    "action": Paths.serviceCancel(s.id),
                ], visit)
        }
        r.post("services/:id/cancel") { req, ctx in
            try requireAccount(
                req, ctx, returnTo: Paths.serviceCancel(try ctx.parameters.require("id", as: Int64.self)))
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            _ = try await CancelService(deps).atPeriodEnd(
                serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: client.id,
                actor: .client(client.id))
            return areas.redirect(Paths.services, visit, flash: "cancel_requested")
        }
        r.post("services/:id/cancel/withdraw") { req, ctx in
            try requireAccount(req, ctx, returnTo: Paths.services)
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            _ = try await CancelService(deps).withdraw(
                serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: client.id,
                actor: .client(client.id))
            return areas.redirect(Paths.services, visit, flash: "cancel_withdrawn")
        }
    }

    func planPage(serviceID: Int64, client: Client, _ visit: Visit) async throws -> Response {
        let v = visit.views
        let s = try await ServiceQueries(deps).service(id: serviceID, ownedBy: client.id)
        let plans = try await ServiceQueries(deps).plans()
        let current = plans.first { $0.id == s.planID }
        var options: [[String: Any]] = []
        for p in plans
        where !p.retired && p.id != s.planID && p.currency == s.price.currency && p.price(for: s.cycle) != nil {
            let q = try await ChangePlan(deps).quote(serviceID: s.id, ownedBy: client.id, planID: p.id)
            var effect: String
            switch q.effect {
            case .now(let charge, _):
                effect = charge.minor > 0 ? v.f("plan_now_for", v.money(charge)) : v.s("plan_now_free")
            case .atRenewal(let from): effect = v.f("plan_from", v.date(from))
            case .unchanged: effect = ""
            }
            options.append([
                "id": p.id, "name": p.name, "price": v.money(q.newPrice), "effect": effect,
                "button": v.f("plan_switch", p.name),
            ])
        }
        var model: [String: Any] = [
            "domain": s.domain, "current": current?.name ?? "", "price": v.money(s.price), "cycle": v.cycle(s.cycle),
            "options": options, "hasOptions": !options.isEmpty, "action": Paths.servicePlan(s.id),
        ]
        if let next = s.scheduledChange {
            model["scheduled"] = v.f(
                "plan_scheduled", plans.first { $0.id == next.planID }?.name ?? "",
                v.date(s.nextPeriodToInvoice.start))
            model["keep"] = v.f("plan_keep", current?.name ?? "")
            model["currentID"] = s.planID
        }
        return areas.page("change-plan", title: v.s("plan_title"), model, visit)
    }
}

/// The Services page's model: each service with its state, what the client can do with it and, when held, why.
enum ServicesPage {
    static func model(
        _ services: [ClientService], planNames: [Int64: String], _ v: Views, _ deps: AppDependencies,
        support: [String: Any]?
    ) -> [String: Any] {
        let rows: [[String: Any]] = services.map { c in
            let s = c.service
            var row: [String: Any] = [
                "id": s.id, "domain": s.domain, "plan": c.planName, "cycle": v.cycle(s.cycle),
                "nextDue": s.state == .terminated || s.state == .pending ? "—" : v.date(s.nextDueDate),
                "state": v.serviceState(s.state), "stateCode": s.state.rawValue,
            ]
            // Every state says why and what to do; "contact support" ends with the configured contact.
            switch s.lifecycle {
            case .pending:
                if let number = c.invoiceToPayNumber, let invoice = c.invoiceToPay, let open = c.openToPay {
                    row["why"] = v.f("why_pending", number, v.money(open))
                    row["payHref"] = Paths.invoice(invoice) + "#pay"
                    row["payNumber"] = v.f("owed_pay", number)
                } else {
                    row["why"] = v.s("why_pending_plain")
                }
            case .terminated(let on):
                let day = v.date(deps.civilDate(of: on))
                row["why"] = s.endsOn != nil ? v.f("why_ended", day) : v.f("why_terminated", day)
                row["contact"] = support
            case .live: break
            }
            if let last = s.endsOn, s.state != .terminated {
                row["endsOn"] = v.f("ends_on", v.date(last))
                row["nextDue"] = "—"
                row["withdraw"] = Paths.serviceWithdrawCancel(s.id)
            } else if case .live = s.lifecycle {
                row["cancel"] = Paths.serviceCancel(s.id)
                if s.state == .active { row["changePlan"] = Paths.servicePlan(s.id) }
            }
            if let next = s.scheduledChange, s.state != .terminated {
                row["scheduled"] = v.f(
                    "plan_scheduled", planNames[next.planID] ?? "", v.date(s.nextPeriodToInvoice.start))
            }
            switch c.hold {
            case .nonPayment?:
                if let invoice = c.invoiceToPay, let number = c.invoiceToPayNumber {
                    row["why"] = v.s("why_non_payment")
                    row["payHref"] = Paths.invoice(invoice) + "#pay"
                    row["payNumber"] = number
                } else {
                    row["why"] = v.s("why_non_payment_plain")
                }
            case .abuse?:
                row["why"] = v.s("why_abuse")
                row["contact"] = support
            case .other?:
                row["why"] = v.s("why_other")
                row["contact"] = support
            case nil: break
            }
            return row
        }
        return ["services": rows, "hasServices": !rows.isEmpty]
    }
}
