import Foundation
import KeyBridgeRegistration

/// The kiosk's full-screen terminal pages: a framed title with the kiosk and operator, the step,
/// the page's lines and the footer. Each page clears the screen first.
struct KioskScreen: Sendable {
    let catalog: MessageCatalog
    let kioskName: String
    /// Where pages go: stdout, or stderr when stdout carries JSON lines.
    let output: FileHandle
    var operatorUPN: String?

    /// Clears the screen and draws a page.
    func page(_ heading: String, step: (number: Int, of: Int)? = nil, _ lines: [String] = []) {
        let width = max(40, min(Self.terminalWidth(), 100))
        let inner = width - 4
        var top = "keybridge · \(catalog.text("kiosk.title"))"
        var who = "Kiosk \(TerminalText.safe(kioskName))"
        if let operatorUPN { who += " · \(TerminalText.safe(operatorUPN))" }
        top = String(top.prefix(inner))
        who = String(who.prefix(inner))
        var text = "\u{1B}[2J\u{1B}[H"
        text += "┌" + String(repeating: "─", count: width - 2) + "┐\n"
        text += "│ " + top.padding(toLength: inner, withPad: " ", startingAt: 0) + " │\n"
        text += "│ " + who.padding(toLength: inner, withPad: " ", startingAt: 0) + " │\n"
        text += "└" + String(repeating: "─", count: width - 2) + "┘\n"
        text += "\n " + (step.map { "[\($0.number)/\($0.of)] " } ?? "") + TerminalText.safe(heading) + "\n\n"
        for line in lines { text += " " + TerminalText.safe(line) + "\n" }
        write(text)
    }

    /// A line under the page.
    func say(_ line: String) { write(" " + TerminalText.safe(line) + "\n") }

    /// A question; the answer is typed on the same line.
    func ask(_ question: String) { write("\n " + TerminalText.safe(question) + " ") }

    /// The footer.
    func footer() { write("\n " + catalog.text("kiosk.footer") + "\n") }

    private func write(_ text: String) { output.write(Data(text.utf8)) }

    static func terminalWidth() -> Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
