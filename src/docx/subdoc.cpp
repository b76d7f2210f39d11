#include "docx/subdoc.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>

#include <libxml/xmlsave.h>

#include "core/ascii.hpp"
#include "core/xml_compiler.hpp"
#include "docx/docx_package.hpp"
#include "docx/ooxml_names.hpp"
#include "import/xml_util.hpp"
#include "zip/zip.hpp"

namespace vanban::docx {

namespace {

using core::json;

using ooxml::kPackageRelationships;
using ooxml::kRelationships;
using ooxml::kRelationshipTypes;
using ooxml::kW;
// The start tag of a paragraph reopened after a sub-document, removed with it when nothing was written into it. The
// private-use character sits inside the tag, where no value is ever written (values are escaped text).
constexpr std::string_view kReopened = "<w:p\xEE\x80\x82>";
constexpr std::string_view kSubdocName = "vanban_subdoc";

bool is_w(const xmlNode* n, const char* local) { return import::is_element(n, kW, local); }
std::string w_val(const xmlNode* n) { return import::attribute(n, kW, "val").value_or(""); }

void set_w_val(xmlNode* n, const std::string& value) {
    xmlNs* ns = xmlSearchNsByHref(n->doc, n, core::xml_chars(kW));
    xmlSetNsProp(n, ns, core::xml_chars("val"), core::xml_chars(value.c_str()));
}

template <class Visit>
void each_element(xmlNode* n, const Visit& visit) {
    for (xmlNode* c = n; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        visit(c);
        each_element(c->children, visit);
    }
}

// `element` and everything under it (not its following siblings).
template <class Visit>
void each_in(xmlNode* element, const Visit& visit) {
    visit(element);
    each_element(element->children, visit);
}

// An element serialised with the namespace declarations it needs (those of the sub-document's root are copied onto
// it first): in the template's part, its prefixes may be undeclared or mean something else.
std::string serialise(xmlDoc* doc, xmlNode* element) {
    for (const xmlNode* scope = element->parent; scope && scope->type == XML_ELEMENT_NODE; scope = scope->parent)
        for (const xmlNs* ns = scope->nsDef; ns; ns = ns->next) {
            bool declared = false;
            for (const xmlNs* own = element->nsDef; own && !declared; own = own->next)
                declared = (own->prefix == nullptr) == (ns->prefix == nullptr) &&
                           (!own->prefix || std::strcmp(reinterpret_cast<const char*>(own->prefix),
                                                        reinterpret_cast<const char*>(ns->prefix)) == 0);
            if (!declared) xmlNewNs(element, ns->href, ns->prefix);
        }
    static_cast<void>(doc);
    xmlBuffer* buf = xmlBufferCreate();
    // UTF-8 as it is (xmlNodeDump would write every Vietnamese letter as a character reference).
    xmlSaveCtxt* save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_NO_DECL);
    xmlSaveTree(save, element);
    xmlSaveClose(save);
    std::string xml(reinterpret_cast<const char*>(xmlBufferContent(buf)),
                    static_cast<std::size_t>(xmlBufferLength(buf)));
    xmlBufferFree(buf);
    return xml;
}

[[noreturn]] void refuse(const std::string& message, const json& object, std::string hint = {}) {
    core::EvalError e("the sub-document: " + message, std::move(hint));
    e.parent = &object;
    e.key = "subdoc";
    throw e;
}

struct Relationship {
    std::string type, target;
    bool external = false;
};

std::map<std::string, Relationship> read_relationships(std::string_view xml) {
    std::map<std::string, Relationship> rels;
    std::string problem;
    const core::XmlDocPtr doc = core::parse_office_part(xml, "relationships", problem);
    if (!doc) return rels;
    for (const xmlNode* r = xmlDocGetRootElement(doc.get())->children; r; r = r->next) {
        if (!import::is_element(r, kPackageRelationships, "Relationship")) continue;
        const auto attribute = [&](const char* a) { return import::attribute(r, nullptr, a).value_or(""); };
        rels[attribute("Id")] = {attribute("Type"), attribute("Target"), attribute("TargetMode") == "External"};
    }
    return rels;
}

// "word/" + "media/image1.png" → "word/media/image1.png"; "/word/x" → "word/x"; ".." resolved.
std::string resolve_target(const std::string& folder, const std::string& target) {
    std::string path = target.starts_with("/") ? target.substr(1) : folder + target;
    std::vector<std::string> parts;
    for (std::size_t at = 0; at <= path.size();) {
        const std::size_t slash = std::min(path.find('/', at), path.size());
        const std::string piece = path.substr(at, slash - at);
        if (piece == "..") {
            if (!parts.empty()) parts.pop_back();
        } else if (!piece.empty() && piece != ".") {
            parts.push_back(piece);
        }
        at = slash + 1;
    }
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
    return out;
}

// What the template has: style ids by name, the numbering ids in use, the numbers vanban gave earlier sub-documents.
struct Target {
    std::map<std::string, std::string> style_of_name;
    std::set<std::string> style_ids;
    // A numbered list style of the template (not a heading, not bullets): its style id → its w:abstractNum id.
    std::map<std::string, std::string> list_style_abstract;
    int next_num = 1, next_abstract = 0;
    int next_subdoc = 1;
};

// The template's paragraph styles that number their paragraphs (docxcompose restarts them in a sub-document).
void read_list_styles(const xmlNode* styles_root, const xmlNode* numbering_root, Target& t) {
    std::map<std::string, std::string> abstract_of_num;
    std::set<std::string> bullets;  // abstractNum ids whose first level is a bullet
    for (const xmlNode* n = numbering_root ? numbering_root->children : nullptr; n; n = n->next) {
        if (is_w(n, "num"))
            abstract_of_num[import::attribute(n, kW, "numId").value_or("")] =
                w_val(import::first_child(n, kW, "abstractNumId"));
        if (!is_w(n, "abstractNum")) continue;
        for (const xmlNode* l = n->children; l; l = l->next)
            if (is_w(l, "lvl") && import::attribute(l, kW, "ilvl").value_or("0") == "0" &&
                w_val(import::first_child(l, kW, "numFmt")) == "bullet")
                bullets.insert(import::attribute(n, kW, "abstractNumId").value_or(""));
    }
    for (const xmlNode* s = styles_root ? styles_root->children : nullptr; s; s = s->next) {
        const xmlNode* props = is_w(s, "style") ? import::first_child(s, kW, "pPr") : nullptr;
        const xmlNode* numbering = props ? import::first_child(props, kW, "numPr") : nullptr;
        if (!numbering || import::first_child(props, kW, "outlineLvl")) continue;  // headings keep counting
        const auto abstract = abstract_of_num.find(w_val(import::first_child(numbering, kW, "numId")));
        if (abstract != abstract_of_num.end() && !bullets.count(abstract->second))
            t.list_style_abstract[import::attribute(s, kW, "styleId").value_or("")] = abstract->second;
    }
}

int number_after(const std::string& text, std::string_view prefix) {
    int max = 0;
    for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1))
        max = std::max(max, std::atoi(text.c_str() + at + prefix.size()));
    return max;
}

