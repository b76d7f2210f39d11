#include "docx/docx_package.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/ascii.hpp"
#include "core/property_part.hpp"
#include "core/xml_compiler.hpp"
#include "docx/docx_part.hpp"
#include "docx/ooxml_names.hpp"
#include "docx/subdoc.hpp"
#include "import/xml_util.hpp"

namespace vanban::docx {

namespace {

using ooxml::kW;
using ooxml::kWordprocessingDrawing;
constexpr std::string_view kDocument = ooxml::kDocumentPart;
constexpr std::string_view kContentTypes = ooxml::kContentTypesPart;
constexpr std::string_view kFootnotes = ooxml::kFootnotesPart;

bool is_w(const xmlNode* n, const char* local) { return import::is_element(n, kW, local); }

bool is_word_rels(const std::string& name) { return name.starts_with("word/_rels/") && name.ends_with(".rels"); }

// Calls `visit` on every element under `n`, in document order (libxml2 bounds the depth at 256).
template <class Visit>
void each_element(const xmlNode* n, const Visit& visit) {
    for (const xmlNode* c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        visit(c);
        each_element(c->children, visit);
    }
}

// A part parsed the one safe way; null when it does not parse (the compile step reports that).
core::XmlDocPtr parse(std::string_view xml, const std::string& part) {
    std::string problem;
    return core::parse_office_part(xml, part, problem);
}

long number_attribute(const xmlNode* n, const char* name) {
    return n ? std::atol(import::attribute(n, kW, name).value_or("").c_str()) : 0;
}

// The text width of a Word document: the last section's page width less its left and right margins (twips → EMU).
std::int64_t document_text_width(std::string_view document) {
    const core::XmlDocPtr doc = parse(document, std::string(kDocument));
    if (!doc) return 0;
    const xmlNode *size = nullptr, *margins = nullptr;
    each_element(xmlDocGetRootElement(doc.get()), [&](const xmlNode* n) {
        if (is_w(n, "pgSz")) size = n;
        else if (is_w(n, "pgMar")) margins = n;
    });
    if (!size || !margins) return 0;
    const long text =
        number_attribute(size, "w") - number_attribute(margins, "left") - number_attribute(margins, "right");
    return text > 0 ? static_cast<std::int64_t>(text) * 635 : 0;
}

// The relationships part of a part: word/header1.xml → word/_rels/header1.xml.rels.
std::string relationships_of(const std::string& part) {
    const std::size_t slash = part.rfind('/');
    return part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
}

// Adds relationships to a part's .rels: the template's, one this render made already (pictures, sub-documents), or a
// new one — never two parts of the same name.
void add_relationships(core::PictureEdits& edits, const std::string& rels, const std::string& relationships) {
    const auto made =
        std::find_if(edits.added.begin(), edits.added.end(), [&](const auto& a) { return a.first == rels; });
    std::string* existing = edits.entries.count(rels)   ? &edits.text_of(rels)
                            : made != edits.added.end() ? &made->second
                                                        : nullptr;
    if (existing) {
        if (!core::append_to_root(*existing, "Relationships", relationships)) core::unusual_picture_part(rels);
        return;
    }
    edits.added.emplace_back(rels,
                             "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                             "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                                 relationships + "</Relationships>");
}

constexpr std::string_view kDocPr = "<wp:docPr ";
using ooxml::kContentTypesNs;
using ooxml::kPackageRelationships;

class DocxPackage final : public core::PackageFormat {
public:
    const core::Emitter& emitter() const override { return docx::emitter(); }

    PartRole part_role(const std::string& part) const override {
        PartRole role;
        role.story = is_story_part(part) || core::is_property_part(part);
        const bool footnotes = part == kFootnotes;
        role.always_compiled = role.numbers_footnotes = footnotes;
        role.render_rank = footnotes ? 2 : part.starts_with("word/document") ? 0 : 1;
        return role;
    }

    core::Program compile_part(std::string_view xml, const std::string& part, std::vector<Diagnostic>& errors,
                               core::PartHooks& hooks) const override {
        if (core::is_property_part(part)) return core::compile_property_part(xml, part, errors);
        hooks.footnotes_part = part == kFootnotes;  // the hook where rich-text footnotes are appended
        return docx::compile_part(xml, part, errors, &hooks);
    }

