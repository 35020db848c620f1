import AsyncPlayCore
import AsyncPlayLanguage
import AsyncPlayEvents
import AsyncPlayExport
/// The language help and explanations speak: the seed's learners read Portuguese.
public enum Language: String, Sendable {
    case english = "en"
    case portuguese = "pt"

    /// From `LANG`/`LC_ALL`/`LC_MESSAGES` values such as `pt_BR.UTF-8`.
    public static func fromLocale(_ value: String?) -> Language {
        guard let v = value?.lowercased() else { return .english }
        return v.hasPrefix("pt") ? .portuguese : .english
    }
}
