import Domain
import Features
import Foundation
import Hummingbird

/// What an irreversible staff action will do, shown before it is done.
struct Confirmation {
    let heading: String
    let consequences: [String]
    let button: String
    let back: String
}

extension StaffRoutes {
    /// An action that cannot be undone (a storno, cancelling a proforma, lifting holds, revoking links, a billing
    /// run): the first POST answers with what will happen and asks for a reason; the confirmed POST, with the
    /// reason, acts and the reason goes to the audit log with the change. Nothing changes before the confirmation.
    func confirmedAction<Parent>(
        _ r: RouterGroup<LoggedInContext<Parent>>, _ path: RouterPath,
        confirm: @escaping @Sendable (Request, LoggedInContext<Parent>, Form) async throws -> Confirmation,
        _ body:
            @escaping @Sendable (Request, LoggedInContext<Parent>, Form, Actor, String) async throws -> (
                String, String
            )
    ) {
        r.post(path) { req, ctx in
            let (staffID, visit) = try staffVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            return try await refusalsAsPage(visit) {
                let note = form.optional(Self.reasonField).map { String($0.prefix(1000)) }
                guard form["confirmed"] == "1", let note else {
                    let c = try await confirm(req, ctx, form)
                    let asked = form["confirmed"] == "1"
                    let kept = form.values.filter { !["_csrf", "confirmed", Self.reasonField].contains($0.key) }
                        .sorted { $0.key < $1.key }
                    var reason = areas.field(
                        Self.reasonField, "Reason (kept in the audit log)",
                        hint: "Say why, for the colleague or the auditor who reads this later.",
                        errors: asked ? [Self.reasonField: "Give the reason; it is kept in the audit log."] : [:])
                    reason["required"] = true
                    let model: [String: Any] = [
                        "heading": c.heading, "consequences": c.consequences, "button": c.button, "back": c.back,
                        "action": req.uri.path, "hidden": kept.map { ["name": $0.key, "value": $0.value] },
                        "reason": reason,
                    ]
                    return areas.page(
                        "staff-confirm", title: c.heading, model, visit, status: asked ? .unprocessableContent : .ok)
                }
                let (location, flash) = try await body(req, ctx, form, .staff(staffID), note)
                return areas.redirect(location, visit, flash: flash)
            }
        }
    }

    static let reasonField = "auditNote"