core::XmlDocPtr parse_text(const std::map<std::string, std::string>& texts, const std::string& part) {
    std::string problem;
    const auto it = texts.find(part);
    return it == texts.end() ? nullptr : core::parse_office_part(it->second, part, problem);
}

Target read_target(const std::map<std::string, std::string>& texts) {
    Target t;
    const core::XmlDocPtr styles = parse_text(texts, ooxml::kStylesPart),
                          numbering = parse_text(texts, ooxml::kNumberingPart);
    for (const xmlNode* s = styles ? xmlDocGetRootElement(styles.get())->children : nullptr; s; s = s->next) {
        if (!is_w(s, "style")) continue;
        const std::string id = import::attribute(s, kW, "styleId").value_or("");
        t.style_ids.insert(id);
        if (const xmlNode* name = import::first_child(s, kW, "name")) t.style_of_name.emplace(w_val(name), id);
    }
    for (const xmlNode* n = numbering ? xmlDocGetRootElement(numbering.get())->children : nullptr; n; n = n->next) {
        if (is_w(n, "num"))
            t.next_num = std::max(t.next_num, import::small_number(import::attribute(n, kW, "numId"), 0) + 1);
        if (is_w(n, "abstractNum"))
            t.next_abstract =
                std::max(t.next_abstract, import::small_number(import::attribute(n, kW, "abstractNumId"), 0) + 1);
    }
    read_list_styles(styles ? xmlDocGetRootElement(styles.get()) : nullptr,
                     numbering ? xmlDocGetRootElement(numbering.get()) : nullptr, t);
    for (const auto& [name, text] : texts)
        if (name.ends_with(".rels")) t.next_subdoc = std::max(t.next_subdoc, number_after(text, kSubdocName) + 1);
    return t;
}

