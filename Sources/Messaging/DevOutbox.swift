import Domain
import Features
import Foundation

/// The development transport (default in `demo` mode): every e-mail is written as an `.eml` file and every
/// SMS as a `.txt` file under one folder, instead of leaving the machine.
public struct DevOutboxTransport: EmailTransport, SmsTransport {
    public let folder: URL

    public init(folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    public func send(_ email: OutgoingEmail) async throws -> String? {
        let name = "mail-" + email.messageID.filter { $0.isLetter || $0.isNumber || $0 == "-" }
        try Data(MIMEMessage.render(email).utf8).write(to: folder.appendingPathComponent(name + ".eml"))
        return name
    }

    public func send(to: PhoneNumber, from sender: SmsSenderID, _ sms: EncodedSms) async throws -> [String] {
        let name = "sms-\(UUID().uuidString.prefix(8).lowercased())"
        let text =
            "From: \(sender)\nTo: \(to.e164)\nEncoding: \(sms.encoding.rawValue), \(sms.parts.count) part(s)\n\n\(sms.text)\n"
        try Data(text.utf8).write(to: folder.appendingPathComponent(name + ".txt"))
        return sms.parts.indices.map { "\(name)-\($0 + 1)" }
    }
}
