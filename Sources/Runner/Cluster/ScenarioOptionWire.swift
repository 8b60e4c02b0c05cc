@_spi(Runner) import LocustAPI
import MessagePack

/// The scenario's option values in a spawn order's `parsed_options`, typed as Locust's argparse would
/// type them (so a Python worker's locustfile reads an int as an int), and back to text on a slave.
enum ScenarioOptionWire {
    /// `values` typed by their options' kinds; names the options do not declare are left out.
    static func encode(_ values: [String: String], options: [ScenarioOption]) -> [String: MessagePackValue] {
        var result: [String: MessagePackValue] = [:]
        for option in options {
            guard let text = values[option.name] else { continue }
            // argparse's dest: dashes become underscores (Locust's workers look options up by it).
            let key = option.name.replacingOccurrences(of: "-", with: "_")
            switch option.kind {
            case .string: result[key] = .string(text)
            case .int: result[key] = Int64(text).map { .int($0) } ?? .string(text)
            case .double: result[key] = Double(text).map { .double($0) } ?? .string(text)
            case .flag: result[key] = .bool(text == "true")
            @unknown default: result[key] = .string(text)
            }
        }
        return result
    }

    /// The values of `options` found in `parsed_options`, as text (checked by the caller).
    static func decode(_ parsed: [String: MessagePackValue], options: [ScenarioOption]) -> [String: String] {
        var result: [String: String] = [:]
        for option in options {
            guard let value = parsed[option.name.replacingOccurrences(of: "-", with: "_")] else { continue }
            switch value {
            case .string(let text): result[option.name] = text
            case .bool(let flag): result[option.name] = flag ? "true" : "false"
            case .int(let number): result[option.name] = String(number)
            case .uint(let number): result[option.name] = String(number)
            case .double(let number): result[option.name] = "\(number)"
            case .float(let number): result[option.name] = "\(Double(number))"
            default: continue
            }
        }
        return result
    }
}
