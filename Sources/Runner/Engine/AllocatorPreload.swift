import Foundation

/// Puts the runner on jemalloc: at start, before any thread exists, `locust` executes itself again with
/// Debian's `libjemalloc.so.2` in `LD_PRELOAD`, and the new image takes the variable back out, so that
/// what it starts does not inherit it.
///
/// Under glibc's malloc a soak slave's memory crept up 4-7 % in 30 minutes while its live heap stayed flat
/// (freed memory kept resident and fragmented); under jemalloc it stayed level (docs/BENCHMARKS.md, "What
/// the soak shows"). jemalloc is preloaded rather than linked because linked, it hangs the process under
/// libfaketime: jemalloc's initialization reads the clock, libfaketime's initialization then fails a
/// `dlsym` and reports it with `malloc`, which waits on jemalloc's init lock. So the runner stays on
/// glibc whenever something is preloaded already (libfaketime, a profiler, another allocator), when
/// `LOCUST_MALLOC=glibc`, and where jemalloc is not installed; another value of `LOCUST_MALLOC` is bad input.
public enum AllocatorPreload {
    /// Set in the re-executed image: the `LD_PRELOAD` to restore, after a leading `=` (so that an
    /// empty value means "there was none").
    static let marker = "LOCUST_JEMALLOC_PRELOADED"
    /// Where Debian and other distributions install jemalloc's shared library.
    static let candidates = [
        "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
        "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2", "/usr/local/lib/libjemalloc.so.2",
    ]

    /// What to do at start.
    enum Plan: Equatable {
        /// Execute again with this `LD_PRELOAD`, remembering the current one (nil: unset) in ``marker``.
        case reexecute(preload: String)
        /// This is the re-executed image: restore `LD_PRELOAD` to this (nil: unset it).
        case restore(preload: String?)
        /// Stay as it is, on glibc's malloc (the reason, for the docs and the tests).
        case stay(reason: String)
        /// `LOCUST_MALLOC` has a value other than `glibc` or `jemalloc`: this one-line error, exit code 2.
        case refuse(message: String)
    }

    /// The plan for an environment, given which file is jemalloc's (nil: not installed).
    static func plan(environment: [String: String], jemalloc: String?) -> Plan {
        if let remembered = environment[marker] {
            let preload = remembered.hasPrefix("=") ? String(remembered.dropFirst()) : ""
            return .restore(preload: preload.isEmpty ? nil : preload)
        }
        switch environment["LOCUST_MALLOC"] {
        case nil, "", "jemalloc": break
        case "glibc": return .stay(reason: "LOCUST_MALLOC=glibc")
        case let other?: return .refuse(message: "LOCUST_MALLOC=\(other): use glibc or jemalloc (the default)")
        }
        if let preload = environment["LD_PRELOAD"], !preload.trimmingCharacters(in: .whitespaces).isEmpty {
            return .stay(reason: "LD_PRELOAD is set (\(preload))")
        }
        guard let jemalloc else { return .stay(reason: "jemalloc is not installed") }
        return .reexecute(preload: jemalloc)
    }

    /// Runs the plan for this process: returns at once, or (once per start) replaces the process image.
    /// If the `execv` fails, the environment is put back and the runner goes on under glibc's malloc.
    public static func apply() {
        let environment = ProcessInfo.processInfo.environment
        let jemalloc = candidates.first { access($0, R_OK) == 0 }
        switch plan(environment: environment, jemalloc: jemalloc) {
        case .stay:
            return
        case .refuse(let message):
            LocustMain.printError(message)
            exit(2)
        case .restore(let preload):
            if let preload { setenv("LD_PRELOAD", preload, 1) } else { unsetenv("LD_PRELOAD") }
            unsetenv(marker)
        case .reexecute(let preload):
            setenv(marker, "=" + (environment["LD_PRELOAD"] ?? ""), 1)
            setenv("LD_PRELOAD", preload, 1)
            _ = execv("/proc/self/exe", CommandLine.unsafeArgv)
            unsetenv("LD_PRELOAD")
            unsetenv(marker)
        }
    }
}
