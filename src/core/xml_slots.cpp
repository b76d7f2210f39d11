// Slots in the tree and the serialiser that cuts at them (core/xml_slots.hpp). What holds no slot is written by
// libxml2 itself (one xmlSaveCtxt, UTF-8, as xmlDocDumpMemoryEnc writes); only the elements on the way to a slot have
// their tags written here, the way libxml2's xmlsave.c writes them, so the bytes are those of a whole-document dump.
#include "core/xml_slots.hpp"

#include <cstring>
#include <string_view>
#include <unordered_set>
#include <utility>

#include <libxml/xmlsave.h>

namespace vanban::core {

namespace {

// Slot nodes are named like libxml2's text nodes ("text"): the element chains that check_groups compares and names
// in its messages read the same as when a tag stood in a text node.
constexpr const char* kSlotNodeName = "text";

class SliceWriter {
public:
    explicit SliceWriter(xmlDoc* doc)
        : doc_(doc),
          save_(xmlSaveToIO(&append, nullptr, this, "UTF-8", XML_SAVE_AS_XML)),
          attribute_(xmlBufferCreate()) {}
    ~SliceWriter() {
        if (save_) xmlSaveClose(save_);
        xmlBufferFree(attribute_);
    }
    SliceWriter(const SliceWriter&) = delete;
    SliceWriter& operator=(const SliceWriter&) = delete;

    // As xmlDocDumpMemoryEnc(doc, …, "UTF-8"): the declaration, then every child of the document on a line.
    void document() {
        // libxml2 writes the document as UTF-8 by setting its encoding while it writes (attribute values keep their
        // non-ASCII characters then); the same here, put back afterwards.
        struct EncodingSwap {
            xmlDoc* doc;
            const xmlChar* old;
            ~EncodingSwap() { doc->encoding = old; }
        } swap{doc_, doc_->encoding};
        doc_->encoding = reinterpret_cast<const xmlChar*>("UTF-8");
        write("<?xml version=");
        quoted(doc_->version ? reinterpret_cast<const char*>(doc_->version) : "1.0");
        write(" encoding=\"UTF-8\"");
        if (doc_->standalone == 0) write(" standalone=\"no\"");
        else if (doc_->standalone == 1) write(" standalone=\"yes\"");
        write("?>\n");
        for (xmlNode* c = doc_->children; c; c = c->next) {
            find_paths(c);
            node(c);
            write("\n");
        }
    }

    // As xmlNodeDump(element): the element alone.
    void element(xmlNode* e) {
        find_paths(e);
        node(e);
    }

    std::vector<XmlSlice> slices() {
        settle();
        const std::string_view all(out_);
        std::vector<XmlSlice> result;
        result.reserve(marks_.size() + 1);
        std::size_t pos = 0;
        for (const auto& [at, slot] : marks_) {
            result.push_back({std::string(all.substr(pos, at - pos)), slot});
            pos = at;
        }
        result.push_back({std::string(all.substr(pos)), std::nullopt});
        return result;
    }

private:
    xmlDoc* doc_;
    xmlSaveCtxt* save_;     // libxml2 writes what holds no slot; its bytes arrive in out_ when flushed
    bool pending_ = false;  // bytes written by libxml2 and not yet flushed into out_
    std::string out_;
    xmlBuffer* attribute_;                        // reused for every attribute value
    std::unordered_set<const xmlNode*> on_path_;  // elements with a slot in them or in an attribute below them
    std::vector<std::pair<std::size_t, Slot>> marks_;

    static int append(void* self, const char* bytes, int length) {
        static_cast<SliceWriter*>(self)->out_.append(bytes, static_cast<std::size_t>(length));
        return length;
    }
    void settle() {
        if (!pending_) return;
        xmlSaveFlush(save_);
        pending_ = false;
    }
    void dump(xmlNode* n) {
        xmlSaveTree(save_, n);
        pending_ = true;
    }
    void write(std::string_view s) {
        settle();
        out_.append(s);
    }
    void write(const xmlChar* s) { write(std::string_view(reinterpret_cast<const char*>(s))); }
    void mark(const Slot& s) {
        settle();
        marks_.emplace_back(out_.size(), s);
    }

    // libxml2's xmlBufWriteQuotedString: double quotes, single ones around a value that holds a double quote.
    void quoted(std::string_view s) {
        if (s.find('"') == std::string_view::npos) {
            write("\"");
            write(s);
            write("\"");
        } else if (s.find('\'') == std::string_view::npos) {
            write("'");
            write(s);
            write("'");
        } else {
            write("\"");
            for (char c : s) write(c == '"' ? std::string_view("&quot;") : std::string_view(&c, 1));
            write("\"");
        }
    }

    void qualified_name(const xmlNs* ns, const xmlChar* name) {
        if (ns && ns->prefix) {
            write(ns->prefix);
            write(":");
        }
        write(name);
    }

