#include "docx/docx_part.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <initializer_list>

#include <libxml/tree.h>

#include "core/richtext.hpp"
#include "core/xml_compiler.hpp"

namespace vanban::docx {

namespace {

using core::OutputSite;
using core::Role;
using core::xml_chars;

constexpr const char* kW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

bool is_w(const xmlNode* n, const char* local) { return core::has_name(n, kW, local); }

bool is_w_any(const xmlNode* n, std::initializer_list<const char*> names) {
    for (const char* name : names)
        if (is_w(n, name)) return true;
    return false;
}

// What WordprocessingML elements mean to the part compiler.
class DocxDialect final : public core::Dialect {
public:
    Role role(const xmlNode* c) const override {
        if (is_w(c, "t")) return Role::text;
        if (is_w_any(c, {"delText", "instrText", "rPr", "pPr", "proofErr", "bookmarkStart", "bookmarkEnd", "fldData",
                         "moveFrom", "del", "lastRenderedPageBreak", "permStart", "permEnd"}))
            return Role::ignore;
        if (is_w_any(c, {"tab", "br", "cr", "ptab"})) return Role::soft;
        if (is_w_any(c, {"r", "hyperlink", "smartTag", "ins", "sdt", "sdtContent", "customXml", "fldSimple", "dir", "bdo",
                         "moveTo"}))
            return Role::transparent;
        // drawings, fields, symbols, note references, AlternateContent, ...: visible, but not text
        return Role::hard;
    }
    bool text_in_character_data() const override { return false; }
    bool is_paragraph(const xmlNode* n) const override { return is_w(n, "p"); }
    bool is_row(const xmlNode* n) const override { return is_w(n, "tr"); }
    bool is_cell(const xmlNode* n) const override { return is_w(n, "tc"); }
    bool is_boundary(const xmlNode* n) const override { return is_w_any(n, {"body", "txbxContent"}); }
    bool needs_paragraph(const xmlNode* n) const override {
        return is_w_any(n, {"tc", "txbxContent", "footnote", "endnote", "hdr", "ftr", "comment"});
    }
    xmlNode* run_of(xmlNode* holder) const override {
        return holder && holder->parent && is_w(holder->parent, "r") ? holder->parent : nullptr;
    }
    void text_changed(xmlDoc* doc, xmlNode* t) const override {
        xmlNs* xml_ns = xmlSearchNsByHref(doc, t, XML_XML_NAMESPACE);
        xmlSetNsProp(t, xml_ns, xml_chars("space"), xml_chars("preserve"));
    }
    bool removable_when_empty(const xmlNode* parent) const override { return is_w(parent, "r"); }

    // Run properties of the host run for every emphasis combination, in schema order (Word refuses misordered rPr).
    void describe_site(xmlDoc* doc, xmlNode* holder, OutputSite& site) const override {
        xmlNode* run = run_of(holder);
        xmlNode* host_rpr = nullptr;
        if (run)
            for (xmlNode* c = run->children; c; c = c->next)
                if (is_w(c, "rPr")) host_rpr = c;
        xmlNs* w = xmlSearchNsByHref(doc, xmlDocGetRootElement(doc), xml_chars(kW));
        for (int v = 0; v < 8; ++v) {
            if (v == 0 && !host_rpr) continue;
            xmlNode* rpr = host_rpr ? xmlDocCopyNode(host_rpr, doc, 1) : xmlNewDocNode(doc, w, xml_chars("rPr"), nullptr);
            if (v & 1) { put(doc, rpr, w, "b", nullptr); put(doc, rpr, w, "bCs", nullptr); }
            if (v & 2) { put(doc, rpr, w, "i", nullptr); put(doc, rpr, w, "iCs", nullptr); }
            if (v & 4) put(doc, rpr, w, "u", "single");
            site.run_props[static_cast<std::size_t>(v)] = core::dump_element(doc, rpr);
            xmlFreeNode(rpr);
        }
    }

    // Footnotes produced by rich text are appended at the end of the footnotes part, numbered after its own.
    void finish(xmlDoc* doc, xmlNode* root, core::PartHooks* hooks) const override {
        if (!hooks || !hooks->footnotes_part) return;
        hooks->max_footnote_id = 0;
        for (xmlNode* c = root->children; c; c = c->next) {
            if (!is_w(c, "footnote")) continue;
            xmlChar* id = xmlGetNsProp(c, xml_chars("id"), xml_chars(kW));
            if (id) {
                // Ids past a million are absurd (and would overflow the numbering of new footnotes): left as they are.
                const std::string_view text(reinterpret_cast<const char*>(id));
                int value = 0;
                const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
                if (ec == std::errc() && value < 1'000'000) hooks->max_footnote_id = std::max(hooks->max_footnote_id, value);
                xmlFree(id);
            }
        }
        xmlAddChild(root, xmlNewDocText(doc, xml_chars(core::marker("h1").c_str())));
    }

private:
    static int rpr_rank(const xmlNode* n) {
        static constexpr const char* order[] = {"rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
                                                "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
                                                "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz",
                                                "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
                                                "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"};
        for (int k = 0; k < static_cast<int>(std::size(order)); ++k)
            if (std::strcmp(reinterpret_cast<const char*>(n->name), order[k]) == 0) return k;
        return 100;
    }

