#include "vanban/catalog.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
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
    const fs::path lib = library_dir();
    std::vector<fs::path> roots = {exe_dir / "../share/vanban/templates"};
    if (!lib.empty()) roots.push_back(lib / "../share/vanban/templates");
    // A build tree's `templates` link (CMakeLists.txt), from build/vanban, build/tests/vanban-unit, build/bench/…
    for (const fs::path& start : {exe_dir, lib}) {
        fs::path dir = start;
        for (int up = 0; up < 3 && !dir.empty(); ++up, dir = dir.parent_path()) roots.push_back(dir / "templates");
    }
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

// The first bundled root that holds any template (an installed copy before the build tree's).
std::optional<fs::path> bundled_root() {
    std::error_code ec;
    for (const auto& root : candidate_roots())
        for (const auto& entry : fs::directory_iterator(root, ec))
            if (fs::is_regular_file(entry.path() / "template.json", ec)) return root;
    return std::nullopt;
}

struct Root {
    fs::path dir;
    bool bundled = false;
};

// --templates directories, then VANBAN_TEMPLATES (read at each call: no state kept), then the bundled root.
std::vector<Root> search_roots(const std::vector<std::string>& template_dirs) {
    std::vector<Root> roots;
    std::error_code ec;
    const auto add = [&](const fs::path& dir, bool bundled) {
        if (dir.empty() || !fs::is_directory(dir, ec)) return;
        fs::path canonical = fs::weakly_canonical(dir, ec);
        if (ec) return;
        for (const auto& r : roots)
            if (r.dir == canonical) return;
        roots.push_back({canonical, bundled});
    };
    for (const auto& d : template_dirs) add(d, false);
    if (const char* env = std::getenv("VANBAN_TEMPLATES")) {
        std::string_view rest(env);
        while (!rest.empty()) {
            const std::size_t colon = rest.find(':');
            add(fs::path(std::string(rest.substr(0, colon))), false);
            rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
        }
    }
    if (auto b = bundled_root()) add(*b, true);
    return roots;
}

// A variant a custom folder has without naming it in its manifest: a docx/ (odt/) tree, or its one .docx (.odt) file.
std::string detect_variant(const fs::path& dir, const char* format) {
    std::error_code ec;
    if (fs::is_directory(dir / format, ec)) return (dir / format).string();
    std::string found;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (!entry.is_regular_file(ec) || entry.path().extension() != std::string(".") + format) continue;
        if (!found.empty()) return {};  // two candidates: the manifest must say which
        found = entry.path().string();
    }
    return found;
}

std::optional<BundledTemplate> load_manifest(const fs::path& dir, bool bundled) {
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
    t.source = bundled ? "bundled" : dir.string();
    t.extends = text("extends");
    t.description = text("description");
    for (const char* format : {"docx", "odt"}) {
        if (text(format).empty() && !bundled)
            if (std::string found = detect_variant(dir, format); !found.empty()) t.manifest[format] = found;
        if (!text(format).empty()) t.formats.emplace_back(format);
    }
    std::string schema = text("schema");
    if (schema.empty() && !bundled && fs::is_regular_file(dir / "schema.json", ec)) schema = "schema.json";
    if (!schema.empty()) t.schema_path = fs::weakly_canonical(dir / schema, ec).string();
    const std::string example = text("example").empty() ? "example.json" : text("example");
    if (fs::is_regular_file(dir / example, ec)) t.example_path = (dir / example).string();
    t.title = text("title");
    return t;
}

// The title when the manifest gives none: the schema's, else the name.
void fill_title(BundledTemplate& t) {
    if (!t.title.empty()) return;
    if (!t.schema_path.empty()) {
        try {
            const auto schema = parse_json_file(t.schema_path);
            if (schema.is_object() && schema.contains("title") && schema["title"].is_string())
                t.title = schema["title"].get<std::string>();
        } catch (const Error&) {
            // a broken schema is reported when the template is used
        }
    }
    if (t.title.empty()) t.title = t.name;
}

