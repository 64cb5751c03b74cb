public import Foundation

/// `atomo init <name> --template crm`: a workspace folder with `services/<name>/schema.ts` and a README.
///
/// ```swift
/// let created = try WorkspaceScaffold(name: "acme", template: "crm").create(in: URL(fileURLWithPath: "."))
/// // acme/README.md, acme/services/acme/schema.ts
/// ```
public struct WorkspaceScaffold: Sendable {
    /// The workspace's name: its folder, and the name of its first service.
    public var name: String
    /// The template: `crm` (the CRM service of `Examples/services/crm-service`) or `empty`.
    public var template: String

    /// The templates `init` knows.
    public static let templates = ["crm", "empty"]

    /// Creates a scaffold.
    public init(name: String, template: String) {
        self.name = name
        self.template = template
    }

    /// Writes the workspace into `parent/<name>` and returns the paths written, relative to it.
    ///
    /// - Throws: ``ToolError/invalidName(_:)``, ``ToolError/unknownTemplate(_:known:)``,
    ///   ``ToolError/workspaceExists(_:)``, or a file-system error.
    @discardableResult
    public func create(in parent: URL) throws -> [String] {
        guard Self.isValidName(name) else { throw ToolError.invalidName(name) }
        let schema: String
        switch template {
        case "crm": schema = CRMTemplate.schemaTS
        case "empty": schema = CRMTemplate.emptySchemaTS
        default: throw ToolError.unknownTemplate(template, known: Self.templates)
        }
        let root = parent.appendingPathComponent(name)
        let manager = FileManager.default
        if let contents = try? manager.contentsOfDirectory(atPath: root.path), !contents.isEmpty {
            throw ToolError.workspaceExists(root.path)
        }
        let files: [(String, String)] = [
            ("services/\(name)/schema.ts", schema),
            ("README.md", readme),
            (".gitignore", ".atomo/\n"),
        ]
        for (path, contents) in files {
            let url = root.appendingPathComponent(path)
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        return files.map(\.0)
    }

    /// Names are folder names and part of URLs: letters, digits, `-` and `_`, starting with a letter.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, first.isASCII else { return false }
        return name.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
            }
    }

    private var readme: String {
        """
        # \(name)

        An Atomo workspace. The service `\(name)` is declared in `services/\(name)/schema.ts`.

        ## Run it

        ```sh
        atomo dev --service services/\(name)/schema.ts
        ```

        serves the GraphQL API at http://127.0.0.1:8080/graphql (GraphiQL in a browser), keeps its data in
        `.atomo/`, and reloads the schema whenever you save `schema.ts` — no restart. The first start
        prints the Admin's generated password (or set `ATOMO_ADMIN_EMAIL` and `ATOMO_ADMIN_PASSWORD`).

        ## Other commands

        ```sh
        atomo schema export services/\(name)/schema.ts   # the canonical JSON
        atomo generate --schema services/\(name)/schema.ts --output Sources/Client/Schema.swift
        atomo codegen --schema services/\(name)/schema.ts --output web/src/atomo
        atomo migrate --schema services/\(name)/schema.ts
        atomo events tail
        ```

        """
    }
}
