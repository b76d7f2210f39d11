#include "vanban/catalog.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>

#include "io/files.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void usage_error(std::string message) {
    Diagnostic d;
    d.kind = DiagnosticKind::usage;
    d.message = std::move(message);
    throw Error(std::move(d));
}

nlohmann::json parse_json_file(const std::string& path) {
    const std::string text = io::read_file(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        Diagnostic d;
        d.kind = DiagnosticKind::json_syntax;
        d.source = path;
        d.message = std::string("cannot parse: ") + e.what();
        throw Error(std::move(d));
    }
}

// Where this library was loaded from (an embedding program's copy finds the templates installed beside it).
fs::path library_dir() {
    static const char anchor = 0;  // any object of this library
    Dl_info info{};
    if (::dladdr(&anchor, &info) == 0 || info.dli_fname == nullptr) return {};
    std::error_code ec;
    fs::path p = fs::weakly_canonical(info.dli_fname, ec);
    return ec ? fs::path() : p.parent_path();
}

std::vector<fs::path> candidate_roots() {
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    const fs::path exe_dir = ec ? fs::current_path(ec) : exe.parent_path();
    std::vector<fs::path> roots = {exe_dir / "../share/vanban/templates", exe_dir / "templates"};
    if (fs::path lib = library_dir(); !lib.empty()) roots.push_back(lib / "../share/vanban/templates");
#ifdef VANBAN_SOURCE_TEMPLATES
    roots.emplace_back(VANBAN_SOURCE_TEMPLATES);
#endif
#ifdef VANBAN_INSTALL_DATADIR
    roots.emplace_back(fs::path(VANBAN_INSTALL_DATADIR) / "templates");
#endif
    std::vector<fs::path> found;
    for (const auto& r : roots) {
        if (!fs::is_directory(r, ec)) continue;
        fs::path canonical = fs::weakly_canonical(r, ec);
        if (!ec && std::find(found.begin(), found.end(), canonical) == found.end()) found.push_back(canonical);
    }
    return found;
}

std::optional<BundledTemplate> load_manifest(const fs::path& dir) {
    std::error_code ec;
    const fs::path manifest_path = dir / "template.json";
    if (!fs::is_regular_file(manifest_path, ec)) return std::nullopt;
    BundledTemplate t;
    try {
        t.manifest = parse_json_file(manifest_path.string());
    } catch (const Error&) {
        return std::nullopt;
    }
    if (!t.manifest.is_object()) return std::nullopt;
    const auto text = [&](const char* key) {
        const auto it = t.manifest.find(key);
        return it != t.manifest.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    t.name = dir.filename().string();
    t.directory = dir.string();
    t.description = text("description");
    for (const char* format : {"docx", "odt"})
        if (!text(format).empty()) t.formats.emplace_back(format);
    if (const std::string s = text("schema"); !s.empty()) t.schema_path = fs::weakly_canonical(dir / s, ec).string();
    const std::string example = text("example").empty() ? "example.json" : text("example");
    if (fs::is_regular_file(dir / example, ec)) t.example_path = (dir / example).string();
    t.title = text("title");
    if (t.title.empty() && !t.schema_path.empty()) {
        try {
            const auto schema = parse_json_file(t.schema_path);
            if (schema.is_object() && schema.contains("title") && schema["title"].is_string())
                t.title = schema["title"].get<std::string>();
        } catch (const Error&) {
            // a broken schema is reported when the template is used
        }
    }
    if (t.title.empty()) t.title = t.name;
    return t;
}

}  // namespace

std::string BundledTemplate::variant_path(std::string_view format) const {
    if (format != "docx" && format != "odt" && format != "pdf")
        usage_error("bundled templates render docx, odt or pdf, not '" + std::string(format) + "'");
    const std::string kind = format == "odt" ? "odt" : "docx";
    const auto it = manifest.find(kind);
    if (it == manifest.end() || !it->is_string())
        usage_error("bundled template '" + name + "' has no " + kind + " variant");
    return (fs::path(directory) / it->get<std::string>()).string();
}

std::optional<nlohmann::json> BundledTemplate::schema() const {
    if (schema_path.empty()) return std::nullopt;
    return parse_json_file(schema_path);
}

std::string BundledTemplate::example() const {
    if (example_path.empty()) usage_error("bundled template '" + name + "' has no example");
    return io::read_file(example_path);
}

std::vector<std::string> template_search_path() {
    std::vector<std::string> out;
    for (const auto& r : candidate_roots()) out.push_back(r.string());
    return out;
}

std::vector<BundledTemplate> bundled_templates() {
    std::vector<BundledTemplate> all;
    std::error_code ec;
    for (const auto& root : candidate_roots()) {
        for (const auto& entry : fs::directory_iterator(root, ec))
            if (auto t = load_manifest(entry.path())) all.push_back(std::move(*t));
        if (!all.empty()) break;  // the first root that has templates wins (installed before build tree)
    }
    std::sort(all.begin(), all.end(), [](const BundledTemplate& a, const BundledTemplate& b) { return a.name < b.name; });
    return all;
}

std::optional<BundledTemplate> find_bundled_template(std::string_view name) {
    // A name is one path segment: "../x" or "a/b" never names a bundled template.
    if (name.empty() || name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos ||
        name == "." || name == "..")
        return std::nullopt;
    for (auto& t : bundled_templates())
        if (t.name == name) return std::move(t);
    return std::nullopt;
}

ResolvedTemplate resolve_template(const std::string& name_or_path, std::string_view format) {
    ResolvedTemplate r;
    if (auto b = find_bundled_template(name_or_path)) {
        r.path = b->variant_path(format);
        if (!b->schema_path.empty()) {
            r.schema = b->schema();
            r.schema_name = b->schema_path;
        }
        r.bundled = std::move(b);
        return r;
    }
    std::error_code ec;
    if (fs::exists(name_or_path, ec)) {
        r.path = name_or_path;
        return r;
    }
    std::vector<std::string> names;
    for (const auto& t : bundled_templates()) names.push_back(t.name);
    const auto close = closest_name(name_or_path, names);
    Diagnostic d;
    d.kind = DiagnosticKind::usage;
    d.code = "usage.unknown_template";
    d.message = "no template file or bundled template named '" + name_or_path + "'" +
                (close ? "; did you mean '" + *close + "'?" : " ('vanban templates' lists the bundled ones)");
    d.message_vi = "không có tệp mẫu hay mẫu có sẵn nào tên \"" + name_or_path + "\"" +
                   (close ? " — có phải ý bạn là \"" + *close + "\"?" : " — lệnh 'vanban templates' liệt kê các mẫu có sẵn");
    throw Error(std::move(d));
}

}  // namespace vanban
