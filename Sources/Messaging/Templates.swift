import Domain
import Features
import Foundation
import Mustache

/// The e-mail and SMS texts of every event in English, Romanian and Hindi, as Mustache templates.
///
/// An e-mail is one text template per event and language: it is the plain-text part as written, and the HTML
/// part is the same paragraphs inside the HTML layout, where Mustache escapes every value (client names and
/// domains come from clients). Templates are parsed once, at start-up.
public struct MustacheMessageTemplates: MessageTemplates {
    private let library: MustacheLibrary

    public init() throws {
        var library = MustacheLibrary()
        for (language, events) in Self.emails {
            let texts =
                events.map { ($0.key.rawValue, $0.value) }
                + (Self.accountEmails[language] ?? [:]).map { ($0.key.rawValue, $0.value) }
            for (kind, text) in texts {
                library.register(
                    try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}" + text.subject),
                    named: "\(language.rawValue)/\(kind)/subject")
                library.register(
                    try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}" + text.body),
                    named: "\(language.rawValue)/\(kind)/body")
            }
            for (kind, text) in Self.sms[language] ?? [:] {
                library.register(
                    try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT }}" + text),
                    named: "\(language.rawValue)/\(kind.rawValue)/sms")
            }
        }
        library.register(try MustacheTemplate(string: Self.htmlLayout), named: "layout.html")
        self.library = library
    }

    public struct MissingTemplate: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "no message template \(name)" }
    }

    public func email(_ kind: NotificationEvent, _ context: MessageContext) throws -> (
        subject: String, text: String, html: String
    ) {
        try email(named: kind.rawValue, context)
    }

    public func email(_ kind: AccountEmail, _ context: MessageContext) throws -> (
        subject: String, text: String, html: String
    ) {
        try email(named: kind.rawValue, context)
    }

    private func email(named kind: String, _ context: MessageContext) throws -> (
        subject: String, text: String, html: String
    ) {
        let values = Self.values(context)
        let prefix = "\(context.language.rawValue)/\(kind)"
        guard let subject = library.render(values, withTemplate: "\(prefix)/subject"),
            let body = library.render(values, withTemplate: "\(prefix)/body")
        else {
            throw MissingTemplate(name: prefix)
        }
        var text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        var linked = false
        let paragraphs = text.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.map { paragraph in
                // The first mention of the invoice number becomes the log-in link; the text stays escaped by Mustache.
                guard let link = context.invoiceLink, !linked, let r = paragraph.range(of: link.number) else {
                    return ["segments": [["text": paragraph]]] as [String: Any]
                }
                linked = true
                return [
                    "segments": [
                        ["text": String(paragraph[..<r.lowerBound])],
                        ["text": link.number, "href": link.url, "link": true],
                        ["text": String(paragraph[r.upperBound...])],
                    ]
                ]
            }
        if let link = context.invoiceLink, let r = text.range(of: link.number) {
            text.replaceSubrange(r, with: "\(link.number) <\(link.url)>")
        }
        let html =
            library.render(
                [
                    "lang": context.language.rawValue, "subject": subject, "paragraphs": paragraphs,
                    "clientArea": context.clientAreaURL,
                    "footer": Self.footer[context.language] ?? "",
                ] as [String: Any], withTemplate: "layout.html") ?? ""
        return (
            subject.trimmingCharacters(in: .whitespacesAndNewlines),
            text + "\n\n-- \n" + (Self.footer[context.language] ?? "") + "\n" + context.clientAreaURL + "\n", html
        )
    }

    public func sms(_ kind: OutboxEvent.Kind, _ context: MessageContext) throws -> String {
        guard
            let text = library.render(
                Self.values(context), withTemplate: "\(context.language.rawValue)/\(kind.rawValue)/sms")
        else {
            throw MissingTemplate(name: "\(context.language.rawValue)/\(kind.rawValue)/sms")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func values(_ c: MessageContext) -> [String: Any] {
        var v: [String: Any] = c.payload
        // The outbox keeps amounts and days in neutral form ("36.30 RON", "2026-11-09"); the reader's language
        // writes them here, with the formatter the pages and the PDF use.
        let format = LocalFormat(c.language)
        for key in moneyKeys {
            if let text = c.payload[key], let m = Money(neutral: text) { v[key] = format.money(m) }
        }
        for key in dateKeys {
            if let text = c.payload[key], let d = CivilDate(text) { v[key] = format.date(d) }
        }
        v["name"] = c.clientName
        v["clientArea"] = c.clientAreaURL
        let reason = c.payload["reason"] ?? ""
        v["nonPayment"] = reason == HoldReason.nonPayment.rawValue
        v["abuse"] = reason == HoldReason.abuse.rawValue
        v["otherReason"] = reason == HoldReason.other.rawValue
        v["renewal"] = c.payload["origin"] == ProformaOrigin.renewal.rawValue && c.payload["reopened"] == nil
        v["hasSettled"] = !(c.payload["settled"] ?? "").isEmpty
        v["hasReversed"] = !(c.payload["reversed"] ?? "").isEmpty
        v["hasRemoved"] = !(c.payload["removed"] ?? "").isEmpty
        let ending = c.payload["ending"] ?? "unpaid"
        v["endUnpaid"] = ending == "unpaid"
        v["endCancelled"] = ending == "cancelled"
        v["endStaff"] = ending == "staff"
        return v
    }

    static let moneyKeys = ["total", "creditApplied", "leftToPay"]
    static let dateKeys = ["dueDate", "endsOn"]

    static let htmlLayout = """
        <!DOCTYPE html>
        <html lang="{{lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{subject}}</title></head>
        <body style="font-family:Arial,'Noto Sans Devanagari',sans-serif;font-size:15px;line-height:1.5;color:#1a1a1a;max-width:600px;margin:0 auto;padding:16px">
        {{#paragraphs}}<p>{{#segments}}{{#link}}<a href="{{href}}" style="color:#0b5cad;font-weight:bold">{{text}}</a>{{/link}}{{^link}}{{text}}{{/link}}{{/segments}}</p>
        {{/paragraphs}}<hr style="border:none;border-top:1px solid #ddd">
        <p style="font-size:13px;color:#555">{{footer}}<br><a href="{{clientArea}}">{{clientArea}}</a></p>
        </body></html>
        """

    static let footer: [Language: String] = [
        .en: "Hostico — web hosting. This is an automatic message from our billing system.",
        .ro: "Hostico — găzduire web. Acesta este un mesaj automat al sistemului de facturare.",
        .hi: "Hostico — वेब होस्टिंग। यह हमारी बिलिंग प्रणाली का स्वचालित संदेश है।",
    ]

    typealias Email = (subject: String, body: String)

    static let emails: [Language: [OutboxEvent.Kind: Email]] = [
        .en: [
            .proformaIssued: (
                "Proforma invoice {{number}}{{#renewal}} for your renewal{{/renewal}}",
                """
                Hello {{name}},

                {{#renewal}}Your hosting services renew soon. {{/renewal}}We have issued proforma invoice {{number}} for {{total}}, due on {{dueDate}}.{{#creditApplied}} We paid {{creditApplied}} of it from your credit balance; {{leftToPay}} is left to pay.{{/creditApplied}}

                You can view, pay and download it in the client area. When paying by bank transfer, write {{number}} as the payment reference.
                """
            ),
            .overdueReminder: (
                "Reminder: proforma invoice {{number}} is overdue",
                """
                Hello {{name}},

                Proforma invoice {{number}} for {{total}} is {{daysOverdue}} days past its due date. Please pay it to keep your services running.

                If you have already paid, thank you, and please ignore this message.
                """
            ),
            .paymentConfirmed: (
                "Payment received: invoice {{number}}",
                """
                Hello {{name}},

                Thank you, we have received the payment for proforma invoice {{proformaNumber}}. Your tax invoice is {{number}}, for {{total}}.

                You can download it in the client area.
                """
            ),
            .serviceSuspended: (
                "Your hosting service {{domain}} is suspended",
                """
                Hello {{name}},

                We have suspended the hosting service for {{domain}}.

                {{#nonPayment}}Reason: proforma invoice {{proformaNumber}} has not been paid. Pay it and the service comes back automatically.{{/nonPayment}}{{#abuse}}Reason: a breach of our acceptable use policy (abuse). Please contact our support team.{{/abuse}}{{#otherReason}}Please contact our support team to learn more.{{/otherReason}}
                """
            ),
            .serviceReactivated: (
                "Your hosting service {{domain}} is active again",
                """
                Hello {{name}},

                The hosting service for {{domain}} is active again. Thank you.
                """
            ),
            .serviceTerminated: (
                "Your hosting service {{domain}} {{#endCancelled}}has ended{{/endCancelled}}{{^endCancelled}}has been terminated{{/endCancelled}}",
                """
                Hello {{name}},

                {{#endUnpaid}}The hosting service for {{domain}} has been terminated after a long suspension. Contact us if you want to order it again.{{/endUnpaid}}{{#endCancelled}}The hosting service for {{domain}} has ended, as you asked when you cancelled it. You can order a new one at any time in the client area.{{/endCancelled}}{{#endStaff}}The hosting service for {{domain}} has been terminated by our staff. Reply to this e-mail or call us if you have questions.{{/endStaff}}

                {{#hasSettled}}Its unpaid periods are no longer due: we removed them from {{settled}}. Money already paid for them is kept as credit in your account.{{/hasSettled}}

                {{#hasReversed}}Periods you had paid in advance will not be delivered: we reversed {{reversed}} with a storno invoice, and what you paid for them is credit in your account.{{/hasReversed}}
                """
            ),
            .serviceCancellationRequested: (
                "{{domain}} will end on {{endsOn}}",
                """
                Hello {{name}},

                You cancelled the hosting service for {{domain}}. It keeps working until {{endsOn}}, the last day you paid for, and will not be renewed after it.

                {{#hasRemoved}}Its renewal is no longer due: we removed it from {{removed}}.{{/hasRemoved}}

                Changed your mind? Until {{endsOn}} you can withdraw the cancellation on the Services page of the client area: {{clientArea}}
                """
            ),
            .paymentExtended: (
                "More time to pay proforma invoice {{number}}",
                """
                Hello {{name}},

                As agreed, proforma invoice {{number}} for {{total}} can now be paid until {{dueDate}}. We will not suspend your services for it before then.

                You can view and pay it in the client area.
                """
            ),
        ],
        .ro: [
            .proformaIssued: (
                "Factura proformă {{number}}{{#renewal}} pentru reînnoire{{/renewal}}",
                """
                Bună ziua, {{name}},

                {{#renewal}}Serviciile dumneavoastră de găzduire se reînnoiesc în curând. {{/renewal}}Am emis factura proformă {{number}} în valoare de {{total}}, cu scadența {{dueDate}}.{{#creditApplied}} Am achitat {{creditApplied}} din soldul dumneavoastră în avans; rămân de plată {{leftToPay}}.{{/creditApplied}}

                O puteți vedea, plăti și descărca din zona de client. La plata prin transfer bancar, treceți {{number}} ca referință.
                """
            ),
            .overdueReminder: (
                "Reamintire: factura proformă {{number}} este restantă",
                """
                Bună ziua, {{name}},

                Factura proformă {{number}} în valoare de {{total}} a depășit scadența cu {{daysOverdue}} zile. Vă rugăm să o achitați pentru ca serviciile să funcționeze în continuare.

                Dacă ați plătit deja, vă mulțumim și vă rugăm să ignorați acest mesaj.
                """
            ),
            .paymentConfirmed: (
                "Plată primită: factura {{number}}",
                """
                Bună ziua, {{name}},

                Vă mulțumim, am primit plata pentru factura proformă {{proformaNumber}}. Factura fiscală este {{number}}, în valoare de {{total}}.

                O puteți descărca din zona de client.
                """
            ),
            .serviceSuspended: (
                "Serviciul de găzduire {{domain}} a fost suspendat",
                """
                Bună ziua, {{name}},

                Am suspendat serviciul de găzduire pentru {{domain}}.

                {{#nonPayment}}Motiv: factura proformă {{proformaNumber}} nu a fost achitată. După plată, serviciul se reactivează automat.{{/nonPayment}}{{#abuse}}Motiv: încălcarea politicii de utilizare (abuz). Vă rugăm să contactați echipa de suport.{{/abuse}}{{#otherReason}}Vă rugăm să contactați echipa de suport pentru detalii.{{/otherReason}}
                """
            ),
            .serviceReactivated: (
                "Serviciul de găzduire {{domain}} este din nou activ",
                """
                Bună ziua, {{name}},

                Serviciul de găzduire pentru {{domain}} este din nou activ. Vă mulțumim.
                """
            ),
            .serviceTerminated: (
                "Serviciul de găzduire {{domain}} {{#endCancelled}}s-a încheiat{{/endCancelled}}{{^endCancelled}}a fost încheiat{{/endCancelled}}",
                """
                Bună ziua, {{name}},

                {{#endUnpaid}}Serviciul de găzduire pentru {{domain}} a fost încheiat după o suspendare îndelungată. Contactați-ne dacă doriți să îl comandați din nou.{{/endUnpaid}}{{#endCancelled}}Serviciul de găzduire pentru {{domain}} s-a încheiat, așa cum ați cerut când l-ați anulat. Puteți comanda oricând unul nou din contul de client.{{/endCancelled}}{{#endStaff}}Serviciul de găzduire pentru {{domain}} a fost încheiat de echipa noastră. Pentru întrebări, răspundeți la acest e-mail sau sunați-ne.{{/endStaff}}

                {{#hasSettled}}Perioadele sale neplătite nu mai sunt datorate: le-am scos din {{settled}}. Sumele deja plătite pentru ele rămân în contul dumneavoastră, ca sold în avans.{{/hasSettled}}

                {{#hasReversed}}Perioadele plătite în avans nu vor mai fi furnizate: am stornat {{reversed}}, iar suma plătită pentru ele rămâne în contul dumneavoastră, ca sold în avans.{{/hasReversed}}
                """
            ),
            .serviceCancellationRequested: (
                "{{domain}} se încheie pe {{endsOn}}",
                """
                Bună ziua, {{name}},

                Ați anulat serviciul de găzduire pentru {{domain}}. Acesta funcționează până pe {{endsOn}}, ultima zi plătită, și nu va mai fi reînnoit.

                {{#hasRemoved}}Reînnoirea sa nu mai este datorată: am scos-o din {{removed}}.{{/hasRemoved}}

                V-ați răzgândit? Până pe {{endsOn}} puteți retrage anularea din pagina Servicii a contului de client: {{clientArea}}
                """
            ),
            .paymentExtended: (
                "Termen de plată prelungit pentru factura proformă {{number}}",
                """
                Bună ziua, {{name}},

                Așa cum am convenit, factura proformă {{number}} în valoare de {{total}} poate fi achitată până la {{dueDate}}. Până atunci serviciile nu vor fi suspendate pentru această factură.

                O puteți vedea și plăti din zona de client.
                """
            ),
        ],
        .hi: [
            .proformaIssued: (
                "प्रोफ़ॉर्मा चालान {{number}}{{#renewal}} (नवीनीकरण){{/renewal}}",
                """
                नमस्ते {{name}},

                {{#renewal}}आपकी होस्टिंग सेवाओं का नवीनीकरण जल्द होगा। {{/renewal}}हमने {{total}} का प्रोफ़ॉर्मा चालान {{number}} जारी किया है, जिसकी देय तिथि {{dueDate}} है।{{#creditApplied}} इसमें से {{creditApplied}} आपके क्रेडिट बैलेंस से चुकाया गया है; {{leftToPay}} का भुगतान शेष है।{{/creditApplied}}

                आप इसे क्लाइंट क्षेत्र में देख, भुगतान और डाउनलोड कर सकते हैं। बैंक ट्रांसफ़र से भुगतान करते समय संदर्भ में {{number}} लिखें।
                """
            ),
            .overdueReminder: (
                "अनुस्मारक: प्रोफ़ॉर्मा चालान {{number}} बकाया है",
                """
                नमस्ते {{name}},

                {{total}} का प्रोफ़ॉर्मा चालान {{number}} अपनी देय तिथि से {{daysOverdue}} दिन आगे है। अपनी सेवाएँ चालू रखने के लिए कृपया भुगतान करें।

                यदि आप भुगतान कर चुके हैं, तो धन्यवाद, और कृपया इस संदेश को अनदेखा करें।
                """
            ),
            .paymentConfirmed: (
                "भुगतान प्राप्त हुआ: चालान {{number}}",
                """
                नमस्ते {{name}},

                धन्यवाद, हमें प्रोफ़ॉर्मा चालान {{proformaNumber}} का भुगतान मिल गया है। आपका कर चालान {{number}} है, राशि {{total}}।

                आप इसे क्लाइंट क्षेत्र से डाउनलोड कर सकते हैं।
                """
            ),
            .serviceSuspended: (
                "आपकी होस्टिंग सेवा {{domain}} निलंबित है",
                """
                नमस्ते {{name}},

                हमने {{domain}} की होस्टिंग सेवा निलंबित कर दी है।

                {{#nonPayment}}कारण: प्रोफ़ॉर्मा चालान {{proformaNumber}} का भुगतान नहीं हुआ है। भुगतान करते ही सेवा अपने आप फिर से शुरू हो जाएगी।{{/nonPayment}}{{#abuse}}कारण: हमारी उपयोग नीति का उल्लंघन (दुरुपयोग)। कृपया हमारी सहायता टीम से संपर्क करें।{{/abuse}}{{#otherReason}}अधिक जानकारी के लिए कृपया हमारी सहायता टीम से संपर्क करें।{{/otherReason}}
                """
            ),
            .serviceReactivated: (
                "आपकी होस्टिंग सेवा {{domain}} फिर से सक्रिय है",
                """
                नमस्ते {{name}},

                {{domain}} की होस्टिंग सेवा फिर से सक्रिय है। धन्यवाद।
                """
            ),
            .serviceTerminated: (
                "आपकी होस्टिंग सेवा {{domain}} समाप्त कर दी गई है",
                """
                नमस्ते {{name}},

                {{#endUnpaid}}लंबे निलंबन के बाद {{domain}} की होस्टिंग सेवा समाप्त कर दी गई है। यदि आप इसे फिर से ऑर्डर करना चाहते हैं तो हमसे संपर्क करें।{{/endUnpaid}}{{#endCancelled}}{{domain}} की होस्टिंग सेवा आपके रद्द करने के अनुरोध के अनुसार समाप्त हो गई है। आप क्लाइंट क्षेत्र में कभी भी नई सेवा ऑर्डर कर सकते हैं।{{/endCancelled}}{{#endStaff}}{{domain}} की होस्टिंग सेवा हमारे कर्मचारियों द्वारा समाप्त कर दी गई है। प्रश्नों के लिए इस ई-मेल का उत्तर दें या हमें कॉल करें।{{/endStaff}}

                {{#hasSettled}}इसकी बिना भुगतान वाली अवधियाँ अब देय नहीं हैं: हमने उन्हें {{settled}} से हटा दिया है। उनके लिए पहले से चुकाई गई राशि आपके खाते में क्रेडिट के रूप में रहती है।{{/hasSettled}}

                {{#hasReversed}}पहले से भुगतान की गई अवधियाँ अब प्रदान नहीं की जाएँगी: हमने {{reversed}} को स्टोर्नो चालान से उलट दिया है, और उनके लिए चुकाई गई राशि आपके खाते में क्रेडिट के रूप में है।{{/hasReversed}}
                """
            ),
            .serviceCancellationRequested: (
                "{{domain}} {{endsOn}} को समाप्त होगी",
                """
                नमस्ते {{name}},

                आपने {{domain}} की होस्टिंग सेवा रद्द कर दी है। यह {{endsOn}} तक, यानी भुगतान किए गए अंतिम दिन तक, काम करती रहेगी और उसके बाद नवीनीकृत नहीं होगी।

                {{#hasRemoved}}इसका नवीनीकरण अब देय नहीं है: हमने इसे {{removed}} से हटा दिया है।{{/hasRemoved}}

                मन बदल गया? {{endsOn}} तक आप क्लाइंट क्षेत्र के सेवाएँ पृष्ठ पर रद्दीकरण वापस ले सकते हैं: {{clientArea}}
                """
            ),
            .paymentExtended: (
                "प्रोफ़ॉर्मा चालान {{number}} के भुगतान के लिए अधिक समय",
                """
                नमस्ते {{name}},

                जैसा तय हुआ, {{total}} का प्रोफ़ॉर्मा चालान {{number}} अब {{dueDate}} तक चुकाया जा सकता है। तब तक इस चालान के लिए आपकी सेवाएँ निलंबित नहीं की जाएँगी।

                आप इसे क्लाइंट क्षेत्र में देख और चुका सकते हैं।
                """
            ),
        ],
    ]

    /// The account e-mails (sent at once by `TemplatedAccountMailer`, never through the outbox).
    static let accountEmails: [Language: [AccountEmail: Email]] = [
        .en: [
            .emailChanged: (
                "The login e-mail of your Hostico account was changed",
                """
                Hello,

                The login e-mail of your Hostico client account ({{previousEmail}}) was changed to {{newEmail}}. Invoices and notices now go to the new address, and the links in earlier e-mails no longer log anyone in.

                If you made this change, there is nothing more to do. If you did not, contact Hostico support at once: someone may have your password.
                """
            ),
            .emailConfirmation: (
                "Confirm your new Hostico login e-mail",
                """
                Hello,

                Someone (we hope you) asked to make {{newEmail}} the login e-mail of a Hostico client account. Open this link within 24 hours to confirm it:

                {{link}}

                Until you do, nothing changes. If it was not you, ignore this message.
                """
            ),
            .passwordReset: (
                "Reset your Hostico password",
                """
                Hello,

                Someone (we hope you) asked to set a new password for the Hostico client area. Open this link within one hour to choose one:

                {{link}}

                If it was not you, ignore this message: your password stays as it is.
                """
            ),
        ],
        .ro: [
            .emailChanged: (
                "Adresa de e-mail de autentificare a contului Hostico a fost schimbată",
                """
                Bună ziua,

                Adresa de e-mail de autentificare a contului dumneavoastră de client Hostico ({{previousEmail}}) a fost schimbată în {{newEmail}}. Facturile și notificările merg acum la noua adresă, iar linkurile din e-mailurile anterioare nu mai autentifică pe nimeni.

                Dacă dumneavoastră ați făcut schimbarea, nu mai este nimic de făcut. Dacă nu, contactați imediat asistența Hostico: cineva ar putea avea parola dumneavoastră.
                """
            ),
            .emailConfirmation: (
                "Confirmați noua adresă de e-mail de autentificare Hostico",
                """
                Bună ziua,

                Cineva (sperăm că dumneavoastră) a cerut ca {{newEmail}} să devină adresa de e-mail de autentificare a unui cont de client Hostico. Deschideți acest link în decurs de 24 de ore pentru a confirma:

                {{link}}

                Până atunci nu se schimbă nimic. Dacă nu ați fost dumneavoastră, ignorați mesajul.
                """
            ),
            .passwordReset: (
                "Resetarea parolei Hostico",
                """
                Bună ziua,

                Cineva (sperăm că dumneavoastră) a cerut o parolă nouă pentru zona de client Hostico. Deschideți acest link în decurs de o oră pentru a o alege:

                {{link}}

                Dacă nu ați fost dumneavoastră, ignorați mesajul: parola rămâne neschimbată.
                """
            ),
        ],
        .hi: [
            .emailChanged: (
                "आपके Hostico खाते का लॉगिन ई-मेल बदल दिया गया",
                """
                नमस्ते,

                आपके Hostico क्लाइंट खाते का लॉगिन ई-मेल ({{previousEmail}}) बदलकर {{newEmail}} कर दिया गया है। चालान और सूचनाएँ अब नए पते पर जाएँगी, और पहले के ई-मेल के लिंक अब किसी को लॉग इन नहीं करते।

                यदि यह बदलाव आपने किया है, तो और कुछ नहीं करना है। यदि नहीं, तो तुरंत Hostico सहायता से संपर्क करें: हो सकता है किसी के पास आपका पासवर्ड हो।
                """
            ),
            .emailConfirmation: (
                "अपने नए Hostico लॉगिन ई-मेल की पुष्टि करें",
                """
                नमस्ते,

                किसी ने (आशा है आपने) {{newEmail}} को एक Hostico क्लाइंट खाते का लॉगिन ई-मेल बनाने को कहा है। पुष्टि करने के लिए 24 घंटे के भीतर यह लिंक खोलें:

                {{link}}

                जब तक आप ऐसा नहीं करते, कुछ नहीं बदलेगा। यदि यह आप नहीं थे, तो इस संदेश को अनदेखा करें।
                """
            ),
            .passwordReset: (
                "अपना Hostico पासवर्ड रीसेट करें",
                """
                नमस्ते,

                किसी ने (आशा है आपने) Hostico क्लाइंट क्षेत्र के लिए नया पासवर्ड माँगा है। नया पासवर्ड चुनने के लिए एक घंटे के भीतर यह लिंक खोलें:

                {{link}}

                यदि यह आप नहीं थे, तो इस संदेश को अनदेखा करें: आपका पासवर्ड वैसा ही रहेगा।
                """
            ),
        ],
    ]

    /// SMS exist only for the events that may send one; they say that replies are not read.
    static let sms: [Language: [OutboxEvent.Kind: String]] = [
        .en: [
            .proformaIssued:
                "Hostico: renewal proforma {{number}}, {{total}}, due {{dueDate}}. Pay in the client area. Do not reply.",
            .serviceSuspended:
                "Hostico: hosting for {{domain}} is suspended.{{#nonPayment}} Pay proforma {{proformaNumber}} to restore it.{{/nonPayment}}{{#abuse}} Please contact support.{{/abuse}}{{#otherReason}} Please contact support.{{/otherReason}} Do not reply.",
        ],
        .ro: [
            .proformaIssued:
                "Hostico: proforma de reînnoire {{number}}, {{total}}, scadentă la {{dueDate}}. Plătiți din zona de client. Nu răspundeți la acest mesaj.",
            .serviceSuspended:
                "Hostico: găzduirea pentru {{domain}} a fost suspendată.{{#nonPayment}} Achitați proforma {{proformaNumber}} pentru reactivare.{{/nonPayment}}{{#abuse}} Contactați suportul.{{/abuse}}{{#otherReason}} Contactați suportul.{{/otherReason}} Nu răspundeți la acest mesaj.",
        ],
        .hi: [
            .proformaIssued: "Hostico: नवीनीकरण प्रोफ़ॉर्मा {{number}}, {{total}}, देय {{dueDate}}। क्लाइंट क्षेत्र में भुगतान करें। उत्तर न दें।",
            .serviceSuspended:
                "Hostico: {{domain}} की होस्टिंग निलंबित है।{{#nonPayment}} पुनः चालू करने के लिए प्रोफ़ॉर्मा {{proformaNumber}} का भुगतान करें।{{/nonPayment}}{{#abuse}} सहायता से संपर्क करें।{{/abuse}}{{#otherReason}} सहायता से संपर्क करें।{{/otherReason}} उत्तर न दें।",
        ],
    ]
}

/// Sends the account e-mails straight away through the e-mail transport, in the client's language.
public struct TemplatedAccountMailer: AccountMailer {
    let templates: any MessageTemplates
    let transport: any EmailTransport
    let settings: NotificationSettings
    let clock: any TimeSource
    let random: any RandomSource

    public init(
        templates: any MessageTemplates, transport: any EmailTransport, settings: NotificationSettings,
        clock: any TimeSource, random: any RandomSource
    ) {
        self.templates = templates
        self.transport = transport
        self.settings = settings
        self.clock = clock
        self.random = random
    }

    public func sendReset(to client: Client, link: String) async throws {
        try await send(.passwordReset, to: client.email, client: client, payload: ["link": link], idPrefix: "reset")
    }

    public func sendEmailConfirmation(to newEmail: EmailAddress, client: Client, link: String) async throws {
        try await send(
            .emailConfirmation, to: newEmail, client: client, payload: ["link": link, "newEmail": newEmail.value],
            idPrefix: "email-confirm")
    }

    public func sendEmailChanged(to previous: EmailAddress, client: Client) async throws {
        try await send(
            .emailChanged, to: previous, client: client,
            payload: ["newEmail": client.email.value, "previousEmail": previous.value], idPrefix: "email-changed")
    }

    private func send(
        _ kind: AccountEmail, to address: EmailAddress, client: Client, payload: [String: String], idPrefix: String
    ) async throws {
        let (subject, text, html) = try templates.email(
            kind,
            MessageContext(
                language: client.language, clientName: client.email.value, payload: payload,
                clientAreaURL: settings.links.home))
        _ = try await transport.send(
            OutgoingEmail(
                messageID: "<hostico-\(idPrefix)-\(random.hex(12))@\(settings.fromAddress.domain)>",
                from: settings.fromAddress, fromName: settings.fromName, replyTo: settings.replyTo,
                to: address, subject: subject, text: text, html: html, date: clock.now(), language: client.language))
    }
}
