// Template: a package compiled once. Parts without tags are kept as prepared zip records and copied verbatim into
// every output; story parts become programs rendered by concatenation.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "api/package_images.hpp"
#include "api/package_parts.hpp"
#include "api/zip_limits.hpp"
#include "core/program.hpp"
#include "docx/docx_package.hpp"
#include "io/files.hpp"
#include "odt/odt_package.hpp"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

namespace vanban {

namespace detail {

struct CompiledPart {
    std::string name;
    bool compiled = false;
    zip::PreparedEntry prepared;  // when !compiled
    core::Program program;        // when compiled
    int render_rank = 0;          // main document first, footnotes last (they collect what the others produce)
};

struct TemplateImpl {
    std::string name;
    Format format = Format::docx;
    CompileOptions options;
    std::vector<CompiledPart> parts;  // archive order
    std::vector<std::size_t> render_order;
    int first_footnote_id = 1;
    std::size_t expected_size = 0;
    // Drawings repeated by loops would share wp:docPr ids, which Word reports as unreadable content. When a rendered
    // part has drawings, ids are renumbered from here (above every id in parts that are copied unchanged).
    bool renumber_drawings = false;
    unsigned long first_drawing_id = 1;
    PackageImages images;  // what a render needs to add pictures from the data
    // Renders borrow their deflate state from here (it is not part of what the template means, hence mutable).
    mutable zip::CompressorPool compressors;
    explicit TemplateImpl(int compression_level) : compressors(compression_level) {}
};

}  // namespace detail

zip::Limits zip_limits(const Limits& l) {
    zip::Limits z;
    z.max_entries = l.max_package_entries;
    z.max_entry_size = l.max_part_size;
    z.max_total_size = l.max_package_size;
    z.max_compression_ratio = l.max_compression_ratio;
    return z;
}

namespace {

namespace fs = std::filesystem;

// XML parts are parsed (a tree of about eight times their size), so the compiler refuses one over
// core::kMaxTemplatedPartSize. They are read only that far: a 200 MB document.xml is not inflated to be refused.
bool is_xml_part(const std::string& name) { return name.ends_with(".xml") || name.ends_with(".rels"); }

std::string read_xml_head(const zip::Reader& reader, const std::string& name) {
    zip::EntryStream stream = reader.stream(name);
    std::string out;
    std::string buffer(1u << 16, '\0');
    std::size_t n;
    while (out.size() <= core::kMaxTemplatedPartSize && (n = stream.read(buffer.data(), buffer.size())) > 0)
        out.append(buffer.data(), n);
    return out;
}

// The entries of a package, from a zip or a directory, in archive order.
struct Source {
    std::vector<std::string> names;
    std::function<std::string(const std::string&)> read;
    std::function<zip::PreparedEntry(const std::string&)> prepare_raw;
};

[[noreturn]] void refuse_entry(const std::string& rel, const std::string& why, const std::string& why_vi) {
    core::refuse_package(rel, "package.not_a_file", "this entry of the template directory " + why + ": it is refused",
                         "thư mục mẫu có mục " + rel + " " + why_vi + " — hãy thay bằng một tệp thường");
}

// An entry of a template directory must be a regular file inside the directory: a FIFO would block the read, a
// device (/dev/zero) never end, and a symbolic link out of the folder would put another file into every output.
// Entries that are none of these were skipped before, which rendered a package without its main part.
void check_directory_entry(const fs::path& root, const fs::path& path, const std::string& rel) {
    std::error_code ec;
    const fs::file_status own = fs::symlink_status(path, ec);
    if (fs::is_symlink(own)) {
        const fs::path target = fs::weakly_canonical(path, ec), inside = fs::weakly_canonical(root, ec);
        const std::string t = target.generic_string(), r = inside.generic_string() + "/";
        if (ec || !t.starts_with(r))
            refuse_entry(rel, "is a symbolic link that points out of the directory (" + target.string() + ")",
                         "là liên kết tượng trưng trỏ ra ngoài thư mục");
    }
    const fs::file_status status = fs::status(path, ec);
    if (ec) refuse_entry(rel, "cannot be read (" + ec.message() + ")", "không đọc được");
    if (fs::is_directory(status)) return;
    if (!fs::is_regular_file(status))
        refuse_entry(rel,
                     fs::is_fifo(status)     ? "is a FIFO, not a file"
                     : fs::is_socket(status) ? "is a socket, not a file"
                                             : "is a device, not a file",
                     "không phải tệp thường (FIFO, socket hoặc thiết bị)");
}

void walk_directory(const fs::path& root, std::size_t max_entries, std::vector<std::string>& names, std::size_t& seen) {
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        if (++seen > max_entries) return;
        const auto rel = it->path().lexically_relative(root).generic_string();
        // Hidden files (.git, .DS_Store, editor leftovers) are not part of the package; ".rels" parts are.
        const auto file = it->path().filename().string();
        if (file.starts_with(".") && file != ".rels") {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        if (it->is_directory()) continue;
        check_directory_entry(root, it->path(), rel);
        names.push_back(rel);
    }
}

void sort_package_names(std::vector<std::string>& names) {
    // Office readers do not care about order, ODF does: mimetype first. Otherwise content types and
    // relationships first, then a stable alphabetical order so packed templates are reproducible.
    auto rank = [](const std::string& n) {
        if (n == "mimetype") return 0;
        if (n == "[Content_Types].xml") return 1;
        if (n.starts_with("_rels/")) return 2;
        if (n.starts_with("META-INF/")) return 3;
        return 4;
    };
    std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
        int ra = rank(a), rb = rank(b);
        return ra != rb ? ra < rb : a < b;
    });
}

