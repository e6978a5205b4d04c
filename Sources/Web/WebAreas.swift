import Domain
import Features
import Foundation
import HTTPTypes
import Hummingbird

/// The client area (`/`) and the staff area (`/staff`): server-rendered pages over the use cases. Handlers
/// parse the form, call one use case and render; refusals come back as the same form with field messages (422).
public struct WebAreas: Sendable {
    let deps: AppDependencies
    let identity: Identity
    let settings: WebSettings
    let renderer: Renderer
    let messages: any MessageStore
    let mailer: any AccountMailer
    /// Card payments, when a gateway is configured.
    let cards: CardPayments?
    /// e-Factura uploads, when ANAF is configured; the queue is read for the staff page either way.
    let efactura: SubmitEFactura?
    let efacturaQueue: (any EFacturaQueue)?

    public init(
        deps: AppDependencies, identity: Identity, settings: WebSettings, messages: any MessageStore,
        mailer: any AccountMailer, cards: CardPayments? = nil,
        efactura: SubmitEFactura? = nil, efacturaQueue: (any EFacturaQueue)? = nil
    ) throws {
        self.cards = cards
        self.efactura = efactura
        self.efacturaQueue = efacturaQueue
        self.deps = deps
        self.identity = identity
        self.settings = settings
        self.renderer = try Renderer.load()
        self.messages = messages
        self.mailer = mailer
    }

    static let clientCookie = "hostico_session"
    static let staffCookie = "hostico_staff"
    static let csrfCookie = "hostico_csrf"
    static let languageCookie = "hostico_lang"
    static let flashCookie = "hostico_flash"

    var cookies: CookieJar { CookieJar(secure: settings.secureCookies) }

    public func register<Context: WebRequestContext>(on router: Router<Context>) {
        router.add(middleware: PageNotFoundMiddleware<Context>(areas: self))
        router.get("/assets/site.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: renderer.css))
        }
        router.get("/assets/pay.js") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: renderer.payScript))
        }
        if let cards { PaymentWebhookRoute(cards: cards).register(on: router) }
        let web = router.group().add(middleware: WebMiddleware<Context>(areas: self))
        ClientRoutes(areas: self).register(on: web)
        StaffRoutes(areas: self).register(on: web.group("staff"))
    }
}

// MARK: - Page assembly shared by both areas

/// One request's view of the visitor: language, session, CSRF token and what to set on the way out.
struct Visit {
    let request: Request
    let session: WebSession?
    let realm: Realm
    var language: Language
    var csrf: String
    var setCookies: [String] = []
    var flash: String?
    /// A logged-in client's unpaid proformas, for the "what you owe" banner every client page carries.
    var owed: AmountOwed?

    var views: Views { Views(language) }
    var base: String { realm == .staff ? Paths.Staff.home : "" }
}

extension WebAreas {
    /// Language: `?lang=` (remembered in a cookie), the cookie, the client's own language, the browser's, English.
    func visit<Context: WebRequestContext>(_ request: Request, _ context: Context, client: Client? = nil) -> Visit {
        let realm: Realm = request.uri.path.hasPrefix(Paths.Staff.home) ? .staff : .client
        var cookiesOut: [String] = []
        var language: Language?
        if let raw = request.uri.queryParameters.get("lang"), let l = Language(rawValue: raw) {
            language = l
            cookiesOut.append(cookies.set(Self.languageCookie, l.rawValue, maxAge: 365 * 86400))
        } else if let raw = cookies.value(Self.languageCookie, in: request), let l = Language(rawValue: raw) {
            language = l
        }
        if language == nil, let client { language = client.language }
        if language == nil, let accept = request.headers[.acceptLanguage] {
            language =
                accept.split(separator: ",").lazy.compactMap { Language(rawValue: String($0.prefix(2)).lowercased()) }
                .first
        }
        var csrf = context.session?.csrfToken ?? cookies.value(Self.csrfCookie, in: request) ?? ""
        if csrf.count != 64 {
            csrf = deps.random.hex(32)
            cookiesOut.append(cookies.set(Self.csrfCookie, csrf))
        }
        var flash: String?
        if let key = cookies.value(Self.flashCookie, in: request) {
            flash = Views(language ?? .en).t[key]
            cookiesOut.append(cookies.clear(Self.flashCookie))
        }
        return Visit(
            request: request, session: context.session, realm: realm, language: language ?? .en, csrf: csrf,
            setCookies: cookiesOut, flash: flash)
    }

