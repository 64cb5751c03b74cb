/// Spelling schema names as identifiers of generated code.
enum Identifiers {
    static let swiftKeywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default",
        "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true",
        "try", "Type", "Protocol",
    ]

    /// `someName` from any string: letters and digits kept, the rest splitting words.
    static func lowerCamel(_ raw: String) -> String {
        let words = raw.split { !($0.isLetter || $0.isNumber || $0 == "_") }.map(String.init)
        guard let first = words.first else { return "_" }
        var result = lowerFirst(first)
        for word in words.dropFirst() { result += upperFirst(word) }
        if let initial = result.first, initial.isNumber { result = "_" + result }
        return result
    }

    /// A Swift identifier for `name`, in backticks when it is a keyword.
    static func swift(_ name: String) -> String {
        swiftKeywords.contains(name) ? "`\(name)`" : name
    }

    static func upperFirst(_ word: String) -> String {
        guard let first = word.first else { return word }
        return first.uppercased() + word.dropFirst()
    }

    static func lowerFirst(_ word: String) -> String {
        guard let first = word.first else { return word }
        // `URLValue` → `urlValue`: lower the leading run of capitals but the last before a lowercase letter.
        let characters = Array(word)
        var index = 0
        while index < characters.count, characters[index].isUppercase { index += 1 }
        if index <= 1 { return first.lowercased() + word.dropFirst() }
        let run = index == characters.count ? index : index - 1
        return String(characters[0..<run]).lowercased() + String(characters[run...])
    }

    /// A string literal in Swift or TypeScript (double quotes, escaped).
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }

    /// A documentation comment, or nothing.
    static func docComment(_ text: String?, indent: String, prefix: String = "///") -> String {
        guard let text, !text.isEmpty else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "\(indent)\(prefix) \($0)\n" }.joined()
    }
}
