/// Joins a negative number to the option before it: `-u -5` becomes `-u=-5`.
///
/// argument-parser reads any argument that starts with `-` as an option, so `-u -5` failed with
/// "Missing value for '-u <users>'" and the user never learnt that the number must not be negative.
/// Joined, the value reaches ``RunSettings``, which says so.
enum NegativeOptionValues {
    /// The short names of the options that take a value (their long names come from ``ConfigSources``).
    static let shortValueOptions: Set<String> = ["-f", "-H", "-u", "-c", "-r", "-t", "-s", "-L", "-T", "-E"]

    /// Every name of an option that takes a value: `-u`, `--users`, `--config`, ...
    static var valueOptions: Set<String> {
        var names = shortValueOptions
        for (name, kind) in ConfigSources.options where kind != .flag { names.insert("--" + name) }
        names.insert("--config")
        return names
    }

    /// `arguments` with each option that takes a value and is followed by a negative number
    /// (`-5`, `-1.5`, `-.5`, `-5s`) written as one `option=number` argument; everything after `--`
    /// is left alone.
    static func joined(_ arguments: [String], valueOptions: Set<String> = valueOptions) -> [String] {
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                result += arguments[index...]
                break
            }
            if valueOptions.contains(argument), index + 1 < arguments.count, isNegativeNumber(arguments[index + 1]) {
                result.append(argument + "=" + arguments[index + 1])
                index += 2
                continue
            }
            result.append(argument)
            index += 1
        }
        return result
    }

    /// `^-[0-9.]`: a minus sign, then a digit or a decimal point (`-5`, `-0.5s`, `-.5`).
    static func isNegativeNumber(_ argument: String) -> Bool {
        let scalars = argument.unicodeScalars
        guard scalars.count >= 2, scalars.first == "-" else { return false }
        let second = scalars[scalars.index(after: scalars.startIndex)]
        return ("0"..."9").contains(second) || second == "."
    }
}