// A part the compiler parses, refused when larger than any document needs (it was read only that far).
std::string read_parsed_part(const Source& src, const std::string& entry) {
    std::string xml = src.read(entry);
    if (xml.size() <= core::kMaxTemplatedPartSize) return xml;
    throw Error(core::part_too_large(entry));
}

// The files of a template directory. The walk stops past `max_entries` (a template path of "/usr" or "/" is
// refused in moments, not walked), and a directory it cannot read is named in a plain message.
std::vector<std::string> directory_entries(const fs::path& root, std::size_t max_entries) {
    std::vector<std::string> names;
    std::size_t seen = 0;
    try {
        walk_directory(root, max_entries, names, seen);
    } catch (const fs::filesystem_error& e) {
        Diagnostic d;
        d.kind = DiagnosticKind::io;
        d.part = root.string();
        d.message = "cannot read the template directory: " + e.path1().string() + ": " + e.code().message();
        throw Error(std::move(d));
    }
    if (seen > max_entries) {
        Diagnostic d;
        d.kind = DiagnosticKind::limit;
        d.part = root.string();
        d.message = "the template directory holds more than " + std::to_string(max_entries) +
                    " entries: is it really a template?";
        throw Error(std::move(d));
    }
    sort_package_names(names);
    return names;
}

Format detect_format(const std::vector<std::string>& names, const std::string& package) {
    bool docx = std::find(names.begin(), names.end(), "[Content_Types].xml") != names.end();
    const auto has = [&](const char* n) { return std::find(names.begin(), names.end(), n) != names.end(); };
    // An OpenDocument package is recognised by any of its own entries, so that one without content.xml is refused
    // as a broken ODT (PackageFormat::check_package), not as an unknown file.
    bool odt = has("content.xml") || has("mimetype") || has("META-INF/manifest.xml");
    if (docx) return Format::docx;
    if (odt) return Format::odt;
    Diagnostic d;
    d.kind = DiagnosticKind::package;
    d.part = package;
    d.message = "not a DOCX or ODT package: it has neither [Content_Types].xml nor content.xml";
    throw Error(std::move(d));
}

