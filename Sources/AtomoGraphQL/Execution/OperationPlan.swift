import AtomoEvents
import GraphQL

/// A validated operation compiled for the planned executor: for each object in the response, the
/// fields to write (fragments merged, `@skip`/`@include` decided), each with its kind, arguments and
/// output shape. Compiled once per (role schema, document, operation, `@skip`/`@include` variables)
/// and cached.
final class OperationPlan: Sendable {
    let operation: OperationType
    let root: SelectionPlan
    let rootTypeName: String
    /// The variable definitions, for coercing each request's variables.
    let variableDefinitions: [VariableDefinition]
    /// How many field plans there are (their ids are 0..<count).
    let fieldCount: Int

    init(
        operation: OperationType, root: SelectionPlan, rootTypeName: String, variableDefinitions: [VariableDefinition],
        fieldCount: Int
    ) {
        self.operation = operation
        self.root = root
        self.rootTypeName = rootTypeName
        self.variableDefinitions = variableDefinitions
        self.fieldCount = fieldCount
    }
}

/// The fields selected on one object type.
struct SelectionPlan: Sendable {
    var fields: [FieldPlan]
}

/// One field of the response.
final class FieldPlan: Sendable {
    /// A unique number within the plan: the key of relations loaded for this field.
    let id: Int
    let responseKey: String
    let fieldName: String
    /// What the field does; nil for `__typename`.
    let kind: FieldKind?
    /// The parent type's name, for error messages.
    let parentTypeName: String
    /// The arguments given in the document, with their input types.
    let arguments: [ArgumentPlan]
    let shape: OutputShape
    /// For object fields: the selection. For union fields: the selection per member type name.
    let selection: SelectionPlan?
    let unionSelections: [String: SelectionPlan]
    let location: SourcePosition?
    /// For connection fields: whether `totalCount` is selected (counting costs one more query).
    let selectsTotalCount: Bool
    /// The response key as JSON, with its colon (`"name":`), escaped once when the plan is made.
    let keyJSON: [UInt8]
    /// For a field whose value is a single leaf (a scalar or enum, nullable or not, not a list):
    /// its kind, so that the executor can write a value it reads directly (a record's own field, a
    /// member of a block, `__typename`) without the general path.
    let leaf: LeafKind?
    /// For a field holding a list of blocks: how to write each block straight from its JSON.
    let blockList: BlockListPlan?
    /// For a root list field: what it reads with its page (see ``ListReads``); nothing for others.
    let listReads: ListReads

    init(
        id: Int, responseKey: String, fieldName: String, kind: FieldKind?, parentTypeName: String,
        arguments: [ArgumentPlan],
        shape: OutputShape, selection: SelectionPlan?, unionSelections: [String: SelectionPlan],
        location: SourcePosition?,
        selectsTotalCount: Bool
    ) {
        self.id = id
        self.responseKey = responseKey
        self.fieldName = fieldName
        self.kind = kind
        self.parentTypeName = parentTypeName
        self.arguments = arguments
        self.shape = shape
        self.selection = selection
        self.unionSelections = unionSelections
        self.location = location
        self.selectsTotalCount = selectsTotalCount
        var key: [UInt8] = []
        JSONStringWriter.append(responseKey, to: &key)
        key.append(UInt8(ascii: ":"))
        self.keyJSON = key
        switch shape {
        case .leaf(let leaf), .nonNull(.leaf(let leaf)): self.leaf = leaf
        default: self.leaf = nil
        }
        if case .list(let element) = shape.nullable, case .union(_, let names) = element.nullable {
            var blocks: [BlockListPlan.Block] = []
            for (blockType, typeName) in names.sorted(by: { $0.key < $1.key }) {
                if let selection = unionSelections[typeName] {
                    blocks.append(BlockListPlan.Block(blockType: blockType, typeName: typeName, selection: selection))
                }
            }
            blockList = BlockListPlan(element: element, blocks: blocks)
        } else {
            blockList = nil
        }
        listReads = ListReads(kind: kind, connection: selection)
    }
}

/// What a root list field reads beyond its page, decided once per plan: the reference fields
/// selected on its records (under `edges { node }` and `nodes`), read with the page in its read
/// transaction, and whether edges select their `cursor` (else only the first and last records get
/// one, for `pageInfo`). Other fields: no references, every cursor.
struct ListReads: Sendable {
    let references: [(sub: FieldPlan, referenceField: String)]
    let cursors: Bool

    init(kind: FieldKind?, connection: SelectionPlan?) {
        guard case .list? = kind, let connection else {
            references = []
            cursors = true
            return
        }
        var nodeSelections: [SelectionPlan] = []
        var cursors = false
        for sub in connection.fields {
            switch sub.kind {
            case .member("nodes")?:
                if let selection = sub.selection { nodeSelections.append(selection) }
            case .member("edges")?:
                for edgeField in sub.selection?.fields ?? [] {
                    switch edgeField.kind {
                    case .member("node")?:
                        if let selection = edgeField.selection { nodeSelections.append(selection) }
                    case .member("cursor")?:
                        cursors = true
                    default:
                        continue
                    }
                }
            default:
                continue
            }
        }
        references = nodeSelections.flatMap { selection in
            selection.fields.compactMap { sub -> (sub: FieldPlan, referenceField: String)? in
                guard case .reference(let referenceField, _)? = sub.kind else { return nil }
                return (sub, referenceField)
            }
        }
        self.cursors = cursors
    }
}

/// How a list of blocks is written: the element shape, and per block type (the `type` member of
/// a stored block) its GraphQL type name and selection.
struct BlockListPlan: Sendable {
    struct Block: Sendable {
        let blockType: String
        let typeName: String
        let selection: SelectionPlan
    }

    let element: OutputShape
    /// A union has a handful of block types: a scan compares fewer bytes than hashing the name.
    let blocks: [Block]

    /// The block type stored as `blockType`, if the union (as this role sees it) has it.
    func block(_ blockType: String) -> Block? { blocks.first { $0.blockType == blockType } }
}

/// An argument: its name, the value in the document (a literal or a variable) and its input type
/// (nil value: not given, so the default applies).
struct ArgumentPlan: Sendable {
    let name: String
    let value: (any Value)?
    let type: any GraphQLInputType
    let defaultValue: Map?
}

/// How a field's value is written.
indirect enum OutputShape: Sendable {
    case nonNull(OutputShape)
    case list(OutputShape)
    case leaf(LeafKind)
    case object(String)
    /// A block union: its name and the GraphQL type name of each block type (`Paragraph` → `Paragraph`).
    case union(String, [String: String])

    var isNonNull: Bool {
        if case .nonNull = self { return true }
        return false
    }

    /// The shape without its non-null wrapper.
    var nullable: OutputShape {
        if case .nonNull(let inner) = self { return inner }
        return self
    }
}

/// The leaf types and how their values are serialized.
enum LeafKind: Sendable {
    case int, float, string, boolean, id, dateTime, json
    /// An enum: its name and its values.
    case enumeration(String, Set<String>)
}