    std::map<std::string, std::string> compile_additions(
        const std::function<bool(const std::string&)>& has,
        const std::function<std::string(const std::string&)>& read) const override {
        return footnotes_part_additions(has, read);
    }

    void check_package(const std::function<bool(const std::string&)>& has,
                       const std::function<std::string(const std::string&)>& read) const override {
        check_main_document(has, read);
    }

    std::int64_t text_width(const std::string& part, const std::function<std::string()>& read) const override {
        return part == kDocument ? document_text_width(read()) : 0;
    }

    bool lists_pictures(const std::string& part) const override {
        return part == kContentTypes || is_word_rels(part) || part == ooxml::kStylesPart ||
               part == ooxml::kNumberingPart;
    }
    std::string_view media_folder() const override { return "word/media/"; }

    // Each part that shows pictures relates them (its .rels part, made when it has none); [Content_Types].xml gets a
    // default for each picture format it does not know yet.
    void list_pictures(const core::ImageSession& images, core::PictureEdits& edits) const override {
        std::map<int, core::ImageFormat> format_of;
        for (const auto& stored : images.stored()) format_of[stored.number] = stored.data->header.format;
        for (const auto& [part, numbers] : images.parts()) {
            const std::string rels = relationships_of(part);
            std::string relationships;
            for (int n : numbers)
                relationships +=
                    "<Relationship Id=\"" + core::image_relationship_id(n) +
                    "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/" +
                    core::ImageSession::media_name(n, format_of.at(n)) + "\"/>";
            add_relationships(edits, rels, relationships);
        }
        // Formats kept by number: containers of the plain enum would be exported from the shared library.
        std::set<int> formats;
        for (const auto& [number, format] : format_of) formats.insert(static_cast<int>(format));
        const std::string types_name(kContentTypes);
        std::string& types = edits.text_of(types_name);
        const std::string types_lower = core::ascii_lower(types);
        std::string defaults;
        for (int number : formats) {
            const auto f = static_cast<core::ImageFormat>(number);
            const std::string extension(core::image_extension(f));
            if (types_lower.find("extension=\"" + extension + "\"") == std::string::npos)
                defaults += "<Default Extension=\"" + extension + "\" ContentType=\"" +
                            std::string(core::image_media_type(f)) + "\"/>";
        }
        if (!defaults.empty() && !core::append_to_root(types, "Types", defaults))
            core::unusual_picture_part(types_name);
    }

    void finish_part(const std::string&, std::string& rendered, const core::RenderState& state) const override {
        if (state.adapter_session) drop_empty_reopened_paragraphs(rendered);
    }
    void list_additions(const core::RenderState& state, core::PictureEdits& edits) const override {
        list_subdocs(state, edits);
        list_hyperlinks(state, edits);
    }

    unsigned long max_drawing_id(std::string_view xml) const override {
        if (xml.find("docPr") == std::string_view::npos) return 0;  // most parts have no drawing: no parse
        const core::XmlDocPtr doc = parse(xml, "drawings");
        if (!doc) return 0;
        unsigned long max = 0;
        each_element(xmlDocGetRootElement(doc.get()), [&](const xmlNode* n) {
            if (!import::is_element(n, kWordprocessingDrawing, "docPr")) return;
            // At most 12 digits: a hostile id does not wrap the numbering around.
            const std::string id = import::attribute(n, nullptr, "id").value_or("").substr(0, 12);
            max = std::max(max, std::strtoul(id.c_str(), nullptr, 10));
        });
        return max;
    }

    // The rendered part is vanban's own output: libxml2's serialisation of the compiled template and the emitter's
    // pictures, both writing `<wp:docPr … id="N"`. It is renumbered as text because parsing every rendered part again
    // would cost more than the render itself.
    void renumber_drawings(std::string& xml, unsigned long& next) const override {
        for (std::size_t p = xml.find(kDocPr); p != std::string::npos; p = xml.find(kDocPr, p + 1)) {
            const std::size_t end = xml.find('>', p);
            const std::size_t id = xml.find(" id=\"", p);
            if (id == std::string::npos || id > end) continue;
            const std::size_t v = id + 5, q = xml.find('"', v);
            xml.replace(v, q - v, std::to_string(next++));
        }
    }