// Shared end of compiling any format: report every template error at once, then fix the order in which the compiled
// parts render (main document first, parts that collect what the others produce last).
std::shared_ptr<detail::TemplateImpl> finish_compile(std::shared_ptr<detail::TemplateImpl> impl,
                                                     std::vector<Diagnostic> errors) {
    if (!errors.empty()) throw Error(std::move(errors));
    for (std::size_t i = 0; i < impl->parts.size(); ++i)
        if (impl->parts[i].compiled) impl->render_order.push_back(i);
    std::stable_sort(impl->render_order.begin(), impl->render_order.end(), [&](std::size_t a, std::size_t b) {
        return impl->parts[a].render_rank < impl->parts[b].render_rank;
    });
    return impl;
}

// The parts the format's adapter adds before compiling (DOCX: the footnotes part, so that rich-text footnotes always
// have somewhere to go), read from memory instead of the package.
Source with_additions(Source src, const core::PackageFormat& format) {
    auto has = [&](const std::string& n) {
        return std::find(src.names.begin(), src.names.end(), n) != src.names.end();
    };
    auto overrides =
        std::make_shared<const std::map<std::string, std::string>>(format.compile_additions(has, src.read));
    if (overrides->empty()) return src;
    for (const auto& [n, text] : *overrides)
        if (!has(n)) src.names.push_back(n);
    auto read = src.read;
    auto prepare_raw = src.prepare_raw;
    src.read = [overrides, read](const std::string& n) {
        auto it = overrides->find(n);
        return it != overrides->end() ? it->second : read(n);
    };
    src.prepare_raw = [overrides, prepare_raw](const std::string& n) {
        auto it = overrides->find(n);
        return it != overrides->end() ? zip::prepare(n, it->second, zip::Method::deflated) : prepare_raw(n);
    };
    return src;
}

zip::Method method_for(const std::string& name) {
    // ODF requires an uncompressed mimetype entry; everything else is deflated.
    return name == "mimetype" ? zip::Method::stored : zip::Method::deflated;
}

bool may_have_tags(const std::string& xml) {
    return xml.find('{') != std::string::npos || xml.find("&#123;") != std::string::npos ||
           xml.find("&#x7b;") != std::string::npos || xml.find("&#x7B;") != std::string::npos;
}

// A story part: compiled when it may have tags (or always, when the format says so), kept when it has some. Drawing
// ids of parts copied unchanged are kept; those of compiled parts are renumbered above them at every render.
void compile_story(const Source& src, const core::PackageFormat& format, const core::PackageFormat::PartRole& role,
                   detail::TemplateImpl& impl, detail::CompiledPart& part, std::vector<Diagnostic>& errors) {
    const std::string xml = read_parsed_part(src, part.name);
    const unsigned long drawing_id = format.max_drawing_id(xml);
    if (may_have_tags(xml) || role.always_compiled) {
        core::PartHooks hooks;
        part.program = format.compile_part(xml, part.name, errors, hooks);
        part.compiled = part.program.has_tags || role.always_compiled;
        if (part.compiled) {
            if (role.numbers_footnotes) impl.first_footnote_id = hooks.max_footnote_id + 1;
            if (drawing_id > 0) impl.renumber_drawings = true;
            part.render_rank = role.render_rank;
            impl.expected_size += part.program.literal_bytes;
        }
    }
    if (!part.compiled) impl.first_drawing_id = std::max(impl.first_drawing_id, drawing_id + 1);
}

