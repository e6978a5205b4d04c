import Domain

/// Every text of the client area in English, Romanian and Hindi. A missing translation falls back to English,
/// and a test checks there is none missing.
enum Strings {
    static func table(_ language: Language) -> [String: String] { tables[language]! }

    static let tables: [Language: [String: String]] = {
        var en: [String: String] = [:], ro: [String: String] = [:], hi: [String: String] = [:]
        for (key, e, r, h) in entries {
            en[key] = e
            ro[key] = r
            hi[key] = h
        }
        return [.en: en, .ro: ro, .hi: hi]
    }()

    static let languageNames: [(Language, String)] = [(.en, "English"), (.ro, "Română"), (.hi, "हिन्दी")]

    /// (key, English, Romanian, Hindi)
    static let entries: [(String, String, String, String)] = [
        ("skip", "Skip to content", "Salt la conținut", "सामग्री पर जाएँ"),
        ("nav_label", "Client area", "Zona de client", "क्लाइंट क्षेत्र"),
        ("my_services", "My Services", "Serviciile mele", "मेरी सेवाएँ"),
        ("my_invoices", "My Invoices", "Facturile mele", "मेरे चालान"),
        ("my_details", "My Details", "Datele mele", "मेरा विवरण"),
        ("security", "Security", "Securitate", "सुरक्षा"),
        ("log_out", "Log out", "Ieșire", "लॉग आउट"),
        ("log_in", "Log in", "Autentificare", "लॉग इन"),
        ("sign_up", "Create an account", "Creează un cont", "खाता बनाएँ"),
        ("language", "Language", "Limba", "भाषा"),
        ("email", "E-mail", "E-mail", "ई-मेल"),
        ("password", "Password", "Parolă", "पासवर्ड"),
        ("password_hint", "10 to 72 characters.", "Între 10 și 72 de caractere.", "10 से 72 अक्षर।"),
        ("phone", "Mobile phone", "Telefon mobil", "मोबाइल फ़ोन"),
        ("phone_hint", "With the country code for numbers outside Romania, e.g. +44 7700 900123.", "Cu prefixul țării pentru numere din afara României, de ex. +44 7700 900123.", "रोमानिया के बाहर के नंबरों के लिए देश कोड के साथ, जैसे +44 7700 900123।"),
        ("sms_optin", "Send me SMS notifications", "Trimite-mi notificări prin SMS", "मुझे SMS सूचनाएँ भेजें"),
        ("sms_hint", "Only when a renewal proforma is issued or a hosting account is suspended, between 09:00 and 19:00. Replies are not read.", "Doar la emiterea unei proforme de reînnoire sau la suspendarea unui cont de găzduire, între 09:00 și 19:00. Răspunsurile nu sunt citite.", "केवल नवीनीकरण प्रोफ़ॉर्मा जारी होने या होस्टिंग खाता निलंबित होने पर, 09:00 से 19:00 के बीच। उत्तर पढ़े नहीं जाते।"),
        ("billing_data", "Billing data", "Date de facturare", "बिलिंग विवरण"),
        ("kind", "Invoice to", "Facturează către", "चालान किसके नाम"),
        ("kind_person", "A private person", "Persoană fizică", "निजी व्यक्ति"),
        ("kind_company", "A company (legal entity)", "Persoană juridică", "कंपनी (विधिक इकाई)"),
        ("name", "Name", "Nume", "नाम"),
        ("street", "Street and number", "Stradă și număr", "सड़क और नंबर"),
        ("city", "City", "Localitate", "शहर"),
        ("county", "County", "Județ", "काउंटी / ज़िला"),
        ("county_hint", "For Romania: the county code, e.g. CJ, or B for Bucharest.", "Pentru România: codul județului, de ex. CJ, sau B pentru București.", "रोमानिया के लिए: काउंटी कोड, जैसे CJ, या बुखारेस्ट के लिए B।"),
        ("postal_code", "Postal code", "Cod poștal", "पिन कोड"),
        ("country", "Country code", "Codul țării", "देश कोड"),
        ("country_hint", "Two letters, e.g. RO, DE, IN.", "Două litere, de ex. RO, DE, IN.", "दो अक्षर, जैसे RO, DE, IN।"),
        ("person_fields", "Only for a private person", "Doar pentru persoană fizică", "केवल निजी व्यक्ति के लिए"),
        ("company_fields", "Only for a company", "Doar pentru persoană juridică", "केवल कंपनी के लिए"),
        ("cnp", "CNP (optional, Romanian residents)", "CNP (opțional, rezidenți români)", "CNP (वैकल्पिक, रोमानियाई निवासी)"),
        ("cui", "CUI / CIF or registration code", "CUI / CIF sau cod de înregistrare", "CUI / CIF या पंजीकरण कोड"),
        ("trade_register", "Trade register number", "Nr. Registrul Comerțului", "व्यापार रजिस्टर संख्या"),
        ("vat_number", "EU VAT number", "Cod de TVA UE", "EU VAT संख्या"),
        ("create_account", "Create the account", "Creează contul", "खाता बनाएँ"),
        ("have_account", "Already a client?", "Sunteți deja client?", "पहले से ग्राहक हैं?"),
        ("no_account", "New to Hostico?", "Client nou Hostico?", "Hostico पर नए हैं?"),
        ("forgot", "Forgot the password?", "Ați uitat parola?", "पासवर्ड भूल गए?"),
        ("wrong_credentials", "The e-mail or the password is not right.", "E-mailul sau parola nu sunt corecte.", "ई-मेल या पासवर्ड सही नहीं है।"),
        ("locked", "Too many failed attempts. Wait 15 minutes or reset your password.", "Prea multe încercări eșuate. Așteptați 15 minute sau resetați parola.", "बहुत अधिक असफल प्रयास। 15 मिनट प्रतीक्षा करें या पासवर्ड रीसेट करें।"),
        ("expired", "Your session has ended. Please log in again.", "Sesiunea a expirat. Autentificați-vă din nou.", "आपका सत्र समाप्त हो गया। कृपया फिर से लॉग इन करें।"),
        ("code_title", "Two-factor authentication", "Autentificare în doi pași", "दो-चरणीय प्रमाणीकरण"),
        ("code_label", "Code from your authenticator app, or a recovery code", "Codul din aplicația de autentificare sau un cod de recuperare", "ऑथेंटिकेटर ऐप का कोड, या रिकवरी कोड"),
        ("wrong_code", "That code is not right.", "Codul nu este corect.", "यह कोड सही नहीं है।"),
        ("continue", "Continue", "Continuă", "जारी रखें"),
        ("save", "Save", "Salvează", "सहेजें"),
        ("saved", "Saved.", "Salvat.", "सहेजा गया।"),
        ("cancel", "Cancel", "Renunță", "रद्द करें"),
        ("forgot_title", "Reset the password", "Resetarea parolei", "पासवर्ड रीसेट करें"),
        ("forgot_send", "Send me a reset link", "Trimite-mi un link de resetare", "मुझे रीसेट लिंक भेजें"),
        ("forgot_sent", "If an account uses this e-mail, a link to set a new password is on its way. It works for one hour.", "Dacă există un cont cu acest e-mail, vă trimitem un link pentru o parolă nouă. Este valabil o oră.", "यदि इस ई-मेल से कोई खाता है, तो नया पासवर्ड सेट करने का लिंक भेजा जा रहा है। यह एक घंटे तक मान्य है।"),
        ("new_password", "New password", "Parola nouă", "नया पासवर्ड"),
        ("current_password", "Current password", "Parola actuală", "वर्तमान पासवर्ड"),
        ("reset_done", "Your password is changed. Log in with the new one.", "Parola a fost schimbată. Autentificați-vă cu cea nouă.", "आपका पासवर्ड बदल गया है। नए पासवर्ड से लॉग इन करें।"),
        ("reset_invalid", "This reset link has expired or was already used. Ask for a new one.", "Linkul de resetare a expirat sau a fost deja folosit. Cereți unul nou.", "यह रीसेट लिंक समाप्त हो गया है या पहले ही उपयोग हो चुका है। नया लिंक माँगें।"),
        ("services_title", "My Services", "Serviciile mele", "मेरी सेवाएँ"),
        ("no_services", "You have no hosting services yet.", "Nu aveți încă servicii de găzduire.", "आपके पास अभी कोई होस्टिंग सेवा नहीं है।"),
        ("domain", "Domain", "Domeniu", "डोमेन"),
        ("plan", "Plan", "Plan", "प्लान"),
        ("cycle", "Billing cycle", "Ciclu de facturare", "बिलिंग चक्र"),
        ("next_due", "Next due date", "Următoarea scadență", "अगली देय तिथि"),
        ("state", "State", "Stare", "स्थिति"),
        ("state_pending", "Pending", "În așteptare", "लंबित"),
        ("state_active", "Active", "Activ", "सक्रिय"),
        ("state_suspended", "Suspended", "Suspendat", "निलंबित"),
        ("state_terminated", "Terminated", "Încheiat", "समाप्त"),
        ("why_non_payment", "Suspended for non-payment. Pay this invoice to reactivate it:", "Suspendat pentru neplată. Plătiți această factură pentru reactivare:", "भुगतान न होने के कारण निलंबित। पुनः सक्रिय करने के लिए इस चालान का भुगतान करें:"),
        ("why_non_payment_plain", "Suspended for non-payment. Pay the open invoice to reactivate it.", "Suspendat pentru neplată. Plătiți factura restantă pentru reactivare.", "भुगतान न होने के कारण निलंबित। पुनः सक्रिय करने के लिए बकाया चालान का भुगतान करें।"),
        ("why_abuse", "Suspended for abuse of the terms of service. Contact support to resolve it.", "Suspendat pentru încălcarea condițiilor de utilizare. Contactați suportul.", "सेवा की शर्तों के दुरुपयोग के कारण निलंबित। समाधान के लिए सहायता से संपर्क करें।"),
        ("why_other", "Suspended. Contact support to resolve it.", "Suspendat. Contactați suportul.", "निलंबित। समाधान के लिए सहायता से संपर्क करें।"),
        ("cycle_monthly", "Monthly", "Lunar", "मासिक"),
        ("cycle_quarterly", "Quarterly", "Trimestrial", "त्रैमासिक"),
        ("cycle_semiannual", "Every 6 months", "Semestrial", "छमाही"),
        ("cycle_annual", "Yearly", "Anual", "वार्षिक"),
        ("cycle_biennial", "Every 2 years", "La 2 ani", "द्विवार्षिक"),
        ("invoices_title", "My Invoices", "Facturile mele", "मेरे चालान"),
        ("no_invoices", "No invoices yet.", "Nicio factură încă.", "अभी कोई चालान नहीं।"),
        ("number", "Number", "Număr", "संख्या"),
        ("type", "Type", "Tip", "प्रकार"),
        ("proforma", "Proforma", "Proformă", "प्रोफ़ॉर्मा"),
        ("fiscal", "Invoice", "Factură fiscală", "कर चालान"),
        ("storno", "Credit note (storno)", "Factură storno", "क्रेडिट नोट (स्टॉर्नो)"),
        ("issued", "Issued", "Emisă", "जारी"),
        ("due", "Due", "Scadentă", "देय"),
        ("total", "Total", "Total", "कुल"),
        ("status", "Status", "Stare", "स्थिति"),
        ("status_unpaid", "Unpaid", "Neplătită", "अदत्त"),
        ("status_paid", "Paid", "Plătită", "भुगतान हो गया"),
        ("status_cancelled", "Cancelled", "Anulată", "रद्द"),
        ("actions", "Actions", "Acțiuni", "कार्रवाई"),
        ("view", "View", "Vezi", "देखें"),
        ("download", "Download PDF", "Descarcă PDF", "PDF डाउनलोड करें"),
        ("edit_billing", "Edit billing data", "Modifică datele de facturare", "बिलिंग विवरण बदलें"),
        ("pay", "Pay", "Plătește", "भुगतान करें"),
        ("description", "Description", "Descriere", "विवरण"),
        ("quantity", "Qty", "Cant.", "मात्रा"),
        ("unit_price", "Unit price", "Preț unitar", "इकाई मूल्य"),
        ("net", "Net", "Valoare", "शुद्ध राशि"),
        ("vat", "VAT", "TVA", "VAT"),
        ("vat_rate", "VAT %@", "TVA %@", "VAT %@"),
        ("buyer", "Billed to", "Cumpărător", "खरीदार"),
        ("seller", "Seller", "Furnizor", "विक्रेता"),
        ("paid_so_far", "Paid so far", "Plătit până acum", "अब तक भुगतान"),
        ("open_amount", "To pay", "De plată", "भुगतान योग्य"),
        ("proforma_note", "A proforma is a request for payment, not a fiscal invoice. The fiscal invoice is issued when it is paid.", "Proforma este o cerere de plată, nu o factură fiscală. Factura fiscală se emite la plată.", "प्रोफ़ॉर्मा भुगतान का अनुरोध है, कर चालान नहीं। भुगतान होने पर कर चालान जारी होता है।"),
        ("fiscal_note", "A fiscal invoice cannot be changed. A correction is made with a credit note.", "O factură fiscală nu poate fi modificată. Corecțiile se fac prin factură storno.", "कर चालान बदला नहीं जा सकता। सुधार क्रेडिट नोट से किया जाता है।"),
        ("bank_transfer", "Pay by bank transfer", "Plată prin transfer bancar", "बैंक ट्रांसफ़र से भुगतान"),
        ("bank_details", "Transfer %@ to %@, IBAN %@, %@. Write %@ as the payment reference.", "Transferați %@ către %@, IBAN %@, %@. Scrieți %@ la detaliile plății.", "%@ को %@, IBAN %@, %@ पर ट्रांसफ़र करें। भुगतान संदर्भ में %@ लिखें।"),
        ("demo_pay", "Pay now with the demo gateway (no money moves)", "Plătește acum prin procesatorul demo (fără bani reali)", "डेमो गेटवे से अभी भुगतान करें (कोई वास्तविक पैसा नहीं)"),
        ("payment_recorded", "The payment is recorded.", "Plata a fost înregistrată.", "भुगतान दर्ज हो गया।"),
        ("from_proforma", "Issued for proforma %@", "Emisă pentru proforma %@", "प्रोफ़ॉर्मा %@ के लिए जारी"),
        ("corrects", "Corrects invoice %@", "Stornează factura %@", "चालान %@ को सुधारता है"),
        ("edit_title", "Billing data of proforma %@", "Datele de facturare ale proformei %@", "प्रोफ़ॉर्मा %@ का बिलिंग विवरण"),
        ("edit_intro", "Choose who the invoice is for. The fiscal invoice issued when you pay carries these data.", "Alegeți pe cine se emite factura. Factura fiscală emisă la plată va avea aceste date.", "चुनें कि चालान किसके नाम हो। भुगतान पर जारी कर चालान में यही विवरण होगा।"),
        ("use_profile", "A saved billing profile", "Un profil de facturare salvat", "सहेजा गया बिलिंग प्रोफ़ाइल"),
        ("use_new", "New billing data", "Date de facturare noi", "नया बिलिंग विवरण"),
        ("save_as_profile", "Also save these data as a billing profile", "Salvează aceste date și ca profil de facturare", "इस विवरण को बिलिंग प्रोफ़ाइल के रूप में भी सहेजें"),
        ("preview", "Show the new totals", "Arată noile totaluri", "नया कुल दिखाएँ"),
        ("confirm_edit", "Confirm the change", "Confirmă modificarea", "बदलाव की पुष्टि करें"),
        ("preview_title", "New totals", "Totalurile noi", "नया कुल"),
        ("edited", "The billing data are changed.", "Datele de facturare au fost modificate.", "बिलिंग विवरण बदल दिया गया।"),
        ("not_editable", "Only an unpaid proforma can be changed.", "Doar o proformă neplătită poate fi modificată.", "केवल अदत्त प्रोफ़ॉर्मा बदला जा सकता है।"),
        ("details_title", "My Details", "Datele mele", "मेरा विवरण"),
        ("contact", "Contact", "Contact", "संपर्क"),
        ("time_zone", "Time zone (for SMS hours)", "Fus orar (pentru orele SMS)", "समय क्षेत्र (SMS समय के लिए)"),
        ("time_zone_hint", "e.g. Europe/Bucharest; empty means Romania's time.", "de ex. Europe/Bucharest; gol înseamnă ora României.", "जैसे Asia/Kolkata; खाली का अर्थ रोमानिया का समय।"),
        ("sms_since", "Your choice was recorded on %@ (%@).", "Alegerea a fost înregistrată la %@ (%@).", "आपकी पसंद %@ को दर्ज की गई (%@)।"),
        ("profiles", "Billing profiles", "Profiluri de facturare", "बिलिंग प्रोफ़ाइल"),
        ("default", "Default", "Implicit", "डिफ़ॉल्ट"),
        ("make_default", "Make default", "Setează implicit", "डिफ़ॉल्ट बनाएँ"),
        ("edit", "Edit", "Modifică", "बदलें"),
        ("add_profile", "Add a billing profile", "Adaugă un profil de facturare", "बिलिंग प्रोफ़ाइल जोड़ें"),
        ("edit_profile", "Edit a billing profile", "Modifică profilul de facturare", "बिलिंग प्रोफ़ाइल बदलें"),
        ("profile_note", "Changes apply to invoices issued from now on; issued invoices keep their data.", "Modificările se aplică facturilor emise de acum înainte; facturile emise își păstrează datele.", "बदलाव अब से जारी होने वाले चालानों पर लागू होंगे; जारी चालान अपना विवरण रखते हैं।"),
        ("security_title", "Security", "Securitate", "सुरक्षा"),
        ("change_password", "Change the password", "Schimbă parola", "पासवर्ड बदलें"),
        ("password_changed", "Your password is changed; other sessions were logged out.", "Parola a fost schimbată; celelalte sesiuni au fost închise.", "आपका पासवर्ड बदल गया; अन्य सत्र लॉग आउट हो गए।"),
        ("totp_on", "Two-factor authentication is on.", "Autentificarea în doi pași este activă.", "दो-चरणीय प्रमाणीकरण चालू है।"),
        ("totp_off", "Two-factor authentication is off.", "Autentificarea în doi pași nu este activă.", "दो-चरणीय प्रमाणीकरण बंद है।"),
        ("totp_enable", "Turn on two-factor authentication", "Activează autentificarea în doi pași", "दो-चरणीय प्रमाणीकरण चालू करें"),
        ("totp_disable", "Turn off two-factor authentication", "Dezactivează autentificarea în doi pași", "दो-चरणीय प्रमाणीकरण बंद करें"),
        ("totp_scan", "Scan this code with an authenticator app (e.g. Aegis, Google Authenticator), or type the secret, then enter the 6-digit code it shows.", "Scanați codul cu o aplicație de autentificare (de ex. Aegis, Google Authenticator) sau introduceți cheia, apoi scrieți codul de 6 cifre afișat.", "इस कोड को ऑथेंटिकेटर ऐप (जैसे Aegis, Google Authenticator) से स्कैन करें या सीक्रेट टाइप करें, फिर दिखाया गया 6 अंकों का कोड दर्ज करें।"),
        ("totp_secret", "Secret", "Cheie", "सीक्रेट"),
        ("totp_code", "6-digit code", "Cod de 6 cifre", "6 अंकों का कोड"),
        ("recovery_title", "Your recovery codes", "Codurile de recuperare", "आपके रिकवरी कोड"),
        ("recovery_intro", "Two-factor authentication is on. Keep these codes somewhere safe: each works once if you lose your phone. They are shown only now.", "Autentificarea în doi pași este activă. Păstrați aceste coduri în siguranță: fiecare funcționează o singură dată dacă pierdeți telefonul. Sunt afișate doar acum.", "दो-चरणीय प्रमाणीकरण चालू है। इन कोड को सुरक्षित रखें: फ़ोन खोने पर प्रत्येक एक बार काम करता है। ये केवल अभी दिखाए जाते हैं।"),
        ("recovery_left", "%@ recovery codes left.", "%@ coduri de recuperare rămase.", "%@ रिकवरी कोड शेष।"),
        ("done", "Done", "Gata", "हो गया"),
        ("totp_disabled", "Two-factor authentication is off.", "Autentificarea în doi pași a fost dezactivată.", "दो-चरणीय प्रमाणीकरण बंद कर दिया गया।"),
        ("not_found", "This page does not exist.", "Pagina nu există.", "यह पृष्ठ मौजूद नहीं है।"),
        ("conflict", "This cannot be done now", "Acest lucru nu se poate face acum", "यह अभी नहीं किया जा सकता"),
        ("form_expired", "The form expired. Please try again.", "Formularul a expirat. Încercați din nou.", "फ़ॉर्म समाप्त हो गया। कृपया फिर से प्रयास करें।"),
        ("fix_errors", "Please correct the marked fields.", "Corectați câmpurile marcate.", "कृपया चिह्नित फ़ील्ड ठीक करें।"),
        ("welcome", "Welcome to Hostico. Your account is ready.", "Bun venit la Hostico. Contul este gata.", "Hostico में स्वागत है। आपका खाता तैयार है।"),
        ("reverse_charge", "Reverse charge", "Taxare inversă", "रिवर्स चार्ज"),
        ("yes", "Yes", "Da", "हाँ"),
        ("no", "No", "Nu", "नहीं"),
    ]

