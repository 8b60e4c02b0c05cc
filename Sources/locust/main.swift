import Foundation
import LocustRunner

// `locust`: the thin entry point; everything lives in LocustRunner.
let code = await LocustMain.main(Array(CommandLine.arguments.dropFirst()))
exit(code)