struct NewRelationship {
    std::string id;
    Relationship rel;
};

struct Media {
    std::string name;  // word/media/vanban_subdoc1_2.png
    std::string bytes, content_type;
};

// One sub-document as this render places it.
struct Placed {
    int number = 0;
    std::string body;
    std::vector<NewRelationship> relationships;
};

class SubdocSession final : public core::AdapterSession {
public:
    explicit SubdocSession(const std::map<std::string, std::string>& texts) : target(read_target(texts)) {}
    Target target;
    std::map<std::string, Placed> loaded;  // by source text
    std::map<int, const Placed*> by_number;
    std::map<std::string, std::set<int>> parts;  // part → the sub-documents placed in it
    std::vector<Media> media;
    std::string styles, abstract_nums, nums;  // elements to add to the template's styles and numbering
    std::set<std::string> added_styles;
};

SubdocSession& session_of(core::RenderState& state) {
    if (!state.adapter_session) {
        static const std::map<std::string, std::string> none;
        state.adapter_session = std::make_unique<SubdocSession>(state.package_texts ? *state.package_texts : none);
    }
    auto* session = dynamic_cast<SubdocSession*>(state.adapter_session.get());
    if (!session) throw core::EvalError("internal: another adapter's render state");
    return *session;
}

// Reads one sub-document and carries its body over into the session: the work of docxcompose's attach_parts.
class Loader {
public:
    Loader(SubdocSession& session, const json& object, const zip::Reader& zip)
        : s_(session), object_(object), zip_(zip) {}

    Placed load() {
        const auto has = [&](const std::string& n) { return zip_.contains(n); };
        const auto read = [&](const std::string& n) { return zip_.read(n); };
        try {
            check_main_document(has, read);
        } catch (const vanban::Error& e) {
            refuse(e.diagnostics().front().to_string(), object_,
                   "give a Word document (.docx) saved by Word or LibreOffice");
        }
        main_ = main_part_named_by(read(ooxml::kPackageRelationshipsPart));
        folder_ = main_.substr(0, main_.rfind('/') + 1);
        const std::string rels_name = folder_ + "_rels/" + main_.substr(folder_.size()) + ".rels";
        if (has(rels_name)) rels_ = read_relationships(read(rels_name));
        if (has(ooxml::kContentTypesPart)) types_ = read(ooxml::kContentTypesPart);
        document_ = parse(main_);
        styles_ = parse_related("/styles");
        numbering_ = parse_related("/numbering");
        xmlNode* body =
            import::is_element(xmlDocGetRootElement(document_.get()), kW, "document")
                ? const_cast<xmlNode*>(import::first_child(xmlDocGetRootElement(document_.get()), kW, "body"))
                : nullptr;
        if (!body) refuse(main_ + " has no w:body", object_);
        placed_.number = s_.target.next_subdoc++;
        return carry_over(body);
    }

private:
    SubdocSession& s_;
    const json& object_;
    const zip::Reader& zip_;
    std::string main_, folder_, types_;
    std::map<std::string, Relationship> rels_;
    core::XmlDocPtr document_, styles_, numbering_;
    Placed placed_;
    std::map<std::string, std::string> num_ids_;  // the sub-document's numId → the template's
    std::map<std::string, std::string> new_ids_;  // the main part's relationship id → the template's

    core::XmlDocPtr parse(const std::string& part) {
        std::string problem;
        core::XmlDocPtr doc = zip_.contains(part) ? core::parse_office_part(zip_.read(part), part, problem) : nullptr;
        if (!doc) refuse(part + ": " + (problem.empty() ? "missing" : problem), object_);
        return doc;
    }

    core::XmlDocPtr parse_related(std::string_view type_end) {
        for (const auto& [id, rel] : rels_)
            if (!rel.external && rel.type.ends_with(type_end)) {
                const std::string part = resolve_target(folder_, rel.target);
                if (zip_.contains(part)) return parse(part);
            }
        return nullptr;
    }

