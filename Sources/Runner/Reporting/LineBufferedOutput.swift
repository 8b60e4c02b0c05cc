@preconcurrency import Glibc

/// Makes C's standard output line-buffered, so a scenario's `print()` reaches a redirected standard
/// output line by line instead of at exit.
enum LineBufferedOutput {
    static func enable() {
        // Called once, first thing in `main`, before any thread writes to standard output.
        setvbuf(stdout, nil, _IOLBF, 0)
    }
}
