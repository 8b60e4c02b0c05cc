import Foundation
import LocustStats

/// The terminal's width, for the console table.
enum TerminalSize {
    /// Locust's `STATS_NAME_WIDTH`: 80 when not a terminal, else the columns past 80 (at least 30 here).
    static var statsNameWidth: Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return max(30, ConsoleReport.nameWidth(terminalColumns: Int(size.ws_col)))
        }
        return 80
    }
}
