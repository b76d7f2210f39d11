#include "api/package_images.hpp"

#include <algorithm>
#include <cctype>

namespace vanban::detail {

namespace {

constexpr std::string_view kRelationshipId = "rIdVanbanImage";

bool is_docx_rels(const std::string& name) { return name.starts_with("word/_rels/") && name.ends_with(".rels"); }

// The value of attribute `name` in the first element `tag` starting at or after `from` ("" when absent).
std::string attribute(std::string_view xml, std::string_view tag, std::string_view name, std::size_t from = 0) {
    const std::size_t at = xml.find(tag, from);
    if (at == std::string_view::npos) return {};
    const std::size_t end = xml.find('>', at);
    const std::string key = " " + std::string(name) + "=\"";
    const std::size_t a = xml.find(key, at);
    if (a == std::string_view::npos || a > end) return {};
    const std::size_t v = a + key.size();
    return std::string(xml.substr(v, xml.find('"', v) - v));
}

// The text width of a Word document: the last section's page width less its left and right margins (twips).
std::int64_t docx_text_width(std::string_view document) {
    const std::size_t size = document.rfind("<w:pgSz"), margins = document.rfind("<w:pgMar");
    if (size == std::string_view::npos || margins == std::string_view::npos) return 0;
    const long width = std::atol(attribute(document, "<w:pgSz", "w:w", size).c_str());
    const long left = std::atol(attribute(document, "<w:pgMar", "w:left", margins).c_str());
    const long right = std::atol(attribute(document, "<w:pgMar", "w:right", margins).c_str());
    const long text = width - left - right;
    return text > 0 ? static_cast<std::int64_t>(text) * 635 : 0;
}

// The same for OpenDocument: the first page layout of styles.xml.
std::int64_t odt_text_width(std::string_view styles) {
    const std::size_t at = styles.find("<style:page-layout-properties");
    if (at == std::string_view::npos) return 0;
    const auto length = [&](const char* name) { return core::parse_length(attribute(styles, "<style:page-layout-properties", name, at)); };
    const auto width = length("fo:page-width");
    if (!width) return 0;
    const std::int64_t text = *width - length("fo:margin-left").value_or(0) - length("fo:margin-right").value_or(0);
    return text > 0 ? text : 0;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Inserts `content` as the last children of the root element `root` ("Relationships", "Types", "manifest:manifest"),
// also when it is written empty (<Relationships …/>).
bool append_to_root(std::string& xml, std::string_view root, const std::string& content) {
    const std::string close = "</" + std::string(root) + ">";
    if (const std::size_t end = xml.rfind(close); end != std::string::npos) {
        xml.insert(end, content);
        return true;
    }
    const std::size_t open = xml.find("<" + std::string(root));
    const std::size_t tag_end = open == std::string::npos ? std::string::npos : xml.find('>', open);
    if (tag_end == std::string::npos || xml[tag_end - 1] != '/') return false;
    xml.replace(tag_end - 1, 2, ">" + content + close);
    return true;
}

[[noreturn]] void unusual(const std::string& part) {
    Diagnostic d;
    d.kind = DiagnosticKind::package;
    d.part = part;
    d.message = "cannot add the pictures: this part of the template is not in the usual form";
    throw Error(std::move(d));
}

}  // namespace

void PackageImages::note(const std::string& name, const std::function<std::string()>& read) {
    entries.insert(name);
    first_number = std::max(first_number, core::ImageSession::number_in_name(name) + 1);
    const bool wanted = name == "[Content_Types].xml" || is_docx_rels(name) || name == "META-INF/manifest.xml";
    if (wanted) {
        std::string text = read();
        for (std::size_t at = text.find(kRelationshipId); at != std::string::npos; at = text.find(kRelationshipId, at + 1))
            first_number = std::max(first_number, std::atoi(text.c_str() + at + kRelationshipId.size()) + 1);
        texts.emplace(name, std::move(text));
    }
    std::int64_t width = 0;
    if (name == "word/document.xml") width = docx_text_width(read());
    if (name == "styles.xml" && format == Format::odt) width = odt_text_width(read());
    if (width > 0) text_width = width;
}

std::size_t PackageEdits::size() const {
    std::size_t n = 0;
    for (const auto& [name, text] : replaced) n += name.size() + text.size() + 100;
    for (const auto& [name, text] : added) n += name.size() + text.size() + 100;
    for (const auto& [name, bytes] : media) n += name.size() + bytes->size() + 100;
    return n;
}

PackageEdits package_edits(const PackageImages& package, const core::ImageSession& images) {
    PackageEdits edits;
    // The text of a part as this render leaves it so far.
    const auto text_of = [&](const std::string& name) -> std::string& {
        if (auto it = edits.replaced.find(name); it != edits.replaced.end()) return it->second;
        const auto original = package.texts.find(name);
        if (original == package.texts.end()) unusual(name);
        return edits.replaced[name] = original->second;
    };
    // Containers of the plain enum would be exported from the shared library (an enum has no hidden visibility):
    // formats are kept by number.
    std::set<int> formats;
    std::map<int, const core::ImageData*> by_number;
    for (const auto& stored : images.stored()) {
        by_number[stored.number] = stored.data.get();
        const std::string file = core::ImageSession::media_name(stored.number, stored.data->header.format);
        edits.media.emplace_back((package.format == Format::odt ? "Pictures/" : "word/media/") + file, &stored.data->bytes);
        formats.insert(static_cast<int>(stored.data->header.format));
        if (package.format == Format::odt) {
            const std::string entry = "<manifest:file-entry manifest:full-path=\"Pictures/" + file +
                                      "\" manifest:media-type=\"" + std::string(core::image_media_type(stored.data->header.format)) + "\"/>";
            if (!append_to_root(text_of("META-INF/manifest.xml"), "manifest:manifest", entry)) unusual("META-INF/manifest.xml");
        }
    }
    if (package.format == Format::odt) return edits;

    for (const auto& [part, numbers] : images.parts()) {
        const std::size_t slash = part.rfind('/');
        const std::string rels = part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
        std::string relationships;
        for (int n : numbers)
            relationships += "<Relationship Id=\"" + core::image_relationship_id(n) +
                             "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/" +
                             core::ImageSession::media_name(n, by_number.at(n)->header.format) + "\"/>";
        if (package.entries.count(rels)) {
            if (!append_to_root(text_of(rels), "Relationships", relationships)) unusual(rels);
        } else {
            edits.added.emplace_back(rels, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
                                           "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                                               relationships + "</Relationships>");
        }
    }
    std::string& types = text_of("[Content_Types].xml");
    const std::string types_lower = lower(types);
    std::string defaults;
    for (int number : formats) {
        const auto f = static_cast<core::ImageFormat>(number);
        const std::string extension(core::image_extension(f));
        if (types_lower.find("extension=\"" + extension + "\"") == std::string::npos)
            defaults += "<Default Extension=\"" + extension + "\" ContentType=\"" + std::string(core::image_media_type(f)) + "\"/>";
    }
    if (!defaults.empty() && !append_to_root(types, "Types", defaults)) unusual("[Content_Types].xml");
    return edits;
}

}  // namespace vanban::detail