    void note_styles(const xmlNode* c, const std::string& part, core::StyleFacts& facts) const override {
        const auto attribute = [&](const char* name) { return import::attribute(c, kW, name).value_or(""); };
        if (is_w(c, "style")) facts.styles_defined.insert(attribute("styleId"));
        if (is_w(c, "pStyle") || is_w(c, "rStyle") || is_w(c, "tblStyle"))
            facts.styles_used.push_back({part, attribute("val")});
        if (is_w(c, "rFonts"))
            for (const char* which : {"ascii", "hAnsi", "cs"})
                if (std::string f = attribute(which); !f.empty()) facts.fonts.insert(f);
    }

    bool is_paragraph(const xmlNode* n) const override { return is_w(n, "p"); }

    // The character data of the paragraph's w:t elements.
    void paragraph_text(const xmlNode* n, std::string& out) const override {
        for (const xmlNode* c = n->children; c; c = c->next) {
            if (c->type == XML_TEXT_NODE && core::has_name(n, kW, "t") && c->content)
                out += reinterpret_cast<const char*>(c->content);
            else if (c->type == XML_ELEMENT_NODE) paragraph_text(c, out);
        }
    }
};

}  // namespace

const core::PackageFormat& package_format() {
    static const DocxPackage format;
    return format;
}

std::map<std::string, std::string> footnotes_part_additions(
    const std::function<bool(const std::string&)>& has, const std::function<std::string(const std::string&)>& read) {
    const std::string rels_name = ooxml::kDocumentRelationshipsPart, types_name(kContentTypes);
    if (has(std::string(kFootnotes)) || !has(std::string(kDocument)) || !has(types_name)) return {};
    std::map<std::string, std::string> parts;
    parts[std::string(kFootnotes)] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<w:footnotes xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
        "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>"
        "<w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
        "</w:footnotes>";
    std::string types = read(types_name);
    std::size_t end = types.rfind("</Types>");
    if (end == std::string::npos) return {};
    types.insert(end,
                 "<Override PartName=\"/word/footnotes.xml\" "
                 "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml\"/>");
    parts[types_name] = std::move(types);
    std::string rels =
        has(rels_name)
            ? read(rels_name)
            : "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
              "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"></Relationships>";
    end = rels.rfind("</Relationships>");
    if (end == std::string::npos) return {};
    rels.insert(end,
                "<Relationship Id=\"rIdVanbanFootnotes\" "
                "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes\" "
                "Target=\"footnotes.xml\"/>");
    parts[rels_name] = std::move(rels);
    return parts;
}

void check_main_document(const std::function<bool(const std::string&)>& has,
                         const std::function<std::string(const std::string&)>& read) {
    const std::string rels = ooxml::kPackageRelationshipsPart, types(kContentTypes);
    if (!has(rels))
        core::refuse_package(
            rels, "package.no_main_part", "the package has no _rels/.rels, so nothing names its main document",
            "tệp mẫu bị hỏng: thiếu _rels/.rels nên không biết phần nội dung chính ở đâu — hãy mở và lưu lại "
            "tệp bằng Word hoặc LibreOffice");
    const std::string main = main_part_named_by(read(rels));
    if (main.empty())
        core::refuse_package(
            rels, "package.no_main_part", "_rels/.rels names no main document (officeDocument relationship)",
            "tệp mẫu bị hỏng: _rels/.rels không chỉ tới phần nội dung chính — hãy mở và lưu lại tệp bằng Word");
    if (!has(main))
        core::refuse_package(
            main, "package.no_main_part", "the main document that _rels/.rels names is missing from the package",
            "tệp mẫu bị hỏng: thiếu phần nội dung chính " + main + " — hãy mở và lưu lại tệp bằng Word");
    if (main != kDocument)
        core::refuse_package(
            main, "package.main_part_name",
            "the main document is at " + main + "; vanban renders a main document at word/document.xml",
            "phần nội dung chính nằm ở " + main +
                ", vanban chỉ đọc word/document.xml — hãy mở và lưu lại tệp bằng Word");
    const std::string type = has(types) ? content_type_of(read(types), main) : std::string();
    if (!is_main_document_type(type))
        core::refuse_package(
            main, "package.main_part_type",
            "the main document's content type in [Content_Types].xml is '" + type +
                "', not a Word document's (…wordprocessingml.document.main+xml)",
            "tệp mẫu bị hỏng hoặc không phải văn bản Word: phần nội dung chính có kiểu '" + type + "'");
}

std::string main_part_named_by(std::string_view package_relationships) {
    const core::XmlDocPtr doc = parse(package_relationships, ooxml::kPackageRelationshipsPart);
    if (!doc) return {};
    for (const xmlNode* r = xmlDocGetRootElement(doc.get())->children; r; r = r->next) {
        if (!import::is_element(r, kPackageRelationships, "Relationship")) continue;
        if (!import::attribute(r, nullptr, "Type").value_or("").ends_with("/officeDocument")) continue;
        std::string target = import::attribute(r, nullptr, "Target").value_or("");
        if (!target.empty() && target.front() == '/') target.erase(0, 1);
        return target;
    }
    return {};
}

std::string content_type_of(std::string_view content_types, const std::string& part) {
    const core::XmlDocPtr doc = parse(content_types, std::string(kContentTypes));
    if (!doc) return {};
    const std::string extension = core::ascii_lower(part.substr(part.rfind('.') + 1)), name = "/" + part;
    std::string by_default;
    for (const xmlNode* t = xmlDocGetRootElement(doc.get())->children; t; t = t->next) {
        const auto attribute = [&](const char* a) { return import::attribute(t, nullptr, a).value_or(""); };
        // Part names compare case-insensitively (OPC, ECMA-376 part 2 §9.1.1.1).
        if (import::is_element(t, kContentTypesNs, "Override") &&
            core::ascii_lower(attribute("PartName")) == core::ascii_lower(name))
            return attribute("ContentType");
        if (import::is_element(t, kContentTypesNs, "Default") && core::ascii_lower(attribute("Extension")) == extension)
            by_default = attribute("ContentType");
    }
    return by_default;
}

namespace {
constexpr std::string_view kLinkIdPrefix = "rIdVanbanLink";
}  // namespace

int link_id_base(const core::RenderState& state, const std::string& part) {
    if (!state.package_texts) return 0;
    const auto rels = state.package_texts->find(relationships_of(part));
    if (rels == state.package_texts->end()) return 0;
    int last = 0;
    const std::string& text = rels->second;
    for (std::size_t at = text.find(kLinkIdPrefix); at != std::string::npos; at = text.find(kLinkIdPrefix, at + 1))
        last =
            std::max(last, std::atoi(text.c_str() + at + kLinkIdPrefix.size()) % 1'000'000);  // (absurd ids: no wrap)
    return last;
}

std::string hyperlink_relationship_id(int base, int number) {
    return std::string(kLinkIdPrefix) + std::to_string(base + number);
}

bool has_hyperlink_style(const core::RenderState& state) {
    if (!state.package_texts) return false;
    const auto styles = state.package_texts->find("word/styles.xml");
    if (styles == state.package_texts->end()) return false;
    const std::string& text = styles->second;
    return text.find("w:styleId=\"Hyperlink\"") != std::string::npos ||
           text.find("w:styleId='Hyperlink'") != std::string::npos;
}

void list_hyperlinks(const core::RenderState& state, core::PictureEdits& edits) {
    for (const auto& [part, targets] : state.hyperlinks) {
        std::vector<const std::string*> by_number(targets.size());
        for (const auto& [url, number] : targets) by_number[static_cast<std::size_t>(number - 1)] = &url;
        const int base = link_id_base(state, part);
        std::string relationships;
        for (std::size_t k = 0; k < by_number.size(); ++k) {
            relationships +=
                "<Relationship Id=\"" + hyperlink_relationship_id(base, static_cast<int>(k + 1)) +
                "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"";
            core::escape_xml_attribute(relationships, *by_number[k]);
            relationships += "\" TargetMode=\"External\"/>";
        }
        add_relationships(edits, relationships_of(part), relationships);
    }
}

bool is_main_document_type(std::string_view type) {
    return type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml" ||
           type == "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml" ||
           type == "application/vnd.ms-word.document.macroEnabled.main+xml" ||
           type == "application/vnd.ms-word.template.macroEnabledTemplate.main+xml";
}

}  // namespace vanban::docx