    Placed carry_over(xmlNode* body) {
        std::vector<xmlNode*> top;
        for (xmlNode* c = body->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && !is_w(c, "sectPr")) top.push_back(c);
        std::vector<xmlNode*> dropped;
        for (xmlNode* element : top)
            each_in(element, [&](xmlNode* n) {
                if (is_w(n, "headerReference") || is_w(n, "footerReference")) {  // as docxcompose
                    dropped.push_back(n);
                    return;
                }
                for (const char* refused : {"footnoteReference", "endnoteReference", "commentReference"})
                    if (is_w(n, refused))
                        refuse(std::string("it has a w:") + refused + ", which vanban cannot carry over", object_,
                               "remove the footnotes, endnotes or comments from the sub-document");
                relate(n);
                restyle(n);
            });
        for (xmlNode* n : dropped) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
        for (xmlNode* element : top) renumber_lists(element);
        std::set<std::string> restarted;
        for (xmlNode* element : top) restart_list(element, restarted);
        for (xmlNode* element : top) placed_.body += serialise(document_.get(), element);
        return std::move(placed_);
    }

    // docxcompose's restart_first_numbering: the first paragraph of a template list style (a numbered one, not a
    // heading) in the sub-document starts that list again at 1, instead of continuing the template's count.
    void restart_list(xmlNode* element, std::set<std::string>& restarted) {
        xmlNode* props = is_w(element, "p") ? const_cast<xmlNode*>(import::first_child(element, kW, "pPr")) : nullptr;
        xmlNode* style = props ? const_cast<xmlNode*>(import::first_child(props, kW, "pStyle")) : nullptr;
        if (!style || import::first_child(props, kW, "numPr")) return;  // its own numbering is a copy already
        const std::string id = w_val(style);
        const auto abstract = s_.target.list_style_abstract.find(id);
        if (abstract == s_.target.list_style_abstract.end() || !restarted.insert(id).second) return;
        const std::string num = std::to_string(s_.target.next_num++);
        s_.nums += "<w:num xmlns:w=\"" + std::string(kW) + "\" w:numId=\"" + num + "\"><w:abstractNumId w:val=\"" +
                   abstract->second +
                   "\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride></w:num>";
        xmlNs* w = xmlSearchNsByHref(element->doc, element, core::xml_chars(kW));
        xmlNode* numbering = xmlNewNode(w, core::xml_chars("numPr"));
        xmlSetNsProp(xmlNewChild(numbering, w, core::xml_chars("ilvl"), nullptr), w, core::xml_chars("val"),
                     core::xml_chars("0"));
        xmlSetNsProp(xmlNewChild(numbering, w, core::xml_chars("numId"), nullptr), w, core::xml_chars("val"),
                     core::xml_chars(num.c_str()));
        xmlAddNextSibling(style, numbering);
    }

    // Every r:… attribute (r:id, r:embed, r:link) names a relationship of the main part: it gets a new one.
    void relate(xmlNode* n) {
        for (xmlAttr* a = n->properties; a; a = a->next) {
            if (!a->ns || std::strcmp(reinterpret_cast<const char*>(a->ns->href), kRelationships) != 0) continue;
            xmlChar* value = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
            const std::string old_id = value ? reinterpret_cast<const char*>(value) : "";
            xmlFree(value);
            auto carried = new_ids_.find(old_id);  // mc:AlternateContent shows one picture twice
            if (carried == new_ids_.end()) {
                const auto rel = rels_.find(old_id);
                if (rel == rels_.end()) refuse("the relationship '" + old_id + "' it refers to is missing", object_);
                carried = new_ids_.emplace(old_id, carry_relationship(rel->second)).first;
            }
            xmlSetNsProp(n, a->ns, a->name, core::xml_chars(carried->second.c_str()));
        }
    }

    std::string carry_relationship(const Relationship& rel) {
        const std::string kind =
            rel.type.starts_with(kRelationshipTypes) ? rel.type.substr(kRelationshipTypes.size()) : rel.type;
        const std::string id =
            "rIdVanbanSubdoc" + std::to_string(placed_.number) + "_" + std::to_string(placed_.relationships.size() + 1);
        Relationship copy = rel;
        if (kind == "image" && !rel.external) {
            const std::string part = resolve_target(folder_, rel.target);
            if (!zip_.contains(part)) refuse("its picture " + part + " is missing", object_);
            const std::string extension = core::ascii_lower(part.substr(part.rfind('.') + 1));
            Media m;
            m.name = "word/media/" + std::string(kSubdocName) + std::to_string(placed_.number) + "_" +
                     std::to_string(placed_.relationships.size() + 1) + "." + extension;
            m.bytes = zip_.read(part);
            m.content_type = content_type_of(types_, part);
            if (m.content_type.empty()) refuse("its picture " + part + " has no content type", object_);
            copy.target = m.name.substr(std::string_view("word/").size());
            s_.media.push_back(std::move(m));
        } else if (!((kind == "image" || kind == "hyperlink") && rel.external)) {
            refuse("it holds a part of type '" + kind + "' (" + rel.target + "), which vanban cannot carry over",
                   object_, "a sub-document may hold text, tables, lists, pictures and hyperlinks");
        }
        placed_.relationships.push_back({id, std::move(copy)});
        return id;
    }

