#include "odt/odt_package.hpp"

#include "core/property_part.hpp"
#include "core/xml_compiler.hpp"
#include "import/xml_util.hpp"
#include "odt/odf_names.hpp"
#include "odt/odt_part.hpp"
#include "odt/odt_rich.hpp"

namespace vanban::odt {

namespace {

using odf::kFo;
using odf::kStyle;
using odf::kSvg;
using odf::kText;
constexpr const char* kManifest = "META-INF/manifest.xml";

// The first element `ns`:`local` under `n` in document order (libxml2 bounds the depth at 256).
const xmlNode* first_element(const xmlNode* n, const char* ns, const char* local) {
    for (const xmlNode* c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        if (core::has_name(c, ns, local)) return c;
        if (const xmlNode* found = first_element(c->children, ns, local)) return found;
    }
    return nullptr;
}

// The text width of an OpenDocument text: the first page layout of styles.xml, its width less its side margins.
std::int64_t styles_text_width(std::string_view styles) {
    std::string problem;
    const core::XmlDocPtr doc = core::parse_office_part(styles, odf::kStylesPart, problem);
    if (!doc) return 0;
    const xmlNode* layout = first_element(xmlDocGetRootElement(doc.get()), kStyle, "page-layout-properties");
    if (!layout) return 0;
    const auto length = [&](const char* name) {
        return core::parse_length(import::attribute(layout, kFo, name).value_or(""));
    };
    const auto width = length("page-width");
    if (!width) return 0;
    const std::int64_t text = *width - length("margin-left").value_or(0) - length("margin-right").value_or(0);
    return text > 0 ? text : 0;
}

class OdtPackage final : public core::PackageFormat {
public:
    const core::Emitter& emitter() const override { return odt::emitter(); }

    // content.xml and styles.xml (headers and footers are in its master pages); rich-text footnotes are inline
    // text:note elements numbered after content.xml's own.
    PartRole part_role(const std::string& part) const override {
        PartRole role;
        role.story = is_story_part(part) || core::is_property_part(part);
        role.numbers_footnotes = part == odf::kContentPart;
        role.render_rank = part == odf::kContentPart ? 0 : 1;
        return role;
    }

    core::Program compile_part(std::string_view xml, const std::string& part, std::vector<Diagnostic>& errors,
                               core::PartHooks& hooks) const override {
        if (core::is_property_part(part)) return core::compile_property_part(xml, part, errors);
        return odt::compile_part(xml, part, errors, &hooks);
    }

    std::string_view mimetype() const override { return kMimetype; }

    // content.xml is the body; a `mimetype` of another kind of OpenDocument (a spreadsheet, a drawing) would be
    // rendered as text and written back under its own type.
    void check_package(const std::function<bool(const std::string&)>& has,
                       const std::function<std::string(const std::string&)>& read) const override {
        if (!has(odf::kContentPart))
            core::refuse_package(
                odf::kContentPart, "package.no_main_part", "the OpenDocument package has no content.xml (its body)",
                "tệp mẫu bị hỏng: thiếu content.xml (phần nội dung chính) — hãy mở và lưu lại tệp bằng LibreOffice");
        if (!has("mimetype")) return;
        std::string type = read("mimetype");
        while (!type.empty() && (type.back() == '\n' || type.back() == '\r' || type.back() == ' ')) type.pop_back();
        if (type != kMimetype && type != "application/vnd.oasis.opendocument.text-template")
            core::refuse_package(
                "mimetype", "package.main_part_type",
                "the package's mimetype is '" + type.substr(0, 80) + "', not an OpenDocument text's (" +
                    std::string(kMimetype) + ")",
                "tệp mẫu không phải văn bản OpenDocument (ODT): mimetype là '" + type.substr(0, 80) + "'");
    }

    std::int64_t text_width(const std::string& part, const std::function<std::string()>& read) const override {
        return part == odf::kStylesPart ? styles_text_width(read()) : 0;
    }

    bool lists_pictures(const std::string& part) const override { return part == kManifest; }

    // Rich text's automatic styles (colour, size, font, …) made by this render go into the part's automatic styles.
    void finish_part(const std::string& part, std::string& rendered, const core::RenderState& state) const override {
        add_rich_text_styles(part, rendered, state);
    }
    std::string_view media_folder() const override { return "Pictures/"; }

    // The manifest lists every file of the package with its media type.
    void list_pictures(const core::ImageSession& images, core::PictureEdits& edits) const override {
        for (const auto& stored : images.stored()) {
            const core::ImageFormat format = stored.data->header.format;
            const std::string entry = "<manifest:file-entry manifest:full-path=\"Pictures/" +
                                      core::ImageSession::media_name(stored.number, format) +
                                      "\" manifest:media-type=\"" + std::string(core::image_media_type(format)) +
                                      "\"/>";
            if (!core::append_to_root(edits.text_of(kManifest), "manifest:manifest", entry))
                core::unusual_picture_part(kManifest);
        }
    }

    void note_styles(const xmlNode* c, const std::string& part, core::StyleFacts& facts) const override {
        if (core::has_name(c, kStyle, "style"))
            facts.styles_defined.insert(import::attribute(c, kStyle, "name").value_or(""));
        if (core::has_name(c, kText, "p") || core::has_name(c, kText, "h") || core::has_name(c, kText, "span"))
            if (std::string s = import::attribute(c, kText, "style-name").value_or(""); !s.empty())
                facts.styles_used.push_back({part, s});
        if (core::has_name(c, kStyle, "font-face")) {
            std::string f = import::attribute(c, kSvg, "font-family").value_or("");
            if (f.size() >= 2 && (f.front() == '\'' || f.front() == '"')) f = f.substr(1, f.size() - 2);
            if (!f.empty()) facts.fonts.insert(f);
        }
    }

    bool is_paragraph(const xmlNode* n) const override {
        return core::has_name(n, kText, "p") || core::has_name(n, kText, "h");
    }

    // All the character data inside the paragraph.
    void paragraph_text(const xmlNode* n, std::string& out) const override {
        for (const xmlNode* c = n->children; c; c = c->next) {
            if (c->type == XML_TEXT_NODE && c->content) out += reinterpret_cast<const char*>(c->content);
            else if (c->type == XML_ELEMENT_NODE) paragraph_text(c, out);
        }
    }
};

}  // namespace

const core::PackageFormat& package_format() {
    static const OdtPackage format;
    return format;
}

}  // namespace vanban::odt
