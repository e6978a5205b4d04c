import Domain
import Foundation

/// The contact fields shared by sign-up and My Details, parsed the same way in both: an optional phone, the
/// language, SMS only with a valid mobile number, an optional IANA time zone.
enum ContactInput {
    static func parse(
        phone raw: String?, language rawLanguage: String, smsOptIn: Bool, timeZone rawZone: String?,
        into errors: inout FieldErrors
    )
        -> (PhoneNumber?, Language?, ClientTimeZone?)
    {
        var phone: PhoneNumber?
        if let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            phone = errors.check { () throws(ValidationFailure) in try PhoneNumber.parse(raw) }
        }
        let language = Language(rawValue: rawLanguage)
        if language == nil { errors.add("language", "language.enum", "Choose English, Romanian or Hindi.") }
        if smsOptIn, phone?.isMobile != true, errors.errors.allSatisfy({ $0.field != "phone" }) {
            errors.add("smsOptIn", "sms.needs-mobile", "SMS notifications need a valid mobile number.")
        }
        var zone: ClientTimeZone?
        if let rawZone, !rawZone.isEmpty {
            zone = errors.check { () throws(ValidationFailure) in try ClientTimeZone(rawZone) }
        }
        return (phone, language, zone)
    }
}
