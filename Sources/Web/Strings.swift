import Domain

/// Every text of the client area in English, Romanian and Hindi. A missing translation falls back to English,
/// and a test checks there is none missing.
enum Strings {
    static func table(_ language: Language) -> [String: String] { tables[language]! }

    static let tables: [Language: [String: String]] = {
        var en: [String: String] = [:]
        var ro: [String: String] = [:]
        var hi: [String: String] = [:]
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
        (
            "phone_hint", "With the country code for numbers outside Romania, e.g. +44 7700 900123.",
            "Cu prefixul țării pentru numere din afara României, de ex. +44 7700 900123.",
            "रोमानिया के बाहर के नंबरों के लिए देश कोड के साथ, जैसे +44 7700 900123।"
        ),
        ("sms_optin", "Send me SMS notifications", "Trimite-mi notificări prin SMS", "मुझे SMS सूचनाएँ भेजें"),
        (
            "sms_hint",
            "Only when a renewal proforma is issued or a hosting account is suspended, between %@ and %@. Replies are not read.",
            "Doar la emiterea unei proforme de reînnoire sau la suspendarea unui cont de găzduire, între %@ și %@. Răspunsurile nu sunt citite.",
            "केवल नवीनीकरण प्रोफ़ॉर्मा जारी होने या होस्टिंग खाता निलंबित होने पर, %@ से %@ के बीच। उत्तर पढ़े नहीं जाते।"
        ),
        ("billing_data", "Billing data", "Date de facturare", "बिलिंग विवरण"),
        ("kind", "Invoice to", "Facturează către", "चालान किसके नाम"),
        ("kind_person", "A private person", "Persoană fizică", "निजी व्यक्ति"),
        ("kind_company", "A company (legal entity)", "Persoană juridică", "कंपनी (विधिक इकाई)"),
        ("name", "Name", "Nume", "नाम"),
        ("street", "Street and number", "Stradă și număr", "सड़क और नंबर"),
        ("city", "City", "Localitate", "शहर"),
        ("county", "County (Romania)", "Județ", "काउंटी (रोमानिया)"),
        (
            "county_hint", "For Romania: the county, e.g. Cluj (CJ) or București (B).",
            "Pentru România: județul, de ex. Cluj (CJ) sau București (B).",
            "रोमानिया के लिए: काउंटी, जैसे Cluj (CJ) या बुखारेस्ट (B)।"
        ),
        ("county_choose", "Choose the county (Romania)", "Alegeți județul (România)", "काउंटी चुनें (रोमानिया)"),
        (
            "region", "Region or state (outside Romania, optional)", "Regiune sau stat (în afara României, opțional)",
            "क्षेत्र या राज्य (रोमानिया के बाहर, वैकल्पिक)"
        ),
        ("region_hint", "e.g. Bavaria, Maharashtra.", "de ex. Bavaria, Maharashtra.", "जैसे Bavaria, Maharashtra।"),
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
        (
            "wrong_credentials", "The e-mail or the password is not right.", "E-mailul sau parola nu sunt corecte.",
            "ई-मेल या पासवर्ड सही नहीं है।"
        ),
        (
            "signup_limited", "Too many sign-ups from your address. Wait 15 minutes and send the form again.",
            "Prea multe conturi create de la adresa dumneavoastră. Așteptați 15 minute și trimiteți din nou formularul.",
            "आपके पते से बहुत अधिक साइन-अप। 15 मिनट प्रतीक्षा करें और फ़ॉर्म फिर से भेजें।"
        ),
        ("busy", "Busy right now", "Momentan suntem ocupați", "अभी व्यस्त हैं"),
        (
            "busy_text", "Too many accounts are being set up at this moment. Please try again in a minute.",
            "Prea multe conturi se creează în acest moment. Încercați din nou peste un minut.",
            "इस समय बहुत सारे खाते बनाए जा रहे हैं। कृपया एक मिनट बाद फिर से प्रयास करें।"
        ),
        (
            "locked", "Too many failed attempts. Wait 15 minutes or reset your password.",
            "Prea multe încercări eșuate. Așteptați 15 minute sau resetați parola.",
            "बहुत अधिक असफल प्रयास। 15 मिनट प्रतीक्षा करें या पासवर्ड रीसेट करें।"
        ),
        (
            "expired", "Your session has ended. Please log in again.", "Sesiunea a expirat. Autentificați-vă din nou.",
            "आपका सत्र समाप्त हो गया। कृपया फिर से लॉग इन करें।"
        ),
        ("code_title", "Two-factor authentication", "Autentificare în doi pași", "दो-चरणीय प्रमाणीकरण"),
        (
            "code_label", "Code from your authenticator app, or a recovery code",
            "Codul din aplicația de autentificare sau un cod de recuperare", "ऑथेंटिकेटर ऐप का कोड, या रिकवरी कोड"
        ),
        ("wrong_code", "That code is not right.", "Codul nu este corect.", "यह कोड सही नहीं है।"),
        ("continue", "Continue", "Continuă", "जारी रखें"),
        ("mail_link_switch_title", "Open this invoice?", "Deschideți această factură?", "यह चालान खोलें?"),
        (
            "mail_link_switch_text",
            "This browser is logged in to another Hostico account. The link in the e-mail belongs to a different account: opening it logs that other account out here.",
            "Acest browser este autentificat în alt cont Hostico. Linkul din e-mail aparține altui cont: dacă îl deschideți, celălalt cont va fi deconectat aici.",
            "यह ब्राउज़र किसी अन्य Hostico खाते में लॉग इन है। ई-मेल का लिंक किसी दूसरे खाते का है: इसे खोलने से वह दूसरा खाता यहाँ लॉग आउट हो जाएगा।"
        ),
        (
            "mail_link_switch", "Log out and open the invoice", "Deconectare și deschiderea facturii",
            "लॉग आउट करें और चालान खोलें"
        ),
        ("mail_link_stay", "Stay logged in to the current account", "Rămâneți în contul curent", "वर्तमान खाते में लॉग इन रहें"),
        (
            "mail_link_login", "Log in to see this invoice.", "Autentificați-vă pentru a vedea această factură.",
            "यह चालान देखने के लिए लॉग इन करें।"
        ),
        (
            "mail_link_limited", "Too many link attempts from your network. Wait 15 minutes, or log in below.",
            "Prea multe încercări de link din rețeaua dumneavoastră. Așteptați 15 minute sau autentificați-vă mai jos.",
            "आपके नेटवर्क से बहुत अधिक लिंक प्रयास। 15 मिनट प्रतीक्षा करें, या नीचे लॉग इन करें।"
        ),
        ("confirm_title", "Confirm your password", "Confirmați parola", "अपने पासवर्ड की पुष्टि करें"),
        (
            "confirm_text",
            "You opened the client area from a link in an e-mail. Enter your password before changing your password, two-factor authentication, phone or SMS settings.",
            "Ați deschis zona de client dintr-un link primit pe e-mail. Introduceți parola înainte de a schimba parola, autentificarea în doi pași, telefonul sau setările SMS.",
            "आपने ई-मेल के लिंक से क्लाइंट क्षेत्र खोला है। पासवर्ड, दो-चरणीय प्रमाणीकरण, फ़ोन या SMS सेटिंग बदलने से पहले अपना पासवर्ड दर्ज करें।"
        ),
        (
            "confirm_needed",
            "You came from a link in an e-mail: confirm your password to change your phone, language or SMS settings.",
            "Ați venit dintr-un link primit pe e-mail: confirmați parola pentru a schimba telefonul, limba sau setările SMS.",
            "आप ई-मेल के लिंक से आए हैं: फ़ोन, भाषा या SMS सेटिंग बदलने के लिए अपने पासवर्ड की पुष्टि करें।"
        ),
        ("save", "Save", "Salvează", "सहेजें"),
        ("saved", "Saved.", "Salvat.", "सहेजा गया।"),
        ("cancel", "Cancel", "Renunță", "रद्द करें"),
        ("forgot_title", "Reset the password", "Resetarea parolei", "पासवर्ड रीसेट करें"),
        ("forgot_send", "Send me a reset link", "Trimite-mi un link de resetare", "मुझे रीसेट लिंक भेजें"),
        (
            "forgot_sent",
            "If an account uses this e-mail, a link to set a new password is on its way. It works for one hour.",
            "Dacă există un cont cu acest e-mail, vă trimitem un link pentru o parolă nouă. Este valabil o oră.",
            "यदि इस ई-मेल से कोई खाता है, तो नया पासवर्ड सेट करने का लिंक भेजा जा रहा है। यह एक घंटे तक मान्य है।"
        ),
        ("new_password", "New password", "Parola nouă", "नया पासवर्ड"),
        ("current_password", "Current password", "Parola actuală", "वर्तमान पासवर्ड"),
        (
            "reset_done", "Your password is changed. Log in with the new one.",
            "Parola a fost schimbată. Autentificați-vă cu cea nouă.", "आपका पासवर्ड बदल गया है। नए पासवर्ड से लॉग इन करें।"
        ),
        (
            "reset_invalid", "This reset link has expired or was already used. Ask for a new one.",
            "Linkul de resetare a expirat sau a fost deja folosit. Cereți unul nou.",
            "यह रीसेट लिंक समाप्त हो गया है या पहले ही उपयोग हो चुका है। नया लिंक माँगें।"
        ),
        ("services_title", "My Services", "Serviciile mele", "मेरी सेवाएँ"),
        (
            "no_services", "You have no hosting services yet.", "Nu aveți încă servicii de găzduire.",
            "आपके पास अभी कोई होस्टिंग सेवा नहीं है।"
        ),
        ("domain", "Domain", "Domeniu", "डोमेन"),
        ("plan", "Plan", "Plan", "प्लान"),
        ("cycle", "Billing cycle", "Ciclu de facturare", "बिलिंग चक्र"),
        ("next_due", "Next due date", "Următoarea scadență", "अगली देय तिथि"),
        ("state", "State", "Stare", "स्थिति"),
        ("state_pending", "Pending", "În așteptare", "लंबित"),
        ("state_active", "Active", "Activ", "सक्रिय"),
        ("state_suspended", "Suspended", "Suspendat", "निलंबित"),
        ("state_terminated", "Terminated", "Încheiat", "समाप्त"),
        (
            "why_non_payment", "Suspended for non-payment. Pay this invoice to reactivate it:",
            "Suspendat pentru neplată. Plătiți această factură pentru reactivare:",
            "भुगतान न होने के कारण निलंबित। पुनः सक्रिय करने के लिए इस चालान का भुगतान करें:"
        ),
        (
            "why_non_payment_plain", "Suspended for non-payment. Pay the open invoice to reactivate it.",
            "Suspendat pentru neplată. Plătiți factura restantă pentru reactivare.",
            "भुगतान न होने के कारण निलंबित। पुनः सक्रिय करने के लिए बकाया चालान का भुगतान करें।"
        ),
        (
            "why_pending", "Waiting for payment of %@ (%@). The service starts as soon as it is paid.",
            "Așteaptă plata proformei %@ (%@). Serviciul pornește imediat după plată.",
            "%@ (%@) के भुगतान की प्रतीक्षा है। भुगतान होते ही सेवा शुरू हो जाएगी।"
        ),
        (
            "why_pending_plain", "Waiting for its order to be paid.", "Așteaptă plata comenzii.",
            "ऑर्डर के भुगतान की प्रतीक्षा है।"
        ),
        (
            "why_terminated",
            "Terminated on %@; the account and its files are removed. The e-mail we sent that day says why. To restore it, contact us.",
            "Încheiat la %@; contul și fișierele au fost șterse. E-mailul trimis în acea zi spune motivul. Pentru a-l reactiva, contactați-ne.",
            "%@ को समाप्त; खाता और उसकी फ़ाइलें हटा दी गई हैं। उस दिन भेजा गया ई-मेल कारण बताता है। पुनः शुरू करने के लिए हमसे संपर्क करें।"
        ),
        (
            "why_ended",
            "Ended on %@, at the end of its paid period, as you asked. To order it again, contact us or place a new order.",
            "Încheiat la %@, la sfârșitul perioadei plătite, la cererea dumneavoastră. Pentru a-l relua, contactați-ne sau plasați o comandă nouă.",
            "आपके अनुरोध पर, भुगतान की गई अवधि के अंत में %@ को समाप्त। फिर से लेने के लिए हमसे संपर्क करें या नया ऑर्डर दें।"
        ),
        (
            "why_abuse", "Suspended for abuse of the terms of service. Contact support to resolve it.",
            "Suspendat pentru încălcarea condițiilor de utilizare. Contactați suportul.",
            "सेवा की शर्तों के दुरुपयोग के कारण निलंबित। समाधान के लिए सहायता से संपर्क करें।"
        ),
        (
            "why_other", "Suspended. Contact support to resolve it.", "Suspendat. Contactați suportul.",
            "निलंबित। समाधान के लिए सहायता से संपर्क करें।"
        ),
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
        ("support", "Support", "Asistență", "सहायता"),
        ("support_site", "Help centre", "Centrul de asistență", "सहायता केंद्र"),
        ("contact_support", "Contact support", "Contactați asistența", "सहायता से संपर्क करें"),
        ("owed_label", "What you owe", "Ce aveți de plată", "आपका बकाया"),
        ("owed_total", "You owe %@", "Aveți de plată %@", "आपको %@ चुकाने हैं"),
        (
            "owed_overdue", "%@ is %@ days overdue (due %@)", "%@ este restantă de %@ zile (scadentă la %@)",
            "%@ %@ दिन से बकाया है (देय तिथि %@)"
        ),
        ("owed_due", "%@ is due on %@", "%@ are scadența la %@", "%@ की देय तिथि %@ है"),
        ("owed_pay", "Pay %@", "Plătiți %@", "%@ का भुगतान करें"),
        ("owed_all", "All unpaid invoices (%@)", "Toate facturile neachitate (%@)", "सभी अदत्त चालान (%@)"),
        ("overdue_since", "Overdue since %@", "Restantă din %@", "%@ से बकाया"),
        ("unpaid_first", "Unpaid", "Neachitate", "अदत्त"),
        ("paid_and_other", "Paid and cancelled", "Achitate și anulate", "भुगतान किए गए और रद्द"),
        ("payments", "Payments", "Plăți", "भुगतान"),
        ("payment_date", "Date", "Data", "तिथि"),
        ("payment_method", "Method", "Modalitate", "तरीका"),
        ("payment_reference", "Reference", "Referință", "संदर्भ"),
        ("amount", "Amount", "Sumă", "राशि"),
        ("method_bank_transfer", "Bank transfer", "Transfer bancar", "बैंक ट्रांसफ़र"),
        ("method_card", "Card", "Card", "कार्ड"),
        ("method_demo", "Demo gateway", "Procesator demo", "डेमो गेटवे"),
        ("method_credit", "Account credit", "Credit în cont", "खाता क्रेडिट"),
        ("fiscal_issued_as", "Fiscal invoice issued: %@", "Factura fiscală emisă: %@", "जारी कर चालान: %@"),
        ("description", "Description", "Descriere", "विवरण"),
        ("quantity", "Qty", "Cant.", "मात्रा"),
        ("unit_price", "Unit price", "Preț unitar", "इकाई मूल्य"),
        ("net", "Net", "Valoare", "शुद्ध राशि"),
        ("vat_code", "VAT no.", "Cod TVA", "VAT संख्या"),
        ("net_total", "Total excl. VAT", "Total fără TVA", "VAT रहित कुल"),
        ("vat", "VAT", "TVA", "VAT"),
        ("vat_rate", "VAT %@", "TVA %@", "VAT %@"),
        ("buyer", "Billed to", "Cumpărător", "खरीदार"),
        ("seller", "Seller", "Furnizor", "विक्रेता"),
        ("paid_so_far", "Paid so far", "Plătit până acum", "अब तक भुगतान"),
        ("open_amount", "To pay", "De plată", "भुगतान योग्य"),
        (
            "proforma_note",
            "A proforma is a request for payment, not a fiscal invoice. The fiscal invoice is issued when it is paid.",
            "Proforma este o cerere de plată, nu o factură fiscală. Factura fiscală se emite la plată.",
            "प्रोफ़ॉर्मा भुगतान का अनुरोध है, कर चालान नहीं। भुगतान होने पर कर चालान जारी होता है।"
        ),
        (
            "fiscal_note", "A fiscal invoice cannot be changed. A correction is made with a credit note.",
            "O factură fiscală nu poate fi modificată. Corecțiile se fac prin factură storno.",
            "कर चालान बदला नहीं जा सकता। सुधार क्रेडिट नोट से किया जाता है।"
        ),
        ("bank_transfer", "Pay by bank transfer", "Plată prin transfer bancar", "बैंक ट्रांसफ़र से भुगतान"),
        (
            "bank_details", "Transfer %@ to %@, IBAN %@, %@. Write %@ as the payment reference.",
            "Transferați %@ către %@, IBAN %@, %@. Scrieți %@ la detaliile plății.",
            "%@ को %@, IBAN %@, %@ पर ट्रांसफ़र करें। भुगतान संदर्भ में %@ लिखें।"
        ),
        (
            "demo_pay", "Pay now with the demo gateway (no money moves)",
            "Plătește acum prin procesatorul demo (fără bani reali)", "डेमो गेटवे से अभी भुगतान करें (कोई वास्तविक पैसा नहीं)"
        ),
        ("payment_recorded", "The payment is recorded.", "Plata a fost înregistrată.", "भुगतान दर्ज हो गया।"),
        ("from_proforma", "Issued for proforma %@", "Emisă pentru proforma %@", "प्रोफ़ॉर्मा %@ के लिए जारी"),
        ("corrects", "Corrects invoice %@", "Stornează factura %@", "चालान %@ को सुधारता है"),
        ("edit_title", "Billing data of proforma %@", "Datele de facturare ale proformei %@", "प्रोफ़ॉर्मा %@ का बिलिंग विवरण"),
        (
            "edit_intro", "Choose who the invoice is for. The fiscal invoice issued when you pay carries these data.",
            "Alegeți pe cine se emite factura. Factura fiscală emisă la plată va avea aceste date.",
            "चुनें कि चालान किसके नाम हो। भुगतान पर जारी कर चालान में यही विवरण होगा।"
        ),
        ("use_profile", "A saved billing profile", "Un profil de facturare salvat", "सहेजा गया बिलिंग प्रोफ़ाइल"),
        ("use_new", "New billing data", "Date de facturare noi", "नया बिलिंग विवरण"),
        ("invoice_to", "Invoice to", "Factura se emite pe", "चालान किसके नाम"),
        (
            "use_new_option", "New billing data (the fields below)", "Date de facturare noi (câmpurile de mai jos)",
            "नया बिलिंग विवरण (नीचे के फ़ील्ड)"
        ),
        (
            "use_new_hint", "Used only when “Invoice to” is set to new billing data.",
            "Folosite doar când la „Factura se emite pe” alegeți date de facturare noi.",
            "केवल तब उपयोग होता है जब “चालान किसके नाम” में नया बिलिंग विवरण चुना गया हो।"
        ),
        (
            "typed_but_profile",
            "You typed new billing data but chose a saved profile. Choose “New billing data” to use what you typed, or undo your changes.",
            "Ați completat date de facturare noi, dar ați ales un profil salvat. Alegeți „Date de facturare noi” pentru a folosi ce ați completat sau renunțați la modificări.",
            "आपने नया बिलिंग विवरण भरा है, पर सहेजा गया प्रोफ़ाइल चुना है। भरा गया विवरण उपयोग करने के लिए “नया बिलिंग विवरण” चुनें, या बदलाव हटा दें।"
        ),
        ("before_after", "What changes", "Ce se schimbă", "क्या बदलेगा"),
        ("before", "Now", "Acum", "अभी"),
        ("after", "After the change", "După modificare", "बदलाव के बाद"),
        (
            "save_as_profile", "Also save these data as a billing profile",
            "Salvează aceste date și ca profil de facturare", "इस विवरण को बिलिंग प्रोफ़ाइल के रूप में भी सहेजें"
        ),
        ("preview", "Show the new totals", "Arată noile totaluri", "नया कुल दिखाएँ"),
        ("confirm_edit", "Confirm the change", "Confirmă modificarea", "बदलाव की पुष्टि करें"),
        ("preview_title", "New totals", "Totalurile noi", "नया कुल"),
        ("edited", "The billing data are changed.", "Datele de facturare au fost modificate.", "बिलिंग विवरण बदल दिया गया।"),
        (
            "not_editable", "Only an unpaid proforma can be changed.", "Doar o proformă neplătită poate fi modificată.",
            "केवल अदत्त प्रोफ़ॉर्मा बदला जा सकता है।"
        ),
        ("details_title", "My Details", "Datele mele", "मेरा विवरण"),
        ("contact", "Contact", "Contact", "संपर्क"),
        (
            "time_zone_default", "Romania's time (Europe/Bucharest)", "Ora României (Europe/Bucharest)",
            "रोमानिया का समय (Europe/Bucharest)"
        ),
        ("time_zone", "Time zone (for SMS hours)", "Fus orar (pentru orele SMS)", "समय क्षेत्र (SMS समय के लिए)"),
        (
            "time_zone_hint", "Where you read your SMS, by its region and city (e.g. Asia/Kolkata).",
            "Unde citiți SMS-urile, după regiune și oraș (de ex. Europe/Bucharest).",
            "जहाँ आप SMS पढ़ते हैं, क्षेत्र और शहर से (जैसे Asia/Kolkata)।"
        ),
        (
            "sms_since", "Your choice was recorded on %@ (%@).", "Alegerea a fost înregistrată la %@ (%@).",
            "आपकी पसंद %@ को दर्ज की गई (%@)।"
        ),
        ("consent_signup", "when you signed up", "la înregistrare", "साइन अप के समय"),
        ("consent_my-details", "in My Details", "în Datele mele", "मेरा विवरण में"),
        (
            "consent_api", "through our systems, at your request", "prin sistemele noastre, la cererea dumneavoastră",
            "आपके अनुरोध पर हमारी प्रणाली द्वारा"
        ),
        (
            "consent_staff", "by our staff, at your request", "de echipa noastră, la cererea dumneavoastră",
            "आपके अनुरोध पर हमारी टीम द्वारा"
        ),
        ("profiles", "Billing profiles", "Profiluri de facturare", "बिलिंग प्रोफ़ाइल"),
        ("default", "Default", "Implicit", "डिफ़ॉल्ट"),
        ("make_default", "Make default", "Setează implicit", "डिफ़ॉल्ट बनाएँ"),
        ("edit", "Edit", "Modifică", "बदलें"),
        ("add_profile", "Add a billing profile", "Adaugă un profil de facturare", "बिलिंग प्रोफ़ाइल जोड़ें"),
        ("edit_profile", "Edit a billing profile", "Modifică profilul de facturare", "बिलिंग प्रोफ़ाइल बदलें"),
        (
            "profile_note", "Changes apply to invoices issued from now on; issued invoices keep their data.",
            "Modificările se aplică facturilor emise de acum înainte; facturile emise își păstrează datele.",
            "बदलाव अब से जारी होने वाले चालानों पर लागू होंगे; जारी चालान अपना विवरण रखते हैं।"
        ),
        ("security_title", "Security", "Securitate", "सुरक्षा"),
        ("card_title", "Pay by card", "Plată cu cardul", "कार्ड से भुगतान"),
        ("card_pay", "Pay %@ by card", "Plătește %@ cu cardul", "कार्ड से %@ का भुगतान करें"),
        ("card_working", "Processing the payment…", "Se procesează plata…", "भुगतान संसाधित हो रहा है…"),
        (
            "card_failed", "The card payment did not go through. The proforma is still unpaid.",
            "Plata cu cardul nu a reușit. Proforma a rămas neachitată.", "कार्ड भुगतान नहीं हो सका। प्रोफ़ॉर्मा अभी भी अदत्त है।"
        ),
        (
            "card_failure",
            "Your last card payment did not go through: %@ The proforma is still unpaid; try another card or pay by bank transfer.",
            "Ultima plată cu cardul nu a reușit: %@ Proforma a rămas neachitată; încercați alt card sau plătiți prin transfer bancar.",
            "आपका पिछला कार्ड भुगतान नहीं हो सका: %@ प्रोफ़ॉर्मा अभी भी अदत्त है; दूसरा कार्ड आज़माएँ या बैंक ट्रांसफ़र से भुगतान करें।"
        ),
        (
            "card_needs_js",
            "Paying by card needs JavaScript (for the card form of our payment processor, Stripe). Bank transfer works without it.",
            "Plata cu cardul necesită JavaScript (pentru formularul de card al procesatorului de plăți, Stripe). Transferul bancar funcționează și fără.",
            "कार्ड से भुगतान के लिए JavaScript चाहिए (हमारे भुगतान प्रोसेसर Stripe के कार्ड फ़ॉर्म के लिए)। बैंक ट्रांसफ़र इसके बिना भी काम करता है।"
        ),
        ("change_email", "Change the login e-mail", "Schimbă adresa de e-mail de autentificare", "लॉग इन ई-मेल बदलें"),
        ("new_email", "New e-mail address", "Noua adresă de e-mail", "नया ई-मेल पता"),
        (
            "email_change_hint", "We send a link to the new address; the change takes effect when you open it.",
            "Trimitem un link la noua adresă; schimbarea are loc când îl deschideți.",
            "हम नए पते पर एक लिंक भेजते हैं; इसे खोलने पर बदलाव लागू होता है।"
        ),
        (
            "email_confirm_sent",
            "We sent a link to the new address. Your login e-mail changes when you open it; it works for 24 hours.",
            "Am trimis un link la noua adresă. Adresa de e-mail de autentificare se schimbă când îl deschideți; este valabil 24 de ore.",
            "हमने नए पते पर एक लिंक भेजा है। इसे खोलने पर आपका लॉग इन ई-मेल बदलेगा; यह 24 घंटे तक मान्य है।"
        ),
        (
            "email_confirm_title", "Confirm your new login e-mail", "Confirmați noua adresă de e-mail de autentificare",
            "अपने नए लॉग इन ई-मेल की पुष्टि करें"
        ),
        (
            "email_confirm_intro", "Make %@ the login e-mail of your Hostico account?",
            "Faceți din %@ adresa de e-mail de autentificare a contului Hostico?",
            "%@ को अपने Hostico खाते का लॉग इन ई-मेल बनाएँ?"
        ),
        ("email_confirm", "Confirm", "Confirm", "पुष्टि करें"),
        (
            "email_changed", "Your login e-mail is now %@; links in earlier e-mails no longer log you in.",
            "Adresa de e-mail de autentificare este acum %@; linkurile din e-mailurile anterioare nu vă mai autentifică.",
            "आपका लॉग इन ई-मेल अब %@ है; पिछले ई-मेल के लिंक अब आपको लॉग इन नहीं करेंगे।"
        ),
        (
            "email_confirm_invalid",
            "This confirmation link has expired or was already used. Ask for a new one on the Security page.",
            "Linkul de confirmare a expirat sau a fost deja folosit. Cereți unul nou din pagina Securitate.",
            "यह पुष्टि लिंक समाप्त हो गया है या पहले ही उपयोग हो चुका है। सुरक्षा पृष्ठ पर नया लिंक माँगें।"
        ),
        ("change_password", "Change the password", "Schimbă parola", "पासवर्ड बदलें"),
        (
            "password_changed", "Your password is changed; other sessions were logged out.",
            "Parola a fost schimbată; celelalte sesiuni au fost închise.", "आपका पासवर्ड बदल गया; अन्य सत्र लॉग आउट हो गए।"
        ),
        (
            "totp_on", "Two-factor authentication is on.", "Autentificarea în doi pași este activă.",
            "दो-चरणीय प्रमाणीकरण चालू है।"
        ),
        (
            "totp_off", "Two-factor authentication is off.", "Autentificarea în doi pași nu este activă.",
            "दो-चरणीय प्रमाणीकरण बंद है।"
        ),
        (
            "totp_enable", "Turn on two-factor authentication", "Activează autentificarea în doi pași",
            "दो-चरणीय प्रमाणीकरण चालू करें"
        ),
        (
            "totp_disable", "Turn off two-factor authentication", "Dezactivează autentificarea în doi pași",
            "दो-चरणीय प्रमाणीकरण बंद करें"
        ),
        (
            "totp_scan",
            "Scan this code with an authenticator app (e.g. Aegis, Google Authenticator), or type the secret, then enter the 6-digit code it shows.",
            "Scanați codul cu o aplicație de autentificare (de ex. Aegis, Google Authenticator) sau introduceți cheia, apoi scrieți codul de 6 cifre afișat.",
            "इस कोड को ऑथेंटिकेटर ऐप (जैसे Aegis, Google Authenticator) से स्कैन करें या सीक्रेट टाइप करें, फिर दिखाया गया 6 अंकों का कोड दर्ज करें।"
        ),
        ("totp_secret", "Secret", "Cheie", "सीक्रेट"),
        ("totp_code", "6-digit code", "Cod de 6 cifre", "6 अंकों का कोड"),
        ("recovery_title", "Your recovery codes", "Codurile de recuperare", "आपके रिकवरी कोड"),
        (
            "recovery_intro",
            "Two-factor authentication is on. Keep these codes somewhere safe: each works once if you lose your phone. They are shown only now.",
            "Autentificarea în doi pași este activă. Păstrați aceste coduri în siguranță: fiecare funcționează o singură dată dacă pierdeți telefonul. Sunt afișate doar acum.",
            "दो-चरणीय प्रमाणीकरण चालू है। इन कोड को सुरक्षित रखें: फ़ोन खोने पर प्रत्येक एक बार काम करता है। ये केवल अभी दिखाए जाते हैं।"
        ),
        ("recovery_left", "%@ recovery codes left.", "%@ coduri de recuperare rămase.", "%@ रिकवरी कोड शेष।"),
        ("done", "Done", "Gata", "हो गया"),
        (
            "totp_disabled", "Two-factor authentication is off.", "Autentificarea în doi pași a fost dezactivată.",
            "दो-चरणीय प्रमाणीकरण बंद कर दिया गया।"
        ),
        (
            "session_ended", "Your session ended. Log in to continue where you were.",
            "Sesiunea s-a încheiat. Autentificați-vă pentru a continua de unde ați rămas.",
            "आपका सत्र समाप्त हो गया। जहाँ थे वहीं से जारी रखने के लिए लॉग इन करें।"
        ),
        ("not_found", "This page does not exist.", "Pagina nu există.", "यह पृष्ठ मौजूद नहीं है।"),
        ("conflict", "This cannot be done now", "Acest lucru nu se poate face acum", "यह अभी नहीं किया जा सकता"),
        (
            "form_expired", "The form expired. Please try again.", "Formularul a expirat. Încercați din nou.",
            "फ़ॉर्म समाप्त हो गया। कृपया फिर से प्रयास करें।"
        ),
        ("fix_errors", "Please correct the marked fields.", "Corectați câmpurile marcate.", "कृपया चिह्नित फ़ील्ड ठीक करें।"),
        (
            "welcome", "Welcome to Hostico. Your account is ready.", "Bun venit la Hostico. Contul este gata.",
            "Hostico में स्वागत है। आपका खाता तैयार है।"
        ),
        ("reverse_charge", "Reverse charge", "Taxare inversă", "रिवर्स चार्ज"),
        ("yes", "Yes", "Da", "हाँ"),
        ("no", "No", "Nu", "नहीं"),
        // Ordering
        ("nav_order", "Order", "Comandă", "ऑर्डर"),
        ("order_title", "Order hosting", "Comandă găzduire", "होस्टिंग ऑर्डर करें"),
        (
            "order_no_plans", "No plans are on sale right now.", "Momentan nu este niciun plan în vânzare.",
            "अभी कोई प्लान बिक्री पर नहीं है।"
        ),
        ("order_catalogue", "Plans and prices", "Planuri și prețuri", "प्लान और कीमतें"),
        (
            "order_instant", "Set up automatically as soon as it is paid.",
            "Se configurează automat imediat ce este plătit.",
            "भुगतान होते ही अपने-आप सेट हो जाता है।"
        ),
        ("order_choose_this", "Choose", "Alege", "चुनें"),
        ("order_form", "Your order", "Comanda dumneavoastră", "आपका ऑर्डर"),
        ("order_service", "Service %@", "Serviciul %@", "सेवा %@"),
        ("order_choose", "Choose a plan and billing cycle", "Alegeți planul și ciclul de facturare", "प्लान और बिलिंग चक्र चुनें"),
        ("order_none", "— none —", "— niciunul —", "— कोई नहीं —"),
        (
            "domain_hint", "The site's domain name, e.g. example.ro.",
            "Numele de domeniu al site-ului, de ex. exemplu.ro.",
            "साइट का डोमेन नाम, जैसे example.ro।"
        ),
        ("order_profile", "Billing data", "Date de facturare", "बिलिंग विवरण"),
        (
            "order_review_hint", "You will see the totals with VAT before you confirm.",
            "Vedeți totalul cu TVA înainte de a confirma.", "पुष्टि करने से पहले आप वैट सहित कुल राशि देखेंगे।"
        ),
        ("order_review", "Review order", "Verifică comanda", "ऑर्डर देखें"),
        ("order_review_title", "Review your order", "Verificați comanda", "अपना ऑर्डर जाँचें"),
        (
            "order_review_intro",
            "Placing the order issues this proforma invoice. The services start when it is paid, by card or bank transfer.",
            "Plasarea comenzii emite această factură proformă. Serviciile pornesc când este plătită, cu cardul sau prin transfer bancar.",
            "ऑर्डर देने पर यह प्रोफ़ॉर्मा चालान जारी होगा। भुगतान होने पर (कार्ड या बैंक ट्रांसफ़र से) सेवाएँ शुरू होंगी।"
        ),
        ("order_due", "Due on", "Scadență", "देय तिथि"),
        ("order_place", "Place order", "Plasează comanda", "ऑर्डर दें"),
        ("order_change", "Change", "Modifică", "बदलें"),
        (
            "order_placed", "Your order is placed. Pay this proforma to start the services.",
            "Comanda a fost plasată. Plătiți această proformă pentru a porni serviciile.",
            "आपका ऑर्डर दे दिया गया है। सेवाएँ शुरू करने के लिए इस प्रोफ़ॉर्मा का भुगतान करें।"
        ),
        // Cancelling
        ("ends_on", "Ends on %@", "Se încheie pe %@", "%@ को समाप्त"),
        ("cancel_service", "Cancel", "Anulează", "रद्द करें"),
        ("cancel_title", "Cancel a service", "Anularea unui serviciu", "सेवा रद्द करें"),
        (
            "cancel_text", "%@ will keep working until %@, the last day paid for, and will not be renewed after it.",
            "%@ funcționează până pe %@, ultima zi plătită, și nu va mai fi reînnoit.",
            "%@ %@ तक (भुगतान किया गया अंतिम दिन) काम करेगी और उसके बाद नवीनीकृत नहीं होगी।"
        ),
        (
            "cancel_hint",
            "No renewal proforma is issued after this; an unpaid renewal for a later period is cancelled. You can withdraw the cancellation until the last day.",
            "După aceasta nu se mai emite nicio proformă de reînnoire; o reînnoire neplătită pentru o perioadă ulterioară este anulată. Puteți retrage anularea până în ultima zi.",
            "इसके बाद कोई नवीनीकरण प्रोफ़ॉर्मा जारी नहीं होगा; बाद की अवधि का बिना भुगतान वाला नवीनीकरण रद्द हो जाएगा। आप अंतिम दिन तक रद्दीकरण वापस ले सकते हैं।"
        ),
        ("cancel_confirm", "Cancel at the end of the period", "Anulează la sfârșitul perioadei", "अवधि के अंत में रद्द करें"),
        ("cancel_keep", "Keep the service", "Păstrează serviciul", "सेवा जारी रखें"),
        (
            "cancel_withdraw", "Keep it (withdraw the cancellation)", "Păstrează-l (retrage anularea)",
            "जारी रखें (रद्दीकरण वापस लें)"
        ),
        (
            "cancel_requested", "Cancelled: the service ends on the day shown.",
            "Anulat: serviciul se încheie în ziua afișată.", "रद्द: सेवा दिखाई गई तिथि को समाप्त होगी।"
        ),
        (
            "cancel_withdrawn", "The cancellation is withdrawn: the service renews as before.",
            "Anularea a fost retrasă: serviciul se reînnoiește ca înainte.", "रद्दीकरण वापस लिया गया: सेवा पहले की तरह नवीनीकृत होगी।"
        ),
        // Changing plan
        ("plan_change", "Change plan", "Schimbă planul", "प्लान बदलें"),
        ("plan_title", "Change plan", "Schimbarea planului", "प्लान बदलें"),
        (
            "plan_hint",
            "A dearer plan takes effect at once: you pay the difference for the rest of the paid period, by the day. A cheaper plan takes effect with the next renewal.",
            "Un plan mai scump se aplică imediat: plătiți diferența pentru restul perioadei plătite, proporțional cu zilele. Un plan mai ieftin se aplică de la următoarea reînnoire.",
            "महँगा प्लान तुरंत लागू होता है: भुगतान की गई अवधि के शेष दिनों का अंतर आप दिन के हिसाब से चुकाते हैं। सस्ता प्लान अगले नवीनीकरण से लागू होता है।"
        ),
        (
            "plan_none", "No other plan is sold on this billing cycle and currency.",
            "Niciun alt plan nu se vinde pe acest ciclu de facturare și în această monedă.",
            "इस बिलिंग चक्र और मुद्रा में कोई अन्य प्लान नहीं बेचा जाता।"
        ),
        (
            "plan_now_for", "At once; the difference for the rest of the period is %@ plus VAT.",
            "Imediat; diferența pentru restul perioadei este %@ plus TVA.", "तुरंत; शेष अवधि का अंतर %@ और वैट है।"
        ),
        ("plan_now_free", "At once, at no cost.", "Imediat, fără cost.", "तुरंत, बिना शुल्क।"),
        ("plan_from", "From the renewal on %@.", "De la reînnoirea din %@.", "%@ के नवीनीकरण से।"),
        ("plan_switch", "Switch to %@", "Treci la %@", "%@ पर जाएँ"),
        (
            "plan_scheduled", "Changes to %@ with the renewal on %@.", "Trece la %@ odată cu reînnoirea din %@.",
            "%@ के नवीनीकरण के साथ %@ में बदलेगा।"
        ),
        ("plan_keep", "Keep %@", "Păstrează %@", "%@ रखें"),
        (
            "plan_upgraded", "The new plan is active. Pay this proforma for the difference.",
            "Noul plan este activ. Plătiți această proformă pentru diferență.",
            "नया प्लान सक्रिय है। अंतर के लिए इस प्रोफ़ॉर्मा का भुगतान करें।"
        ),
        ("plan_changed", "The new plan is active.", "Noul plan este activ.", "नया प्लान सक्रिय है।"),
        (
            "plan_change_scheduled", "The new plan starts with the next renewal.",
            "Noul plan începe de la următoarea reînnoire.", "नया प्लान अगले नवीनीकरण से शुरू होगा।"
        ),
        ("plan_change_withdrawn", "The plan stays as it is.", "Planul rămâne neschimbat.", "प्लान जैसा है वैसा ही रहेगा।"),
        // Credit
        ("credit_title", "Credit balance", "Sold în avans", "क्रेडिट बैलेंस"),
        (
            "credit_text",
            "Overpayments and payments for cancelled proformas are kept here; the next proforma is paid from it automatically.",
            "Plățile în plus și cele pentru proforme anulate rămân aici; următoarea proformă se achită automat din acest sold.",
            "अधिक भुगतान और रद्द प्रोफ़ॉर्मा के भुगतान यहाँ रखे जाते हैं; अगला प्रोफ़ॉर्मा इसी से अपने-आप चुकाया जाता है।"
        ),
        ("credit_movements", "Movements", "Mișcări", "लेन-देन"),
        ("credit_date", "Date", "Data", "तिथि"),
        ("credit_what", "What", "Ce", "विवरण"),
        ("credit_amount", "Amount", "Sumă", "राशि"),
    ]

