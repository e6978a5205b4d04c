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
    }
}
