import AtomoSchema
import Foundation
import Testing

/// The guides show code output; these tests keep it from drifting.
@Suite struct DocsTests {
    /// The contents of the first fenced block of `language` after `marker` in a guide.
    static func block(in guide: String, after marker: String, language: String) throws -> String {
        let text = try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("docs/guide/\(guide)"), encoding: .utf8)
        let start = try #require(text.range(of: marker), "\(guide) has no '\(marker)'")
        let fence = try #require(text.range(of: "```\(language)\n", range: start.upperBound..<text.endIndex))
        let end = try #require(text.range(of: "\n```", range: fence.upperBound..<text.endIndex))
        return String(text[fence.upperBound..<end.lowerBound])
    }

    @Test func theSchemaTSGuideShowsTheFixtureVerbatim() throws {
        let shown = try Self.block(
            in: "schema-ts.md", after: "<!-- fixture: original-design.schema.ts -->", language: "ts")
        #expect(shown + "\n" == (try Fixtures.text("original-design.schema.ts")))
    }

    @Test func theSchemaTSGuideShowsTheFixturesCanonicalJSON() throws {
        let shown = try Self.block(
            in: "schema-ts.md", after: "<!-- canonical JSON of original-design.schema.ts -->", language: "json")
        let schema = try SchemaImporterTests.original()
        let json = try #require(String(data: try schema.canonicalJSON(), encoding: .utf8))
        #expect(shown == json)
        #expect(try Schema(canonicalJSON: Data(shown.utf8)) == schema)
    }

    @Test func theSchemaTSGuideShowsTheExportOfTheFixture() throws {
        let shown = try Self.block(
            in: "schema-ts.md", after: "<!-- export of original-design.schema.ts -->", language: "ts")
        let text = SchemaTSExporter.export(try SchemaImporterTests.original())
        #expect(shown + "\n" == text)
    }

    /// Writes the fixture's canonical JSON and export into the directory `ATOMO_PRINT_DOCS` names, for
    /// pasting into the guide.
    @Test func writeTheFixtureForTheGuide() throws {
        guard let directory = ProcessInfo.processInfo.environment["ATOMO_PRINT_DOCS"] else { return }
        let schema = try SchemaImporterTests.original()
        let url = URL(fileURLWithPath: directory)
        try schema.canonicalJSON().write(to: url.appendingPathComponent("original-design.json"))
        try Data(SchemaTSExporter.export(schema).utf8).write(
            to: url.appendingPathComponent("original-design.export.ts"))
    }
}