    // Attribute text escaped by libxml2 itself (&, <, >, ", tabs and line ends as character references).
    void attribute_text(xmlAttr* a, const xmlChar* text) {
        xmlBufferEmpty(attribute_);
        xmlAttrSerializeTxtContent(attribute_, doc_, a, text);
        write(std::string_view(reinterpret_cast<const char*>(xmlBufferContent(attribute_)),
                               static_cast<std::size_t>(xmlBufferLength(attribute_))));
    }

    bool find_paths(const xmlNode* n) {
        if (n->type != XML_ELEMENT_NODE) return false;
        bool holds = false;
        for (const xmlAttr* a = n->properties; a && !holds; a = a->next) holds = pieces_of(a) != nullptr;
        for (const xmlNode* c = n->children; c; c = c->next)  // recursion bounded by libxml2's depth limit
            if (slot_of(c) || find_paths(c)) holds = true;
        if (holds) on_path_.insert(n);
        return holds;
    }

    void node(xmlNode* n) {
        if (const Slot* s = slot_of(n)) {
            mark(*s);
            return;
        }
        if (!on_path_.count(n)) {
            dump(n);
            return;
        }
        // xmlsave.c: "<" name, namespace declarations, attributes, then "/>" or ">" children "</" name ">".
        write("<");
        qualified_name(n->ns, n->name);
        for (const xmlNs* ns = n->nsDef; ns; ns = ns->next) {
            if (ns->type != XML_LOCAL_NAMESPACE || !ns->href) continue;
            if (ns->prefix && std::strcmp(reinterpret_cast<const char*>(ns->prefix), "xml") == 0) continue;
            write(ns->prefix ? " xmlns:" : " xmlns");
            if (ns->prefix) write(ns->prefix);
            write("=");
            quoted(reinterpret_cast<const char*>(ns->href));
        }
        for (xmlAttr* a = n->properties; a; a = a->next) attribute(a);
        if (!n->children) {
            write("/>");
            return;
        }
        write(">");
        for (xmlNode* c = n->children; c; c = c->next) node(c);
        write("</");
        qualified_name(n->ns, n->name);
        write(">");
    }

    void attribute(xmlAttr* a) {
        write(" ");
        qualified_name(a->ns, a->name);
        write("=\"");
        if (const auto* pieces = pieces_of(a)) {
            for (const AttributePiece& p : *pieces) {
                if (p.tag >= 0) mark({Slot::Kind::tag, p.tag});
                else attribute_text(a, reinterpret_cast<const xmlChar*>(p.literal.c_str()));
            }
        } else {
            for (xmlNode* v = a->children; v; v = v->next) {
                if (v->type == XML_TEXT_NODE && v->content) {
                    attribute_text(a, v->content);
                } else if (v->type == XML_ENTITY_REF_NODE) {
                    write("&");
                    write(v->name);
                    write(";");
                }
            }
        }
        write("\"");
    }
};

void copy_private(const xmlNode* from, xmlNode* to) {
    to->_private = from->_private;
    if (from->type != XML_ELEMENT_NODE) return;
    for (const xmlAttr *a = from->properties, *b = to->properties; a && b; a = a->next, b = b->next)
        const_cast<xmlAttr*>(b)->_private = a->_private;
    for (const xmlNode *a = from->children, *b = to->children; a && b; a = a->next, b = b->next)
        copy_private(a, const_cast<xmlNode*>(b));
}

}  // namespace

xmlNode* Slots::node(xmlDoc* doc, Slot slot) {
    xmlNode* n = xmlNewDocPI(doc, reinterpret_cast<const xmlChar*>(kSlotNodeName), nullptr);
    n->_private = &slots_.emplace_back(slot);
    return n;
}

void Slots::set_pieces(xmlAttr* attribute, std::vector<AttributePiece> pieces) {
    attribute->_private = &pieces_.emplace_back(std::move(pieces));
}

const Slot* slot_of(const xmlNode* node) {
    return node && node->type == XML_PI_NODE && node->_private ? static_cast<const Slot*>(node->_private) : nullptr;
}

const std::vector<AttributePiece>* pieces_of(const xmlAttr* attribute) {
    return attribute && attribute->_private ? static_cast<const std::vector<AttributePiece>*>(attribute->_private)
                                            : nullptr;
}

bool holds_slots(const xmlNode* element) {
    if (!element) return false;
    if (slot_of(element)) return true;
    if (element->type != XML_ELEMENT_NODE) return false;
    for (const xmlAttr* a = element->properties; a; a = a->next)
        if (pieces_of(a)) return true;
    for (const xmlNode* c = element->children; c; c = c->next)
        if (holds_slots(c)) return true;
    return false;
}

xmlNode* copy_with_slots(xmlDoc* doc, xmlNode* element) {
    xmlNode* copy = xmlDocCopyNode(element, doc, 1);
    if (copy) copy_private(element, copy);
    return copy;
}

std::vector<XmlSlice> serialise_slices(xmlDoc* doc) {
    SliceWriter w(doc);
    w.document();
    return w.slices();
}

std::vector<XmlSlice> serialise_slices(xmlDoc* doc, xmlNode* element) {
    SliceWriter w(doc);
    w.element(element);
    return w.slices();
}

}  // namespace vanban::core
