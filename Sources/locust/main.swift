import Foundation
import LocustRunner

// `locust`: the thin entry point; everything lives in LocustRunner. First, before any work: onto
// jemalloc by executing itself again with it preloaded, where that is safe (AllocatorPreload).
AllocatorPreload.apply()
let code = await LocustMain.main(Array(CommandLine.arguments.dropFirst()))
exit(code)
