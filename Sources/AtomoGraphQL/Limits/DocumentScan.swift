/// A linear scan of a document's bytes before it is parsed: counts tokens and the deepest nesting of
/// `{`, `(` and `[`, skipping strings, block strings and comments.
///
/// The library's parser is recursive descent, so a document nested 100,000 deep would exhaust the
/// stack; this scan rejects it in O(n) time and O(1) memory first.
enum DocumentScan {
    /// Throws when the document has more tokens or deeper nesting than `limits` allow.
    static func check(_ text: String, limits: GraphQLLimits) throws(GraphQLRequestError) {
        var tokens = 0
        var depth = 0
        var line = 1
        var lineStart = 0
        let bytes = Array(text.utf8)
        var index = 0
        let count = bytes.count

        func position(_ at: Int) -> SourcePosition { SourcePosition(line: line, column: at - lineStart + 1) }

        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                line += 1
                index += 1
                lineStart = index
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: ","):
                index += 1
            case UInt8(ascii: "#"):
                while index < count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "\""):
                tokens += 1
                if index + 2 < count, bytes[index + 1] == UInt8(ascii: "\""), bytes[index + 2] == UInt8(ascii: "\"") {
                    index += 3
                    while index < count {
                        if bytes[index] == UInt8(ascii: "\\"), index + 3 < count,
                            bytes[index + 1] == UInt8(ascii: "\""),
                            bytes[index + 2] == UInt8(ascii: "\""), bytes[index + 3] == UInt8(ascii: "\"")
                        {
                            index += 4
                        } else if bytes[index] == UInt8(ascii: "\""), index + 2 < count,
                            bytes[index + 1] == UInt8(ascii: "\""),
                            bytes[index + 2] == UInt8(ascii: "\"")
                        {
                            index += 3
                            break
                        } else {
                            if bytes[index] == UInt8(ascii: "\n") {
                                line += 1
                                lineStart = index + 1
                            }
                            index += 1
                        }
                    }
                } else {
                    index += 1
                    while index < count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\n") {
                        index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    index += 1
                }
            case UInt8(ascii: "{"), UInt8(ascii: "("), UInt8(ascii: "["):
                tokens += 1
                depth += 1
                if depth > limits.maxNesting {
                    throw GraphQLRequestError(
                        .limitExceeded, "the document nests deeper than \(limits.maxNesting) levels",
                        location: position(index))
                }
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: ")"), UInt8(ascii: "]"):
                tokens += 1
                depth = max(0, depth - 1)
                index += 1
            default:
                tokens += 1
                if Self.isNameOrNumber(byte) {
                    while index < count, Self.isNameOrNumber(bytes[index]) { index += 1 }
                } else {
                    index += 1
                }
            }
            if tokens > limits.maxTokens {
                throw GraphQLRequestError(.limitExceeded, "the document has more than \(limits.maxTokens) tokens")
            }
        }
    }

    private static func isNameOrNumber(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+")
    }
}
