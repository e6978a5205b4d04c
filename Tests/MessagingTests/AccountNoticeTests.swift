import Domain
import Features
import Messaging
import Testing

/// The notice of a login e-mail change, sent to the previous address, in each language.
@Suite("Account notices")
struct AccountNoticeTests {
    @Test(arguments: [
        (Language.en, "The login e-mail of your Hostico account was changed", "contact Hostico support at once"),
        (Language.ro, "Adresa de e-mail de autentificare a contului Hostico a fost schimbată", "contactați imediat asistența Hostico"),
        (Language.hi, "आपके Hostico खाते का लॉगिन ई-मेल बदल दिया गया", "तुरंत Hostico सहायता से संपर्क करें"),
    ])
    func theNoticeNamesBothAddressesAndWhatToDoIfItWasNotTheClient(_ language: Language, _ subject: String, _ advice: String) throws {
        let context = MessageContext(language: language, clientName: "new@example.ro", payload: ["previousEmail": "old@example.ro", "newEmail": "new<b>@example.ro"],
                                     clientAreaURL: "https://billing.example.test")
        let (s, text, html) = try MustacheMessageTemplates().email(.emailChanged, context)
        #expect(s == subject)
        #expect(text.contains("old@example.ro") && text.contains("new<b>@example.ro") && text.contains(advice))
        #expect(html.contains("new&lt;b&gt;@example.ro") && !html.contains("new<b>"))
    }
}
