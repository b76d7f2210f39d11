// The bodies of vanban's fuzz targets (see targets.hpp).
#include "targets.hpp"

#include <libxml/parser.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "batch/records.hpp"
#include "core/image.hpp"
#include "core/outline.hpp"
#include "docx/docx_part.hpp"
#include "odt/odt_part.hpp"
#include "vanban/import.hpp"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

#ifndef VANBAN_SOURCE_DIR
#error "VANBAN_SOURCE_DIR must name the repository (templates and schemas are read from it)"
#endif

namespace vanban::fuzz {

namespace {

namespace fs = std::filesystem;

std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return size == 0 ? std::string_view() : std::string_view(reinterpret_cast<const char*>(data), size);
}

[[noreturn]] void bug(const std::string& what) {
    std::fprintf(stderr, "vanban fuzz: BUG: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

// Limits small enough that a fuzzer spends its time finding bugs rather than rendering big documents; the limits
// themselves are part of what is tested.
CompileOptions fuzz_options() {
    CompileOptions o;
    o.limits.max_package_entries = 200;
    o.limits.max_part_size = 4u << 20;
    o.limits.max_package_size = 16u << 20;
    o.limits.max_output_size = 1u << 20;
    o.limits.max_loop_iterations = 2'000;
    o.limits.max_value_size = 256u << 10;
    o.limits.max_work = 200'000;
    return o;
}

bool well_formed(const std::string& xml, const std::string& name) {
    xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), name.c_str(), nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) return false;
    xmlFreeDoc(doc);
    return true;
}

// A rendered document must open again, and every part the renderer wrote (a story part whose bytes changed) must be
// well-formed XML: vanban never writes a document that Word or LibreOffice cannot read.
void check_output(const zip::Reader& input, const std::string& output, Format format) {
    std::optional<zip::Reader> out;
    try {
        out.emplace(zip::Reader::from_bytes(output, "rendered"));
    } catch (const Error& e) {
        bug("the rendered document is not a readable zip: " + e.diagnostics().front().to_string());
    }
    for (const auto& name : out->names()) {
        if (name.ends_with("/")) continue;
        const bool story = format == Format::odt ? odt::is_story_part(name) : docx::is_story_part(name);
        if (!story) continue;
        const std::string rendered = out->read(name);
        if (input.contains(name) && input.read(name) == rendered) continue;
        if (!well_formed(rendered, name)) bug("rendered part " + name + " is not well-formed XML");
    }
}

// Compiles and renders a package the way an application would, with data given as JSON text, strictly or leniently
// (chosen by the caller from the input, so that both modes get their share without doubling the cost of each input).
void compile_and_render(const std::string& package, std::string_view data_text, bool lenient) {
    std::optional<zip::Reader> input;
    std::optional<Template> tpl;
    try {
        input.emplace(zip::Reader::from_bytes(package, "fuzz"));
        tpl.emplace(Template::from_bytes(package, "fuzz", fuzz_options()));
    } catch (const Error&) {
        return;
    }
    static_cast<void>(tpl->inspect());
    std::optional<Data> data;
    try {
        data.emplace(Data::parse(data_text, "data"));
    } catch (const Error&) {
        data.emplace(nlohmann::json::object(), "data");
    }
    RenderOptions options;
    options.lenient = lenient;
    try {
        check_output(*input, tpl->render(*data, options), tpl->format());
    } catch (const Error&) {}
}

// Packs bundle parts (stored: the zip layer is not what these inputs are about); nullopt when the writer refuses them.
std::optional<std::string> pack(const std::vector<std::pair<std::string, std::string>>& parts) {
    try {
        zip::Writer writer;
        for (const auto& [name, content] : parts)
            if (!name.starts_with("@")) writer.add(name, content, zip::Method::stored);
        return writer.finish();
    } catch (const Error&) {
        return std::nullopt;
    }
}

std::string_view part(const std::vector<std::pair<std::string, std::string>>& parts, std::string_view name,
                      std::string_view fallback) {
    for (const auto& [n, content] : parts)
        if (n == name) return content;
    return fallback;
}

// ----- tags: text → a minimal DOCX

// The text as XML character data: invalid UTF-8 and characters XML forbids are dropped (they cannot reach a tag
// through a real document either), markup characters escaped.
std::string xml_text(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = len > 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (ok && len == 2) ok = c >= 0xC2;
        if (ok && len == 3) {
            const unsigned cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6);
            ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF) && cp < 0xFFC0;  // no overlongs, surrogates, U+FFFE/F
        }
        if (ok && len == 4)
            ok = c <= 0xF4 && !(c == 0xF0 && static_cast<unsigned char>(s[i + 1]) < 0x90) &&
                 !(c == 0xF4 && static_cast<unsigned char>(s[i + 1]) > 0x8F);
        if (!ok) {
            ++i;
            continue;
        }
        if (len == 1) {
            if (c == '<') out += "&lt;";
            else if (c == '>') out += "&gt;";
            else if (c == '&') out += "&amp;";
            else if (c >= 0x20 || c == '\t') out += static_cast<char>(c);
        } else {
            out.append(s.substr(i, len));
        }
        i += len;
    }
    return out;
}

