/// English plurals for entity names: `Company` → `Companies`, `Address` → `Addresses`, `Person` → `People`.
///
/// The rules cover regular nouns, the `-y`, `-s/-x/-z/-ch/-sh`, `-f/-fe` and `-o` endings and a
/// table of common irregular and uncountable nouns. Entities whose plural the rules get wrong set
/// ``Entity/pluralName``.
public enum Pluralizer {
    private static let irregular: [String: String] = [
        "person": "people", "child": "children", "man": "men", "woman": "women", "mouse": "mice",
        "goose": "geese", "tooth": "teeth", "foot": "feet", "ox": "oxen", "criterion": "criteria",
        "datum": "data", "medium": "media", "analysis": "analyses", "index": "indices", "matrix": "matrices",
        "vertex": "vertices", "quiz": "quizzes", "status": "statuses", "leaf": "leaves", "life": "lives",
        "knife": "knives", "wife": "wives", "half": "halves", "shelf": "shelves", "wolf": "wolves",
        "hero": "heroes", "potato": "potatoes", "tomato": "tomatoes", "echo": "echoes", "veto": "vetoes",
    ]
    private static let uncountable: Set<String> = [
        "equipment", "information", "news", "series", "species", "sheep", "fish", "deer", "money", "rice",
        "metadata", "feedback", "software", "staff", "audio", "content",
    ]

    /// The plural of `word`, keeping its capitalisation; for a compound name (`DealStage`), of its last word.
    public static func plural(of word: String) -> String {
        let lastWordStart = word.lastIndex(where: { $0.isUppercase }) ?? word.startIndex
        let head = word[..<lastWordStart]
        let last = String(word[lastWordStart...])
        return head + pluralOfWord(last)
    }

    private static func pluralOfWord(_ word: String) -> String {
        let lower = word.lowercased()
        if lower.isEmpty || uncountable.contains(lower) { return word }
        if let plural = irregular[lower] { return matchingCase(plural, like: word) }
        let vowels: Set<Character> = ["a", "e", "i", "o", "u"]
        if lower.hasSuffix("y"), lower.count > 1, !vowels.contains(lower[lower.index(lower.endIndex, offsetBy: -2)]) {
            return word.dropLast() + "ies"
        }
        if ["s", "x", "z", "ch", "sh"].contains(where: lower.hasSuffix) { return word + "es" }
        return word + "s"
    }

    private static func matchingCase(_ plural: String, like word: String) -> String {
        guard let first = word.first, first.isUppercase else { return plural }
        return plural.prefix(1).uppercased() + plural.dropFirst()
    }
}