    // docxcompose maps a style by its name: one the template has (by name, else by id) keeps the template's
    // definition; another is copied with what it is based on and linked to.
    void restyle(xmlNode* n) {
        if (!is_w(n, "pStyle") && !is_w(n, "rStyle") && !is_w(n, "tblStyle")) return;
        const std::string id = w_val(n);
        const std::string mapped = mapped_style(id);
        if (mapped != id) set_w_val(n, mapped);
    }

    xmlNode* style_element(const std::string& id) const {
        if (!styles_) return nullptr;
        for (xmlNode* s = xmlDocGetRootElement(styles_.get())->children; s; s = s->next)
            if (is_w(s, "style") && import::attribute(s, kW, "styleId").value_or("") == id) return s;
        return nullptr;
    }

    std::string mapped_style(const std::string& id, int depth = 0) {
        xmlNode* style = style_element(id);
        if (!style) return id;
        const xmlNode* name = import::first_child(style, kW, "name");
        if (name) {
            const auto by_name = s_.target.style_of_name.find(w_val(name));
            if (by_name != s_.target.style_of_name.end()) return by_name->second;
        }
        if (s_.target.style_ids.count(id) || s_.added_styles.count(id) || depth > 16) return id;
        s_.added_styles.insert(id);
        xmlNode* copy = xmlCopyNode(style, 1);
        xmlAddChild(xmlDocGetRootElement(styles_.get()),
                    copy);  // keeps the copy's namespaces in scope until serialised
        each_element(copy->children, [&](xmlNode* c) {
            if (is_w(c, "basedOn") || is_w(c, "link") || is_w(c, "next")) {
                const std::string other = w_val(c), mapped = mapped_style(other, depth + 1);
                if (mapped != other) set_w_val(c, mapped);
            }
        });
        renumber_lists(copy);
        s_.styles += serialise(styles_.get(), copy);
        return id;
    }

    xmlNode* numbering_element(const char* local, const char* id_attribute, const std::string& id) const {
        if (!numbering_) return nullptr;
        for (xmlNode* n = xmlDocGetRootElement(numbering_.get())->children; n; n = n->next)
            if (is_w(n, local) && import::attribute(n, kW, id_attribute).value_or("") == id) return n;
        return nullptr;
    }

    // Each list gets its own w:num and w:abstractNum in the template, with new ids and a new nsid, so that it numbers
    // on its own (docxcompose's add_numberings).
    void renumber_lists(xmlNode* element) {
        each_in(element, [&](xmlNode* n) {
            if (!is_w(n, "numId")) return;
            const std::string id = w_val(n);
            if (id == "0") return;  // "no numbering"
            auto known = num_ids_.find(id);
            if (known == num_ids_.end()) known = num_ids_.emplace(id, copy_numbering(id)).first;
            if (!known->second.empty()) set_w_val(n, known->second);
        });
    }

