import ArgumentParser
import Bootstrap
import Documents
import Domain
import Features
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Storage

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Staff accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a staff account; the password is read from standard input.")
        @OptionGroup var common: CommonOptions
        @Option var email: String
        @Option var name: String

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                guard let password = readLine(strippingNewline: true) else {
                    throw ValidationError("give the password on standard input")
                }
                let id = try await CreateStaff(deps)(email: email, name: name, password: password)
                print("Staff member #\(id) created.")
            }
        }
    }
}

struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key", abstract: "API keys: create, list, revoke.",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key; it is printed once and stored hashed.")
        @OptionGroup var common: CommonOptions
        @Option(help: "What uses the key (shown in the list).") var name: String
        @Option(help: "read, billing, payments or admin (admin includes the others); repeat or separate with commas.")
        var scope: [String] = ["admin"]
        @Option(help: "The key stops working after this many days (default: never).") var expiresDays: Int?

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let (id, secret) = try await CreateAPIKey(deps)(
                    name: name, scopes: scope, expiresInDays: expiresDays, staffID: nil)
                print("API key #\(id): \(secret)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the API keys: scopes, expiry, last use, revocation (never the secrets).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                let stamp = { (d: Date?) in d.map { ISO8601DateFormatter().string(from: $0) } ?? "-" }
                print("id\tname\tscopes\tcreated\texpires\tlast used\trevoked")
                for k in try await ListAPIKeys(deps)() {
                    print(
                        "\(k.id)\t\(k.name)\t\(APIScope.text(k.scopes))\t\(stamp(k.createdAt))\t\(stamp(k.expiresAt))\t\(stamp(k.lastUsedAt))\t\(stamp(k.revokedAt))"
                    )
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key: every request with it is refused from now on.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The key's id (see api-key list).") var id: Int64

        func run() async throws {
            try await common.withDatabase { _, deps, db in
                try await RevokeAPIKey(deps)(id: id, actor: .system)
                print("API key #\(id) revoked")
            }
        }
    }
}