    static void put(xmlDoc* doc, xmlNode* rpr, xmlNs* w, const char* name, const char* val) {
        for (xmlNode* c = rpr->children; c;) {
            xmlNode* next = c->next;
            if (is_w(c, name)) {
                xmlUnlinkNode(c);
                xmlFreeNode(c);
            }
            c = next;
        }
        xmlNode* e = xmlNewDocNode(doc, w, xml_chars(name), nullptr);
        if (val) xmlNewNsProp(e, w, xml_chars("val"), xml_chars(val));
        int rank = rpr_rank(e);
        for (xmlNode* c = rpr->children; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE && rpr_rank(c) > rank) {
                xmlAddPrevSibling(c, e);
                return;
            }
        }
        xmlAddChild(rpr, e);
    }
};

// ---------------------------------------------------------------------------------------------------------------

void escape_text(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '\n': out += "</w:t><w:br/><w:t xml:space=\"preserve\">"; break;
            case '\t': out += "</w:t><w:tab/><w:t xml:space=\"preserve\">"; break;
            case '\r': break;
            default:
                // characters XML 1.0 forbids are dropped rather than producing a file Word refuses
                if (static_cast<unsigned char>(c) < 0x20) break;
                out += c;
        }
    }
}

class DocxEmitter final : public core::Emitter {
public:
    void text(std::string& out, std::string_view value, const OutputSite& site) const override {
        if (site.context == OutputSite::Context::attribute) core::escape_xml_attribute(out, value);
        else escape_text(out, value);
    }

    void rich(std::string& out, const RichText& value, const OutputSite& site, core::RenderState& state) const override {
        // Close the host run — or, when the tag opened it and nothing was written yet, drop the empty run.
        const std::string opener = "<w:r>" + site.run_props[0] + "<w:t xml:space=\"preserve\">";
        if (std::string_view(out).ends_with(opener)) out.resize(out.size() - opener.size());
        else out += "</w:t></w:r>";
        write_spans(out, value.spans, site.run_props, state, true);
        out += "<w:r>";
        out += site.run_props[0];
        out += "<w:t xml:space=\"preserve\">";
    }

    void hook(std::string& out, int, core::RenderState& state) const override { out += state.footnotes; }

    std::string_view empty_paragraph() const override { return "<w:p/>"; }

    bool has_paragraph(std::string_view produced) const override {
        return produced.find("<w:p>") != std::string_view::npos || produced.find("<w:p ") != std::string_view::npos ||
               produced.find("<w:p/>") != std::string_view::npos;
    }

private:
    static void write_spans(std::string& out, const std::vector<RichSpan>& spans, const std::array<std::string, 8>& props,
                            core::RenderState& state, bool allow_footnotes) {
        for (const RichSpan& s : spans) {
            std::size_t v = (s.bold ? 1u : 0u) | (s.italic ? 2u : 0u) | (s.underline ? 4u : 0u);
            switch (s.kind) {
                case RichSpan::Kind::text:
                    out += "<w:r>";
                    out += props[v];
                    out += "<w:t xml:space=\"preserve\">";
                    escape_text(out, s.text);
                    out += "</w:t></w:r>";
                    break;
                case RichSpan::Kind::line_break:
                    out += "<w:r>";
                    out += props[0];
                    out += "<w:br/></w:r>";
                    break;
                case RichSpan::Kind::footnote: {
                    if (!allow_footnotes) break;
                    int id = state.next_footnote_id++;
                    out += "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/><w:vertAlign w:val=\"superscript\"/></w:rPr>"
                           "<w:footnoteReference w:id=\"" + std::to_string(id) + "\"/></w:r>";
                    std::string& f = state.footnotes;
                    f += "<w:footnote w:id=\"" + std::to_string(id) + "\"><w:p><w:pPr><w:pStyle w:val=\"FootnoteText\"/></w:pPr>"
                         "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\"/><w:vertAlign w:val=\"superscript\"/></w:rPr>"
                         "<w:footnoteRef/></w:r><w:r><w:t xml:space=\"preserve\"> </w:t></w:r>";
                    static const std::array<std::string, 8> plain = {
                        "", "<w:rPr><w:b/><w:bCs/></w:rPr>", "<w:rPr><w:i/><w:iCs/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:i/><w:iCs/></w:rPr>", "<w:rPr><w:u w:val=\"single\"/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:u w:val=\"single\"/></w:rPr>", "<w:rPr><w:i/><w:iCs/><w:u w:val=\"single\"/></w:rPr>",
                        "<w:rPr><w:b/><w:bCs/><w:i/><w:iCs/><w:u w:val=\"single\"/></w:rPr>"};
                    write_spans(f, s.footnote, plain, state, false);
                    f += "</w:p></w:footnote>";
                    break;
                }
            }
        }
    }
};

}  // namespace

core::Program compile_part(std::string_view xml, const std::string& part_name, std::vector<Diagnostic>& errors, PartInfo* info) {
    static const DocxDialect dialect;
    return core::compile_xml_part(xml, part_name, dialect, errors, info);
}

const core::Emitter& emitter() {
    static const DocxEmitter instance;
    return instance;
}

bool is_story_part(std::string_view name) {
    auto ends_xml = name.ends_with(".xml");
    if (!ends_xml || !name.starts_with("word/") || name.find('/', 5) != std::string_view::npos) return false;
    std::string_view base = name.substr(5);
    return base.starts_with("document") || base.starts_with("header") || base.starts_with("footer") ||
           base == "footnotes.xml" || base == "endnotes.xml";
}

}  // namespace vanban::docx