// Every template folder of every root, in search order (a name may come more than once: the first one wins).
std::vector<BundledTemplate> candidates(const std::vector<Root>& roots) {
    std::vector<BundledTemplate> all;
    std::error_code ec;
    for (const auto& root : roots) {
        if (!root.bundled && fs::is_regular_file(root.dir / "template.json", ec)) {
            if (auto t = load_manifest(root.dir, false)) all.push_back(std::move(*t));
            continue;
        }
        std::vector<fs::path> dirs;
        for (const auto& entry : fs::directory_iterator(root.dir, ec))
            if (entry.is_directory(ec)) dirs.push_back(entry.path());
        std::sort(dirs.begin(), dirs.end());
        for (const auto& d : dirs)
            if (auto t = load_manifest(d, root.bundled)) all.push_back(std::move(*t));
    }
    return all;
}

void inherit(BundledTemplate& t, const BundledTemplate& parent) {
    for (const char* format : {"docx", "odt"})
        if (!t.manifest.contains(format) && parent.manifest.contains(format))
            t.manifest[format] = parent.variant_path(format);
    t.formats.clear();
    for (const char* format : {"docx", "odt"})
        if (t.manifest.contains(format)) t.formats.emplace_back(format);
    if (t.schema_path.empty()) t.schema_path = parent.schema_path;
    if (t.example_path.empty()) t.example_path = parent.example_path;
    if (t.description.empty()) t.description = parent.description;
    if (t.title.empty()) t.title = parent.title;
}

[[noreturn]] void extends_error(const BundledTemplate& t, const std::string& why) {
    Diagnostic d;
    d.kind = DiagnosticKind::usage;
    d.source = t.directory + "/template.json";
    d.code = "template.extends";
    d.message = "template '" + t.name + "' extends '" + t.extends + "': " + why;
    d.message_vi = "Mẫu '" + t.name + "' kế thừa mẫu '" + t.extends +
                   "' nhưng không dùng được mẫu đó: kiểm tra "
                   "tên mẫu ở mục \"extends\" trong template.json ('vanban templates' liệt kê các mẫu).";
    throw Error(std::move(d));
}

// all[i] with what it extends filled in. The parent is the first other template of that name; a template extending
// its own name (an agency's "ke-hoach" over the bundled one) takes the next one down the path.
BundledTemplate resolved(const std::vector<BundledTemplate>& all, std::size_t i, int depth = 0) {
    constexpr int kMaxExtends = 8;
    BundledTemplate t = all[i];
    if (!t.extends.empty()) {
        if (depth >= kMaxExtends) extends_error(t, "more than 8 templates extend one another (a cycle?)");
        std::optional<std::size_t> parent;
        for (std::size_t j = t.extends == t.name ? i + 1 : 0; j < all.size() && !parent; ++j)
            if (j != i && all[j].name == t.extends) parent = j;
        if (!parent) extends_error(t, "no such template on the search path");
        inherit(t, resolved(all, *parent, depth + 1));
        if (t.formats.empty()) extends_error(t, "neither has a docx or odt variant");
    }
    fill_title(t);
    return t;
}

}  // namespace

std::string BundledTemplate::pdf_variant() const {
    const auto odt = manifest.find("odt");
    return odt != manifest.end() && odt->is_string() ? "odt" : "docx";
}

std::string BundledTemplate::variant_path(std::string_view format) const {
    if (format != "docx" && format != "odt" && format != "pdf")
        usage_error("bundled templates render docx, odt or pdf, not '" + std::string(format) + "'");
    const std::string kind = format == "pdf" ? pdf_variant() : format == "odt" ? "odt" : "docx";
    const auto it = manifest.find(kind);
    if (it == manifest.end() || !it->is_string()) usage_error("template '" + name + "' has no " + kind + " variant");
    return (fs::path(directory) / it->get<std::string>()).string();
}

std::optional<nlohmann::json> BundledTemplate::schema() const {
    if (schema_path.empty()) return std::nullopt;
    return parse_json_file(schema_path);
}