// Every entry of the package in archive order — a format's `mimetype` first and stored (added when the template lacks
// it) — as a compiled story part or a prepared record copied into every output.
std::shared_ptr<detail::TemplateImpl> compile(Source src, std::string name, const CompileOptions& options) {
    auto impl = std::make_shared<detail::TemplateImpl>(options.compression_level);
    impl->name = std::move(name);
    impl->options = options;
    impl->format = detect_format(src.names, impl->name);
    const core::PackageFormat& format = detail::package_format(impl->format);
    impl->images.format = &format;
    {
        auto has = [&](const std::string& n) {
            return std::find(src.names.begin(), src.names.end(), n) != src.names.end();
        };
        format.check_package(has, src.read);
    }
    src = with_additions(std::move(src), format);
    std::vector<std::string> names = src.names;
    const std::string_view mimetype = format.mimetype();
    if (!mimetype.empty()) {
        std::stable_partition(names.begin(), names.end(), [](const std::string& n) { return n == "mimetype"; });
        if (names.empty() || names.front() != "mimetype") {
            detail::CompiledPart part;
            part.name = "mimetype";
            part.prepared = zip::prepare("mimetype", mimetype, zip::Method::stored);
            impl->expected_size += part.prepared.local_record.size();
            impl->parts.push_back(std::move(part));
        }
    }
    std::vector<Diagnostic> errors;
    for (const auto& entry : names) {
        detail::CompiledPart part;
        part.name = entry;
        impl->images.note(entry, [&] { return src.read(entry); });
        if (const auto role = format.part_role(entry); role.story)
            compile_story(src, format, role, *impl, part, errors);
        if (!part.compiled) {
            // A mimetype that a zip tool compressed is stored again: ODF readers look for it uncompressed.
            part.prepared = entry == "mimetype" && !mimetype.empty()
                                ? zip::prepare(entry, src.read(entry), zip::Method::stored)
                                : src.prepare_raw(entry);
            impl->expected_size += part.prepared.local_record.size();
        }
        impl->parts.push_back(std::move(part));
    }
    return finish_compile(std::move(impl), std::move(errors));
}

}  // namespace

Template Template::from_bytes(std::string bytes, std::string name, const CompileOptions& options) {
    auto reader =
        std::make_shared<zip::Reader>(zip::Reader::from_bytes(std::move(bytes), name, zip_limits(options.limits)));
    Source src;
    for (const auto& n : reader->names())
        if (!n.ends_with("/")) src.names.push_back(n);
    src.read = [reader](const std::string& n) { return is_xml_part(n) ? read_xml_head(*reader, n) : reader->read(n); };
    src.prepare_raw = [reader](const std::string& n) { return zip::prepare(reader->read_raw(n)); };
    return Template(compile(src, std::move(name), options));
}

Template Template::from_file(const std::string& path, const CompileOptions& options) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        fs::path root(path);
        Source src;
        src.names = directory_entries(root, options.limits.max_package_entries);
        std::uint64_t total = 0;
        for (const auto& n : src.names) total += fs::file_size(root / n, ec);
        if (src.names.size() > options.limits.max_package_entries || total > options.limits.max_package_size) {
            Diagnostic d;
            d.kind = DiagnosticKind::limit;
            d.part = path;
            d.message = "template directory is larger than the package limits";
            throw Error(std::move(d));
        }
        src.read = [root, &options](const std::string& n) {
            const std::uint64_t max =
                is_xml_part(n) ? std::min<std::uint64_t>(options.limits.max_part_size, core::kMaxTemplatedPartSize)
                               : options.limits.max_part_size;
            return io::read_file((root / n).string(), max);
        };
        src.prepare_raw = [&src](const std::string& n) { return zip::prepare(n, src.read(n), method_for(n)); };
        return Template(compile(src, path, options));
    }
    return from_bytes(io::read_file(path, options.limits.max_package_size), path, options);
}

std::string Template::render(const nlohmann::json& data, const RenderOptions& options) const {
    return render_ordered(data, options, nullptr);
}