    /// The confirmations of the client page's and the home page's irreversible actions, then the actions.
    func registerConfirmedActions<Parent>(on r: RouterGroup<LoggedInContext<Parent>>) {
        let en = Views(.en)
        confirmedAction(
            r, "fiscal-invoices/:id/storno",
            confirm: { _, ctx, form in
                let f = try await areas.fiscal(ctx)
                if try await InvoiceQueries(deps).storno(correcting: f.id) != nil {
                    throw UseCaseError.from(InvoicingError.alreadyStornoed)
                }
                let meaning: String
                switch form["then"] {
                case "reissue":
                    meaning =
                        "Then the same lines are invoiced again on a new fiscal invoice, to the client's default billing data."
                case "reopen":
                    meaning =
                        "Then the payment is taken back and the proforma \(f.proformaNumber ?? "") is open again: the periods are billed again."
                case "end":
                    meaning =
                        "Then the services on it are terminated at once and what was paid becomes the client's credit."
                default:
                    throw UseCaseError.invalid(
                        ValidationFailure(
                            field: "then", rule: "storno.then",
                            message:
                                "Choose what the storno means: reissue (corrected billing data), reopen (the money did not stay; bill the periods again) or end (terminate the services, credit what was paid)."
                        ))
                }
                return Confirmation(
                    heading: "Issue a storno of \(f.displayNumber)?",
                    consequences: [
                        "A storno for \(en.money(-f.totals.grossMinor, f.currency)) reverses \(f.displayNumber). It takes the next fiscal number and goes to e-Factura like any invoice.",
                        meaning,
                    ], button: "Issue the storno", back: Paths.Staff.client(f.clientID))
            }
        ) { _, ctx, form, actor, note in
            let result = try await StornoFiscalInvoice(deps)(
                fiscalInvoiceID: try ctx.parameters.require("id", as: Int64.self), then: form.optional("then"),
                note: note, actor: actor)
            return (Paths.Staff.client(result.storno.clientID, tab: .invoices), "saved")
        }
        confirmedAction(
            r, "fiscal-invoices/:id/refund",
            confirm: { _, ctx, _ in
                guard areas.cards != nil else { throw UseCaseError.notFound("card payments") }
                let f = try await areas.fiscal(ctx)
                return Confirmation(
                    heading: "Refund \(f.displayNumber) to the card?",
                    consequences: [
                        "\(en.money(f.totals.gross)) goes back to the card it was paid with (at Stripe).",
                        "A storno reverses \(f.displayNumber) and the services it billed end today; nothing is credited, since the money went back.",
                    ], button: "Refund and issue the storno", back: Paths.Staff.client(f.clientID, tab: .invoices))
            }
        ) { _, ctx, _, actor, note in
            guard let cards = areas.cards else { throw UseCaseError.notFound("card payments") }
            let storno = try await cards.refund(
                fiscalInvoiceID: try ctx.parameters.require("id", as: Int64.self), note: note, actor: actor)
            return (Paths.Staff.client(storno.clientID, tab: .invoices), "saved")
        }
        confirmedAction(
            r, "proformas/:id/cancel",
            confirm: { _, ctx, _ in
                let p = try await areas.proforma(ctx)
                var lines = [
                    "\(p.number) (\(en.money(p.totals.gross)), due \(en.date(p.effectiveDueDate))) is cancelled: the client no longer owes it and cannot pay it."
                ]
                if p.paidMinor > 0 {
                    lines.append(
                        "The \(en.money(p.paidMinor, p.currency)) already paid on it becomes the client's credit.")
                }
                lines.append(
                    "Services held for non-payment of it are released; unpaid periods are not billed again by it.")
                return Confirmation(
                    heading: "Cancel proforma \(p.number)?", consequences: lines, button: "Cancel the proforma",
                    back: Paths.Staff.client(p.clientID))
            }
        ) { _, ctx, _, actor, note in
            let p = try await CancelProforma(deps)(
                proformaID: try ctx.parameters.require("id", as: Int64.self), note: note, actor: actor)
            return (Paths.Staff.client(p.clientID, tab: .invoices), "saved")
        }
        confirmedAction(
            r, "services/:id/unsuspend",
            confirm: { _, ctx, _ in
                let s = try await ServiceQueries(deps).service(id: try ctx.parameters.require("id", as: Int64.self))
                let names = try await BackOfficeQueries(deps).staffNames()
                var lines = s.holds.filter { $0.reason != .nonPayment }.map {
                    "The \($0.reason.rawValue) hold placed by \(Self.who($0.placedBy, names)) on \(Formatting.timestamp($0.placedAt, deps))\($0.note.map { " (\($0))" } ?? "") is lifted."
                }
                lines.append(
                    s.holds.contains { $0.reason == .nonPayment }
                        ? "A non-payment hold stays until its proforma is paid, cancelled or given more time."
                        : "\(s.domain) comes back online (the hosting server is told).")
                return Confirmation(
                    heading: "Lift the holds of \(s.domain)?", consequences: lines, button: "Lift the holds",
                    back: Paths.Staff.client(s.clientID))
            }
        ) { _, ctx, _, actor, note in
            // Every abuse and other hold; a non-payment hold goes with its proforma (paid, cancelled or extended).
            let s = try await UnsuspendService(deps)(
                serviceID: try ctx.parameters.require("id", as: Int64.self), holdID: nil, reason: nil, note: note,
                actor: actor)
            return (Paths.Staff.client(s.clientID), "saved")
        }
        confirmedAction(
            r, "clients/:id/mail-links/revoke",
            confirm: { _, ctx, form in
                let clientID = try ctx.parameters.require("id", as: Int64.self)
                let one = form.optional("link")
                return Confirmation(
                    heading: one == nil ? "Revoke every log-in link of client #\(clientID)?" : "Revoke link #\(one!)?",
                    consequences: [
                        one == nil
                            ? "Every valid log-in link in this client's e-mails stops working at once."
                            : "The log-in link #\(one!) stops working at once.",
                        "The client then logs in with the password; the invoice numbers in the e-mails lead to the login page.",
                    ], button: "Revoke", back: Paths.Staff.client(clientID))
            }
        ) { _, ctx, form, actor, note in
            let clientID = try ctx.parameters.require("id", as: Int64.self)
            _ = try await MailLinks(areas.identity).revoke(
                clientID: clientID, linkID: form.optional("link").flatMap(Int64.init), note: note, by: actor)
            return (Paths.Staff.client(clientID, tab: .messages), "saved")
        }
        confirmedAction(
            r, "billing-run",
            confirm: { _, _, _ in
                let today = deps.today()
                return Confirmation(
                    heading: "Run billing now?",
                    consequences: [
                        "Every renewal proforma for periods starting by \(en.date(today.adding(days: deps.policy.renewalLeadDays))) is issued now, as the worker does each day.",
                        "Clients get the e-mails at once, and an SMS if they opted in (within the SMS hours).",
                    ], button: "Run billing", back: Paths.Staff.home)
            }
        ) { _, _, _, actor, note in
            _ = try await RunBilling(deps)(asOf: deps.today(), requestedBy: actor, note: note)
            return (Paths.Staff.home, "saved")
        }
    }
}