    /// Every rule a use case or a domain check can refuse with, in Romanian and Hindi, by rule code (English keeps the
    /// use case's own sentence, which can name values). `Strings.everyRuleIsTranslated` reads the sources for the codes.
    static let ruleMessages: [String: (String, String)] = [
        "amount.format": (
            "Dați suma cu punct și cel mult două zecimale, de ex. 121.00.", "राशि बिंदु और अधिकतम दो दशमलव के साथ दें, जैसे 121.00।"
        ),
        "amount.positive": ("Suma trebuie să fie mai mare decât zero.", "राशि शून्य से अधिक होनी चाहिए।"),
        "api-key.revoked": ("Cheia API este deja revocată.", "API कुंजी पहले ही रद्द की जा चुकी है।"),
        "card.missing": ("Introduceți datele cardului.", "कार्ड विवरण दर्ज करें।"),
        "city.bucharest-sector": (
            "Pentru o adresă din București dați sectorul, de la 1 la 6 (de ex. Sector 2).",
            "बुखारेस्ट के पते के लिए सेक्टर दें, 1 से 6 (जैसे Sector 2)।"
        ),
        "client.no-profile": ("Clientul nu are niciun profil de facturare.", "ग्राहक का कोई बिलिंग प्रोफ़ाइल नहीं है।"),
        "cnp.checksum": (
            "CNP-ul nu este valid (cifra de control); verificați dacă există o greșeală.",
            "CNP मान्य नहीं है (चेक अंक); टाइपिंग की गलती जाँचें।"
        ),
        "cnp.date": ("Data nașterii din acest CNP nu există.", "इस CNP में जन्म तिथि मौजूद नहीं है।"),
        "cnp.format": ("Un CNP are exact 13 cifre și nu începe cu 0.", "CNP में ठीक 13 अंक होते हैं और यह 0 से शुरू नहीं होता।"),
        "cnp.romanian-only": ("CNP-ul se dă doar rezidenților români.", "CNP केवल रोमानियाई निवासियों को दिया जाता है।"),
        "code.format": ("Folosiți 1–40 de litere mici, cifre sau cratime.", "1–40 छोटे अक्षर, अंक या डैश का उपयोग करें।"),
        "code.taken": ("Există deja un plan cu acest cod.", "इस कोड वाला एक प्लान पहले से है।"),
        "country.iso": ("Dați țara prin codul ISO din două litere, de ex. RO.", "देश को दो अक्षरों के ISO कोड से दें, जैसे RO।"),
        "county.ro": (
            "Alegeți un județ din România (de ex. CJ sau B pentru București).", "रोमानिया की काउंटी चुनें (जैसे CJ, या बुखारेस्ट के लिए B)।"
        ),
        "cui.checksum": (
            "CUI-ul nu este valid (cifra de control); verificați dacă există o greșeală.",
            "CUI मान्य नहीं है (चेक अंक); टाइपिंग की गलती जाँचें।"
        ),
        "cui.format": (
            "Un CUI are între 2 și 10 cifre, opțional după „RO”, și nu începe cu 0.",
            "CUI में 2 से 10 अंक होते हैं, वैकल्पिक रूप से \"RO\" के बाद, और यह 0 से शुरू नहीं होता।"
        ),
        "currency.enum": ("Alegeți o monedă acceptată (RON, EUR sau USD).", "एक स्वीकृत मुद्रा चुनें (RON, EUR या USD)।"),
        "currency.mismatch": ("Plata este în altă monedă decât proforma.", "भुगतान प्रोफ़ॉर्मा से अलग मुद्रा में है।"),
        "cycle.enum": (
            "Alegeți lunar, trimestrial, semestrial, anual sau la doi ani.", "मासिक, त्रैमासिक, छमाही, वार्षिक या द्विवार्षिक चुनें।"
        ),
        "cycle.not-offered": ("Planul nu se vinde pe acest ciclu de facturare.", "यह प्लान इस बिलिंग चक्र पर नहीं बेचा जाता।"),
        "date.format": ("Folosiți formatul AAAA-LL-ZZ.", "YYYY-MM-DD प्रारूप का उपयोग करें।"),
        "order.empty": ("Alegeți cel puțin un plan de comandat.", "ऑर्डर करने के लिए कम से कम एक प्लान चुनें।"),
        "order.items-or-fields": (
            "Dați fie lista de servicii, fie planul, ciclul și domeniul, nu pe amândouă.",
            "या तो सेवाओं की सूची दें या प्लान, चक्र और डोमेन, दोनों नहीं।"
        ),
        "order.one-currency": (
            "O comandă se plătește într-o singură monedă: comandați separat planurile cu prețuri în monede diferite.",
            "एक ऑर्डर का भुगतान एक ही मुद्रा में होता है: अलग-अलग मुद्राओं वाले प्लान अलग से ऑर्डर करें।"
        ),
        "order.too-many": (
            "Comandați cel mult 10 servicii o dată.", "एक बार में अधिकतम 10 सेवाएँ ऑर्डर करें।"
        ),
        "plan-change.ending": (
            "Serviciul este anulat: retrageți anularea înainte de a-i schimba planul.",
            "यह सेवा रद्द है: प्लान बदलने से पहले रद्दीकरण वापस लें।"
        ),
        "plan-change.not-active": (
            "Planul se poate schimba doar pentru un serviciu activ.", "प्लान केवल सक्रिय सेवा का ही बदला जा सकता है।"
        ),
        "plan-change.same-terms": (
            "Alegeți un plan vândut pe același ciclu de facturare și în aceeași monedă ca serviciul.",
            "सेवा के समान बिलिंग चक्र और मुद्रा वाला प्लान चुनें।"
        ),
        "plan-change.unpaid": (
            "Serviciul are o proformă neplătită: plătiți-o înainte de a schimba planul.",
            "इस सेवा का एक प्रोफ़ॉर्मा बकाया है: प्लान बदलने से पहले उसका भुगतान करें।"
        ),
        "plan.code-fixed": ("Codul unui plan nu se poate schimba.", "प्लान का कोड नहीं बदला जा सकता।"),
        "plan.currency-fixed": (
            "Moneda unui plan nu se poate schimba; adăugați un plan nou.", "प्लान की मुद्रा नहीं बदली जा सकती; नया प्लान जोड़ें।"
        ),
        "credit.insufficient": (
            "Se poate rambursa cel mult soldul în avans al clientului.", "अधिकतम ग्राहक के क्रेडिट बैलेंस जितनी राशि लौटाई जा सकती है।"
        ),
        "plan.not-sold": ("Alegeți unul dintre planurile aflate în vânzare.", "बिक्री पर उपलब्ध प्लान में से एक चुनें।"),
        "reference.required": ("Dați referința transferului bancar.", "बैंक ट्रांसफ़र का संदर्भ दें।"),
        "reason.required": ("Spuneți de ce este încheiat serviciul.", "बताएँ कि सेवा क्यों समाप्त की जा रही है।"),
        "service.not-live": (
            "Serviciul nu este activ: nu a fost încă plătit sau s-a încheiat deja.",
            "यह सेवा सक्रिय नहीं है: इसका अभी भुगतान नहीं हुआ है या यह पहले ही समाप्त हो चुकी है।"
        ),
        "date.future": ("Data nu poate fi în viitor.", "तिथि भविष्य में नहीं हो सकती।"),
        "date.past": ("Dați ziua de azi sau o zi ulterioară.", "आज या बाद का दिन दें।"),
        "domain.format": ("Dați numele de domeniu al site-ului, de ex. exemplu.ro.", "साइट का डोमेन नाम दें, जैसे example.ro।"),
        "efactura.not-rejected": (
            "Doar o factură respinsă poate fi încărcată din nou.", "केवल अस्वीकृत चालान को फिर से अपलोड किया जा सकता है।"
        ),
        "efactura.state": ("Stare e-Factura necunoscută.", "अज्ञात e-Factura स्थिति।"),
        "email-change.invalid": (
            "Acest link de confirmare a expirat sau a fost deja folosit.", "यह पुष्टि लिंक समाप्त हो गया है या पहले ही उपयोग हो चुका है।"
        ),
        "email.format": ("Adresa de e-mail nu este validă.", "ई-मेल पता मान्य नहीं है।"),
        "email.same": ("Aceasta este deja adresa de e-mail de autentificare.", "यह पहले से आपका लॉग इन ई-मेल है।"),
        "email.taken": (
            "Există deja un cont cu acest e-mail; autentificați-vă sau resetați parola.",
            "इस ई-मेल से पहले से एक खाता है; लॉग इन करें या पासवर्ड रीसेट करें।"
        ),
        "entity.cnp": ("O persoană juridică nu are CNP; alegeți persoană fizică.", "कानूनी इकाई का CNP नहीं होता; निजी व्यक्ति चुनें।"),
        "exchange-rate.missing": (
            "Lipsește cursul BNR pentru această monedă; adăugați-l înainte de a înregistra plata.",
            "इस मुद्रा के लिए BNR विनिमय दर नहीं है; भुगतान दर्ज करने से पहले इसे जोड़ें।"
        ),
        "extension.not-later": ("Dați o zi după scadența în vigoare.", "लागू नियत तिथि के बाद का दिन दें।"),
        "extension.too-long": ("Prelungirea depășește numărul maxim de zile permis.", "विस्तार अनुमत अधिकतम दिनों से अधिक है।"),
        "fiscal.already-stornoed": ("Această factură a fost deja stornată.", "यह चालान पहले ही उलटा जा चुका है।"),
        "fiscal.immutable": (
            "O factură fiscală nu poate fi niciodată modificată sau ștearsă; emiteți o stornare.",
            "कर चालान को कभी बदला या हटाया नहीं जा सकता; स्टॉर्नो जारी करें।"
        ),
        "fiscal.storno-of-storno": (
            "O factură de stornare nu poate fi ea însăși stornată.", "स्टॉर्नो चालान को स्वयं उलटा नहीं जा सकता।"
        ),
        "hold.non-payment": (
            "O suspendare pentru neplată se ridică doar prin plata, anularea sau prelungirea proformei.",
            "गैर-भुगतान निलंबन केवल प्रोफ़ॉर्मा के भुगतान, रद्दीकरण या विस्तार से हटता है।"
        ),
        "iban.checksum": (
            "Cifrele de control ale IBAN-ului sunt greșite; verificați dacă există o greșeală.",
            "IBAN के चेक अंक गलत हैं; टाइपिंग की गलती जाँचें।"
        ),
        "iban.format": (
            "Un IBAN are codul țării, două cifre de control și până la 30 de litere sau cifre.",
            "IBAN में देश कोड, दो चेक अंक और 30 तक अक्षर या अंक होते हैं।"
        ),
        "iban.length": ("IBAN-ul nu are lungimea corectă pentru țara sa.", "IBAN की लंबाई उसके देश के लिए सही नहीं है।"),
        "idempotency-key.format": (
            "Dați o cheie de 1–200 de caractere, fără caractere de control, aceeași pentru fiecare reîncercare.",
            "1–200 अक्षरों की कुंजी दें, बिना नियंत्रण वर्णों के, हर पुनः प्रयास के लिए वही।"
        ),
        "json": ("Conținutul trebuie să fie un obiect JSON.", "सामग्री एक JSON ऑब्जेक्ट होनी चाहिए।"),
        "kind.enum": ("Alegeți persoană fizică sau persoană juridică.", "निजी व्यक्ति या कानूनी इकाई चुनें।"),
        "language.enum": ("Alegeți engleză, română sau hindi.", "अंग्रेज़ी, रोमानियाई या हिंदी चुनें।"),
        "length.max": ("Textul este prea lung.", "यह पाठ बहुत लंबा है।"),
        "message.status": ("Stare de mesaj necunoscută.", "अज्ञात संदेश स्थिति।"),
        "method.enum": ("Alegeți transfer bancar, card sau demo.", "बैंक ट्रांसफ़र, कार्ड या डेमो चुनें।"),
        "password.length": (
            "Parola trebuie să aibă între 10 și 72 de caractere (literele cu diacritice contează dublu).",
            "पासवर्ड 10 से 72 अक्षरों का होना चाहिए (विशेष चिह्न वाले अक्षर दो गिने जाते हैं)।"
        ),
        "password.wrong": ("Parola nu este corectă.", "पासवर्ड सही नहीं है।"),
        "payment.key-reused": (
            "Această cheie a înregistrat deja o altă plată; o plată diferită are nevoie de o cheie nouă.",
            "इस कुंजी से पहले ही एक अन्य भुगतान दर्ज हो चुका है; अलग भुगतान के लिए नई कुंजी चाहिए।"
        ),
        "person.company-fields": (
            "O persoană fizică nu are CUI, nr. de înregistrare sau cod de TVA; alegeți persoană juridică.",
            "निजी व्यक्ति का CUI, व्यापार रजिस्टर या VAT नंबर नहीं होता; कानूनी इकाई चुनें।"
        ),
        "phone.e164": (
            "Numărul de telefon nu este valid; scrieți-l în format internațional, de ex. +40 712 345 678.",
            "फ़ोन नंबर मान्य नहीं है; अंतरराष्ट्रीय रूप में लिखें, जैसे +40 712 345 678।"
        ),
        "proforma.later-period-billed": (
            "O perioadă ulterioară a serviciului este deja pe altă proformă: anulați-o întâi pe aceea.",
            "सेवा की बाद की अवधि पहले से दूसरी प्रोफ़ॉर्मा पर है: पहले उसे रद्द करें।"
        ),
        "proforma.not-unpaid": (
            "Doar o proformă neplătită poate fi modificată sau plătită.", "केवल अदत्त प्रोफ़ॉर्मा को बदला या चुकाया जा सकता है।"
        ),
        "provisioner.name": (
            "Numiți un provizioner configurat: litere mici, cifre și cratime.",
            "एक कॉन्फ़िगर किया गया प्रोविज़नर बताएँ: छोटे अक्षर, अंक और डैश।"
        ),
        "provisioning.not-failed": (
            "Doar o sarcină de provizionare eșuată poate fi reluată sau marcată ca făcută.",
            "केवल विफल प्रोविज़निंग कार्य को दोबारा चलाया या पूर्ण चिह्नित किया जा सकता है।"
        ),
        "range": ("Valoarea este în afara intervalului permis.", "मान अनुमत सीमा से बाहर है।"),
        "rate.format": (
            "Dați lei pe unitate cu cel mult patru zecimale, de ex. 4.9771.",
            "प्रति इकाई RON अधिकतम चार दशमलव के साथ दें, जैसे 4.9771।"
        ),
        "reason.enum": ("Alegeți abuz sau alt motiv.", "दुरुपयोग या अन्य कारण चुनें।"),
        "refund.not-card": (
            "Această factură nu a fost plătită cu cardul; returnați transferul bancar și emiteți o stornare.",
            "यह चालान कार्ड से नहीं चुकाया गया; बैंक ट्रांसफ़र लौटाएँ और स्टॉर्नो जारी करें।"
        ),
        "required": ("Câmpul este obligatoriu.", "यह फ़ील्ड आवश्यक है।"),
        "reset.invalid": (
            "Acest link de resetare a expirat sau a fost deja folosit. Cereți unul nou.",
            "यह रीसेट लिंक समाप्त हो गया है या पहले ही उपयोग हो चुका है। नया लिंक माँगें।"
        ),
        "scope.enum": (
            "Dați unul sau mai multe dintre: read, billing, payments, admin.",
            "इनमें से एक या अधिक दें: read, billing, payments, admin।"
        ),
        "service.transition": (
            "Serviciul nu poate face această trecere în starea lui actuală.", "सेवा अपनी वर्तमान स्थिति में यह परिवर्तन नहीं कर सकती।"
        ),
        "sms.needs-mobile": ("Notificările SMS necesită un număr de mobil valid.", "SMS सूचनाओं के लिए मान्य मोबाइल नंबर आवश्यक है।"),
        "sms.sender.format": (
            "Expeditorul SMS are 1–11 litere sau cifre, cu cel puțin o literă.",
            "SMS प्रेषक में 1–11 अक्षर या अंक हों, कम से कम एक अक्षर के साथ।"
        ),
        "storno.no-proforma": (
            "Factura nu a fost emisă dintr-o proformă: folosiți refacere sau încheiere.",
            "यह चालान प्रोफ़ॉर्मा से जारी नहीं हुआ था: पुनः जारी या समाप्त का उपयोग करें।"
        ),
        "storno.reissue-changes-totals": (
            "Noile date schimbă TVA-ul, deci suma plătită: stornați cu redeschidere.",
            "नए डेटा से VAT और इसलिए चुकाई गई राशि बदलती है: पुनः खोलें के साथ उलटें।"
        ),
        "storno.service-ended": (
            "Serviciul s-a încheiat, deci perioadele sale nu pot fi refacturate: folosiți încheiere.",
            "सेवा समाप्त हो चुकी है, इसलिए उसकी अवधियाँ फिर से बिल नहीं हो सकतीं: समाप्त का उपयोग करें।"
        ),
        "storno.then": (
            "Alegeți ce înseamnă stornarea: refacere, redeschidere sau încheiere.", "स्टॉर्नो का अर्थ चुनें: पुनः जारी, पुनः खोलें या समाप्त।"
        ),
        "text.control": (
            "Eliminați salturile de rând, taburile și alte caractere de control.", "पंक्ति विराम, टैब और अन्य नियंत्रण वर्ण हटाएँ।"
        ),
        "time-zone.known": (
            "Dați fusul orar după numele regiunii, de ex. Europe/Bucharest sau Asia/Kolkata.",
            "समय क्षेत्र को उसके क्षेत्र नाम से दें, जैसे Europe/Bucharest या Asia/Kolkata।"
        ),
        "totp.no-pending": (
            "Reluați configurarea: niciun secret nu așteaptă confirmarea.", "सेटअप फिर से शुरू करें: कोई सीक्रेट पुष्टि की प्रतीक्षा में नहीं है।"
        ),
        "totp.not-enabled": ("Autentificarea în doi pași nu este activată.", "दो-चरणीय प्रमाणीकरण चालू नहीं है।"),
        "totp.required": (
            "Conturile de personal trebuie să păstreze autentificarea în doi pași.", "स्टाफ़ खातों में दो-चरणीय प्रमाणीकरण चालू रहना चाहिए।"
        ),
        "totp.wrong": (
            "Codul nu este corect. Verificați ora telefonului și introduceți codul curent.",
            "कोड सही नहीं है। फ़ोन का समय जाँचें और वर्तमान कोड दर्ज करें।"
        ),
        "type": ("Câmpul are un tip greșit.", "इस फ़ील्ड का प्रकार गलत है।"),
        "vat.checksum": ("Cifra de control a codului de TVA RO este greșită.", "RO VAT नंबर का चेक अंक गलत है।"),
        "vat.country": (
            "Acesta nu este un prefix de TVA din UE (Grecia folosește EL).", "यह EU VAT उपसर्ग नहीं है (ग्रीस EL का उपयोग करता है)।"
        ),
        "vat.country-mismatch": ("Prefixul codului de TVA nu corespunde țării.", "VAT नंबर का उपसर्ग देश से मेल नहीं खाता।"),
        "vat.cui-mismatch": ("Codul de TVA RO trebuie să fie RO urmat de CUI.", "RO VAT नंबर RO के बाद CUI होना चाहिए।"),
        "vat.format": (
            "Un cod de TVA începe cu prefixul țării, de ex. DE123456789, și are formatul țării.",
            "VAT नंबर देश के उपसर्ग से शुरू होता है, जैसे DE123456789, और देश के प्रारूप में होता है।"
        ),
        "vat.no-rate": (
            "Nu se cunoaște cota de TVA pentru această țară la această dată.", "इस देश के लिए इस तिथि पर कोई VAT दर ज्ञात नहीं है।"
        ),
    ]

    static func message(for error: FieldError, in language: Language) -> String {
        message(rule: error.rule, english: error.message, in: language)
    }

    /// A refusal (a field error or a conflict) in the page's language.
    static func message(rule: String, english: String, in language: Language) -> String {
        guard let t = ruleMessages[rule] else { return english }
        switch language {
        case .en: return english
        case .ro: return t.0
        case .hi: return t.1
        }
    }
}
