import Domain
import Features
import Foundation
import Hummingbird

/// The staff page of one client: account, profiles, services with their holds, invoices with their actions,
/// SMS consents, messages, mail links and the audit trail.
extension StaffRoutes {
    func clientPage(_ id: Int64, tab: Paths.Staff.ClientTab, _ visit: Visit) async throws -> Response {
        let v = visit.views
        let o = try await ClientOverview.load(
            clientID: id, deps: deps, identity: areas.identity, messages: areas.messages)
        let (client, staff, links) = (o.client, o.staffNames, o.mailLinks)
        let now = deps.clock.now()
        let services: [[String: Any]] = o.services.map { s in
            [
                "id": s.id, "domain": s.domain, "plan": o.planNames[s.planID] ?? "",
                "nextDue": s.state == .terminated ? "—" : s.nextDueDate.description, "state": s.state.rawValue,
                "stateCode": s.state.rawValue,
                "holds": s.holds.map {
                    "\($0.reason.rawValue) by \(Self.who($0.placedBy, staff)) on \(Formatting.timestamp($0.placedAt, deps))\($0.note.map { ": " + $0 } ?? "")"
                },
                "canSuspend": s.state == .active || s.state == .suspended,
                "canUnsuspend": s.holds.contains { $0.reason != .nonPayment },
                "endsOn": s.state == .terminated ? "" : s.endsOn.map { "ends on \($0)" } ?? "",
                "canCancel": s.endsOn == nil && (s.state == .active || s.state == .suspended),
                "canWithdraw": s.endsOn != nil && s.state != .terminated,
                "canTerminate": s.state != .terminated,
            ]
        }
        // The payment-extension form's date bounds: from today to the furthest extension allowed.
        let today = deps.today()
        let (extendMin, extendMax) = (today.description, today.adding(days: deps.policy.maxExtensionDays).description)
        var invoices: [(CivilDate, Int, [String: Any])] = o.invoices.proformas.map { p in
            (
                p.issueDate, 0,
                [
                    "id": p.id, "number": p.number, "issued": p.issueDate.description,
                    "total": p.totals.gross.description,
                    "status": p.state.rawValue + (p.state == .unpaid ? ", due \(Self.due(p))" : ""),
                    "extendMin": extendMin, "extendMax": extendMax,
                    "href": Paths.Staff.proforma(p.id), "pdf": Paths.Staff.proformaPDF(p.id),
                    "canPay": p.state == .unpaid,
                    "currency": p.currency.rawValue, "open": Money.format(minor: p.openMinor),
                    "once": deps.random.hex(16),
                ] as [String: Any]
            )
        }
        let stornoed = Set(o.invoices.fiscalInvoices.compactMap(\.correctsID))
        let paidByCard = areas.cards == nil ? [] : o.paidByCard
        invoices += o.invoices.fiscalInvoices.map { f in
            (
                f.issueDate, 1,
                [
                    "id": f.id, "number": f.displayNumber, "issued": f.issueDate.description,
                    "total": f.totals.gross.description,
                    "status": f.kind == .storno
                        ? "storno of \(f.correctsNumber ?? "")" : (stornoed.contains(f.id) ? "reversed" : "issued"),
                    "href": Paths.Staff.fiscalInvoice(f.id), "pdf": Paths.Staff.fiscalInvoicePDF(f.id),
                    "canStorno": f.kind != .storno && !stornoed.contains(f.id),
                    "canRefund": f.kind != .storno && !stornoed.contains(f.id)
                        && f.proformaID.map(paidByCard.contains) == true,
                ] as [String: Any]
            )
        }
        invoices.sort { ($0.0, $0.1) > ($1.0, $1.1) }
        // The mail links name their invoice by number, as the e-mail did.
        let proformaNumbers = Dictionary(
            o.invoices.proformas.map { ($0.id, $0.number) }, uniquingKeysWith: { a, _ in a })
        let fiscalNumbers = Dictionary(
            o.invoices.fiscalInvoices.map { ($0.id, $0.displayNumber) }, uniquingKeysWith: { a, _ in a })
        var model: [String: Any] = [
            "id": client.id, "email": client.email.value, "phone": client.phone?.e164 ?? "—",
            "language": client.language.rawValue,
            "sms": client.sms.optedIn ? "on" : "off",
            "profiles": o.profiles.map {
                ["label": v.partyLabel($0.party), "isDefault": $0.isDefault] as [String: Any]
            },
            "services": services, "invoices": invoices.map(\.2),
            "payments": o.payments.map { p in
                [
                    "received": p.receivedOn.description,
                    "proforma": proformaNumbers[p.proformaID] ?? "#\(p.proformaID)",
                    "href": Paths.Staff.proforma(p.proformaID), "amount": p.amount.description,
                    "method": p.method.rawValue, "reference": p.gatewayReference ?? "",
                    "reversed": p.reversedAt.map { "taken back " + Formatting.timestamp($0, deps) } ?? "",
                ] as [String: Any]
            },
            "orderChoices": o.plansOnSale.flatMap { p in
                BillingCycle.allCases.compactMap { c in
                    p.price(for: c).map {
                        ["value": "\(p.id):\(c.rawValue)", "label": "\(p.name) — \(c.rawValue) — \($0)"]
                    }
                }
            },
            "credit": [
                "refunds": o.credit.balances.filter { $0.minor > 0 }.map {
                    ["currency": $0.currency.rawValue, "amount": $0.decimalString, "balance": $0.description]
                },
                "balances": o.credit.balances.isEmpty
                    ? "none" : o.credit.balances.map(\.description).joined(separator: " · "),
                "entries": o.credit.entries.map { e in
                    [
                        "at": Formatting.timestamp(e.at, deps), "amount": e.amount.description, "note": e.note,
                        "payment": e.paymentID.map { "#\($0)" } ?? "—",
                    ]
                },
            ] as [String: Any],
            "consents": o.consents.map {
                "\($0.optedIn ? "opted in" : "opted out") on \($0.changedAt.map { Formatting.timestamp($0, deps) } ?? "?") via \($0.source?.rawValue ?? "?")"
            },
            "messages": o.messages.map { m in
                [
                    "at": Formatting.timestamp(m.createdAt, deps), "channel": m.channel.rawValue, "event": m.eventKind,
                    "status": m.status.rawValue,
                    "detail": [m.recipient, m.subject, m.deliveryReport.map { "report: \($0)" }, m.lastError].compactMap
                    { $0 }.joined(separator: " · "),
                ] as [String: Any]
            },
            "audit": o.audit.map { auditRow($0, staff) },
            "mailLinks": links.map { l in
                let state = l.state(at: now)
                return [
                    "id": l.id, "issued": Formatting.timestamp(l.issuedAt, deps),
                    "expires": Formatting.timestamp(l.expiresAt, deps),
                    "invoice":
                        (l.invoice.kind == .proforma ? proformaNumbers[l.invoice.id] : fiscalNumbers[l.invoice.id])
                        ?? l.invoice.description,
                    "href": "/staff/" + (l.invoice.kind == .proforma ? "proformas/" : "fiscal-invoices/")
                        + String(l.invoice.id),
                    "message": l.messageID.map { "#\($0)" } ?? "—", "uses": l.uses,
                    "lastUsed": l.lastUsedAt.map { Formatting.timestamp($0, deps) } ?? "never",
                    "state": state == .revoked ? "revoked (\(l.revokedBecause ?? "?"))" : state.rawValue,
                    "canRevoke": state == .valid,
                ] as [String: Any]
            },
            "hasValidLinks": links.contains { $0.state(at: now) == .valid }, "clientID": client.id,
        ]
        model["summary"] = ClientSummary.model(o, today: today, v)
        model["name"] = (o.profiles.first { $0.isDefault } ?? o.profiles.first)?.party.name ?? client.email.value
        model["tabs"] = Paths.Staff.ClientTab.allCases.map { t in
            [
                "href": Paths.Staff.client(client.id, tab: t), "current": t == tab,
                "label": [
                    "overview": "Profile and services", "invoices": "Invoices and money",
                    "messages": "Messages and links", "log": "Audit log",
                ][t.rawValue] ?? t.rawValue,
            ] as [String: Any]
        }
        model["tab_\(tab.rawValue)"] = true
        return areas.page("staff-client", title: client.email.value, model, visit)
    }
}