    /// Field errors are translated by their rule; an unknown rule keeps the use case's English sentence.
    static let ruleMessages: [String: (String, String)] = [
        "required": ("Câmpul este obligatoriu.", "यह फ़ील्ड आवश्यक है।"),
        "email.format": ("Adresa de e-mail nu este validă.", "ई-मेल पता मान्य नहीं है।"),
        "email.taken": ("Există deja un cont cu acest e-mail; autentificați-vă sau resetați parola.", "इस ई-मेल से पहले से एक खाता है; लॉग इन करें या पासवर्ड रीसेट करें।"),
        "password.length": ("Parola trebuie să aibă între 10 și 72 de caractere.", "पासवर्ड 10 से 72 अक्षरों का होना चाहिए।"),
        "password.wrong": ("Parola nu este corectă.", "पासवर्ड सही नहीं है।"),
        "sms.needs-mobile": ("Notificările SMS necesită un număr de mobil valid.", "SMS सूचनाओं के लिए मान्य मोबाइल नंबर आवश्यक है।"),
        "phone.e164": ("Numărul de telefon nu este valid.", "फ़ोन नंबर मान्य नहीं है।"),
        "cnp.checksum": ("CNP-ul nu este valid (cifra de control).", "CNP मान्य नहीं है (चेक अंक)।"),
        "cui.checksum": ("CUI-ul nu este valid (cifra de control).", "CUI मान्य नहीं है (चेक अंक)।"),
        "county.ro": ("Alegeți un județ din România (de ex. CJ sau B pentru București).", "रोमानिया की काउंटी चुनें (जैसे CJ, या बुखारेस्ट के लिए B)।"),
        "totp.wrong": ("Codul nu este corect.", "कोड सही नहीं है।"),
    ]

    static func message(for error: FieldError, in language: Language) -> String {
        guard let t = ruleMessages[error.rule] else { return error.message }
        switch language {
        case .en: return error.message
        case .ro: return t.0
        case .hi: return t.1
        }
    }

    /// Fills `%@` placeholders in order.
    static func format(_ template: String, _ args: String...) -> String {
        var out = template
        for a in args {
            guard let r = out.range(of: "%@") else { break }
            out.replaceSubrange(r, with: a)
        }
        return out
    }
}
