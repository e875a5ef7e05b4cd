/// Text made safe for a terminal or a log a person reads: control characters (a newline that
/// would forge a line, an escape sequence that would rewrite the screen) and bidirectional
/// overrides are shown as `\u{…}` escapes (`\n`, `\r` as themselves), so a hostile value prints
/// as what it is. Tabs stay.
enum TerminalText {
    static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            default: result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return result
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" { return false }
        if scalar.properties.generalCategory == .control { return true }
        // Bidirectional embeddings, overrides and isolates reorder what is shown.
        return (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }
}