// A paragraph of `text`. Three control characters (which text cannot hold anyway) shape the runs the way Word does,
// so that tags split over runs, proofing marks, bookmarks and tabs get fuzzed too:
//   \x1f a new run   \x1e a spell-check mark, a bookmark, then a bold run   \x1d a tab in its own run
std::string paragraph(std::string_view text) {
    static constexpr std::string_view open_run = "<w:r><w:t xml:space=\"preserve\">", close_run = "</w:t></w:r>";
    std::string out = "<w:p>" + std::string(open_run);
    std::size_t from = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : '\0';
        if (i < text.size() && c != '\x1f' && c != '\x1e' && c != '\x1d') continue;
        out += xml_text(text.substr(from, i - from));
        out += close_run;
        if (c == '\x1e')
            out +=
                "<w:proofErr w:type=\"spellStart\"/><w:bookmarkStart w:id=\"0\" w:name=\"b\"/><w:r><w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\">";
        else if (c == '\x1d') out += "<w:r><w:tab/></w:r>" + std::string(open_run);
        else if (i < text.size()) out += open_run;
        from = i + 1;
    }
    return out + "</w:p>";
}

// Lines become paragraphs; a run of lines starting with '|' becomes a table, one row per line, cells between '|'.
std::string document_xml(std::string_view text) {
    std::string body;
    bool in_table = false;
    while (true) {
        const std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        const bool row = line.starts_with("|");
        if (row && !in_table) body += "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>";
        if (!row && in_table) body += "</w:tbl>";
        in_table = row;
        if (row) {
            body += "<w:tr>";
            line.remove_prefix(1);
            while (!line.empty()) {
                const std::size_t bar = line.find('|');
                body += "<w:tc>" + paragraph(line.substr(0, bar)) + "</w:tc>";
                line = bar == std::string_view::npos ? std::string_view() : line.substr(bar + 1);
            }
            body += "</w:tr>";
        } else {
            body += paragraph(line);
        }
        if (eol == std::string_view::npos) break;
        text.remove_prefix(eol + 1);
    }
    if (in_table) body += "</w:tbl>";
    return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
           "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" +
           body + "</w:body></w:document>";
}

std::vector<std::pair<std::string, std::string>> minimal_docx(std::string document) {
    return {
        {"[Content_Types].xml",
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
         "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" "
         "ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" "
         "ContentType=\"application/xml\"/><Override PartName=\"/word/document.xml\" "
         "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"},
        {"_rels/.rels",
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
         "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
         "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
         "Target=\"word/document.xml\"/></Relationships>"},
        {"word/document.xml", std::move(document)},
    };
}

// Data for tag inputs that bring none: a bit of everything an expression can meet.
constexpr std::string_view kTagData = R"({
  "name": "Nguyễn Văn An", "title": "kế hoạch", "n": 3, "x": -2.5, "big": 9223372036854775807, "yes": true,
  "none": null, "empty": "", "list": [3, 1, 2], "words": ["một", "hai", "ba"],
  "people": [{"name": "An", "unit": "A", "age": 30}, {"name": "Bình", "unit": "B", "age": 41},
             {"name": "Chi", "unit": "A", "age": 25, "rich": "**đậm** *nghiêng*^[chú thích]"}],
  "date": "2024-03-05", "d": {"year": 2020, "month": 1, "day": 5},
  "body": [{"title": "Mục đích", "children": [{"text": "Nội dung"}]}],
  "nested": {"a": {"b": {"c": [1, {"d": "sâu"}]}}}
})";

// ----- records

