import ArgumentParser
import Bootstrap
import Foundation

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
            guard let password = readLine(strippingNewline: true) else {
                throw ValidationError("give the password on standard input")
            }
            try await common.report { try await $0.createStaff(email: email, name: name, password: password) }
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
            try await common.report {
                try await $0.createAPIKey(name: name, scopes: scope, expiresInDays: expiresDays)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the API keys: scopes, expiry, last use, revocation (never the secrets).")
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.report { try await $0.listAPIKeys() }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke an API key: every request with it is refused from now on.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The key's id (see api-key list).") var id: Int64

        func run() async throws {
            try await common.report { try await $0.revokeAPIKey(id: id) }
        }
    }
}
