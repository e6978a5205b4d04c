import Features
import Foundation

/// RFC 5322 / 2045–2047 rendering of an e-mail: multipart/alternative (text, then HTML), UTF-8 bodies in
/// base64 (safe for any script and any line length), RFC 2047 encoded words for non-ASCII header text.
public enum MIMEMessage {
    public static func render(_ email: OutgoingEmail) -> String {
        let boundary = "=_hostico_" + email.messageID.filter { $0.isLetter || $0.isNumber }
        var headers: [String] = [
            "Date: \(rfc5322Date(email.date))",
            "From: \(mailbox(email.fromName, email.from.value))",
            "To: <\(email.to.value)>",
        ]
        if let r = email.replyTo { headers.append("Reply-To: <\(r.value)>") }
        headers += [
            "Subject: \(encodeWords(email.subject))",
            "Message-ID: \(email.messageID)",
            "MIME-Version: 1.0",
            "Content-Language: \(email.language.rawValue)",
            "Auto-Submitted: auto-generated",
        ]
        var alternative = ""
        for (type, body) in [("text/plain", email.text), ("text/html", email.html)] {
            alternative +=
                "--\(boundary)\r\nContent-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            alternative +=
                base64Lines(
                    Data(
                        body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
                            .utf8)) + "\r\n"
        }
        alternative += "--\(boundary)--\r\n"
        guard !email.attachments.isEmpty else {
            headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            return headers.joined(separator: "\r\n") + "\r\n\r\n" + alternative
        }
        // multipart/mixed: the two alternative bodies first, then each file.
        let mixed = boundary + "_mixed"
        headers.append("Content-Type: multipart/mixed; boundary=\"\(mixed)\"")
        var out = headers.joined(separator: "\r\n") + "\r\n\r\n"
        out += "--\(mixed)\r\nContent-Type: multipart/alternative; boundary=\"\(boundary)\"\r\n\r\n" + alternative
        for a in email.attachments {
            let name = a.filename.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
            out +=
                "--\(mixed)\r\nContent-Type: \(a.contentType); name=\"\(name)\"\r\nContent-Disposition: attachment; filename=\"\(name)\"\r\n"
            out += "Content-Transfer-Encoding: base64\r\n\r\n" + base64Lines(Data(a.bytes)) + "\r\n"
        }
        out += "--\(mixed)--\r\n"
        return out
    }

    static func mailbox(_ name: String, _ address: String) -> String {
        name.isEmpty ? "<\(address)>" : "\(encodeWords(name)) <\(address)>"
    }

    /// Plain printable ASCII stays as it is; anything else becomes `=?UTF-8?B?…?=` words of at most 75
    /// characters, split between characters, never inside one.
    static func encodeWords(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.allSatisfy({ $0.isASCII && !$0.isNewline && $0 != "=" && $0 != "?" }) && clean.count <= 900 {
            return clean
        }
        var words: [String] = []
        var chunk = ""
        for c in clean {
            // 45 bytes of UTF-8 → 60 base64 characters + 12 of framing = 72 ≤ 75.
            if chunk.utf8.count + String(c).utf8.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk.utf8).base64EncodedString())?=")
                chunk = ""
            }
            chunk.append(c)
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk.utf8).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    static func base64Lines(_ data: Data) -> String {
        let b64 = data.base64EncodedString()
        var lines: [Substring] = []
        var i = b64.startIndex
        while i < b64.endIndex {
            let j = b64.index(i, offsetBy: 76, limitedBy: b64.endIndex) ?? b64.endIndex
            lines.append(b64[i..<j])
            i = j
        }
        return lines.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }
}
