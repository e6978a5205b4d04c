import Domain
import Features
import Foundation
import Hummingbird

/// The audit log page: filters by client, action, who and days, fifty entries a page.
extension StaffRoutes {
    func auditPage(_ req: Request, _ visit: Visit) async throws -> Response {
        let q = req.uri.queryParameters
        let value = { (name: String) in q.get(name).map { $0.trimmingCharacters(in: .whitespaces) } ?? "" }
        var errors: [String: String] = [:]
        var filter = AuditFilter()
        if !value("client").isEmpty {
            if let id = Int64(value("client").trimmingCharacters(in: CharacterSet(charactersIn: "#"))) {
                filter.clientID = id
            } else {
                errors["client"] = "Give the client's number, e.g. 7."
            }
        }
        if !value("action").isEmpty { filter.action = value("action") }
        if !value("actor").isEmpty { filter.actor = value("actor") }
        for (name, keyPath, addDay) in [("from", \AuditFilter.from, 0), ("to", \AuditFilter.before, 1)]
        where !value(name).isEmpty {
            if let day = CivilDate(value(name)) {
                filter[keyPath: keyPath] = deps.instant(on: day.adding(days: addDay))
            } else {
                errors[name] = "Use a date such as 2026-12-01."
            }
        }
        let page = max(0, Int(value("page")) ?? 0)
        let log = try await BackOfficeQueries(deps).auditLog(filter, page: page)
        let staff = log.staffNames.sorted { $0.key < $1.key }
        func link(_ p: Int) -> String {
            var items = ["client", "action", "actor", "from", "to"].compactMap { name in
                value(name).isEmpty
                    ? nil
                    : "\(name)=\(value(name).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
            }
            if p > 0 { items.append("page=\(p)") }
            return Paths.Staff.audit + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
        }
        var actor = areas.field("actor", "Who")
        actor["hasOptions"] = true
        actor["options"] =
            [["value": "", "label": "Anyone", "selected": filter.actor == nil] as [String: Any]]
            + staff.map {
                let v = Actor.staff($0.key).description
                return ["value": v, "label": "\($0.value) (staff #\($0.key))", "selected": filter.actor == v]
            }
            + [
                ["value": Actor.system.description, "label": "The system", "selected": filter.actor == "system"]
            ]
        var action = areas.field("action", "Action", value: value("action"), hint: "An action, or its start: proforma.")
        action["list"] = ["id": "audit-actions", "options": Self.auditActions.map { ["value": $0, "label": $0] }]
        let model: [String: Any] = [
            "fields": [
                areas.field(
                    "client", "Client number", value: value("client"), errors: errors, inputmode: "numeric"),
                action, actor,
                areas.field("from", "From", type: "date", value: value("from"), errors: errors),
                areas.field("to", "To", type: "date", value: value("to"), errors: errors),
            ],
            "audit": log.entries.map { auditRow($0, log.staffNames) }, "empty": log.entries.isEmpty,
            "newer": page > 0 ? link(page - 1) : "", "older": log.hasMore ? link(page + 1) : "",
            "pageNumber": page + 1,
        ]
        return areas.formPage("staff-audit", title: "Audit log", model, visit, errors: errors)
    }

    /// The starts of the actions staff filter by most (the datalist's suggestions).
    static let auditActions = [
        "proforma.", "fiscal_invoice.", "payment.", "service.", "client.", "credit.", "mail_link.", "mail_links.",
        "billing.", "staff.", "api_key.", "plan.",
    ]
}

/// An audit entry's before and after, read as "field: old → new" lines (nested values flattened to dotted
/// names, Swift's enum wrappers dropped) instead of raw JSON.
enum AuditChange {
    static func lines(before: String?, after: String?) -> [String] {
        let old = flatten(before)
        let new = flatten(after)
        var out: [String] = []
        for key in (Array(old.keys) + new.keys.filter { old[$0] == nil }).sorted() {
            switch (old[key], new[key]) {
            case (let a?, let b?) where a != b: out.append("\(key): \(a) → \(b)")
            case (let a?, _?): out.append("\(key): \(a)")
            case (let a?, nil): out.append("\(key): \(a) → (none)")
            case (nil, let b?): out.append("\(key): \(b)")
            default: break
            }
        }
        return out
    }

    static func flatten(_ json: String?) -> [String: String] {
        guard let json, let data = json.data(using: .utf8),
            let value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return json.map { ["value": $0] } ?? [:] }
        var out: [String: String] = [:]
        func walk(_ v: Any, _ path: [String]) {
            if let d = v as? [String: Any] {
                for (k, x) in d { walk(x, k == "_0" ? path : path + [k]) }
            } else if let a = v as? [Any] {
                out[path.joined(separator: ".")] = a.map { "\($0)" }.joined(separator: ", ")
            } else if v is NSNull {
                out[path.joined(separator: ".")] = "—"
            } else {
                out[path.isEmpty ? "value" : path.joined(separator: ".")] = "\(v)"
            }
        }
        walk(value, [])
        return out
    }
}
