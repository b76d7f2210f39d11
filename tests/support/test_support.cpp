#include "test_support.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>

#ifndef VANBAN_SOURCE_DIR
#error "VANBAN_SOURCE_DIR must be defined (the repository root)"
#endif
#ifndef VANBAN_BINARY_DIR
#error "VANBAN_BINARY_DIR must be defined (the build tree)"
#endif

namespace vanban::test {

namespace fs = std::filesystem;

std::string source_dir() { return VANBAN_SOURCE_DIR; }
std::string binary_dir() { return VANBAN_BINARY_DIR; }

std::string shared_dir() {
    if (const char* env = std::getenv("VANBAN_SHARED_DIR"); env && *env) return env;
    return fs::weakly_canonical(fs::path(source_dir()) / ".." / "shared").string();
}

namespace {

// Directories made by temp_dir(), removed when the process exits normally. Only the process that created them
// removes them, so a forked child that calls exit() does not delete its parent's files.
class TempDirs {
public:
    ~TempDirs() {
        const std::lock_guard lock(mutex_);
        if (::getpid() != owner_) return;
        for (const auto& dir : dirs_) {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    }
    void add(std::string dir) {
        const std::lock_guard lock(mutex_);
        dirs_.push_back(std::move(dir));
    }

private:
    std::mutex mutex_;
    pid_t owner_ = ::getpid();
    std::vector<std::string> dirs_;
};

TempDirs& temp_dirs() {
    static TempDirs dirs;
    return dirs;
}

}  // namespace

std::string temp_dir() {
    const char* env = std::getenv("TMPDIR");
    std::string pattern = std::string(env && *env ? env : "/tmp") + "/vanban-test-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    temp_dirs().add(pattern);
    return pattern;
}

// --- zip via libzip (independent of vanban's own writer, so tests of the writer have an independent oracle) ----

namespace {

struct ZipDiscard {
    void operator()(zip_t* z) const noexcept { zip_discard(z); }
};
struct SourceFree {
    void operator()(zip_source_t* s) const noexcept { zip_source_free(s); }
};
struct FileClose {
    void operator()(zip_file_t* f) const noexcept { zip_fclose(f); }
};

std::string build_zip(const std::vector<std::pair<std::string, std::string>>& parts) {
    zip_error_t error;
    zip_error_init(&error);
    std::unique_ptr<zip_source_t, SourceFree> buffer(zip_source_buffer_create(nullptr, 0, 0, &error));
    if (!buffer) throw std::runtime_error("zip_source_buffer_create failed");
    std::unique_ptr<zip_t, ZipDiscard> archive(zip_open_from_source(buffer.get(), ZIP_TRUNCATE, &error));
    if (!archive) throw std::runtime_error(std::string("zip_open_from_source: ") + zip_error_strerror(&error));
    zip_source_keep(buffer.get());  // the archive takes a reference; keep ours to read the result after close
    for (const auto& [name, data] : parts) {
        zip_source_t* src = zip_source_buffer(archive.get(), data.data(), data.size(), 0);
        if (!src) throw std::runtime_error("zip_source_buffer failed for " + name);
        const zip_int64_t index = zip_file_add(archive.get(), name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (index < 0) {
            zip_source_free(src);
            throw std::runtime_error("zip_file_add " + name + ": " + zip_strerror(archive.get()));
        }
        // ODF wants its mimetype entry stored; everything else is deflated.
        zip_set_file_compression(archive.get(), static_cast<zip_uint64_t>(index),
                                 name == "mimetype" ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
    }
    if (zip_close(archive.get()) != 0)
        throw std::runtime_error(std::string("zip_close: ") + zip_strerror(archive.get()));
    static_cast<void>(archive.release());  // zip_close freed it

    zip_stat_t st;
    if (zip_source_stat(buffer.get(), &st) != 0 || zip_source_open(buffer.get()) != 0)
        throw std::runtime_error("cannot read back the zip buffer");
    std::string out(st.size, '\0');
    const zip_int64_t n = zip_source_read(buffer.get(), out.data(), out.size());
    zip_source_close(buffer.get());
    if (n < 0 || static_cast<zip_uint64_t>(n) != st.size) throw std::runtime_error("short read of the zip buffer");
    zip_error_fini(&error);
    return out;
}

constexpr const char* kRelsNs = "http://schemas.openxmlformats.org/package/2006/relationships";
constexpr const char* kRelBase = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
constexpr const char* kWmlType = "application/vnd.openxmlformats-officedocument.wordprocessingml.";

struct KnownPart {
    const char* prefix;  // "word/header" matches word/header1.xml
    const char* content_type;
    const char* relationship;
};
constexpr KnownPart kKnownParts[] = {
    {"word/header", "header+xml", "header"},
    {"word/footer", "footer+xml", "footer"},
    {"word/footnotes.xml", "footnotes+xml", "footnotes"},
    {"word/endnotes.xml", "endnotes+xml", "endnotes"},
    {"word/numbering.xml", "numbering+xml", "numbering"},
    {"word/settings.xml", "settings+xml", "settings"},
    {"word/fontTable.xml", "fontTable+xml", "fontTable"},
};

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::string xml_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string docx_paragraph(const std::string& text) {
    return "<w:p><w:r><w:t xml:space=\"preserve\">" + xml_escape(text) + "</w:t></w:r></w:p>";
}

std::string make_docx(const std::string& body_xml, const std::map<std::string, std::string>& extra_parts) {
    std::string overrides;
    std::string relationships;
    std::string references;  // w:headerReference / w:footerReference for the sectPr
    const char* const kRefTypes[] = {"default", "first", "even"};
    int headers = 0;
    int footers = 0;
    int next_id = 2;                              // rId1 is styles
    std::map<std::string, std::string> defaults;  // extension -> content type, for media parts
    for (const auto& [name, data] : extra_parts) {
        const auto dot = name.rfind('.');
        const std::string ext = dot == std::string::npos ? "" : name.substr(dot + 1);
        if (ext == "png") defaults.emplace(ext, "image/png");
        if (ext == "jpeg" || ext == "jpg") defaults.emplace(ext, "image/jpeg");
        if (ext == "gif") defaults.emplace(ext, "image/gif");
        for (const auto& known : kKnownParts) {
            if (!starts_with(name, known.prefix) || ext != "xml" || name.find('/', 5) != std::string::npos) continue;
            const std::string id = "rId" + std::to_string(next_id++);
            overrides += "<Override PartName=\"/" + xml_escape(name) + "\" ContentType=\"" + kWmlType +
                         known.content_type + "\"/>";
            relationships += "<Relationship Id=\"" + id + "\" Type=\"" + kRelBase + known.relationship +
                             "\" Target=\"" + xml_escape(name.substr(5)) + "\"/>";
            // Each reference type may appear once per section: the first header is the default one.
            if (std::string(known.relationship) == "header" && headers < 3)
                references +=
                    std::string("<w:headerReference w:type=\"") + kRefTypes[headers++] + "\" r:id=\"" + id + "\"/>";
            if (std::string(known.relationship) == "footer" && footers < 3)
                references +=
                    std::string("<w:footerReference w:type=\"") + kRefTypes[footers++] + "\" r:id=\"" + id + "\"/>";
        }
        if (starts_with(name, "word/media/"))
            relationships += "<Relationship Id=\"rId" + std::to_string(next_id++) + "\" Type=\"" + kRelBase +
                             "image\" Target=\"" + xml_escape(name.substr(5)) + "\"/>";
    }
    const bool has_first = headers > 1 || footers > 1;

    std::string content_types =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        "<Default Extension=\"xml\" ContentType=\"application/xml\"/>";
    for (const auto& [ext, type] : defaults)
        content_types += "<Default Extension=\"" + ext + "\" ContentType=\"" + type + "\"/>";
    content_types += std::string("<Override PartName=\"/word/document.xml\" ContentType=\"") + kWmlType +
                     "document.main+xml\"/>" + "<Override PartName=\"/word/styles.xml\" ContentType=\"" + kWmlType +
                     "styles+xml\"/>" + overrides + "</Types>";

    const std::string package_rels =
        std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"") +
        kRelsNs + "\"><Relationship Id=\"rId1\" Type=\"" + kRelBase +
        "officeDocument\" Target=\"word/document.xml\"/></Relationships>";
    const std::string document_rels =
        std::string("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"") +
        kRelsNs + "\"><Relationship Id=\"rId1\" Type=\"" + kRelBase + "styles\" Target=\"styles.xml\"/>" +
        relationships + "</Relationships>";

    // A4 with the margins of Decree 30/2020 (top/bottom 20 mm, left 30 mm, right 15 mm).
    const std::string document =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""
        " xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
        " xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\""
        " xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\""
        " xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\""
        " xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\""
        " xmlns:wps=\"http://schemas.microsoft.com/office/word/2010/wordprocessingShape\""
        " xmlns:v=\"urn:schemas-microsoft-com:vml\""
        " xmlns:o=\"urn:schemas-microsoft-com:office:office\">"
        "<w:body>" +
        body_xml + "<w:sectPr>" + references +
        "<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"
        "<w:pgMar w:top=\"1134\" w:right=\"850\" w:bottom=\"1134\" w:left=\"1701\" w:header=\"720\""
        " w:footer=\"720\" w:gutter=\"0\"/>" +
        (has_first ? "<w:titlePg/>" : "") + "</w:sectPr></w:body></w:document>";

    const std::string styles =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">"
        "<w:docDefaults><w:rPrDefault><w:rPr>"
        "<w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\""
        " w:cs=\"Times New Roman\"/><w:sz w:val=\"28\"/><w:szCs w:val=\"28\"/><w:lang w:val=\"vi-VN\"/>"
        "</w:rPr></w:rPrDefault><w:pPrDefault/></w:docDefaults>"
        "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/>"
        "</w:style></w:styles>";

    std::map<std::string, std::string> parts = {
        {"[Content_Types].xml", content_types},          {"_rels/.rels", package_rels}, {"word/document.xml", document},
        {"word/_rels/document.xml.rels", document_rels}, {"word/styles.xml", styles},
    };
    for (const auto& [name, data] : extra_parts) parts[name] = data;

    // [Content_Types].xml first, as Office writes it.
    std::vector<std::pair<std::string, std::string>> ordered;
    ordered.emplace_back("[Content_Types].xml", parts["[Content_Types].xml"]);
    for (const auto& [name, data] : parts)
        if (name != "[Content_Types].xml") ordered.emplace_back(name, data);
    return build_zip(ordered);
}

namespace {

constexpr const char* kOdfNamespaces =
    " xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\""
    " xmlns:style=\"urn:oasis:names:tc:opendocument:xmlns:style:1.0\""
    " xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\""
    " xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\""
    " xmlns:draw=\"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0\""
    " xmlns:fo=\"urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0\""
    " xmlns:xlink=\"http://www.w3.org/1999/xlink\""
    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\""
    " xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\""
    " xmlns:svg=\"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0\""
    " office:version=\"1.3\"";

}  // namespace

std::string make_odt(const std::string& body_xml, const std::string& master_page_xml,
                     const std::string& automatic_styles) {
    const std::string manifest =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<manifest:manifest xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.3\">"
        "<manifest:file-entry manifest:full-path=\"/\" manifest:version=\"1.3\""
        " manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
        "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>"
        "<manifest:file-entry manifest:full-path=\"styles.xml\" manifest:media-type=\"text/xml\"/>"
        "<manifest:file-entry manifest:full-path=\"meta.xml\" manifest:media-type=\"text/xml\"/>"
        "</manifest:manifest>";
    const std::string meta = std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-meta") +
                             kOdfNamespaces +
                             "><office:meta><meta:generator>vanban tests</meta:generator>"
                             "</office:meta></office:document-meta>";
    const std::string content =
        std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-content") + kOdfNamespaces +
        "><office:font-face-decls><style:font-face style:name=\"Times New Roman\""
        " svg:font-family=\"&apos;Times New Roman&apos;\" style:font-family-generic=\"roman\"/></office:font-face-decls>" +
        (automatic_styles.empty() ? ""
                                  : "<office:automatic-styles>" + automatic_styles + "</office:automatic-styles>") +
        "<office:body><office:text>" + body_xml + "</office:text></office:body></office:document-content>";
    const std::string styles =
        std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<office:document-styles") + kOdfNamespaces +
        "><office:font-face-decls><style:font-face style:name=\"Times New Roman\""
        " svg:font-family=\"&apos;Times New Roman&apos;\" style:font-family-generic=\"roman\"/></office:font-face-decls>"
        "<office:styles>"
        "<style:default-style style:family=\"paragraph\"><style:text-properties style:font-name=\"Times New Roman\""
        " fo:font-size=\"14pt\" fo:language=\"vi\" fo:country=\"VN\"/></style:default-style>"
        "<style:style style:name=\"Standard\" style:family=\"paragraph\"/>"
        "<style:style style:name=\"P\" style:family=\"paragraph\" style:parent-style-name=\"Standard\"/>"
        "<style:style style:name=\"Header\" style:family=\"paragraph\" style:parent-style-name=\"Standard\"/>"
        "<style:style style:name=\"Footnote\" style:family=\"paragraph\" style:parent-style-name=\"Standard\">"
        "<style:text-properties fo:font-size=\"10pt\"/></style:style>"
        "<style:style style:name=\"Strong\" style:family=\"text\"><style:text-properties fo:font-weight=\"bold\"/>"
        "</style:style>"
        "</office:styles><office:automatic-styles><style:page-layout style:name=\"pm1\">"
        "<style:page-layout-properties fo:page-width=\"210mm\" fo:page-height=\"297mm\" fo:margin-top=\"20mm\""
        " fo:margin-bottom=\"20mm\" fo:margin-left=\"30mm\" fo:margin-right=\"15mm\"/></style:page-layout>"
        "</office:automatic-styles><office:master-styles>"
        "<style:master-page style:name=\"Standard\" style:page-layout-name=\"pm1\">" +
        master_page_xml + "</style:master-page></office:master-styles></office:document-styles>";
    return build_zip({{"mimetype", "application/vnd.oasis.opendocument.text"},
                      {"META-INF/manifest.xml", manifest},
                      {"content.xml", content},
                      {"styles.xml", styles},
                      {"meta.xml", meta}});
}

std::map<std::string, std::string> read_zip(const std::string& bytes) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
    if (!source) throw std::runtime_error("zip_source_buffer_create failed");
    std::unique_ptr<zip_t, ZipDiscard> archive(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
    if (!archive) {
        zip_source_free(source);
        const std::string message = zip_error_strerror(&error);
        zip_error_fini(&error);
        throw std::runtime_error("read_zip: " + message);
    }
    zip_error_fini(&error);
    std::map<std::string, std::string> out;
    const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        const auto index = static_cast<zip_uint64_t>(i);
        zip_stat_t st;
        if (zip_stat_index(archive.get(), index, 0, &st) != 0) throw std::runtime_error("read_zip: stat failed");
        std::string name = st.name;
        if (!name.empty() && name.back() == '/') continue;  // directories have no content
        std::unique_ptr<zip_file_t, FileClose> file(zip_fopen_index(archive.get(), index, 0));
        if (!file) throw std::runtime_error("read_zip: cannot open " + name);
        std::string data(st.size, '\0');
        zip_uint64_t got = 0;
        while (got < st.size) {
            const zip_int64_t n = zip_fread(file.get(), data.data() + got, st.size - got);
            if (n <= 0) throw std::runtime_error("read_zip: cannot read " + name);
            got += static_cast<zip_uint64_t>(n);
        }
        char probe = 0;  // reaching the end makes libzip verify the CRC
        if (zip_fread(file.get(), &probe, 1) != 0) throw std::runtime_error("read_zip: bad data in " + name);
        out[name] = std::move(data);
    }
    return out;
}

// --- paragraph text ---------------------------------------------------------------------------------------------

namespace {

constexpr const char* kWNs = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

struct DocFree {
    void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};

bool is_w(const xmlNode* node, const char* local) {
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
           std::strcmp(reinterpret_cast<const char*>(node->ns->href), kWNs) == 0 &&
           std::strcmp(reinterpret_cast<const char*>(node->name), local) == 0;
}

// A footnote's own mark ("(1)" with w:customMarkFollows) is the text of the reference run, and in the footnote the
// text of a run in the FootnoteReference style: a mark, not text, as an automatic number is not.
bool in_footnote(const xmlNode* n) {
    for (; n; n = n->parent)
        if (n->type == XML_ELEMENT_NODE && (is_w(n, "footnote") || is_w(n, "endnote"))) return true;
    return false;
}

bool is_footnote_mark_text(const xmlNode* t) {
    const xmlNode* run = t->parent;
    if (!run || !is_w(run, "r")) return false;
    for (const xmlNode* c = run->children; c; c = c->next) {
        if (is_w(c, "footnoteReference") || is_w(c, "endnoteReference")) {
            xmlChar* v = xmlGetNsProp(c, reinterpret_cast<const xmlChar*>("customMarkFollows"),
                                      reinterpret_cast<const xmlChar*>(kWNs));
            const bool custom = v != nullptr;
            xmlFree(v);
            if (custom) return true;
        }
        if (!is_w(c, "rPr") || !in_footnote(run)) continue;
        for (const xmlNode* p = c->children; p; p = p->next) {
            if (!is_w(p, "rStyle")) continue;
            xmlChar* v =
                xmlGetNsProp(p, reinterpret_cast<const xmlChar*>("val"), reinterpret_cast<const xmlChar*>(kWNs));
            const bool mark = v && std::strcmp(reinterpret_cast<const char*>(v), "FootnoteReference") == 0;
            xmlFree(v);
            if (mark) return true;
        }
    }
    return false;
}

// `current` is the index of the innermost open w:p (or -1); nested paragraphs get their own slot.
void collect(const xmlNode* node, long current, std::vector<std::string>& out) {
    for (const xmlNode* n = node; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (is_w(n, "p")) {
            out.emplace_back();
            collect(n->children, static_cast<long>(out.size()) - 1, out);
            continue;
        }
        if (current >= 0) {
            auto& text = out[static_cast<std::size_t>(current)];
            if (is_w(n, "t")) {
                if (is_footnote_mark_text(n)) continue;
                for (const xmlNode* c = n->children; c; c = c->next)
                    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
                        text += reinterpret_cast<const char*>(c->content);
                continue;
            }
            // A w:tab inside w:tabs is a tab stop definition, not a tab character.
            if (is_w(n, "tab") && !(n->parent && is_w(n->parent, "tabs"))) text += '\t';
            if (is_w(n, "br") || is_w(n, "cr")) text += '\n';
        }
        collect(n->children, current, out);
    }
}

}  // namespace

std::vector<std::string> paragraph_texts(const std::string& xml) {
    // No network, no entity substitution (no XML_PARSE_NOENT), no DTD loading.
    std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part.xml", nullptr,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) throw std::runtime_error("paragraph_texts: XML is not well-formed");
    std::vector<std::string> out;
    collect(xmlDocGetRootElement(doc.get()), -1, out);
    return out;
}

// --- OpenDocument text ------------------------------------------------------------------------------------------

namespace {

constexpr const char* kTextNs = "urn:oasis:names:tc:opendocument:xmlns:text:1.0";
constexpr const char* kOfficeNs = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";

bool in(const xmlNode* node, const char* ns, const char* local) {
    return node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
           std::strcmp(reinterpret_cast<const char*>(node->ns->href), ns) == 0 &&
           std::strcmp(reinterpret_cast<const char*>(node->name), local) == 0;
}

bool odt_paragraph(const xmlNode* n) { return in(n, kTextNs, "p") || in(n, kTextNs, "h"); }

void collect_odt(const xmlNode* node, long current, std::vector<std::string>& out, bool notes_only,
                 std::vector<std::string>* notes) {
    for (const xmlNode* n = node; n; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && current >= 0 && n->content) {
            out[static_cast<std::size_t>(current)] += reinterpret_cast<const char*>(n->content);
            continue;
        }
        if (n->type != XML_ELEMENT_NODE) continue;
        if (in(n, kTextNs, "note")) {
            if (notes) {
                std::vector<std::string> body;
                for (const xmlNode* c = n->children; c; c = c->next)
                    if (in(c, kTextNs, "note-body")) collect_odt(c->children, -1, body, false, nullptr);
                std::string joined;
                for (const auto& p : body) joined += (joined.empty() ? "" : "\n") + p;
                notes->push_back(joined);
            }
            continue;
        }
        if (in(n, kOfficeNs, "annotation") || in(n, kTextNs, "tracked-changes")) continue;
        if (odt_paragraph(n)) {
            out.emplace_back();
            collect_odt(n->children, static_cast<long>(out.size()) - 1, out, notes_only, notes);
            continue;
        }
        if (current >= 0) {
            auto& text = out[static_cast<std::size_t>(current)];
            if (in(n, kTextNs, "s")) {
                long count = 1;
                if (xmlChar* c = xmlGetNsProp(n, reinterpret_cast<const xmlChar*>("c"),
                                              reinterpret_cast<const xmlChar*>(kTextNs))) {
                    count = std::strtol(reinterpret_cast<const char*>(c), nullptr, 10);
                    xmlFree(c);
                }
                text.append(static_cast<std::size_t>(std::max(count, 1L)), ' ');
                continue;
            }
            if (in(n, kTextNs, "tab")) {
                text += '\t';
                continue;
            }
            if (in(n, kTextNs, "line-break")) {
                text += '\n';
                continue;
            }
        }
        collect_odt(n->children, current, out, notes_only, notes);
    }
}

std::unique_ptr<xmlDoc, DocFree> parse_part(const std::string& xml) {
    std::unique_ptr<xmlDoc, DocFree> doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part.xml", nullptr,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) throw std::runtime_error("XML is not well-formed");
    return doc;
}

}  // namespace

std::vector<std::string> odt_paragraph_texts(const std::string& xml) {
    auto doc = parse_part(xml);
    std::vector<std::string> out;
    collect_odt(xmlDocGetRootElement(doc.get()), -1, out, false, nullptr);
    return out;
}

std::vector<std::string> odt_note_texts(const std::string& xml) {
    auto doc = parse_part(xml);
    std::vector<std::string> paragraphs, notes;
    collect_odt(xmlDocGetRootElement(doc.get()), -1, paragraphs, false, &notes);
    return notes;
}

std::vector<std::string> non_empty(const std::vector<std::string>& paragraphs) {
    std::vector<std::string> out;
    for (const auto& p : paragraphs)
        if (p.find_first_not_of(" \t\n") != std::string::npos) out.push_back(p);
    return out;
}

std::string first_difference(const std::vector<std::string>& odt, const std::vector<std::string>& docx) {
    for (std::size_t i = 0; i < std::max(odt.size(), docx.size()); ++i) {
        const std::string a = i < odt.size() ? odt[i] : "(none)";
        const std::string b = i < docx.size() ? docx[i] : "(none)";
        if (a != b) return "paragraph " + std::to_string(i) + ":\n  odt:  " + a + "\n  docx: " + b;
    }
    return "";
}

std::vector<std::string> docx_footnote_texts(const std::map<std::string, std::string>& parts) {
    std::vector<std::string> notes;
    const auto it = parts.find("word/footnotes.xml");
    if (it == parts.end()) return notes;
    for (std::string n : non_empty(paragraph_texts(it->second))) {
        if (n.starts_with(" ")) n.erase(0, 1);  // the space after the footnote mark
        notes.push_back(n);
    }
    return notes;
}

// --- processes and files ----------------------------------------------------------------------------------------

int run_command(const std::string& command, std::string* output, bool merge_stderr) {
    const std::string full = "( " + command + "\n)" + (merge_stderr ? " 2>&1" : "");
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(full.c_str(), "r"), ::pclose);
    if (!pipe) throw std::runtime_error("popen failed: " + command);
    std::string captured;
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe.get())) > 0) captured.append(buffer, n);
    const int status = ::pclose(pipe.release());
    if (output) *output = std::move(captured);
    if (status == -1) return -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

