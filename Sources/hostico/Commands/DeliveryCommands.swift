import ArgumentParser
import Bootstrap
import Foundation

struct Notify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Notifications.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deliver every due e-mail and SMS once (the worker does this every few seconds).")
        @OptionGroup var common: CommonOptions

        func run() async throws { try await common.report { try await $0.deliverNotifications() } }
    }
}

struct EFacturaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "efactura", abstract: "Romanian e-Factura (UBL 2.1, CIUS-RO).",
        subcommands: [Export.self, Upload.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write the e-Factura XML of every fiscal invoice and storno issued in a date range, one file per invoice."
        )
        @OptionGroup var common: CommonOptions
        @Option(help: "First issue date, YYYY-MM-DD.") var from: String
        @Option(help: "Last issue date, YYYY-MM-DD (inclusive).") var to: String
        @Option(help: "Folder to write into (created if missing).") var out = "./efactura"

        func run() async throws {
            try await common.report { try await $0.exportEFactura(from: from, to: to, into: out) }
        }
    }
}

extension EFacturaCommand {
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Upload every due fiscal invoice to ANAF and ask about the uploaded ones, once (serve and worker do this every minute)."
        )
        @OptionGroup var common: CommonOptions

        func run() async throws { try await common.report { try await $0.uploadEFactura() } }
    }
}

struct Provision: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Hosting-server provisioning.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every due provisioning job once (serve and worker do this every few seconds).")
        @OptionGroup var common: CommonOptions

        func run() async throws { try await common.report { try await $0.provision() } }
    }
}