// A private directory for the files the record readers need, removed when the process ends.
class Scratch {
public:
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "vanban-fuzz-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) bug("cannot create a temporary directory");
        dir_ = pattern;
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    std::string write(const std::string& name, std::string_view bytes) const {
        const std::string path = (dir_ / name).string();
        std::ofstream(path, std::ios::binary | std::ios::trunc)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        return path;
    }

private:
    fs::path dir_;
};

const Scratch& scratch() {
    static const Scratch s;
    return s;
}

std::string read_source(const std::string& relative) {
    std::ifstream in(std::string(VANBAN_SOURCE_DIR) + "/" + relative, std::ios::binary);
    if (!in) bug("cannot read " + relative + " from the source tree");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const nlohmann::json& award_schema() {
    static const nlohmann::json schema = nlohmann::json::parse(read_source("templates/award-record.schema.json"));
    return schema;
}

// Reads every record (and counts them), typing tabular cells with the award schema when `typed`.
void read_records(const std::string& path, batch::RecordFormat format, bool typed) {
    {
        batch::ReaderOptions options;
        options.format = format;
        options.schema = typed ? &award_schema() : nullptr;
        options.max_record_bytes = 1u << 20;
        try {
            auto reader = batch::open_records(path, options);
            batch::Record record;
            for (int k = 0; k < 100'000 && reader->next(record); ++k)
                for (auto& error : record.errors) record.locate(error);
        } catch (const Error&) {}
        try {
            static_cast<void>(batch::count_records(path, options));
        } catch (const Error&) {}
    }
}

// ----- data: the bundled templates and schemas, compiled once

struct Bundled {
    std::vector<Template> templates;
    std::vector<zip::Reader> packages;  // what each template was compiled from
    std::vector<Schema> schemas;
};

const Bundled& bundled() {
    static const Bundled b = [] {
        const std::string dir = std::string(VANBAN_SOURCE_DIR) + "/templates/";
        Bundled r;
        CompileOptions options = fuzz_options();
        for (const char* t : {"ke-hoach/docx", "ke-hoach/odt", "bao-cao-thanh-tich/docx"}) {
            std::string package = pack_directory(dir + t);
            r.packages.push_back(zip::Reader::from_bytes(package, t));
            r.templates.push_back(Template::from_bytes(std::move(package), t, options));
        }
        for (const char* s : {"ke-hoach/schema.json", "award-record.schema.json"})
            r.schemas.push_back(Schema::parse(read_source("templates/" + std::string(s)), s));
        return r;
    }();
    return b;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_bundle(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> parts;
    if (!text.starts_with("=== ")) return parts;
    while (!text.empty()) {
        const std::size_t eol = text.find('\n');
        std::string name(text.substr(4, eol == std::string_view::npos ? std::string_view::npos : eol - 4));
        if (eol == std::string_view::npos) {
            parts.emplace_back(std::move(name), std::string());
            break;
        }
        text.remove_prefix(eol + 1);
        const std::size_t next = text.find("\n=== ");
        parts.emplace_back(std::move(name), std::string(text.substr(0, next)));
        if (next == std::string_view::npos) break;
        text.remove_prefix(next + 1);
    }
    return parts;
}

std::string make_bundle(const std::vector<std::pair<std::string, std::string>>& parts) {
    std::string out;
    for (const auto& [name, content] : parts) {
        if (!out.empty()) out += '\n';
        out += "=== " + name + "\n" + content;
    }
    return out;
}

int template_package(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view in = as_text(bytes, size);
    const bool lenient = size % 2 == 1;
    if (in.starts_with("PK")) {
        compile_and_render(std::string(in), "{}", lenient);
        return 0;
    }
    const auto parts = parse_bundle(in);
    if (auto package = pack(parts)) compile_and_render(*package, part(parts, "@data", "{}"), lenient);
    return 0;
}

int tags(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view in = as_text(bytes, size);
    const auto parts = parse_bundle(in);
    const std::string_view text = parts.empty() ? in : part(parts, "@text", "");
    if (auto package = pack(minimal_docx(document_xml(text))))
        compile_and_render(*package, part(parts, "@data", kTagData), size % 2 == 1);
    return 0;
}

int data(const std::uint8_t* bytes, std::size_t size) {
    const Bundled& b = bundled();
    std::optional<Data> value;
    try {
        value.emplace(Data::parse(as_text(bytes, size), "data.json"));
    } catch (const Error&) {
        return 0;
    }
    for (const auto& schema : b.schemas) static_cast<void>(schema.validate(*value));
    // One template per input, strict or lenient, chosen by the input's size: every combination gets its share of
    // inputs at a sixth of the cost of rendering them all.
    const std::size_t i = size % b.templates.size();
    RenderOptions options;
    options.lenient = (size / b.templates.size()) % 2 == 1;
    try {
        check_output(b.packages[i], b.templates[i].render(*value, options), b.templates[i].format());
    } catch (const Error&) {}
    return 0;
}

int records(const std::uint8_t* bytes, std::size_t size) {
    const std::string path = scratch().write("records", as_text(bytes, size));
    // With the schema for odd sizes only: building the column types compiles the schema's patterns (std::regex),
    // which under the sanitizers costs more than reading the records.
    for (auto format : {batch::RecordFormat::csv, batch::RecordFormat::json, batch::RecordFormat::jsonl})
        read_records(path, format, size % 2 == 1);
    return 0;
}

int xlsx(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view in = as_text(bytes, size);
    std::string workbook;
    if (in.starts_with("PK")) {
        workbook = std::string(in);
    } else if (auto package = pack(parse_bundle(in))) {
        workbook = std::move(*package);
    } else {
        return 0;
    }
    read_records(scratch().write("records.xlsx", workbook), batch::RecordFormat::xlsx, size % 2 == 1);
    return 0;
}

namespace {

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t n = static_cast<std::uint8_t>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) n |= static_cast<std::uint8_t>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=';
        out += i + 2 < bytes.size() ? kAlphabet[n & 63] : '=';
    }
    return out;
}

bool printable_ascii(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

}  // namespace

int pictures(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view in = as_text(bytes, size);
    try {
        static_cast<void>(core::read_image_header(in));
    } catch (const std::invalid_argument&) {}
    // The picture in the data: a text input as the "image" source itself (data: URI, base64, a path that must be
    // refused), other bytes as the picture's file, base64-encoded. Rendered inline or floating (by the input's size)
    // into a DOCX, whose drawing and relationships must come out well-formed.
    nlohmann::json picture = {{"image", printable_ascii(in) ? std::string(in) : base64(in)}};
    if (size % 3 == 1) picture["width"] = "20mm";
    if (size % 3 == 2) picture.update({{"wrap", "behind"}, {"x", "-5mm"}, {"y", "3mm"}, {"height", "15mm"}});
    static const std::optional<std::string> package =
        pack(minimal_docx(document_xml("Ảnh: {{ p }}\n{{ p | image(width='1in') }}")));
    if (package) compile_and_render(*package, nlohmann::json{{"p", picture}}.dump(), size % 2 == 1);
    return 0;
}

int import_plan(const std::uint8_t* bytes, std::size_t size) {
    const std::string_view in = as_text(bytes, size);
    ImportOptions options;
    options.limits = fuzz_options().limits;
    options.max_paragraphs = 5'000;
    auto attempt = [&](std::string_view input, const char* name) {
        try {
            const ImportResult result = import_document(input, name, options);
            if (!result.data.is_object() || !result.data.contains("body")) bug("an import without a body");
            // The body must number as the template numbers it (what the recogniser builds always renders).
            try {
                static_cast<void>(
                    outline::flatten(result.data["body"], result.data.value("numbering", nlohmann::json())));
            } catch (const std::invalid_argument& e) {
                bug(std::string("an imported body the outline refuses: ") + e.what());
            }
            // …and the data is valid for the template's schema, placeholders filled.
            const auto problems = bundled().schemas.front().validate(Data::parse(result.data.dump(), "import"));
            if (!problems.empty()) bug("imported data fails the ke-hoach schema: " + problems.front().to_string());
            static_cast<void>(import_result_json(result).dump());  // every text is valid UTF-8
        } catch (const Error&) {}
    };
    std::string package;
    if (in.starts_with("PK")) {
        package = std::string(in);
    } else if (auto packed = pack(parse_bundle(in))) {
        package = std::move(*packed);
    }
    if (!package.empty()) {
        attempt(package, "plan.docx");
        attempt(package, "plan.odt");
    }
    attempt(in, size % 2 == 1 ? "plan.md" : "plan.txt");
    return 0;
}

std::span<const Target> targets() {
    static constexpr Target all[] = {{"template", template_package}, {"tags", tags}, {"data", data},
                                     {"records", records},           {"xlsx", xlsx}, {"pictures", pictures},
                                     {"import", import_plan}};
    return all;
}

}  // namespace vanban::fuzz
