import AtomoTesting
import Foundation
import Testing

/// `wrk` against a GraphQL query for 30 s at 64 connections: no errors, and the server's resident
/// memory grows by less than 10% between second 10 and second 30.
///
/// "No errors" means no socket errors, no non-2xx responses, and no 200 response whose GraphQL body
/// carries `errors` (wrk's Lua `response` hook reads every body and counts them).
///
/// Runs when `wrk` is installed (Debian: `apt-get install wrk`; `.ci/run` installs it), and fails
/// without it under `ATOMO_REQUIRE_ALL=1`. It uses the
/// debug build `swift test` makes; `ATOMO_ROBUSTNESS_SERVER=<path to a release crm-server>` measures a
/// release build instead (the figures in Benchmarks/README.md). Prints P50, P99 and requests/s.
@Suite(
    "Robustness under load", .serialized,
    TestEnvironment.program("wrk", install: "Debian: apt-get install wrk (.ci/run installs it)").trait)
struct RobustnessTests {
    static func residentKilobytes(_ pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    @Test("wrk: 30 s, 64 connections, a GraphQL query: no errors (HTTP or GraphQL), RSS growth under 10% from second 10 to 30")
    func sustainedLoad() async throws {
        let data = try TestPaths.temporaryDirectory("wrk")
        defer { try? FileManager.default.removeItem(at: data) }
        let environment = [
            "ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "Tr0ub4dor and 3 horses", "LOG_LEVEL": "error",
        ]
        let executable = ProcessInfo.processInfo.environment["ATOMO_ROBUSTNESS_SERVER"] ?? "crm-server"
        let server = try await ServerProcess(executable, dataDirectory: data, environment: environment)
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let company = try await admin.graphQL("mutation { createCompany(input: {name: \"Acme\"}) { id } }")
        let companyID = ((company["data"] as? [String: Any])?["createCompany"] as? [String: Any])?["id"] as? String
        for index in 0..<100 {
            let created = try await admin.graphQL(
                "mutation($n: String!, $e: String!, $c: ID) { createContact(input: {name: $n, email: $e, company: $c}) { id } }",
                ["n": "Contact \(index)", "e": "c\(index)@example.com", "c": companyID ?? NSNull()])
            #expect(created["errors"] == nil)
        }

        let query = #"{"query":"{ contacts(first: 20, orderBy: [{name: ASC}]) { nodes { id name email company { name } } totalCount } }"}"#
        let script = data.appendingPathComponent("post.lua")
        try Data(
            """
            wrk.method = "POST"
            wrk.body = [[\(query)]]
            wrk.headers["Content-Type"] = "application/json"
            wrk.headers["Authorization"] = "Bearer \(admin.token ?? "")"

            -- Every response body is read: a 200 whose GraphQL answer has `errors` is an error too.
            local threads = {}
            function setup(thread) table.insert(threads, thread) end
            function init(args) answered = 0; graphql_errors = 0; first_error = "" end
            function response(status, headers, body)
                answered = answered + 1
                if status == 200 and (body == nil or string.find(body, '"errors"', 1, true) or not string.find(body, '"data"', 1, true)) then
                    graphql_errors = graphql_errors + 1
                    if first_error == "" then first_error = string.sub(body or "(no body)", 1, 300) end
                end
            end
            function done(summary, latency, requests)
                local answers, errors, example = 0, 0, ""
                for _, thread in ipairs(threads) do
                    answers = answers + thread:get("answered")
                    errors = errors + thread:get("graphql_errors")
                    if example == "" then example = thread:get("first_error") end
                end
                io.write(string.format("GraphQL answers read: %d, with errors: %d\\n", answers, errors))
                if errors > 0 then io.write("First GraphQL error body: " .. example .. "\\n") end
            end
            """.utf8
        ).write(to: script)

        let pid = server.process.processIdentifier
        let wrkTask = Task.detached {
            try runProgram(
                TestPaths.which("wrk") ?? "wrk",
                ["-t", "2", "-c", "64", "-d", "30s", "--latency", "-s", script.path, server.baseURL + "/graphql"])
        }
        try await Task.sleep(for: .seconds(10))
        let at10 = Self.residentKilobytes(pid)
        try await Task.sleep(for: .seconds(19.5))
        let at30 = Self.residentKilobytes(pid)
        let result = try await wrkTask.value
        #expect(result.status == 0, "\(result.errors)")
        let output = result.output
        print("wrk against \(executable):\n\(output)\nRSS at 10 s: \(at10 ?? -1) kB, at 30 s: \(at30 ?? -1) kB")
        #expect(!output.contains("Non-2xx or 3xx responses"), "HTTP errors under load:\n\(output)")
        #expect(!output.contains("Socket errors"), "socket errors under load:\n\(output)")
        // The Lua hook read every response body: none may carry GraphQL `errors`.
        let answers = output.split(separator: "\n").first { $0.hasPrefix("GraphQL answers read:") }
        let counts = answers.map { line in line.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) } } ?? []
        #expect(counts.count == 2 && counts[0] > 0, "wrk's response hook did not report:\n\(output)")
        #expect(counts.count == 2 && counts[1] == 0, "GraphQL errors in 200 responses under load:\n\(output)")
        let rate = output.split(separator: "\n").first { $0.hasPrefix("Requests/sec:") }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        #expect(rate > 0)
        let before = try #require(at10)
        let after = try #require(at30)
        #expect(Double(after) < Double(before) * 1.10, "RSS grew from \(before) kB to \(after) kB")

        // Still healthy and correct afterwards.
        let check = try await admin.graphQL("{ contacts(first: 1) { totalCount } }")
        #expect(((check["data"] as? [String: Any])?["contacts"] as? [String: Any])?["totalCount"] as? Int == 100)
        #expect(await server.stop() == 0)
    }
}