std::string BundledTemplate::example() const {
    if (example_path.empty()) usage_error("template '" + name + "' has no example");
    return io::read_file(example_path);
}

std::vector<std::string> template_search_path(const std::vector<std::string>& template_dirs) {
    std::vector<std::string> out;
    for (const auto& r : search_roots(template_dirs)) out.push_back(r.dir.string());
    return out;
}

std::vector<BundledTemplate> bundled_templates(const std::vector<std::string>& template_dirs) {
    const std::vector<BundledTemplate> all = candidates(search_roots(template_dirs));
    std::vector<BundledTemplate> out;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const bool hidden = std::any_of(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(i),
                                        [&](const BundledTemplate& t) { return t.name == all[i].name; });
        if (hidden) continue;
        try {
            out.push_back(resolved(all, i));
        } catch (const Error&) {
            // a template whose parent is missing is left out here; naming it says why
        }
    }
    std::sort(out.begin(), out.end(),
              [](const BundledTemplate& a, const BundledTemplate& b) { return a.name < b.name; });
    return out;
}

std::optional<BundledTemplate> find_bundled_template(std::string_view name,
                                                     const std::vector<std::string>& template_dirs) {
    // A name is one path segment: "../x" or "a/b" never names a template.
    if (name.empty() || name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos ||
        name == "." || name == "..")
        return std::nullopt;
    const std::vector<BundledTemplate> all = candidates(search_roots(template_dirs));
    for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i].name == name) return resolved(all, i);
    return std::nullopt;
}

BundledTemplate load_template_folder(const std::string& dir, const std::vector<std::string>& template_dirs) {
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(dir, ec);
    auto own = load_manifest(ec ? fs::path(dir) : canonical, false);
    if (!own) {
        Diagnostic d;
        d.kind = DiagnosticKind::usage;
        d.source = dir + "/template.json";
        d.code = "template.manifest";
        d.message = "cannot read the template folder's manifest template.json (a JSON object)";
        d.message_vi = "Không đọc được tệp template.json của thư mục mẫu: tệp phải là một đối tượng JSON hợp lệ.";
        throw Error(std::move(d));
    }
    std::vector<BundledTemplate> all = candidates(search_roots(template_dirs));
    all.insert(all.begin(), std::move(*own));
    return resolved(all, 0);
}

ResolvedTemplate resolve_template(const std::string& name_or_path, std::string_view format,
                                  const std::vector<std::string>& template_dirs) {
    ResolvedTemplate r;
    std::optional<BundledTemplate> b = find_bundled_template(name_or_path, template_dirs);
    std::error_code ec;
    if (!b && fs::is_regular_file(fs::path(name_or_path) / "template.json", ec))
        b = load_template_folder(name_or_path, template_dirs);
    if (b) {
        r.path = b->variant_path(format);
        if (!b->schema_path.empty()) {
            r.schema = b->schema();
            r.schema_name = b->schema_path;
        }
        r.bundled = std::move(b);
        return r;
    }
    if (fs::exists(name_or_path, ec)) {
        r.path = name_or_path;
        return r;
    }
    std::vector<std::string> names;
    for (const auto& t : bundled_templates(template_dirs)) names.push_back(t.name);
    const auto close = closest_name(name_or_path, names);
    Diagnostic d;
    d.kind = DiagnosticKind::usage;
    d.code = "usage.unknown_template";
    d.message = "no template file or template named '" + name_or_path + "'" +
                (close ? "; did you mean '" + *close + "'?"
                       : " ('vanban templates' lists the bundled ones and those on the search path)");
    d.message_vi =
        "không có tệp mẫu hay mẫu nào tên \"" + name_or_path + "\"" +
        (close ? " — có phải ý bạn là \"" + *close + "\"?" : " — lệnh 'vanban templates' liệt kê các mẫu có thể dùng");
    throw Error(std::move(d));
}

}  // namespace vanban