std::string Template::render_ordered(const nlohmann::json& data, const RenderOptions& options,
                                     const json_data::KeyOrder* key_order) const {
    const detail::TemplateImpl& t = *impl_;
    core::RenderLimits limits;
    limits.max_output_bytes = t.options.limits.max_output_size;
    limits.max_loop_iterations = t.options.limits.max_loop_iterations;
    limits.eval.max_value_bytes = t.options.limits.max_value_size;
    limits.eval.max_work = t.options.limits.max_work;
    core::RenderState state(data, options.lenient, limits);
    state.ctx.key_order = key_order;
    state.next_footnote_id = t.first_footnote_id;
    core::ImageSettings& pictures = state.images.settings;
    pictures.directory = options.image_directory;
    pictures.max_bytes = options.max_image_size ? options.max_image_size : t.options.limits.max_image_size;
    pictures.max_images = options.max_images ? options.max_images : t.options.limits.max_images;
    pictures.text_width = t.images.text_width;
    pictures.first_number = t.images.first_number;
    state.package_texts = &t.images.texts;

    const core::PackageFormat& format = *t.images.format;
    const core::Emitter& emitter = format.emitter();
    std::vector<std::string> rendered(t.parts.size());
    for (std::size_t i : t.render_order) {
        const auto& part = t.parts[i];
        std::string& out = rendered[i];
        out.reserve(part.program.literal_bytes + part.program.literal_bytes / 2);
        state.current_part = &part.name;
        core::render_program(part.program, emitter, out, state);
        state.output_before += out.size();
    }
    if (!state.errors.empty()) throw Error(std::move(state.errors));
    const bool has_pictures = !state.images.stored().empty();
    const bool has_session = state.package_grows();  // DOCX sub-documents or hyperlinks, ODT rich-text styles
    if (has_session)
        for (std::size_t i : t.render_order) format.finish_part(t.parts[i].name, rendered[i], state);
    if (t.renumber_drawings || has_pictures || has_session) {
        unsigned long next = t.first_drawing_id;
        for (std::size_t i : t.render_order) format.renumber_drawings(rendered[i], next);
    }
    const detail::PackageEdits edits =
        has_pictures || has_session ? detail::package_edits(t.images, state) : detail::PackageEdits{};

    zip::Writer writer(t.expected_size + edits.size(), &t.compressors);
    for (std::size_t i = 0; i < t.parts.size(); ++i) {
        const auto& part = t.parts[i];
        if (part.compiled) writer.add(part.name, rendered[i], method_for(part.name));
        else if (auto edited = edits.replaced.find(part.name); edited != edits.replaced.end())
            writer.add(part.name, edited->second, zip::Method::deflated);
        else writer.add(part.prepared);
    }
    for (const auto& [name, text] : edits.added) writer.add(name, text, zip::Method::deflated);
    for (const auto& [name, bytes] : edits.media) writer.add(name, *bytes, zip::Method::stored);  // already compressed
    return writer.finish();
}

Inspection Template::inspect() const {
    core::Usage usage;
    for (const auto& part : impl_->parts)
        if (part.compiled) core::collect_usage(part.program, usage);
    Inspection r;
    r.skeleton = std::move(usage.skeleton);
    r.loops = std::move(usage.loops);
    r.conditions = std::move(usage.conditions);
    r.outputs = std::move(usage.outputs);
    return r;
}

Format Template::format() const { return impl_->format; }
const std::string& Template::name() const { return impl_->name; }

std::string pack_directory(const std::string& directory) {
    fs::path root(directory);
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
        Diagnostic d;
        d.kind = DiagnosticKind::io;
        d.part = directory;
        d.message = "not a directory";
        throw Error(std::move(d));
    }
    zip::Writer writer;
    for (const auto& n : directory_entries(root, Limits{}.max_package_entries))
        writer.add(n, io::read_file((root / n).string()), method_for(n));
    return writer.finish();
}

const core::PackageFormat& detail::package_format(Format format) {
    return format == Format::odt ? odt::package_format() : docx::package_format();
}

std::vector<std::pair<std::string, std::string>> detail::read_xml_parts(const std::string& path, const Limits& limits) {
    const auto is_xml = [](const std::string& n) { return n.ends_with(".xml") || n.ends_with(".rels"); };
    std::vector<std::pair<std::string, std::string>> parts;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        const std::vector<std::string> names = directory_entries(path, limits.max_package_entries);
        for (const auto& n : names)
            if (is_xml(n)) parts.emplace_back(n, io::read_file((fs::path(path) / n).string(), limits.max_part_size));
        return parts;
    }
    const zip::Reader reader =
        zip::Reader::from_bytes(io::read_file(path, limits.max_package_size), path, zip_limits(limits));
    for (const auto& n : reader.names())
        if (is_xml(n)) parts.emplace_back(n, reader.read(n));
    return parts;
}

}  // namespace vanban
