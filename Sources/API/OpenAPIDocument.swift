import Domain
import Foundation

/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/openapi.json`.
enum OpenAPIDocument {
    static let json: String = {
        let data = try! JSONSerialization.data(
            withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }()

    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private nonisolated(unsafe) static let str: [String: Any] = ["type": "string"]
    private nonisolated(unsafe) static let optStr: [String: Any] = ["type": ["string", "null"]]
    private nonisolated(unsafe) static let int64: [String: Any] = ["type": "integer", "format": "int64"]
    private nonisolated(unsafe) static let amount: [String: Any] = [
        "type": "string", "pattern": "^-?[0-9]+\\.[0-9]{2}$",
    ]

    // Request bodies state what the use cases accept, where JSON Schema can say it (checksums and cross-field rules
    // such as "a Romanian legal entity needs a valid CUI" stay with the API's 422): generated and hand-written
    // clients then send data the API takes.
    /// Characters a line of text may not hold: C0/C1 controls (line breaks, tabs, BEL) and bidi overrides (the server
    /// refuses them with 422 `text.control`).
    private static let forbidden = "\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069"
    private static func text(max: Int) -> [String: Any] {
        [
            "type": "string", "minLength": 1, "maxLength": max,
            "pattern": "^[^\(forbidden)]*[^\\s\(forbidden)][^\(forbidden)]*$",
        ]
    }
    private static func optText(max: Int) -> [String: Any] {
        ["type": ["string", "null"], "maxLength": max, "pattern": "^[^\(forbidden)]*$"]
    }
    private static func optPattern(_ pattern: String) -> [String: Any] {
        ["type": ["string", "null"], "pattern": pattern]
    }
    /// Greater than zero, at most two decimals: "121", "121.5", "0.01".
    private nonisolated(unsafe) static let positiveAmount: [String: Any] = [
        "type": "string", "pattern": "^([1-9][0-9]{0,14}(\\.[0-9]{1,2})?|0\\.([1-9][0-9]?|0[1-9]))$",
    ]
    private nonisolated(unsafe) static let cycle: [String: Any] = [
        "type": "string", "enum": ["monthly", "quarterly", "semiannual", "annual", "biennial"],
    ]
    private nonisolated(unsafe) static let currency: [String: Any] = ["type": "string", "enum": ["RON", "EUR", "USD"]]

    /// `schema` with rules across its fields (JSON Schema `if`/`then`).
    private static func ruled(_ schema: [String: Any], _ rules: [[String: Any]]) -> [String: Any] {
        schema.merging(["allOf": rules]) { a, _ in a }
    }

    private static func object(_ props: [String: Any], required: [String]) -> [String: Any] {
        ["type": "object", "properties": props, "required": required]
    }

    private static func list(_ item: String) -> [String: Any] {
        object(["items": ["type": "array", "items": ref(item)]], required: ["items"])
    }

    private static func body(_ schema: [String: Any]) -> [String: Any] {
        ["required": true, "content": ["application/json": ["schema": schema]]]
    }

    private static func responses(_ code: String, _ schema: [String: Any], errors: [String]) -> [String: Any] {
        var r: [String: Any] = [code: ["description": "Success", "content": ["application/json": ["schema": schema]]]]
        r["401"] = [
            "description": "Missing or invalid API key", "content": ["application/json": ["schema": ref("Error")]],
        ]
        let text = [
            "400": "Malformed request", "404": "Not found", "409": "Not allowed in this state", "422": "Invalid fields",
        ]
        for e in errors { r[e] = ["description": text[e]!, "content": ["application/json": ["schema": ref("Error")]]] }
        return r
    }

    private nonisolated(unsafe) static let idParam: [String: Any] = [
        "name": "id", "in": "path", "required": true, "schema": int64,
    ]
    private nonisolated(unsafe) static let domainName: [String: Any] = [
        "type": "string", "minLength": 4, "maxLength": 253, "pattern": "^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",
    ]
    private nonisolated(unsafe) static let paging: [[String: Any]] = [
        [
            "name": "limit", "in": "query", "required": false,
            "schema": ["type": "integer", "minimum": 1, "maximum": 500],
        ],
        ["name": "offset", "in": "query", "required": false, "schema": ["type": "integer", "minimum": 0]],
    ]

    private static func download(_ summary: String, _ type: String) -> [String: Any] {
        [
            "summary": summary, "parameters": [idParam],
            "responses": [
                "200": [
                    "description": "The document, named by its number (Content-Disposition)",
                    "content": [type: ["schema": ["type": "string", "format": "binary"]]],
                ],
                "401": [
                    "description": "Missing or invalid API key",
                    "content": ["application/json": ["schema": ref("Error")]],
                ],
                "400": ["description": "Malformed request", "content": ["application/json": ["schema": ref("Error")]]],
                "404": ["description": "Not found", "content": ["application/json": ["schema": ref("Error")]]],
            ] as [String: Any],
        ]
    }

    private static func noContent(_ summary: String) -> [String: Any] {
        [
            "summary": summary, "parameters": [idParam],
            "responses": [
                "204": ["description": "Done"],
                "401": [
                    "description": "Missing or invalid API key",
                    "content": ["application/json": ["schema": ref("Error")]],
                ],
                "400": ["description": "Malformed request", "content": ["application/json": ["schema": ref("Error")]]],
                "409": [
                    "description": "Not allowed in this state",
                    "content": ["application/json": ["schema": ref("Error")]],
                ],
            ] as [String: Any],
        ]
    }

    private static func op(
        _ summary: String, params: [[String: Any]] = [], body b: [String: Any]? = nil, ok: String = "200",
        schema: [String: Any], errors: [String],
        alsoOK: (code: String, description: String)? = nil
    ) -> [String: Any] {
        var r = responses(ok, schema, errors: errors)
        if let alsoOK {
            r[alsoOK.code] = ["description": alsoOK.description, "content": ["application/json": ["schema": schema]]]
        }
        var o: [String: Any] = ["summary": summary, "parameters": params, "responses": r]
        if let b { o["requestBody"] = body(b) }
        return o
    }

    nonisolated(unsafe) static let schemas: [String: Any] = [
        "Error": object(
            [
                "error": object(
                    [
                        "code": str, "message": str,
                        "fields": [
                            "type": "array",
                            "items": object(
                                ["field": str, "rule": str, "message": str], required: ["field", "rule", "message"]),
                        ],
                    ], required: ["code", "message"])
            ], required: ["error"]),
        "BillingParty": object(
            [
                "kind": ["type": "string", "enum": ["person", "legal_entity"]], "name": str, "street": str, "city": str,
                "county": optStr,
                "postalCode": optStr, "country": str, "cnp": optStr, "cui": optStr, "tradeRegisterNumber": optStr,
                "vatNumber": optStr,
            ], required: ["kind", "name", "street", "city", "country"]),
        "BillingPartyInput": ruled(
            object(
                [
                    "kind": ["type": "string", "enum": ["person", "legal_entity"]], "name": text(max: 200),
                    "street": text(max: 150), "city": text(max: 50),
                    "county": optText(max: 50), "postalCode": optText(max: 20),
                    "country": ["type": "string", "pattern": "^[A-Za-z]{2}$"],
                    "cnp": optPattern("^[0-9]{13}$"), "cui": optPattern("^(RO|ro)?[0-9]{2,10}$"),
                    "tradeRegisterNumber": optText(max: 50),
                    "vatNumber": optPattern("^[A-Za-z]{2}[0-9A-Za-z+*]{2,12}$"),
                ], required: ["kind", "name", "street", "city", "country"]),
            [
                // A Romanian address names its county (ISO 3166-2:RO, B for Bucharest).
                [
                    "if": ["properties": ["country": ["enum": ["RO", "ro", "Ro", "rO"]]], "required": ["country"]],
                    "then": [
                        "required": ["county"],
                        "properties": ["county": ["type": "string", "enum": Countries.romanianCounties.sorted()]],
                    ],
                ],
                // A private person has no company identifiers; a legal entity has no CNP.
                [
                    "if": ["properties": ["kind": ["const": "person"]], "required": ["kind"]],
                    "then": [
                        "properties": [
                            "cui": ["type": "null"], "tradeRegisterNumber": ["type": "null"],
                            "vatNumber": ["type": "null"],
                        ]
                    ],
                    "else": ["properties": ["cnp": ["type": "null"]]],
                ],
            ]),
        "Profile": object(
            ["id": int64, "isDefault": ["type": "boolean"], "party": ref("BillingParty")],
            required: ["id", "isDefault", "party"]),
        "Client": object(
            [
                "id": int64, "email": str, "phone": optStr, "language": str, "smsOptIn": ["type": "boolean"],
                "smsConsentAt": optStr,
                "smsConsentSource": optStr, "timeZone": optStr, "profiles": ["type": "array", "items": ref("Profile")],
            ], required: ["id", "email", "language", "smsOptIn", "profiles"]),
        "EFactura": object(
            [
                "fiscalInvoiceId": int64, "number": str, "issueDate": ["type": "string", "format": "date"],
                "deadline": ["type": "string", "format": "date"],
                "state": [
                    "type": "string", "enum": ["to_upload", "uploaded", "accepted", "rejected", "not_required"],
                ], "overdue": ["type": "boolean"], "uploadIndex": str, "errors": str,
                "attempts": ["type": "integer"], "lastError": str, "anafFile": ["type": "boolean"],
            ],
            required: [
                "fiscalInvoiceId", "number", "issueDate", "deadline", "state", "overdue", "attempts", "anafFile",
            ]),
        "ServerState": object(
            [
                "serviceId": int64, "provisioner": str,
                "state": ["type": "string", "enum": ["manual", "in_sync", "pending", "failed"]],
                "jobs": [
                    "type": "array",
                    "items": object(
                        [
                            "id": int64,
                            "action": ["type": "string", "enum": ["create", "suspend", "unsuspend", "terminate"]],
                            "reason": str,
                            "status": ["type": "string", "enum": ["queued", "running", "done", "failed"]],
                            "attempts": ["type": "integer"], "lastError": str,
                            "createdAt": ["type": "string", "format": "date-time"],
                            "updatedAt": ["type": "string", "format": "date-time"],
                        ], required: ["id", "action", "status", "attempts", "createdAt", "updatedAt"]),
                ],
            ], required: ["serviceId", "state", "jobs"]),
        "Message": object(
            [
                "id": int64, "clientId": int64, "channel": ["type": "string", "enum": ["email", "sms"]], "event": str,
                "status": ["type": "string", "enum": ["queued", "sending", "sent", "failed", "skipped"]],
                "attempts": ["type": "integer"],
                "recipient": str, "subject": str, "encoding": ["type": "string", "enum": ["gsm7", "ucs2"]],
                "parts": ["type": "integer"],
                "providerIds": ["type": "array", "items": str], "lastError": str, "deliveryReport": str,
                "createdAt": ["type": "string", "format": "date-time"],
                "sentAt": ["type": "string", "format": "date-time"],
                "nextAttemptAt": ["type": "string", "format": "date-time"],
            ],
            required: [
                "id", "clientId", "channel", "event", "status", "attempts", "providerIds", "createdAt", "nextAttemptAt",
            ]),
        "ClientSummary": object(["id": int64, "email": str, "name": optStr], required: ["id", "email"]),
        "Plan": object(
            [
                "id": int64, "code": str, "name": str, "currency": str,
                "prices": ["type": "object", "additionalProperties": amount], "provisioner": str,
                "retired": ["type": "boolean", "description": "no longer sold; its services keep renewing"],
                "description": ["type": "string", "description": "what the plan includes, as the catalogue shows it"],
            ], required: ["id", "code", "name", "currency", "prices", "retired", "description"]),
        "Hold": object(
            [
                "id": int64, "reason": str, "placedBy": str, "placedAt": str, "note": optStr,
                "proformaId": ["type": ["integer", "null"]],
            ], required: ["id", "reason", "placedBy", "placedAt"]),
        "Service": object(
            [
                "id": int64, "clientId": int64, "planId": int64, "domain": str, "cycle": str,
                "price": object(["amount": amount, "currency": str], required: ["amount", "currency"]),
                "state": ["type": "string", "enum": ["pending", "active", "suspended", "terminated"]],
                "nextDueDate": str,
                "holds": ["type": "array", "items": ref("Hold")],
                "endsOn": [
                    "type": ["string", "null"], "format": "date",
                    "description": "cancelled at the end of its paid period: its last day (it ends the day after)",
                ],
                "scheduledPlanId": [
                    "type": ["integer", "null"], "description": "a cheaper plan that takes over with the next renewal",
                ],
            ], required: ["id", "clientId", "planId", "domain", "cycle", "price", "state", "nextDueDate", "holds"]),
        "Credit": object(
            [
                "clientId": int64,
                "balances": [
                    "type": "array",
                    "items": object(["amount": amount, "currency": str], required: ["amount", "currency"]),
                ],
                "entries": [
                    "type": "array",
                    "items": object(
                        [
                            "id": int64,
                            "amount": object(["amount": str, "currency": str], required: ["amount", "currency"]),
                            "paymentId": ["type": ["integer", "null"]], "note": str,
                            "at": ["type": "string", "format": "date-time"],
                        ], required: ["id", "amount", "note", "at"]),
                ],
            ], required: ["clientId", "balances", "entries"]),
        "Line": object(
            [
                "description": str, "serviceId": ["type": ["integer", "null"]], "periodStart": optStr,
                "periodEnd": optStr, "quantity": int64, "unitPrice": amount, "net": amount,
            ], required: ["description", "quantity", "unitPrice", "net"]),
        "Vat": object(
            ["category": str, "rate": amount, "taxable": amount, "vat": amount],
            required: ["category", "rate", "taxable", "vat"]),
        "Proforma": object(
            [
                "id": int64, "number": str, "clientId": int64,
                "origin": ["type": "string", "enum": ["order", "renewal"]],
                "state": ["type": "string", "enum": ["unpaid", "paid", "cancelled"]], "currency": str, "issueDate": str,
                "dueDate": str,
                "extendedDueDate": [
                    "type": ["string", "null"], "format": "date",
                    "description":
                        "A payment extension granted by staff: reminders, suspension and termination count from this day.",
                ],
                "version": ["type": "integer"], "buyer": ref("BillingParty"), "vatMention": optStr,
                "lines": ["type": "array", "items": ref("Line")],
                "vat": ["type": "array", "items": ref("Vat")], "net": amount, "vatTotal": amount, "total": amount,
                "paid": amount, "open": amount,
            ],
            required: [
                "id", "number", "clientId", "origin", "state", "currency", "issueDate", "dueDate", "version", "buyer",
                "lines", "vat", "net", "vatTotal", "total", "paid", "open",
            ]),
        "FiscalInvoice": object(
            [
                "id": int64, "number": str, "series": str, "sequence": int64,
                "kind": ["type": "string", "enum": ["invoice", "storno"]],
                "clientId": int64, "proformaNumber": optStr, "correctsNumber": optStr, "issueDate": str,
                "currency": str, "buyer": ref("BillingParty"),
                "vatMention": optStr, "lines": ["type": "array", "items": ref("Line")],
                "vat": ["type": "array", "items": ref("Vat")],
                "net": amount, "vatTotal": amount, "total": amount, "vatRON": amount, "exchangeRate": optStr,
                "exchangeRateDate": optStr,
            ],
            required: [
                "id", "number", "series", "sequence", "kind", "clientId", "issueDate", "currency", "buyer", "lines",
                "vat", "net", "vatTotal", "total", "vatRON",
            ]),
        "StornoOutcome": object(
            [
                "storno": ref("FiscalInvoice"),
                "then": ["type": "string", "enum": ["reissue", "reopen", "end"]],
                "reissued": [
                    "oneOf": [ref("FiscalInvoice"), ["type": "null"]],
                    "description": "reissue: the sale invoiced again to the corrected billing data",
                ],
                "reopened": [
                    "oneOf": [ref("Proforma"), ["type": "null"]],
                    "description": "reopen: the new unpaid proforma for the same periods",
                ],
                "endedServiceIds": ["type": "array", "items": int64, "description": "end: the services terminated"],
            ], required: ["storno", "then", "endedServiceIds"]),
        "Payment": object(
            [
                "id": int64, "proformaId": int64, "clientId": int64, "amount": amount, "currency": currency,
                "method": ["type": "string", "enum": ["bank_transfer", "card", "demo", "credit"]], "reference": optStr,
                "receivedOn": ["type": "string", "format": "date"], "recordedBy": str,
                "reversedAt": [
                    "type": "string", "format": "date-time",
                    "description": "Present when a storno that reopened the proforma took the payment back",
                ],
            ], required: ["id", "proformaId", "clientId", "amount", "currency", "method", "receivedOn", "recordedBy"]),
        "PaymentOutcome": object(
            [
                "paymentId": ["type": ["integer", "null"]], "alreadyRecorded": ["type": "boolean"],
                "proforma": ref("Proforma"),
                "fiscalInvoice": ["oneOf": [ref("FiscalInvoice"), ["type": "null"]]], "credit": amount,
            ], required: ["alreadyRecorded", "proforma", "credit"]),
        "BillingRun": object(
            [
                "asOf": str, "servicesConsidered": ["type": "integer"], "proformasIssued": ["type": "integer"],
                "periodsInvoiced": ["type": "integer"], "skippedAlreadyIssued": ["type": "integer"],
                "failures": [
                    "type": "array",
                    "items": object(["clientID": int64, "reason": str], required: ["clientID", "reason"]),
                ],
            ],
            required: [
                "asOf", "servicesConsidered", "proformasIssued", "periodsInvoiced", "skippedAlreadyIssued", "failures",
            ]),
    ]

    nonisolated(unsafe) static let document: [String: Any] = [
        "openapi": "3.1.0",
        "info": [
            "title": "Hostico Billing API", "version": "1.0.0",
            "description":
                "Staff and integration API. Authenticate with `Authorization: Bearer hk_…` (create a key with `hostico api-key create` or on the staff page API keys). A key holds scopes: read (every GET), billing (orders, billing runs, proformas, services, stornos, provisioning), payments (POST /proformas/{id}/payments), admin (clients, billing profiles, plans, exchange rates, and all of the others). A request the key's scopes do not allow answers 403 auth.scope; an unknown, revoked or expired key answers 401.",
        ],
        "servers": [["url": "/"]],
        "security": [["bearer": []]],
        "components": ["securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]], "schemas": schemas],
        "paths": [
            "/api/v1/clients": [
                "get": op(
                    "Search clients by e-mail, name, CNP, CUI, VAT number or proforma number",
                    params: [["name": "q", "in": "query", "required": false, "schema": str]] + paging,
                    schema: list("ClientSummary"), errors: ["400"]),
                "post": op(
                    "Register a client with a default billing profile",
                    body: object(
                        [
                            "email": ["type": "string", "format": "email", "maxLength": 254],
                            "password": ["type": "string", "minLength": 10, "maxLength": 72],
                            "phone": optPattern("^(\\+[1-9][0-9]{6,14}|0[0-9]{9})$"),
                            "language": ["type": "string", "enum": ["en", "ro", "hi"]],
                            "smsOptIn": ["type": "boolean"], "timeZone": optStr, "profile": ref("BillingPartyInput"),
                        ], required: ["email", "password", "profile"]), ok: "201", schema: ref("Client"),
                    errors: ["400", "422"]),
            ],
            "/api/v1/clients/{id}": [
                "get": op(
                    "A client with its billing profiles", params: [idParam], schema: ref("Client"),
                    errors: ["400", "404"])
            ],
            "/api/v1/clients/{id}/billing-profiles": [
                "get": op(
                    "A client's billing profiles", params: [idParam], schema: list("Profile"), errors: ["400", "404"]),
                "post": op(
                    "Add a billing profile", params: [idParam],
                    body: object(
                        ["party": ref("BillingPartyInput"), "makeDefault": ["type": "boolean"]], required: ["party"]),
                    ok: "201", schema: ref("Profile"), errors: ["400", "404", "422"]),
            ],
            "/api/v1/clients/{id}/messages": [
                "get": op(
                    "The e-mails and SMS sent to a client, newest first, with status, attempts, encoding, parts and delivery reports",
                    params: [idParam] + [paging[0]], schema: list("Message"), errors: ["400", "404"])
            ],
            "/api/v1/messages": [
                "get": op(
                    "All messages, newest first; e.g. status=failed for what staff must look at",
                    params: [
                        [
                            "name": "status", "in": "query", "required": false,
                            "schema": ["type": "string", "enum": ["queued", "sending", "sent", "failed", "skipped"]],
                        ], paging[0],
                    ], schema: list("Message"), errors: ["400", "422"])
            ],
            "/api/v1/clients/{id}/services": [
                "get": op(
                    "A client's hosting services", params: [idParam], schema: list("Service"), errors: ["400", "404"])
            ],
            "/api/v1/plans": [
                "get": op("The catalog", schema: list("Plan"), errors: []),
                "post": op(
                    "Add a hosting plan",
                    body: object(
                        [
                            "code": ["type": "string", "pattern": "^[A-Za-z0-9-]{1,40}$"], "name": text(max: 200),
                            "description": ["type": ["string", "null"], "maxLength": 1000],
                            "currency": currency,
                            "prices": [
                                "type": "object", "minProperties": 1, "propertyNames": cycle,
                                "additionalProperties": positiveAmount,
                            ],
                            "provisioner": optPattern("^[a-z0-9-]{1,40}$"),
                        ], required: ["code", "name", "currency", "prices"]), ok: "201", schema: ref("Plan"),
                    errors: ["400", "422"]),
            ],
            "/api/v1/orders": [
                "post": op(
                    "Order one plan (planId, cycle, domain) or several (items, at most 10, one currency): a pending service for each and one order proforma (e-mailed, never an SMS). A client with credit in the proforma's currency has it applied at once",
                    body: [
                        "oneOf": [
                            object(
                                [
                                    "clientId": int64, "planId": int64, "cycle": cycle, "domain": domainName,
                                    "billingProfileId": ["type": ["integer", "null"]],
                                ],
                                required: ["clientId", "planId", "cycle", "domain"]),
                            object(
                                [
                                    "clientId": int64,
                                    "items": [
                                        "type": "array", "minItems": 1, "maxItems": 10,
                                        "items": object(
                                            ["planId": int64, "cycle": cycle, "domain": domainName],
                                            required: ["planId", "cycle", "domain"]),
                                    ],
                                    "billingProfileId": ["type": ["integer", "null"]],
                                ],
                                required: ["clientId", "items"]),
                        ]
                    ], ok: "201",
                    schema: object(
                        [
                            "service": ref("Service"), "services": ["type": "array", "items": ref("Service")],
                            "proforma": ref("Proforma"),
                        ], required: ["service", "services", "proforma"]),
                    errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/services/{id}/cancel": [
                "post": op(
                    "Cancel at the end of the paid period: the service runs to its last paid day (endsOn) and ends the day after; no renewal is issued after this and its unpaid renewals come off their proformas (an emptied proforma is cancelled). A service whose paid time is over ends today. Repeating it changes nothing",
                    params: [idParam], schema: ref("Service"), errors: ["400", "404", "409"])
            ],
            "/api/v1/services/{id}/cancel/withdraw": [
                "post": op(
                    "Withdraw a cancellation before the service ended: it renews again",
                    params: [idParam], schema: ref("Service"), errors: ["400", "404", "409"])
            ],
            "/api/v1/services/{id}/change-plan": [
                "post": op(
                    "Move the service to another plan of its cycle and currency. Dearer: at once, with an order proforma for the difference over the rest of the paid period (by days, rounded half up; periods paid ahead cost the whole difference). Cheaper: from the next renewal (scheduledPlanId). The current plan again: a scheduled change is taken back. Refused while a proforma of the service is unpaid (409 plan-change.unpaid)",
                    params: [idParam], body: object(["planId": int64], required: ["planId"]),
                    schema: object(
                        [
                            "service": ref("Service"),
                            "effect": ["type": "string", "enum": ["now", "at_renewal", "unchanged"]],
                            "from": ["type": ["string", "null"], "format": "date"],
                            "proforma": ["oneOf": [ref("Proforma"), ["type": "null"]]],
                        ], required: ["service", "effect"]), errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/services/{id}/terminate": [
                "post": op(
                    "Terminate at once: deprovisioned, its unpaid lines removed, periods paid beyond today reversed by a storno into credit, the client e-mailed",
                    params: [idParam], body: object(["reason": text(max: 500)], required: ["reason"]),
                    schema: ref("Service"), errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/clients/{id}/credit": [
                "get": op(
                    "The client's credit: balances per currency and the ledger (append-only), newest first",
                    params: [idParam] + paging, schema: ref("Credit"), errors: ["400", "404"])
            ],
            "/api/v1/clients/{id}/credit/refunds": [
                "post": op(
                    "Record credit paid back to the client by bank transfer (at most the balance in that currency; 409 credit.insufficient otherwise); answers the credit",
                    params: [idParam],
                    body: object(
                        ["amount": positiveAmount, "currency": currency, "reference": text(max: 200)],
                        required: ["amount", "currency", "reference"]), ok: "201", schema: ref("Credit"),
                    errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/plans/{id}": [
                "put": op(
                    "Change a plan's name, prices (they replace the old ones; new orders only, services keep theirs) and provisioner; code and currency are fixed",
                    params: [idParam],
                    body: object(
                        [
                            "name": text(max: 200), "description": ["type": ["string", "null"], "maxLength": 1000],
                            "prices": [
                                "type": "object", "minProperties": 1, "propertyNames": cycle,
                                "additionalProperties": positiveAmount,
                            ],
                            "provisioner": optPattern("^[a-z0-9-]{1,40}$"),
                        ], required: ["name", "prices"]), schema: ref("Plan"), errors: ["400", "404", "422"])
            ],
            "/api/v1/plans/{id}/retire": [
                "post": op(
                    "Stop selling a plan (orders refuse it; its services keep renewing)", params: [idParam],
                    schema: ref("Plan"), errors: ["400", "404"])
            ],
            "/api/v1/plans/{id}/on-sale": [
                "post": op("Sell a retired plan again", params: [idParam], schema: ref("Plan"), errors: ["400", "404"])
            ],
            "/api/v1/services/{id}/provisioning": [
                "get": op(
                    "The service's hosting-server state (manual, in_sync, pending, failed) and its provisioning jobs",
                    params: [idParam], schema: ref("ServerState"), errors: ["400", "404"])
            ],
            "/api/v1/provisioning-jobs/{id}/retry": ["post": noContent("Run a failed provisioning job again")],
            "/api/v1/provisioning-jobs/{id}/done": [
                "post": noContent(
                    "Mark a failed provisioning job done (staff did it by hand); the service's next jobs go on")
            ],
            "/api/v1/services/{id}": [
                "get": op(
                    "A hosting service with its holds", params: [idParam], schema: ref("Service"),
                    errors: ["400", "404"])
            ],
            "/api/v1/services/{id}/suspensions": [
                "post": op(
                    "Suspend for abuse or another reason", params: [idParam],
                    body: ruled(
                        object(
                            ["reason": ["type": "string", "enum": ["abuse", "other"]], "note": optText(max: 1000)],
                            required: ["reason"]),
                        [
                            // "Other" says why.
                            [
                                "if": ["properties": ["reason": ["const": "other"]]],
                                "then": ["required": ["note"], "properties": ["note": text(max: 1000)]],
                            ]
                        ]), ok: "201", schema: ref("Service"), errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/services/{id}/unsuspend": [
                "post": op(
                    "Lift an abuse or other hold (one by holdId, those of a reason, or all of them). A non-payment hold is refused (409 hold.non-payment): it goes when its proforma is paid or cancelled, or with a payment extension",
                    params: [idParam],
                    body: object(
                        [
                            "holdId": ["type": ["integer", "null"]],
                            "reason": ["type": "string", "enum": ["abuse", "other"]],
                        ], required: []), schema: ref("Service"), errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/proformas": [
                "get": op(
                    "Proformas, newest first",
                    params: [
                        ["name": "clientId", "in": "query", "required": false, "schema": int64],
                        [
                            "name": "state", "in": "query", "required": false,
                            "schema": ["type": "string", "enum": ["unpaid", "paid", "cancelled"]],
                        ],
                    ] + paging, schema: list("Proforma"), errors: ["400"])
            ],
            "/api/v1/proformas/{id}": [
                "get": op("A proforma", params: [idParam], schema: ref("Proforma"), errors: ["400", "404"])
            ],
            "/api/v1/proformas/{id}/payments": [
                "post": op(
                    "Record a payment (bank transfer, card, demo). The reference is free text (two transfers may quote the same proforma number, and both count). To make retries safe, send an idempotency key (body idempotencyKey or the Idempotency-Key header): the same key for the same proforma and amount answers 200 with the first payment's id and writes nothing; the same key for another proforma or amount is a 409 naming the first payment",
                    params: [
                        idParam,
                        ["name": "Idempotency-Key", "in": "header", "required": false, "schema": text(max: 200)],
                    ],
                    body: object(
                        [
                            "amount": positiveAmount, "currency": currency,
                            "method": ["type": "string", "enum": ["bank_transfer", "card", "demo"]],
                            "reference": optText(max: 200),
                            "receivedOn": ["type": ["string", "null"], "format": "date"],
                            "idempotencyKey": ["type": ["string", "null"], "minLength": 1, "maxLength": 200],
                        ], required: ["amount", "currency", "method"]), ok: "201", schema: ref("PaymentOutcome"),
                    errors: ["400", "404", "409", "422"],
                    // A key recorded before (a retry): the first payment, nothing written.
                    alsoOK: ("200", "Already recorded under this idempotency key; paymentId names the first payment"))
            ],
            "/api/v1/proformas/{id}/cancel": [
                "post": op(
                    "Cancel an unpaid proforma: money already paid on it becomes the client's credit, the non-payment holds it placed are lifted, a pending service it ordered ends, and a live service's periods on it are billed again by the next daily run with a fresh due date. Only the latest billed periods of a service can be cancelled (409 proforma.later-period-billed names the service)",
                    params: [idParam], schema: ref("Proforma"), errors: ["400", "404", "409"])
            ],
            "/api/v1/proformas/{id}/extension": [
                "post": op(
                    "Give an unpaid proforma a later due date (a payment extension, at most BILLING_MAX_EXTENSION_DAYS from today, with a note): its non-payment holds are lifted at once, dunning counts from the new day, and the client gets an e-mail",
                    params: [idParam],
                    body: object(
                        ["until": ["type": "string", "format": "date"], "note": text(max: 1000)],
                        required: ["until", "note"]), schema: ref("Proforma"), errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/proformas/{id}/billing-data": [
                "put": op(
                    "Change an unpaid proforma's billing data; VAT is recomputed", params: [idParam],
                    body: object(
                        [
                            "billingProfileId": ["type": ["integer", "null"]],
                            "party": ["oneOf": [ref("BillingPartyInput"), ["type": "null"]]],
                            "saveAsProfile": ["type": "boolean"],
                        ], required: []), schema: ref("Proforma"), errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/payments": [
                "get": op(
                    "Payments, newest first: by client, proforma, method and the day the money arrived (from and to inclusive)",
                    params: [
                        ["name": "clientId", "in": "query", "required": false, "schema": int64],
                        ["name": "proformaId", "in": "query", "required": false, "schema": int64],
                        [
                            "name": "method", "in": "query", "required": false,
                            "schema": ["type": "string", "enum": ["bank_transfer", "card", "demo", "credit"]],
                        ],
                        [
                            "name": "from", "in": "query", "required": false,
                            "schema": ["type": "string", "format": "date"],
                        ],
                        [
                            "name": "to", "in": "query", "required": false,
                            "schema": ["type": "string", "format": "date"],
                        ],
                    ] + paging,
                    schema: list("Payment"), errors: ["400", "422"])
            ],
            "/api/v1/fiscal-invoices": [
                "get": op(
                    "Fiscal invoices, newest first",
                    params: [["name": "clientId", "in": "query", "required": false, "schema": int64]] + paging,
                    schema: list("FiscalInvoice"), errors: ["400"])
            ],
            "/api/v1/fiscal-invoices/{id}/pdf": [
                "get": download("The fiscal invoice (or storno) as a PDF", "application/pdf")
            ],
            "/api/v1/proformas/{id}/pdf": ["get": download("The proforma as a PDF", "application/pdf")],
            "/api/v1/fiscal-invoices/{id}/efactura.xml": [
                "get": [
                    "summary": "The invoice as e-Factura XML (UBL 2.1, CIUS-RO 1.0.1)", "parameters": [idParam],
                    "responses": [
                        "200": ["description": "UBL Invoice", "content": ["application/xml": ["schema": str]]],
                        "401": [
                            "description": "Missing or invalid API key",
                            "content": ["application/json": ["schema": ref("Error")]],
                        ],
                        "400": [
                            "description": "Malformed request",
                            "content": ["application/json": ["schema": ref("Error")]],
                        ],
                        "404": ["description": "Not found", "content": ["application/json": ["schema": ref("Error")]]],
                    ],
                ] as [String: Any]
            ],
            "/api/v1/fiscal-invoices/{id}/efactura-anaf.zip": [
                "get": download(
                    "ANAF's answer to the upload: the invoice with ANAF's signature (accepted) or ANAF's error file (rejected)",
                    "application/zip")
            ],
            "/api/v1/efactura": [
                "get": op(
                    "Fiscal invoices and their e-Factura state, with the upload deadline (5 working days)",
                    params: [
                        [
                            "name": "state", "in": "query", "required": false,
                            "schema": [
                                "type": "string",
                                "enum": ["to_upload", "uploaded", "accepted", "rejected", "not_required"],
                            ],
                        ], paging[0],
                    ], schema: list("EFactura"), errors: ["400", "422"])
            ],
            "/api/v1/fiscal-invoices/{id}": [
                "get": op("A fiscal invoice", params: [idParam], schema: ref("FiscalInvoice"), errors: ["400", "404"]),
                "delete": op(
                    "Always refused: fiscal invoices are immutable", params: [idParam], schema: ref("Error"),
                    errors: ["400", "404", "409"]),
            ],
            "/api/v1/fiscal-invoices/{id}/storno": [
                "post": op(
                    "Reverse a fiscal invoice with a storno invoice and say what that means for the sale (then): reissue (the same lines and amounts invoiced again to the client's corrected billing profile, billingProfileId or the default one; 409 storno.reissue-changes-totals when the new data changes the VAT), reopen (the payments are marked taken back and the periods billed again on a new unpaid proforma due after BILLING_MIN_PAYMENT_DAYS; 409 storno.service-ended for an ended service) or end (the services terminated today, what was paid becomes the client's credit). A missing or unknown then is a 422",
                    params: [idParam],
                    body: object(
                        [
                            "then": ["type": "string", "enum": ["reissue", "reopen", "end"]],
                            "billingProfileId": ["type": ["integer", "null"]],
                        ], required: ["then"]), ok: "201", schema: ref("StornoOutcome"),
                    errors: ["400", "404", "409", "422"])
            ],
            "/api/v1/billing-runs": [
                "get": op(
                    "Recent billing run reports", params: [paging[0]], schema: list("BillingRun"), errors: ["400"]),
                "post": op(
                    "Run billing as of a date (idempotent)",
                    body: object(["asOf": ["type": "string", "format": "date"]], required: ["asOf"]), ok: "201",
                    schema: ref("BillingRun"), errors: ["400", "409", "422"]),
            ],
            "/api/v1/exchange-rates": [
                "post": op(
                    "Store a BNR exchange rate",
                    body: object(
                        [
                            "currency": ["type": "string", "enum": ["EUR", "USD"]],
                            "rate": [
                                "type": "string", "pattern": "^([1-9][0-9]{0,9}(\\.[0-9]{1,4})?|0\\.[0-9]{0,3}[1-9])$",
                            ], "date": ["type": "string", "format": "date"],
                        ], required: ["currency", "rate", "date"]), ok: "201",
                    schema: object(
                        ["currency": str, "rate": str, "date": str], required: ["currency", "rate", "date"]),
                    errors: ["400", "422"])
            ],
        ],
    ]
}
