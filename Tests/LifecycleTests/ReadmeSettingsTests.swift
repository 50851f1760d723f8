import FoundationEssentials
import Lifecycle
import TestSupport
import Testing

/// The README's settings table says what the declarations say: every variable it names exists, and every default it
/// gives is the declared one, so the table cannot drift from the code.
@Suite struct ReadmeSettingsTests {
    /// One row: the variables of its first cell (`NAME` / `_FILE` names NAME_FILE) and the backticked defaults of its second.
    struct Row {
        var names: [String]
        var defaults: [String]
    }

    static func backticked(_ text: Substring) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    static func settingsRows(_ readme: String) throws -> [Row] {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "## Settings"), "no ## Settings section")
        let table = lines[start...].drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }.dropFirst(2)
        return table.map { line in
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst()
            var names: [String] = []
            for name in backticked(cells[cells.startIndex]) {
                names.append(name.hasPrefix("_") ? (names.last ?? "") + name : name)
            }
            return Row(names: names, defaults: backticked(cells[cells.startIndex + 1]))
        }
    }

    @Test func everyRowNamesDeclaredVariablesWithTheirDefaults() throws {
        let readme = String(decoding: try Data(contentsOf: URL(filePath: Shell.repositoryRoot + "/README.md")), as: UTF8.self)
        let rows = try Self.settingsRows(readme)
        #expect(rows.count >= 10, "the settings table was not found whole: \(rows.count) rows")
        let declared = Dictionary(ServiceSettings.variables.map { ($0.name, $0.defaultValue) }) { first, _ in first }
        for row in rows {
            for name in row.names { #expect(declared[name] != nil, "README names \(name), which no setting reads") }
            guard !row.defaults.isEmpty else { continue }
            #expect(row.defaults.count == row.names.count, "\(row.names): \(row.defaults.count) defaults for \(row.names.count) names")
            for (name, shown) in zip(row.names, row.defaults) {
                #expect(declared[name] == shown, "README gives \(name) the default \(shown); declared: \(declared[name] ?? "none")")
            }
        }
    }
}