    /// Rejects a form whose CSRF token is not this visitor's (403, nothing changes).
    func checkCSRF(_ form: Form, _ visit: Visit) throws {
        if visit.csrf.isEmpty || !constantTimeEquals(form["_csrf"], visit.csrf) {
            throw PageError(status: .forbidden, message: visit.views.s("form_expired"))
        }
    }

    func page(
        _ template: String, title: String, _ model: [String: Any], _ visit: Visit, status: HTTPResponse.Status = .ok,
        formError: String? = nil
    ) -> Response {
        let v = visit.views
        var m = model
        m["lang"] = visit.language.rawValue
        m["title"] = title
        m["csrf"] = visit.csrf
        m["sellerName"] = deps.seller.name
        m["staff"] = visit.realm == .staff
        m["base"] = visit.base
        m["home"] = visit.realm == .staff ? Paths.Staff.home : "/"
        if let f = visit.flash { m["flash"] = f }
        if let owed = visit.owed, let banner = OwedBanner.model(owed, v) { m["owed"] = banner }
        m["support"] = SupportContact.model(settings.support, v)
        if let formError { m["formError"] = formError }
        // Switching language reloads this page: its other query items (a reset or confirmation token) stay.
        let kept = (visit.request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("lang=") }.map {
            $0 + "&"
        }.joined()
        m["languages"] = Strings.languageNames.map {
            [
                "code": $0.0.rawValue, "name": $0.1, "current": $0.0 == visit.language,
                "href": "?\(kept)lang=\($0.0.rawValue)",
            ] as [String: Any]
        }
        if let s = visit.session, s.stage == .full {
            let path = visit.request.uri.path
            let links: [(String, String)] =
                visit.realm == .staff
                ? [
                    (Paths.Staff.home, "Clients"), (Paths.Staff.plans, "Plans"), (Paths.Staff.efactura, "e-Factura"),
                    (Paths.Staff.audit, "Audit log"), (Paths.Staff.apiKeys, "API keys"),
                    ("/staff/security", "Security"),
                ]
                : [
                    (Paths.services, v.s("my_services")), (Paths.order, v.s("nav_order")),
                    (Paths.invoices, v.s("my_invoices")),
                    (Paths.details, v.s("my_details")), ("/security", v.s("security")),
                ]
            m["nav"] =
                [
                    "links": links.map {
                        [
                            "href": $0.0, "label": $0.1,
                            "current": path == $0.0 || (path.hasPrefix($0.0 + "/") && $0.0 != Paths.Staff.home),
                        ] as [String: Any]
                    },
                    "logout": visit.base + "/logout",
                ] as [String: Any]
        }
        var headers = HTTPFields()
        PageHeaders.apply(&headers)
        for c in visit.setCookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: renderer.html(template, m, language: visit.language))))
    }

    /// A form page: 422 with a banner over the marked fields when there are field errors, 200 otherwise.
    /// Every error is listed at the top as a link to its field, and the list takes the focus (the GOV.UK error
    /// summary): nobody hunts a long phone form for red text.
    func formPage(_ template: String, title: String, _ model: [String: Any], _ visit: Visit, errors: [String: String])
        -> Response
    {
        var m = model
        if !errors.isEmpty {
            let order = Self.fieldOrder
            m["errorSummary"] = errors.sorted {
                (order.firstIndex(of: $0.key) ?? order.count, $0.key) < (
                    order.firstIndex(of: $1.key) ?? order.count, $1.key
                )
            }.map { ["href": "#f-\($0.key)", "text": $0.value] }
            m["hasErrorSummary"] = true
        }
        return page(
            template, title: title, m, visit, status: errors.isEmpty ? .ok : .unprocessableContent,
            formError: errors.isEmpty ? nil : visit.views.s("fix_errors"))
    }

    /// The order fields appear in on the forms, so the error summary reads top to bottom.
    static let fieldOrder = [
        "email", "password", "currentPassword", "newPassword", "phone", "language", "timeZone", "source", "p_kind",
        "p_name",
        "p_street", "p_city", "p_county", "p_postalCode", "p_country", "p_cnp", "p_cui", "p_tradeRegisterNumber",
        "p_vatNumber", "smsOptIn", "code",
    ]

    /// A proforma by the route's `:id`; with `ownedBy`, another client's is "not found" (its existence is not told).
    func proforma<Context: WebRequestContext>(_ ctx: Context, ownedBy clientID: Int64? = nil) async throws
        -> ProformaInvoice
    {
        let id = try ctx.parameters.require("id", as: Int64.self)
        return try await InvoiceQueries(deps).proforma(id: id, visibleTo: clientID)
    }

    /// A fiscal invoice by the route's `:id`, with the same ownership rule.
    func fiscal<Context: WebRequestContext>(_ ctx: Context, ownedBy clientID: Int64? = nil) async throws
        -> FiscalInvoice
    {
        let id = try ctx.parameters.require("id", as: Int64.self)
        return try await InvoiceQueries(deps).fiscalInvoice(id: id, visibleTo: clientID)
    }

    func redirect(_ location: String, _ visit: Visit, cookies extra: [String] = [], flash: String? = nil) -> Response {
        var headers: HTTPFields = [.location: location, .cacheControl: "no-store"]
        for c in visit.setCookies + extra { headers.append(HTTPField(name: .setCookie, value: c)) }
        if let flash {
            headers.append(HTTPField(name: .setCookie, value: cookies.set(Self.flashCookie, flash, maxAge: 60)))
        }
        return Response(status: .seeOther, headers: headers)
    }

    func message(
        _ visit: Visit, status: HTTPResponse.Status, heading: String, text: String, link: (String, String)? = nil
    ) -> Response {
        var model: [String: Any] = ["heading": heading, "text": text]
        if let link { model["link"] = ["href": link.0, "label": link.1] }
        return page("message", title: heading, model, visit, status: status)
    }

    func pdf(_ bytes: [UInt8], name: String) -> Response {
        let safe = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/pdf", .contentDisposition: "attachment; filename=\"\(safe).pdf\"",
                .cacheControl: "no-store",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `path?next=destination`, the destination encoded whole (it has its own `/` and `?`).
    static func path(_ path: String, next: String) -> String {
        path + "?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
    }

    /// A path inside this site to return to after login; anything else (another host, `//x`) is dropped.
    /// A path on this site to go back to after logging in, or nil. Only an allow-listed shape passes: one leading
    /// "/", then printable ASCII path and query characters. Browsers drop tabs and newlines from a Location and read
    /// "\\" as "/", so "/<TAB>/evil.example" or "/\\evil.example" would leave the site.
    static func safeReturn(_ raw: String?) -> String? {
        guard let r = raw, r.count < 300, r.hasPrefix("/"), !r.hasPrefix("//"),
            r.unicodeScalars.allSatisfy(returnPathScalars.contains)
        else { return nil }
        return r
    }

    private static let returnPathScalars = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/?%".unicodeScalars)

    func field(
        _ name: String, _ label: String, type: String = "text", value: String = "", hint: String? = nil,
        autocomplete: String? = nil, errors: [String: String] = [:], inputmode: String? = nil
    ) -> [String: Any] {
        var f: [String: Any] = ["name": name, "label": label, "type": type, "value": value]
        if let hint { f["hint"] = hint }
        if let autocomplete { f["autocomplete"] = autocomplete }
        if let inputmode { f["inputmode"] = inputmode }
        if let e = errors[name] { f["error"] = e }
        return f
    }

    func checkbox(_ name: String, _ label: String, checked: Bool, hint: String? = nil, errors: [String: String] = [:])
        -> [String: Any]
    {
        var f = field(name, label, hint: hint, errors: errors)
        f["checkbox"] = true
        f["checked"] = checked
        return f
    }

    /// The time zone by its IANA name from the list every system knows; empty is Romania's time.
    func timeZoneField(_ selected: String, _ v: Views, errors: [String: String] = [:]) -> [String: Any] {
        var f = field("timeZone", v.s("time_zone"), hint: v.s("time_zone_hint"), errors: errors)
        f["hasOptions"] = true
        let known = Places.timeZones
        f["options"] =
            [["value": "", "label": v.s("time_zone_default"), "selected": selected.isEmpty] as [String: Any]]
            + (selected.isEmpty || known.contains(selected)
                ? [] : [["value": selected, "label": selected, "selected": true]])
            + known.map {
                ["value": $0, "label": $0.replacingOccurrences(of: "_", with: " "), "selected": $0 == selected]
            }
        return f
    }

    func languageField(_ selected: Language, _ v: Views, errors: [String: String] = [:]) -> [String: Any] {
        var f = field("language", v.s("language"), errors: errors)
        f["hasOptions"] = true
        f["options"] = Strings.languageNames.map {
            ["value": $0.0.rawValue, "label": $0.1, "selected": $0.0 == selected] as [String: Any]
        }
        return f
    }
}

