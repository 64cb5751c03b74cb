import AtomoSchema
import AtomoTesting
import AtomoTooling
import Foundation
import Testing

/// `atomo generate` (Swift) and `atomo codegen` (TypeScript) on the CRM schema: the output compiles.
@Suite("Code generation")
struct CodeGenerationTests {
    @Test("generate: the Swift types for the CRM schema compile and decode a real crm-server GraphQL response")
    func swiftTypesDecodeARealResponse() async throws {
        let schema = try CRMFixture.schema()
        let source = SwiftTypesGenerator(schema: schema).generate()
        #expect(source.contains("public struct Contact: Codable"))
        #expect(source.contains("public enum Stage: String"))
        #expect(source.contains("public struct ContactUpdated: Codable"))
        #expect(source.contains("case callLog(CallLog)"))
        let folder = try TestPaths.temporaryDirectory("swift-generate")
        defer { try? FileManager.default.removeItem(at: folder) }

        // A real answer: crm-server, a contact with both kinds of blocks, changed once, read back over
        // GraphQL with every field of the generated `Contact` that GraphQL serves as a scalar (the
        // company reference is an object there, so it is left out and decodes as nil). Blocks carry
        // their variant in `type`, which a GraphQL client asks for with the alias `type: __typename`.
        let data = try TestPaths.temporaryDirectory("swift-generate-server")
        defer { try? FileManager.default.removeItem(at: data) }
        let server = try await ServerProcess(
            "crm-server", dataDirectory: data,
            environment: ["ATOMO_ADMIN_EMAIL": "admin@example.com", "ATOMO_ADMIN_PASSWORD": "Tr0ub4dor and 3 horses"])
        let admin = try await HTTPTestClient(baseURL: server.baseURL).login("admin@example.com", "Tr0ub4dor and 3 horses")
        let created = try await admin.graphQL(
            "mutation($input: ContactCreateInput!) { createContact(input: $input) { id } }",
            [
                "input": [
                    "name": "Ada", "email": "ada@example.com",
                    "notes": [
                        ["paragraph": ["text": "Met at the fair"]],
                        ["callLog": ["at": "2026-11-29T10:00:00Z", "summary": "Intro call"]],
                    ],
                ] as [String: Any]
            ])
        #expect(created["errors"] == nil, "\(created)")
        let id = try #require(((created["data"] as? [String: Any])?["createContact"] as? [String: Any])?["id"] as? String)
        let updated = try await admin.graphQL(
            "mutation($id: ID!) { updateContact(id: $id, input: {name: \"Ada Lovelace\"}, expectedVersion: 0) { version } }",
            ["id": id])
        #expect(updated["errors"] == nil, "\(updated)")
        let reply = try await admin.request(
            "POST", "/graphql",
            json: [
                "query": """
                query($id: ID!) { contact(id: $id) { id version createdAt updatedAt createdBy updatedBy name email
                  notes { type: __typename ... on Paragraph { text } ... on CallLog { at summary } } } }
                """,
                "variables": ["id": id],
            ] as [String: Any])
        #expect(await server.stop() == 0)
        #expect(reply.status == 200, "\(reply.text)")
        #expect(reply.json["errors"] == nil, "\(reply.text)")
        let response = folder.appendingPathComponent("response.json")
        try reply.body.write(to: response)

        // A program that decodes that response through the generated types and prints what it read.
        let file = folder.appendingPathComponent("CRM.swift")
        try Data(source.utf8).write(to: file)
        let main = folder.appendingPathComponent("main.swift")
        try Data(
            #"""
            import Foundation
            struct Response: Decodable {
                struct Payload: Decodable { var contact: Contact }
                var data: Payload
            }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let body = try Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1]))
            let contact = try decoder.decode(Response.self, from: body).data.contact
            print("id \(contact.id)")
            print("version \(contact.version)")
            print("name \(contact.name)")
            print("email \(contact.email ?? "nil")")
            print("company \(contact.company ?? "nil")")
            print("actors \(contact.createdBy != nil && contact.createdBy == contact.updatedBy ? "set, one admin" : "wrong")")
            if let created = contact.createdAt, let updated = contact.updatedAt, abs(created.timeIntervalSinceNow) < 3_600,
                created <= updated
            {
                print("timestamps recent and ordered")
            } else {
                print("timestamps wrong: \(String(describing: contact.createdAt)) \(String(describing: contact.updatedAt))")
            }
            for note in contact.notes {
                switch note {
                case .paragraph(let paragraph): print("paragraph \(paragraph.text)")
                case .callLog(let call): print("callLog \(call.summary) at \(Int(call.at.timeIntervalSince1970))")
                }
            }
            """#.utf8
        ).write(to: main)
        let swiftc = TestPaths.which("swiftc") ?? "/usr/bin/swiftc"
        let program = folder.appendingPathComponent("decode")
        let compiled = try runProgram(
            swiftc, ["-swift-version", "6", "-Onone", file.path, main.path, "-o", program.path], timeLimit: .seconds(600))
        #expect(compiled.status == 0, "swiftc failed:\n\(compiled.errors)")
        let decoded = try runProgram(program.path, [response.path], timeLimit: .seconds(60))
        #expect(decoded.status == 0, "decoding the response failed:\n\(decoded.errors)\nresponse: \(reply.text)")
        let expected = Int(try #require(ISO8601DateFormatter().date(from: "2026-11-29T10:00:00Z")).timeIntervalSince1970)
        #expect(
            decoded.output.split(separator: "\n").map(String.init) == [
                "id \(id)", "version 1", "name Ada Lovelace", "email ada@example.com", "company nil",
                "actors set, one admin", "timestamps recent and ordered",
                "paragraph Met at the fair", "callLog Intro call at \(expected)",
            ], "response: \(reply.text)")
    }

    @Test(
        "codegen: the TypeScript SDK for the CRM schema type-checks with tsc --strict",
        TestEnvironment.program("tsc", install: "Debian: apt-get install node-typescript (.ci/run installs it)").trait)
    func typeScriptCompiles() throws {
        let tsc = try #require(TestPaths.which("tsc"))
        let schema = try CRMFixture.schema()
        let files = TypeScriptGenerator(schema: schema).generate()
        #expect(files.map(\.name) == ["types.ts", "operations.ts", "hooks.ts", "index.ts"])
        let hooks = try #require(files.first { $0.name == "hooks.ts" }).contents
        for hook in ["useContacts", "useContact", "useCreateContact", "useUpdateContact", "useDeleteContact", "useDeals"] {
            #expect(hooks.contains("export function \(hook)("), "missing \(hook)")
        }
        let types = try #require(files.first { $0.name == "types.ts" }).contents
        #expect(types.contains("export interface ContactWhere"))
        #expect(types.contains("export interface ContactCreateInput"))
        #expect(types.contains("export type Stage = 'Lead' | 'Qualified' | 'Proposal' | 'Won' | 'Lost';"))

        let folder = try TestPaths.temporaryDirectory("tsc")
        defer { try? FileManager.default.removeItem(at: folder) }
        let generated = folder.appendingPathComponent("generated")
        try FileManager.default.createDirectory(at: generated, withIntermediateDirectories: true)
        for file in files { try Data(file.contents.utf8).write(to: generated.appendingPathComponent(file.name)) }
        for fixture in ["react-query.d.ts", "usage.ts"] {
            try FileManager.default.copyItem(at: TestPaths.fixture(fixture), to: folder.appendingPathComponent(fixture))
        }
        let result = try runProgram(
            tsc,
            [
                "--noEmit", "--strict", "--target", "es2020", "--module", "es2020", "--moduleResolution", "node",
                "--lib", "es2020,dom",
                folder.appendingPathComponent("react-query.d.ts").path, folder.appendingPathComponent("usage.ts").path,
            ] + files.map { generated.appendingPathComponent($0.name).path })
        #expect(result.status == 0, "tsc failed:\n\(result.output)\(result.errors)")
    }
}