    std::string copy_numbering(const std::string& id) {
        xmlNode* num = numbering_element("num", "numId", id);
        if (!num) refuse("a list refers to numbering " + id + ", which it does not define", object_);
        const xmlNode* abstract_ref = import::first_child(num, kW, "abstractNumId");
        xmlNode* abstract = numbering_element("abstractNum", "abstractNumId", w_val(abstract_ref));
        if (!abstract) refuse("numbering " + id + " refers to a list definition it does not have", object_);
        const std::string new_num = std::to_string(s_.target.next_num++),
                          new_abstract = std::to_string(s_.target.next_abstract++);
        xmlNode* abstract_copy = xmlCopyNode(abstract, 1);
        xmlAddChild(xmlDocGetRootElement(numbering_.get()), abstract_copy);
        xmlNs* w = xmlSearchNsByHref(numbering_.get(), abstract_copy, core::xml_chars(kW));
        xmlSetNsProp(abstract_copy, w, core::xml_chars("abstractNumId"), core::xml_chars(new_abstract.c_str()));
        each_element(abstract_copy->children, [&](xmlNode* c) {
            if (!is_w(c, "nsid")) return;
            char nsid[16];  // a new list identity, so that Word does not join it to the template's lists
            std::snprintf(nsid, sizeof nsid, "%08X", 0x5B000000u + static_cast<unsigned>(s_.target.next_abstract));
            set_w_val(c, nsid);
        });
        xmlNode* num_copy = xmlCopyNode(num, 1);
        xmlAddChild(xmlDocGetRootElement(numbering_.get()), num_copy);
        xmlSetNsProp(num_copy, w, core::xml_chars("numId"), core::xml_chars(new_num.c_str()));
        each_element(num_copy->children, [&](xmlNode* c) {
            if (is_w(c, "abstractNumId")) set_w_val(c, new_abstract);
        });
        s_.abstract_nums += serialise(numbering_.get(), abstract_copy);
        s_.nums += serialise(numbering_.get(), num_copy);
        return new_num;
    }
};

const Placed& load(SubdocSession& session, const json& object, core::RenderState& state) {
    const auto source = object.find("subdoc");
    if (object.size() != 1 || !source->is_string())
        refuse(source->is_string() ? "a sub-document is an object with \"subdoc\" alone"
                                   : "\"subdoc\" must be text: a data: URI, base64 or a file path",
               object);
    const std::string& text = source->get_ref<const std::string&>();
    if (const auto it = session.loaded.find(text); it != session.loaded.end()) return it->second;
    std::string bytes;
    try {
        bytes = core::read_embedded_source(text, state.images.settings, core::EmbeddedKind::subdocument);
    } catch (const std::invalid_argument& e) {
        core::EvalError error("the sub-document: " + std::string(e.what()));
        error.parent = &object;
        error.key = "subdoc";
        error.limit = core::is_embedded_limit(e);
        throw error;
    }
    if (!bytes.starts_with("PK"))
        refuse("not a DOCX (a .docx file is a zip package)", object, "give a Word document (.docx)");
    try {
        const zip::Reader zip = zip::Reader::from_bytes(std::move(bytes), "subdoc", zip::Limits{});
        Placed placed = Loader(session, object, zip).load();
        auto& stored = session.loaded.emplace(text, std::move(placed)).first->second;
        session.by_number[stored.number] = &stored;
        return stored;
    } catch (const vanban::Error& e) {
        refuse(e.diagnostics().front().to_string(), object);
    }
}

// The innermost paragraph still open at the end of `out`, and whether the tag's run text is directly inside it
// (w:p > w:r > w:t): a sub-document cannot close a hyperlink, a field or a content control around the tag.
std::size_t open_paragraph(std::string_view out, bool& direct) {
    std::vector<std::string_view> closed, open;
    for (std::size_t end = out.size(); end > 0;) {
        const std::size_t lt = out.rfind('<', end - 1);
        if (lt == std::string_view::npos) break;
        const std::size_t gt = out.find('>', lt);
        end = lt;
        if (gt == std::string_view::npos) continue;
        const std::string_view tag = out.substr(lt, gt + 1 - lt);
        if (tag.size() < 3 || tag[1] == '?' || tag[1] == '!' || tag[tag.size() - 2] == '/') continue;
        const bool end_tag = tag[1] == '/';
        const std::size_t from = end_tag ? 2 : 1;
        const std::string_view name = tag.substr(from, tag.find_first_of(" />", from) - from);
        if (end_tag) {
            closed.push_back(name);
        } else if (!closed.empty() && closed.back() == name) {
            closed.pop_back();
        } else {
            open.push_back(name);
            if (name == "w:p") {
                direct = open.size() == 3 && open[0] == "w:t" && open[1] == "w:r";
                return lt;
            }
        }
    }
    direct = false;
    return std::string_view::npos;
}

