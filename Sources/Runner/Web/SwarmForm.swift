@_spi(Runner) import LocustAPI

/// `POST /swarm`'s form, parsed and checked with Locust's messages.
struct SwarmForm: Equatable {
    var request: StartRequest
    var runTimeSeconds: Double?

    /// The fields of an `application/x-www-form-urlencoded` body (or query), repeated keys kept in order.
    static func fields(_ body: String) -> [(key: String, value: String)] {
        body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Checks the fields; the error is the message Locust answers with.
    /// Fields named as a scenario option (its name, or Locust's dest with underscores) set it.
    static func parse(_ body: String, options: [ScenarioOption] = []) throws(StartRefusal) -> SwarmForm {
        let fields = fields(body)
        func value(_ key: String) -> String? {
            fields.last(where: { $0.key == key })?.value.trimmingCharacters(in: .whitespaces)
        }
        guard let usersText = value("user_count"), !usersText.isEmpty,
            let rateText = value("spawn_rate"), !rateText.isEmpty
        else {
            throw StartRefusal("Missing or invalid user_count or spawn_rate from /swarm request")
        }
        guard let users = Int(usersText) else {
            throw StartRefusal("Invalid user_count value: '\(usersText)' (must be an integer)")
        }
        guard let rate = Double(rateText), rate.isFinite else {
            throw StartRefusal("Invalid spawn_rate value: '\(rateText)' (must be a number)")
        }
        var runTime: Double?
        if let text = value("run_time"), !text.isEmpty {
            guard let seconds = TimeSpan.seconds(text), seconds > 0 else {
                throw StartRefusal("Valid run_time formats are : 20, 20s, 3m, 2h, 1h20m, 3h30m10s, etc.")
            }
            runTime = seconds
        }
        let classes = fields.filter { $0.key == "user_classes" }.map(\.value)
        let host = value("host").flatMap { $0.isEmpty ? nil : $0 }
        var custom: [String: String] = [:]
        for option in options {
            if let given = value(option.name.replacingOccurrences(of: "-", with: "_")) ?? value(option.name) { custom[option.name] = given }
        }
        return SwarmForm(
            request: StartRequest(
                users: users, spawnRate: rate, host: host, userClasses: classes.isEmpty ? nil : classes,
                runTime: runTime.map { Duration.seconds(saturating: $0) }, scenarioOptions: custom.isEmpty ? nil : custom),
            runTimeSeconds: runTime)
    }
}
