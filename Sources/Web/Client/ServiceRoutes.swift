import Domain
import Features
import Foundation
import Hummingbird

/// The Services page: each service with its plan, cycle, next due date and, when held, why (and the proforma to pay).
extension ClientRoutes {
    func registerServices<Context: WebRequestContext>(on r: RouterGroup<Context>) {
        r.get("services") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let v = visit.views
            let rows: [[String: Any]] = try await ServiceQueries(deps).ofClient(client.id).map { c in
                let s = c.service
                var row: [String: Any] = [
                    "id": s.id, "domain": s.domain, "plan": c.planName, "cycle": v.cycle(s.cycle),
                    "nextDue": s.state == .terminated ? "—" : s.nextDueDate.description,
                    "state": v.serviceState(s.state), "stateCode": s.state.rawValue,
                ]
                if let last = s.endsOn, s.state != .terminated {
                    row["endsOn"] = v.f("ends_on", last.description)
                    row["nextDue"] = "—"
                    row["withdraw"] = Paths.serviceWithdrawCancel(s.id)
                } else if case .live = s.lifecycle {
                    row["cancel"] = Paths.serviceCancel(s.id)
                }
                switch c.hold {
                case .nonPayment?:
                    if let invoice = c.invoiceToPay, let number = c.invoiceToPayNumber {
                        row["why"] = v.s("why_non_payment")
                        row["payHref"] = invoice.path
                        row["payNumber"] = number
                    } else {
                        row["why"] = v.s("why_non_payment_plain")
                    }
                case .abuse?: row["why"] = v.s("why_abuse")
                case .other?: row["why"] = v.s("why_other")
                case nil: break
                }
                return row
            }
            return areas.page(
                "services", title: v.s("services_title"), ["services": rows, "hasServices": !rows.isEmpty], visit)
        }
        // Cancelling asks first, saying the last day: the service is not renewed after it.
        r.get("services/:id/cancel") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let v = visit.views
            let s = try await ServiceQueries(deps).service(
                id: try ctx.parameters.require("id", as: Int64.self), ownedBy: client.id)
            guard case .live = s.lifecycle, s.endsOn == nil else { return areas.redirect(Paths.services, visit) }
            let last = max(s.nextDueDate.adding(days: -1), deps.today())
            return areas.page(
                "cancel-service", title: v.s("cancel_title"),
                [
                    "domain": s.domain, "text": v.f("cancel_text", s.domain, last.description),
                    "action": Paths.serviceCancel(s.id),
                ], visit)
        }
        r.post("services/:id/cancel") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            _ = try await CancelService(deps).atPeriodEnd(
                serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: client.id,
                actor: .client(client.id))
            return areas.redirect(Paths.services, visit, flash: "cancel_requested")
        }
        r.post("services/:id/cancel/withdraw") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            _ = try await CancelService(deps).withdraw(
                serviceID: try ctx.parameters.require("id", as: Int64.self), ownedBy: client.id,
                actor: .client(client.id))
            return areas.redirect(Paths.services, visit, flash: "cancel_withdrawn")
        }
    }
}