// Whether a paragraph's XML shows nothing: after its properties, only runs, their properties, empty w:t, proofing
// marks and bookmarks.
bool shows_nothing(std::string_view paragraph) {
    static constexpr std::string_view kSilent[] = {
        "w:p", "w:r", "w:t", "w:proofErr", "w:bookmarkStart", "w:bookmarkEnd", "w:lastRenderedPageBreak"};
    int properties = 0;  // inside w:pPr or w:rPr
    for (std::size_t lt = paragraph.find('<'); lt != std::string_view::npos; lt = paragraph.find('<', lt + 1)) {
        const std::size_t gt = paragraph.find('>', lt);
        if (gt == std::string_view::npos) return false;
        const std::string_view tag = paragraph.substr(lt, gt + 1 - lt);
        const bool end_tag = tag[1] == '/', empty = tag[tag.size() - 2] == '/';
        const std::size_t from = end_tag ? 2 : 1;
        const std::string_view name = tag.substr(from, tag.find_first_of(" />", from) - from);
        const bool props = name == "w:pPr" || name == "w:rPr";
        if (props && !empty) properties += end_tag ? -1 : 1;
        if (props || properties > 0) continue;
        if (std::find(std::begin(kSilent), std::end(kSilent), name) == std::end(kSilent)) return false;
        if (name == "w:t" && !end_tag && !empty && paragraph.find('<', gt) != gt + 1) return false;  // text in w:t
    }
    return true;
}

// The paragraph properties at the start of the paragraph `p` (without a section break, which stays where it was).
std::string paragraph_properties(std::string_view p) {
    const std::size_t open = p.find('>') + 1;
    if (p.substr(open, 7) != "<w:pPr>" && p.substr(open, 7) != "<w:pPr ") return {};
    const std::size_t close = p.find("</w:pPr>", open);
    if (close == std::string_view::npos) return {};
    std::string props(p.substr(open, close + 8 - open));
    if (const std::size_t s = props.find("<w:sectPr"); s != std::string::npos) {
        const std::size_t e = props.find("</w:sectPr>", s);
        if (e != std::string::npos) props.erase(s, e + 11 - s);
    }
    return props;
}

}  // namespace

void write_subdoc(std::string& out, const core::json& object, const core::OutputSite& site, core::RenderState& state) {
    SubdocSession& session = session_of(state);
    const Placed& placed = load(session, object, state);
    bool direct = false;
    const std::size_t start = open_paragraph(out, direct);
    if (start == std::string::npos || !direct)
        refuse("its tag must stand in the text of a paragraph, not inside a hyperlink, a field or a content control",
               object, "put {{p … }} alone in a paragraph of its own");
    if (placed.body.empty()) return;
    const std::string props = paragraph_properties(std::string_view(out).substr(start));
    out += "</w:t></w:r></w:p>";
    if (shows_nothing(std::string_view(out).substr(start))) out.resize(start);  // docxtpl replaces the paragraph
    out += placed.body;
    session.parts[*state.current_part].insert(placed.number);
    // The rest of the host paragraph; dropped after the render when nothing follows the tag there.
    out += kReopened;
    out += props + "<w:r>" + site.run_props[0] + "<w:t xml:space=\"preserve\">";
}

void drop_empty_reopened_paragraphs(std::string& rendered) {
    for (std::size_t start = rendered.find(kReopened); start != std::string::npos;
         start = rendered.find(kReopened, start)) {
        rendered.replace(start, kReopened.size(), "<w:p>");
        const std::size_t end = rendered.find("</w:p>", start);
        if (end == std::string::npos) continue;
        // A table cell must end with a paragraph: after a table, at the end of a cell, the empty one stays.
        const bool ends_cell = std::string_view(rendered).substr(0, start).ends_with("</w:tbl>") &&
                               std::string_view(rendered).substr(end + 6).starts_with("</w:tc>");
        if (!ends_cell && shows_nothing(std::string_view(rendered).substr(start, end + 6 - start)))
            rendered.erase(start, end + 6 - start);
    }
}

