import Testing
@testable import LocustRunner

struct AllocatorPreloadTests {
    let jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"

    @Test("A plain start executes again with jemalloc preloaded")
    func reexecutesWithJemalloc() {
        #expect(AllocatorPreload.plan(environment: ["PATH": "/bin"], jemalloc: jemalloc) == .reexecute(preload: jemalloc))
        #expect(AllocatorPreload.plan(environment: ["LD_PRELOAD": " "], jemalloc: jemalloc) == .reexecute(preload: jemalloc))
    }

    @Test("The re-executed image restores LD_PRELOAD as it was, unset when it was unset or empty")
    func restores() {
        #expect(AllocatorPreload.plan(environment: [AllocatorPreload.marker: "=", "LD_PRELOAD": jemalloc], jemalloc: jemalloc)
            == .restore(preload: nil))
        #expect(AllocatorPreload.plan(environment: [AllocatorPreload.marker: "=/x.so"], jemalloc: jemalloc) == .restore(preload: "/x.so"))
        // The marker wins over everything else: a second execution never loops.
        #expect(AllocatorPreload.plan(environment: [AllocatorPreload.marker: "=", "LOCUST_MALLOC": "glibc"], jemalloc: nil)
            == .restore(preload: nil))
    }

    @Test("Stays on glibc under libfaketime or any other preload, when asked, and without jemalloc")
    func staysOnGlibc() {
        let libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
        #expect(AllocatorPreload.plan(environment: ["LD_PRELOAD": libfaketime, "FAKETIME": "+180s"], jemalloc: jemalloc)
            == .stay(reason: "LD_PRELOAD is set (\(libfaketime))"))
        #expect(AllocatorPreload.plan(environment: ["LOCUST_MALLOC": "glibc"], jemalloc: jemalloc) == .stay(reason: "LOCUST_MALLOC=glibc"))
        #expect(AllocatorPreload.plan(environment: [:], jemalloc: nil) == .stay(reason: "jemalloc is not installed"))
    }

    @Test("LOCUST_MALLOC=jemalloc is the default; any other value than glibc is refused")
    func choice() {
        #expect(AllocatorPreload.plan(environment: ["LOCUST_MALLOC": "jemalloc"], jemalloc: jemalloc) == .reexecute(preload: jemalloc))
        #expect(AllocatorPreload.plan(environment: ["LOCUST_MALLOC": "tcmalloc"], jemalloc: jemalloc)
            == .refuse(message: "LOCUST_MALLOC=tcmalloc: use glibc or jemalloc (the default)"))
    }
}
