import Foundation

/// How an SMS text travels: the GSM 03.38 default alphabet (SMPP data_coding 0) or UCS-2 (data_coding 8).
public enum SmsEncoding: String, Sendable, Codable {
    case gsm7
    case ucs2

    public var dataCoding: UInt8 { self == .gsm7 ? 0 : 8 }
}

/// An SMS text ready for a transport: its encoding, and its parts, each with the user-data header that
/// concatenation needs when there is more than one.
public struct EncodedSms: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        /// `05 00 03 ref total seq` when the text is split; empty for a single part.
        public let header: [UInt8]
        /// GSM-7 septets, one per octet (the SMSC packs them), or UTF-16BE.
        public let payload: [UInt8]
    }

    /// The text actually sent (after transliteration, if any).
    public let text: String
    public let encoding: SmsEncoding
    public let parts: [Part]
}

/// GSM 03.38 encoding, UCS-2 fallback, concatenation (153 / 67 per part) and the Romanian transliteration
/// that keeps diacritics from forcing a message into UCS-2 (which costs 2–3 times as many parts).
public enum SmsEncoder {
    /// The default alphabet, in code order (0x1B, the escape to the extension table, is left out).
    static let basic: [Character: UInt8] = {
        let table: [Character] = Array(
            "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
        )
        var map: [Character: UInt8] = [:]
        for (i, c) in table.enumerated() where c != "\u{1B}" { map[c] = UInt8(i) }
        return map
    }()

    /// Extension table: each of these costs two septets (escape + code).
    static let extended: [Character: UInt8] = [
        "\u{0C}": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D, "]": 0x3E, "|": 0x40,
        "€": 0x65,
    ]

    static let romanian: [Character: Character] = [
        "ă": "a", "â": "a", "î": "i", "ș": "s", "ş": "s", "ț": "t", "ţ": "t",
        "Ă": "A", "Â": "A", "Î": "I", "Ș": "S", "Ş": "S", "Ț": "T", "Ţ": "T",
    ]

    public static let singlePartLimit: [SmsEncoding: Int] = [.gsm7: 160, .ucs2: 70]
    public static let concatenatedPartLimit: [SmsEncoding: Int] = [.gsm7: 153, .ucs2: 67]

    /// Romanian diacritics replaced by their base letters (both the comma-below and the cedilla forms).
    public static func transliterateRomanian(_ text: String) -> String {
        String(text.map { romanian[$0] ?? $0 })
    }

    /// True when every character is in the default alphabet or its extension.
    public static func fitsGSM7(_ text: String) -> Bool {
        text.allSatisfy { basic[$0] != nil || extended[$0] != nil }
    }

    /// Encodes `text`; `reference` numbers the concatenated message (the same for all its parts).
    public static func encode(_ text: String, transliterate: Bool, reference: UInt8) -> EncodedSms {
        let text = transliterate ? transliterateRomanian(text) : text
        if fitsGSM7(text) {
            // Each character is one unit of 1 or 2 septets; an escape pair is never split between parts.
            let units: [[UInt8]] = text.map { c in basic[c].map { [$0] } ?? [0x1B, extended[c]!] }
            return EncodedSms(
                text: text, encoding: .gsm7, parts: split(units, encoding: .gsm7, reference: reference, unitSize: 1))
        }
        // UCS-2 counts UTF-16 code units; a surrogate pair (outside the BMP) stays in one part.
        let units: [[UInt8]] = text.unicodeScalars.map { scalar in
            Array(String(scalar).utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        }
        return EncodedSms(
            text: text, encoding: .ucs2, parts: split(units, encoding: .ucs2, reference: reference, unitSize: 2))
    }

    private static func split(_ units: [[UInt8]], encoding: SmsEncoding, reference: UInt8, unitSize: Int) -> [EncodedSms
        .Part]
    {
        let length = units.reduce(0) { $0 + $1.count } / unitSize
        if length <= singlePartLimit[encoding]! { return [.init(header: [], payload: units.flatMap { $0 })] }
        let limit = concatenatedPartLimit[encoding]! * unitSize
        var chunks: [[UInt8]] = [[]]
        for unit in units {
            if chunks[chunks.count - 1].count + unit.count > limit { chunks.append([]) }
            chunks[chunks.count - 1].append(contentsOf: unit)
        }
        let total = UInt8(min(chunks.count, 255))
        return chunks.prefix(255).enumerated().map { i, payload in
            .init(header: [0x05, 0x00, 0x03, reference, total, UInt8(i + 1)], payload: payload)
        }
    }
}

/// The alphanumeric sender shown on the phone ("Hostico"): 1–11 ASCII letters or digits, at least one letter
/// (spaces render inconsistently on handsets; an all-digit sender would look like a number one can reply to).
public struct SmsSenderID: Sendable, Hashable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(ValidationFailure) {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard (1...11).contains(t.count), t.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
            t.contains(where: \.isLetter)
        else {
            throw ValidationFailure(
                field: "sms.sender", rule: "sms.sender.format",
                message: "The SMS sender must be 1–11 letters or digits (A–Z, 0–9), with at least one letter.")
        }
        value = t
    }

    public var description: String { value }
}

/// SMS are delivered only inside a daily window of the client's local time (09:00–19:00 by default).
public struct SmsSendingWindow: Sendable, Equatable {
    public let startHour: Int
    public let endHour: Int
    public let timeZone: TimeZone

    public init(startHour: Int = 9, endHour: Int = 19, timeZone: TimeZone) {
        precondition(0 <= startHour && startHour < endHour && endHour <= 24)
        self.startHour = startHour
        self.endHour = endHour
        self.timeZone = timeZone
    }

    /// `instant` itself when it falls inside the window, else the start of the next window (DST-aware).
    public func nextDeliveryTime(from instant: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let hour = calendar.component(.hour, from: instant)
        if hour >= startHour && hour < endHour { return instant }
        let day = calendar.startOfDay(for: instant)
        let target = hour < startHour ? day : calendar.date(byAdding: .day, value: 1, to: day)!
        return calendar.date(bySettingHour: startHour, minute: 0, second: 0, of: target)!
    }
}