namespace {

constexpr const char* kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

// Each part that shows sub-documents relates what their bodies refer to (its .rels part, made when it has none).
void list_relationships(const SubdocSession& session, core::PictureEdits& edits) {
    for (const auto& [part, numbers] : session.parts) {
        std::string relationships;
        for (int n : numbers)
            for (const auto& [id, rel] : session.by_number.at(n)->relationships) {
                relationships += "<Relationship Id=\"" + id + "\" Type=\"";
                core::escape_xml_attribute(relationships, rel.type);
                relationships += "\" Target=\"";
                core::escape_xml_attribute(relationships, rel.target);
                relationships += rel.external ? "\" TargetMode=\"External\"/>" : "\"/>";
            }
        const std::size_t slash = part.rfind('/');
        const std::string rels = part.substr(0, slash + 1) + "_rels/" + part.substr(slash + 1) + ".rels";
        if (edits.entries.count(rels)) {
            if (!core::append_to_root(edits.text_of(rels), "Relationships", relationships))
                core::unusual_picture_part(rels);
        } else {
            edits.added.emplace_back(
                rels, std::string(kXmlDeclaration) +
                          "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
                          relationships + "</Relationships>");
        }
    }
}

// A part the template lacks (styles, numbering): made, listed in the content types and related to the document.
void add_part(core::PictureEdits& edits, const std::string& name, const char* root, const std::string& content,
              const std::string& type, const char* relationship) {
    const std::string types_name = ooxml::kContentTypesPart, document_rels = ooxml::kDocumentRelationshipsPart;
    edits.added.emplace_back(
        name, std::string(kXmlDeclaration) + "<" + root + " xmlns:w=\"" + kW + "\">" + content + "</" + root + ">");
    if (!core::append_to_root(edits.text_of(types_name), "Types",
                              "<Override PartName=\"/" + name + "\" ContentType=\"" + type + "\"/>"))
        core::unusual_picture_part(types_name);
    const std::string rel = std::string("<Relationship Id=\"rIdVanbanSubdoc0_") + relationship + "\" Type=\"" +
                            std::string(kRelationshipTypes) + relationship + "\" Target=\"" + name.substr(5) + "\"/>";
    if (!core::append_to_root(edits.text_of(document_rels), "Relationships", rel))
        core::unusual_picture_part(document_rels);
}

// w:abstractNum elements go before every w:num, and w:num before w:numIdMacAtCleanup (the schema's order).
void extend_numbering(std::string& numbering, const std::string& abstract_nums, const std::string& nums) {
    const std::string name = ooxml::kNumberingPart;
    if (!abstract_nums.empty()) {
        const std::size_t first_num =
            std::min({numbering.find("<w:num "), numbering.find("<w:num>"), numbering.find("<w:numIdMacAtCleanup")});
        if (first_num != std::string::npos) numbering.insert(first_num, abstract_nums);
        else if (!core::append_to_root(numbering, "w:numbering", abstract_nums)) core::unusual_picture_part(name);
    }
    const std::size_t cleanup = numbering.find("<w:numIdMacAtCleanup");
    if (cleanup != std::string::npos) numbering.insert(cleanup, nums);
    else if (!core::append_to_root(numbering, "w:numbering", nums)) core::unusual_picture_part(name);
}

}  // namespace

void list_subdocs(const core::RenderState& state, core::PictureEdits& edits) {
    const auto* session = dynamic_cast<const SubdocSession*>(state.adapter_session.get());
    if (!session) return;
    list_relationships(*session, edits);
    const std::string types_name = ooxml::kContentTypesPart;
    for (const Media& m : session->media) {
        std::string& types = edits.text_of(types_name);
        const std::string extension = m.name.substr(m.name.rfind('.') + 1);
        if (core::ascii_lower(types).find("extension=\"" + extension + "\"") == std::string::npos) {
            std::string entry = "<Default Extension=\"" + extension + "\" ContentType=\"";
            core::escape_xml_attribute(entry, m.content_type);
            if (!core::append_to_root(types, "Types", entry + "\"/>")) core::unusual_picture_part(types_name);
        }
        edits.media.emplace_back(m.name, &m.bytes);
    }
    const auto has = [&](const std::string& name) { return edits.entries.count(name) > 0; };
    if (!session->styles.empty()) {
        if (!has(ooxml::kStylesPart))
            add_part(edits, ooxml::kStylesPart, "w:styles", session->styles,
                     "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml", "styles");
        else if (!core::append_to_root(edits.text_of(ooxml::kStylesPart), "w:styles", session->styles))
            core::unusual_picture_part(ooxml::kStylesPart);
    }
    if (session->abstract_nums.empty() && session->nums.empty()) return;
    if (has(ooxml::kNumberingPart))
        extend_numbering(edits.text_of(ooxml::kNumberingPart), session->abstract_nums, session->nums);
    else
        add_part(edits, ooxml::kNumberingPart, "w:numbering", session->abstract_nums + session->nums,
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml", "numbering");
}

}  // namespace vanban::docx
