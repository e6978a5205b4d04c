import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A test peer the test itself starts and stops (an SMSC simulator, Kannel's boxes, an SMTP sink), so that
/// fault tests can stop a server mid-run and start it again. Its output goes to a file for the failure report.
public final class PeerProcess: @unchecked Sendable {
    public struct MissingPeer: Error, CustomStringConvertible {
        public let what: String
        public init(what: String) { self.what = what }
        public var description: String {
            "\(what) is not available: run the tests with `make test`, which installs and points to the test peers"
        }
    }

    public let process = Process()
    public let outputFile: URL

    /// Starts `executable` and waits until `readyWhen` appears in its output (or `port` accepts connections);
    /// with `requireReady` false, a process still running after `timeout` counts as started.
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], readyWhen: String? = nil,
        port: Int? = nil, timeout: TimeInterval = 15, requireReady: Bool = true
    ) async throws {
        outputFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "peer-\(UUID().uuidString.prefix(8)).log")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = try FileHandle(forWritingTo: outputFile)
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let readyWhen, output.contains(readyWhen) { return }
            if let port, await Self.accepts(port) { return }
            guard process.isRunning else { break }
            // Waiting suspends instead of holding a thread: tests share a pool as wide as the machine's 2 cores,
            // and a blocked pool stalls every other test's I/O (an SMTP reply once waited past its timeout).
            try await Task.sleep(for: .milliseconds(50))
        }
        if !requireReady, process.isRunning { return }
        stop()
        throw MissingPeer(
            what: "\(executable) (\(arguments.joined(separator: " "))): did not start; output: \(output.suffix(2000))")
    }

    public var output: String { (try? String(contentsOf: outputFile, encoding: .utf8)) ?? "" }

    /// Stops it at once (SIGKILL): a server that dies, as the fault tests want, and no 30 s unbind waits.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    public static func accepts(_ port: Int) async -> Bool {
        let channel = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(
            .milliseconds(200)
        ).connect(host: "127.0.0.1", port: port).get()
        try? await channel?.close().get()
        return channel != nil
    }

    private static let handedOut = NIOLockedValueBox(Set<Int>())

    /// A port nobody listens on now (the kernel's pick for port 0), never the same twice in one test run:
    /// tests run in parallel, and a port just closed may be the kernel's next pick for another test's peer.
    public static func freePort() throws -> Int {
        while true {
            let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(
                host: "127.0.0.1", port: 0
            ).wait()
            let port = channel.localAddress!.port!
            try channel.close().wait()
            if handedOut.withLockedValue({ $0.insert(port).inserted }) { return port }
        }
    }

    /// The test peers' Python (a venv made by `make test`), from TEST_PEERS_PYTHON.
    public static func python() throws -> String {
        guard let p = ProcessInfo.processInfo.environment["TEST_PEERS_PYTHON"],
            FileManager.default.isExecutableFile(atPath: p)
        else {
            throw MissingPeer(what: "TEST_PEERS_PYTHON (the venv with smpp34, aiosmtpd)")
        }
        return p
    }

    /// A file under the package's scripts/peers folder.
    public static func script(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("scripts/peers/\(name)").path
    }
}

/// Runs a program to its end; returns its exit status and what it wrote (standard output and error together).
public func runProgram(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = executable
    p.arguments = arguments
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