/// The box at the top of the staff client page: who, what they owe and since when, their credit, and counts.
enum ClientSummary {
    static func model(_ o: ClientOverview, today: CivilDate, _ v: Views) -> [String: Any] {
        let owed = AmountOwed(unpaid: o.invoices.proformas, today: today)
        let overdue = owed.items.filter { owed.isOverdue($0.dueDate) }
        let company = o.profiles.first { $0.isDefault && $0.party.kind == .legalEntity }.map(\.party.name)
        let live = o.services.filter { $0.state == .active || $0.state == .suspended }
        return [
            "company": company ?? "—",
            "owed": owed.isEmpty ? "nothing" : owed.totals.map(v.money).joined(separator: " + "),
            "overdue": overdue.isEmpty
                ? "none"
                : "\(overdue.count) (oldest due \(v.date(overdue[0].dueDate)), \(owed.daysOverdue) days)",
            "hasOverdue": !overdue.isEmpty,
            "credit": o.credit.balances.isEmpty ? "none" : o.credit.balances.map(v.money).joined(separator: " · "),
            "services":
                "\(live.count) live, \(o.services.filter { $0.state == .suspended }.count) suspended, \(o.services.count) in all",
            "invoices": "\(owed.items.count) unpaid proformas, \(o.invoices.fiscalInvoices.count) fiscal invoices",
        ]
    }
}
