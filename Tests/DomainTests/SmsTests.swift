import Foundation
import Testing

@testable import Domain

@Suite("SMS encoding, parts and quiet hours (vectors from domain.md §4)")
struct SmsTests {
    @Test(arguments: [
        (String(repeating: "A", count: 160), SmsEncoding.gsm7, 1),
        (String(repeating: "A", count: 161), .gsm7, 2),
        (String(repeating: "€", count: 80), .gsm7, 1),
        (String(repeating: "€", count: 81), .gsm7, 2),
        (String(repeating: "x", count: 306), .gsm7, 2),
        (String(repeating: "x", count: 307), .gsm7, 3),
        ("{" + String(repeating: "a", count: 159), .gsm7, 2),
        ("Plata a fost înregistrată", .ucs2, 1),
        (String(repeating: "ș", count: 70), .ucs2, 1),
        (String(repeating: "ș", count: 71), .ucs2, 2),
        (String(repeating: "a", count: 70) + "ț", .ucs2, 2),
        ("आपकी सेवा निलंबित कर दी गई है", .ucs2, 1),
    ])
    func partsWithoutTransliteration(text: String, encoding: SmsEncoding, parts: Int) {
        let sms = SmsEncoder.encode(text, transliterate: false, reference: 7)
        #expect(sms.encoding == encoding)
        #expect(sms.parts.count == parts)
    }

    @Test func transliterationKeepsRomanianInGSM7() {
        let sms = SmsEncoder.encode(
            "Plata a fost înregistrată. Șoseaua Ştefan cel Mare, Ţara", transliterate: true, reference: 1)
        #expect(sms.encoding == .gsm7)
        #expect(sms.text == "Plata a fost inregistrata. Soseaua Stefan cel Mare, Tara")
        #expect(sms.parts == [.init(header: [], payload: sms.text.map { SmsEncoder.basic[$0]! })])
    }

    @Test func hindiStaysUCS2EvenWhenTransliterating() {
        let sms = SmsEncoder.encode("चालान PF-2026-000001 जारी", transliterate: true, reference: 1)
        #expect(sms.encoding == .ucs2)
        #expect(sms.parts[0].payload.count == "चालान PF-2026-000001 जारी".utf16.count * 2)
    }

    @Test func concatenatedPartsCarryHeaderAndNeverSplitAnEscapePair() {
        // 152 plain characters then "€": the escape pair would straddle parts 1 and 2, so it moves whole.
        let text = String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 10)
        let sms = SmsEncoder.encode(text, transliterate: false, reference: 0x2A)
        #expect(sms.parts.count == 2)
        #expect(sms.parts[0].header == [0x05, 0x00, 0x03, 0x2A, 2, 1])
        #expect(sms.parts[1].header == [0x05, 0x00, 0x03, 0x2A, 2, 2])
        #expect(sms.parts[0].payload.count == 152)
        #expect(Array(sms.parts[1].payload.prefix(2)) == [0x1B, 0x65])
    }

    @Test func surrogatePairsStayInOnePart() {
        let text = String(repeating: "a", count: 66) + "😀" + "ăăă"  // 71 units: the pair would straddle 67
        let sms = SmsEncoder.encode(text, transliterate: false, reference: 1)
        #expect(sms.encoding == .ucs2)
        #expect(sms.parts.map { $0.payload.count } == [132, 10])
    }

    @Test(arguments: ["Hostico", "Hostico2026", "H"])
    func validSenders(sender: String) throws {
        #expect(try SmsSenderID(sender).value == sender)
    }

    @Test(arguments: ["", "HosticoBilling", "Host ico", "12345", "Hoștico"])
    func invalidSenders(sender: String) {
        #expect(throws: ValidationFailure.self) { try SmsSenderID(sender) }
    }

    @Test(arguments: [
        // (UTC instant, expected UTC delivery); Bucharest is UTC+2 in winter, UTC+3 in summer.
        ("2026-11-20T20:00:00Z", "2026-11-21T07:00:00Z"),  // 22:00 local → 09:00 next day
        ("2026-11-20T05:30:00Z", "2026-11-20T07:00:00Z"),  // 07:30 local → 09:00 same day
        ("2026-11-20T07:00:00Z", "2026-11-20T07:00:00Z"),  // 09:00 local: inside
        ("2026-11-20T16:59:59Z", "2026-11-20T16:59:59Z"),  // 18:59:59 local: inside
        ("2026-11-20T17:00:00Z", "2026-11-21T07:00:00Z"),  // 19:00 local: outside
        ("2026-03-28T20:00:00Z", "2026-03-29T06:00:00Z"),  // the night clocks move to summer time
    ])
    func quietHoursInBucharest(at: String, expected: String) {
        let q = SmsSendingWindow(timeZone: TimeZone(identifier: "Europe/Bucharest")!)
        let f = ISO8601DateFormatter()
        #expect(q.nextDeliveryTime(from: f.date(from: at)!) == f.date(from: expected)!)
    }
}

@Suite("Recovery codes")
struct RecoveryCodeTests {
    static func sha(_ s: String) -> String {
        String(s.unicodeScalars.map { String($0.value, radix: 16) }.joined().prefix(64))
    }

    @Test func eightyBitsInFourGroupsAndEveryByteCounts() {
        let zero = RecoveryCodes.code(from: [UInt8](repeating: 0, count: 10))
        let ones = RecoveryCodes.code(from: [UInt8](repeating: 0xFF, count: 10))
        #expect(zero == "0000-0000-0000-0000" && ones == "ZZZZ-ZZZZ-ZZZZ-ZZZZ")
        // Changing the last byte changes the code: all 80 bits are in it.
        #expect(RecoveryCodes.code(from: [UInt8](repeating: 0, count: 9) + [1]) == "0000-0000-0000-0001")
    }

    @Test func typedFormsNormalise() {
        #expect(RecoveryCodes.normalized("abcd efgh-jkmn pqrs") == "ABCDEFGHJKMNPQRS")
        #expect(RecoveryCodes.normalized("oOiL-0000-0000-0000") == "0011000000000000")
        #expect(RecoveryCodes.normalized("1234-5678-9012") == "123456789012")  // a code issued before 80 bits
        #expect(RecoveryCodes.normalized("UUUU-0000-0000-0000") == nil && RecoveryCodes.normalized("123456") == nil)
    }

    @Test func storedHashesAreSaltedAndOldOnesStillMatch() {
        let a = RecoveryCodes.stored("ABCDEFGHJKMNPQRS", salt: "s1", sha256: Self.sha)
        let b = RecoveryCodes.stored("ABCDEFGHJKMNPQRS", salt: "s2", sha256: Self.sha)
        #expect(a != b && a.hasPrefix("s1$s1$"))
        #expect(RecoveryCodes.matches("ABCDEFGHJKMNPQRS", stored: a, sha256: Self.sha))
        #expect(!RecoveryCodes.matches("ABCDEFGHJKMNPQRT", stored: a, sha256: Self.sha))
        #expect(RecoveryCodes.matches("123456789012", stored: Self.sha("123456789012"), sha256: Self.sha))
    }
}