void write_file(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw std::runtime_error("cannot read " + path);
    return buffer.str();
}

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string tools_dir() { return shared_dir() + "/tools"; }

std::string validate_office(const std::string& path, const std::string& flags) {
    std::string output;
    const int rc = run_command(quote(tools_dir() + "/validate-office") + " " + flags + " " + quote(path), &output);
    return rc == 0 ? "" : "validate-office exit " + std::to_string(rc) + ":\n" + output;
}

std::set<std::string> entries_of(const std::string& dir) {
    std::set<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

Bounded run_bounded(const std::function<std::string()>& work, unsigned kill_after_seconds) {
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
    const auto start = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::close(pipe_fds[0]);
        ::alarm(kill_after_seconds);  // a hang ends the child, not the test run
        std::string outcome;
        try {
            outcome = work();
        } catch (const std::exception& e) {
            outcome = std::string("exception: ") + e.what();
        }
        outcome = outcome.substr(0, 4000);
        [[maybe_unused]] const auto n = ::write(pipe_fds[1], outcome.data(), outcome.size());
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    Bounded result;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0)
        result.outcome.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.peak_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // KiB on Linux
    const auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    result.cpu_seconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    if (WIFSIGNALED(status)) result.outcome = "killed by signal " + std::to_string(WTERMSIG(status));
    return result;
}

}  // namespace vanban::test
