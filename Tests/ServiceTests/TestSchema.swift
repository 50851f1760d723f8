/// A schema of the shared cluster that one test owns.
struct TestSchema: Sendable {
    /// `e2e_<test>`; also the service's `DB_APPLICATION_NAME`.
    let name: String
    /// The shared cluster's URL with `search_path` set to the schema (libpq `options`).
    let url: String

    init(name: String, sharedURL: String) {
        self.name = name
        url = sharedURL + (sharedURL.contains("?") ? "&" : "?") + "options=-c%20search_path%3D\(name)"
    }
}
