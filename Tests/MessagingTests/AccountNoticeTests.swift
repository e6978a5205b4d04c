import Domain
import Features
import Messaging
import Testing

/// The account e-mails of a login e-mail change, in each language: the confirmation link to the new address and the
/// notice to the previous one.
@Suite("Account notices")
struct AccountNoticeTests {
    /// A missing text would only show when that e-mail is due: each one renders, in each language, with a subject
    /// and a body that is not the English one (for Romanian and Hindi).
    @Test(arguments: Language.allCases)
    func everyEmailHasItsTextInEveryLanguage(_ language: Language) throws {
        let templates = try MustacheMessageTemplates()
        func context(_ l: Language) -> MessageContext {
            MessageContext(
                language: l, clientName: "Ana", payload: ["number": "PF-2026-000001", "domain": "ana.ro"],
                clientAreaURL: "https://billing.example.test")
        }
        var rendered: [(String, String, String)] = []
        for kind in NotificationEvent.allCases {
            let mail = try templates.email(kind, context(language))
            rendered.append((kind.rawValue, mail.subject, try templates.email(kind, context(.en)).subject))
        }
        for kind in AccountEmail.allCases {
            let mail = try templates.email(kind, context(language))
            rendered.append((kind.rawValue, mail.subject, try templates.email(kind, context(.en)).subject))
        }
        #expect(rendered.count == NotificationEvent.allCases.count + AccountEmail.allCases.count)
        for (kind, subject, english) in rendered {
            #expect(!subject.isEmpty, "\(kind)")
            if language != .en { #expect(subject != english, "\(kind) in \(language) is the English text") }
        }
    }

    @Test(arguments: [
        (Language.en, "The login e-mail of your Hostico account was changed", "contact Hostico support at once"),
        (
            Language.ro, "Adresa de e-mail de autentificare a contului Hostico a fost schimbată",
            "contactați imediat asistența Hostico"
        ),
        (Language.hi, "आपके Hostico खाते का लॉगिन ई-मेल बदल दिया गया", "तुरंत Hostico सहायता से संपर्क करें"),
    ])
    func theNoticeNamesBothAddressesAndWhatToDoIfItWasNotTheClient(
        _ language: Language, _ subject: String, _ advice: String
    ) throws {
        let context = MessageContext(
            language: language, clientName: "new@example.ro",
            payload: ["previousEmail": "old@example.ro", "newEmail": "new<b>@example.ro"],
            clientAreaURL: "https://billing.example.test")
        let (s, text, html) = try MustacheMessageTemplates().email(.emailChanged, context)
        #expect(s == subject)
        #expect(text.contains("old@example.ro") && text.contains("new<b>@example.ro") && text.contains(advice))
        #expect(html.contains("new&lt;b&gt;@example.ro") && !html.contains("new<b>"))
    }

    @Test(arguments: [
        (Language.en, "Confirm your new Hostico login e-mail", "within 24 hours"),
        (Language.ro, "Confirmați noua adresă de e-mail de autentificare Hostico", "în decurs de 24 de ore"),
        (Language.hi, "अपने नए Hostico लॉगिन ई-मेल की पुष्टि करें", "24 घंटे के भीतर"),
    ])
    func theConfirmationCarriesTheLinkAndTheNewAddress(_ language: Language, _ subject: String, _ deadline: String)
        throws
    {
        let link = "https://billing.example.test/confirm-email?token=abc&x=1"
        let context = MessageContext(
            language: language, clientName: "old@example.ro", payload: ["newEmail": "new<b>@example.ro", "link": link],
            clientAreaURL: "https://billing.example.test")
        let (s, text, html) = try MustacheMessageTemplates().email(.emailConfirmation, context)
        #expect(s == subject)
        #expect(text.contains(link) && text.contains("new<b>@example.ro") && text.contains(deadline))
        #expect(
            html.contains("confirm-email?token=abc&amp;x=1") && html.contains("new&lt;b&gt;@example.ro")
                && !html.contains("new<b>"))
    }
}

/// The billing e-mails of a payment extension and of a termination that settled unpaid proformas, in each language.
@Suite("Extension and termination e-mails")
struct ExtensionAndTerminationEmailTests {
    /// The day and the amount are written as the client's language writes them (the outbox keeps them neutral).
    @Test(arguments: [
        (
            Language.en, "More time to pay proforma invoice PF-2026-000007",
            "can now be paid until 1 Mar 2026", "1,210.00 RON"
        ),
        (
            Language.ro, "Termen de plată prelungit pentru factura proformă PF-2026-000007",
            "poate fi achitată până la 01.03.2026", "1.210,00 RON"
        ),
        (
            Language.hi, "प्रोफ़ॉर्मा चालान PF-2026-000007 के भुगतान के लिए अधिक समय", "अब 01/03/2026 तक चुकाया जा सकता है",
            "1,210.00 RON"
        ),
    ])
    func theExtensionNamesTheNewDayAndLinksTheProforma(
        _ language: Language, _ subject: String, _ sentence: String, _ amount: String
    ) throws {
        let context = MessageContext(
            language: language, clientName: "Ana",
            payload: ["proformaID": "7", "number": "PF-2026-000007", "dueDate": "2026-03-01", "total": "1210.00 RON"],
            clientAreaURL: "https://billing.example.test",
            invoiceLink: MessageContext.InvoiceLink(
                number: "PF-2026-000007", url: "https://billing.example.test/mail/abc"))
        let (s, text, html) = try MustacheMessageTemplates().email(.paymentExtended, context)
        #expect(s == subject)
        #expect(text.contains(sentence) && text.contains(amount))
        #expect(html.contains(#"<a href="https://billing.example.test/mail/abc""#))
        #expect(NotificationRules.channels(for: .paymentExtended, payload: context.payload) == [.email])
    }

    @Test(arguments: [
        (Language.en, "we removed them from PF-2026-000009, PF-2026-000012"),
        (Language.ro, "le-am scos din PF-2026-000009, PF-2026-000012"),
        (Language.hi, "हमने उन्हें PF-2026-000009, PF-2026-000012 से हटा दिया है"),
    ])
    func theTerminationNamesTheProformasItSettled(_ language: Language, _ sentence: String) throws {
        let settled = MessageContext(
            language: language, clientName: "Ana",
            payload: ["serviceID": "3", "domain": "ana.ro", "settled": "PF-2026-000009, PF-2026-000012"],
            clientAreaURL: "https://billing.example.test")
        #expect(try MustacheMessageTemplates().email(.serviceTerminated, settled).text.contains(sentence))
        let none = MessageContext(
            language: language, clientName: "Ana", payload: ["serviceID": "3", "domain": "ana.ro", "settled": ""],
            clientAreaURL: "https://billing.example.test")
        #expect(!(try MustacheMessageTemplates().email(.serviceTerminated, none).text.contains("PF-")))
    }
}
