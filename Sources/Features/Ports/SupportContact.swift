/// Where clients reach a person (`SUPPORT_EMAIL`, `SUPPORT_URL`): shown in every page's footer and wherever a page
/// tells the client to contact support (an abuse hold, a terminated service).
public struct SupportContact: Sendable, Equatable {
    public var email: String?
    public var url: String?

    public init(email: String?, url: String?) {
        self.email = email
        self.url = url
    }

    public static let none = SupportContact(email: nil, url: nil)
}