/// An address no route answers gets the site's own "page not found" in the visitor's language (the JSON API keeps
/// its JSON errors).
struct PageNotFoundMiddleware<Context: WebRequestContext>: RouterMiddleware {
    let areas: WebAreas

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let e as HTTPError where e.status == .notFound && !request.uri.path.hasPrefix("/api") {
            let visit = areas.visit(request, context)
            return areas.message(
                visit, status: .notFound, heading: visit.views.s("not_found"), text: "",
                link: (visit.base.isEmpty ? "/" : visit.base, "Hostico"))
        }
    }
}

/// Loads the session of the area the path belongs to and turns refusals into pages.
struct WebMiddleware<Context: WebRequestContext>: RouterMiddleware {
    let areas: WebAreas

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var context = context
        let staff = request.uri.path.hasPrefix(Paths.Staff.home)
        if let token = areas.cookies.value(staff ? WebAreas.staffCookie : WebAreas.clientCookie, in: request),
            let session = try await areas.identity.session(token: token), session.realm == (staff ? .staff : .client)
        {
            context.session = session
        }
        do {
            return try await next(request, context)
        } catch let r as Redirect {
            let visit = areas.visit(request, context)
            return areas.redirect(r.location, visit, cookies: r.cookies)
        } catch let e as PageError {
            let visit = areas.visit(request, context)
            return areas.message(
                visit, status: e.status, heading: e.message, text: "",
                link: (visit.base.isEmpty ? "/" : visit.base, "Hostico"))
        } catch let e as UseCaseError {
            let visit = areas.visit(request, context)
            let v = visit.views
            switch e {
            case .notFound:
                return areas.message(
                    visit, status: .notFound, heading: v.s("not_found"), text: "",
                    link: (visit.base.isEmpty ? "/" : visit.base, "Hostico"))
            case .conflict(let rule, let message):
                return areas.message(
                    visit, status: .conflict, heading: v.s("conflict"),
                    text: Strings.message(rule: rule, english: message, in: visit.language))
            case .invalid(let failure):
                return areas.message(
                    visit, status: .unprocessableContent, heading: v.s("fix_errors"),
                    text: failure.errors.map { Strings.message(for: $0, in: visit.language) }.joined(separator: " "))
            }
        } catch let e as HTTPError where e.status == .notFound || e.status == .badRequest {
            // A path parameter that is not an id (`/invoices/fiscal/abc`) names no page either.
            let visit = areas.visit(request, context)
            return areas.message(
                visit, status: .notFound, heading: visit.views.s("not_found"), text: "",
                link: (visit.base.isEmpty ? "/" : visit.base, "Hostico"))
        } catch is PasswordHashingBusy {
            let visit = areas.visit(request, context)
            var response = areas.message(
                visit, status: .serviceUnavailable, heading: visit.views.s("busy"), text: visit.views.s("busy_text"))
            response.headers[.retryAfter] = "30"
            return response
        }
    }
}
