import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// My Details: phone, language, time zone, SMS consent and the billing profiles.
extension ClientRoutes {
    func detailsPage(_ client: Client, _ visit: Visit, form: Form? = nil, errors: [String: String] = [:]) async throws
        -> Response
    {
        let v = visit.views
        let profiles = try await ClientQueries(deps).billingProfiles(clientID: client.id)
        let language = form.flatMap { Language(rawValue: $0["language"]) } ?? client.language
        var model: [String: Any] = [
            "email": client.email.value,
            "fields": [
                areas.field(
                    "phone", v.s("phone"), type: "tel", value: form?["phone"] ?? client.phone?.e164 ?? "",
                    hint: v.s("phone_hint"), autocomplete: "tel", errors: errors),
                areas.languageField(language, v, errors: errors),
                areas.timeZoneField(form?["timeZone"] ?? client.timeZone?.identifier ?? "", v, errors: errors),
                areas.checkbox(
                    "smsOptIn", v.s("sms_optin"), checked: form?.checked("smsOptIn") ?? client.sms.optedIn,
                    hint: v.f("sms_hint", areas.settings.smsHours.0, areas.settings.smsHours.1), errors: errors),
            ],
            "profiles": profiles.map {
                ["id": $0.id, "label": v.partyLabel($0.party), "isDefault": $0.isDefault] as [String: Any]
            },
        ]
        if visit.session?.fromMail == true {
            model["confirmFirst"] = WebAreas.path(Paths.confirmPassword, next: Paths.details)
        }
        if let at = client.sms.changedAt, let source = client.sms.source {
            model["consent"] = v.f("sms_since", Formatting.timestamp(at, deps), v.s("consent_\(source.rawValue)"))
        }
        return areas.formPage("details", title: v.s("details_title"), model, visit, errors: errors)
    }

    func profilePage(
        _ visit: Visit, heading: String, action: String, values: [String: String], errors: [String: String] = [:],
        makeDefault: Bool?
    ) -> Response {
        let v = visit.views
        var model: [String: Any] = ["heading": heading, "action": action]
        model.merge(v.partyForm(values, errors: errors)) { a, _ in a }
        if let makeDefault {
            model["makeDefault"] = areas.checkbox("makeDefault", v.s("make_default"), checked: makeDefault)
        }
        return areas.formPage("profile", title: heading, model, visit, errors: errors)
    }

    func registerDetails<Parent: WebRequestContext>(on r: RouterGroup<LoggedInContext<Parent>>) {
        r.get("details") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            return try await detailsPage(client, visit)
        }
        r.post("details") { req, ctx in
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            do {
                let updated = try await UpdateClientDetails(deps)(
                    clientID: client.id,
                    .init(
                        phone: form.optional("phone"), language: form["language"], smsOptIn: form.checked("smsOptIn"),
                        timeZone: form.optional("timeZone")),
                    source: .myDetails, actor: .client(client.id), session: visit.session)
                return areas.redirect(
                    Paths.details, visit,
                    cookies: [
                        areas.cookies.set(WebAreas.languageCookie, updated.language.rawValue, maxAge: 365 * 86400)
                    ], flash: "saved")
            } catch UseCaseError.invalid(let failure) {
                return try await detailsPage(client, visit, form: form, errors: visit.views.errors(failure))
            } catch is PasswordConfirmationRequired {
                throw Redirect(location: WebAreas.path(Paths.confirmPassword, next: Paths.details))
            }
        }
        r.get("details/profiles/new") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (_, visit) = try await clientVisit(req, ctx)
            return profilePage(
                visit, heading: visit.views.s("add_profile"), action: Paths.newProfile,
                values: ["kind": "person", "country": "RO"], makeDefault: false)
        }
        r.post("details/profiles/new") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let (draft, values) = Views.partyDraft(form)
            do {
                _ = try await AddBillingProfile(deps)(
                    clientID: client.id, draft: draft, makeDefault: form.checked("makeDefault"),
                    actor: .client(client.id))
                return areas.redirect(Paths.details, visit, flash: "saved")
            } catch UseCaseError.invalid(let failure) {
                return profilePage(
                    visit, heading: visit.views.s("add_profile"), action: Paths.newProfile, values: values,
                    errors: visit.views.errors(failure), makeDefault: form.checked("makeDefault"))
            }
        }
        r.get("details/profiles/:id") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (client, visit) = try await clientVisit(req, ctx)
            let id = try ctx.parameters.require("id", as: Int64.self)
            let p = try await ClientQueries(deps).billingProfile(id: id, ownedBy: client.id)
            return profilePage(
                visit, heading: visit.views.s("edit_profile"), action: Paths.profile(id),
                values: Views.partyValues(p.party), makeDefault: nil)
        }
        r.post("details/profiles/:id") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            let id = try ctx.parameters.require("id", as: Int64.self)
            let (draft, values) = Views.partyDraft(form)
            do {
                _ = try await UpdateBillingProfile(deps)(
                    clientID: client.id, profileID: id, draft: draft, actor: .client(client.id))
                return areas.redirect(Paths.details, visit, flash: "saved")
            } catch UseCaseError.invalid(let failure) {
                return profilePage(
                    visit, heading: visit.views.s("edit_profile"), action: Paths.profile(id), values: values,
                    errors: visit.views.errors(failure), makeDefault: nil)
            }
        }
        r.post("details/profiles/:id/default") { req, ctx in
            // Billing profiles belong to the account: a session from an e-mail link confirms the password first.
            _ = try login.requireAccountSession(req, ctx)
            let (client, visit) = try await clientVisit(req, ctx)
            let form = try await Form.parse(req)
            try areas.checkCSRF(form, visit)
            try await UpdateBillingProfile(deps).makeDefault(
                clientID: client.id, profileID: try ctx.parameters.require("id", as: Int64.self),
                actor: .client(client.id))
            return areas.redirect(Paths.details, visit, flash: "saved")
        }
    }
}
