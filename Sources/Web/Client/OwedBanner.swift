import Domain
import Features

/// "You owe 786,50 RON · PF-2026-000007 is 63 days overdue · [Pay PF-2026-000007]": the answer to a client's first
/// question, on every client page while something is open.
enum OwedBanner {
    static func model(_ owed: AmountOwed, _ v: Views) -> [String: Any]? {
        guard let oldest = owed.oldest else { return nil }
        let total = owed.totals.map(v.money).joined(separator: " + ")
        let overdue = owed.daysOverdue > 0
        let detail =
            overdue
            ? v.f("owed_overdue", oldest.number, String(owed.daysOverdue), v.date(oldest.dueDate))
            : v.f("owed_due", oldest.number, v.date(oldest.dueDate))
        var m: [String: Any] = [
            "total": v.f("owed_total", total),
            "detail": unbroken(detail, [oldest.number, v.date(oldest.dueDate)]),
            "overdue": overdue,
            "pay": ["href": Paths.proforma(oldest.proformaID) + "#pay", "label": v.f("owed_pay", oldest.number)],
        ]
        if owed.items.count > 1 {
            m["all"] = ["href": Paths.invoices, "label": v.f("owed_all", String(owed.items.count))]
        }
        return m
    }
}

/// A sentence cut into pieces so that the numbers and dates in it never wrap inside themselves on a phone
/// ("PF-2026-" / "000017"): `{{#detail}}{{text}}{{#keep}}…{{/keep}}{{/detail}}`.
func unbroken(_ sentence: String, _ tokens: [String]) -> [[String: Any]] {
    var out: [[String: Any]] = []
    var rest = Substring(sentence)
    while let (token, range) = tokens.compactMap({ t in rest.range(of: t).map { (t, $0) } })
        .min(by: { $0.1.lowerBound < $1.1.lowerBound })
    {
        if range.lowerBound > rest.startIndex { out.append(["text": String(rest[..<range.lowerBound])]) }
        out.append(["text": token, "keep": true])
        rest = rest[range.upperBound...]
    }
    if !rest.isEmpty { out.append(["text": String(rest)]) }
    return out
}

extension SupportContact {
    /// The footer's "Support: support@… · Help centre" and the link a "contact support" sentence ends with.
    static func model(_ contact: SupportContact, _ v: Views) -> [String: Any]? {
        var links: [[String: Any]] = []
        if let e = contact.email { links.append(["href": "mailto:\(e)", "label": e]) }
        if let u = contact.url { links.append(["href": u, "label": v.s("support_site")]) }
        guard !links.isEmpty else { return nil }
        return ["label": v.s("support"), "links": links, "first": links[0]]
    }
}
