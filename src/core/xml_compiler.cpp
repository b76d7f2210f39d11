// compile_xml_part: one XML part through the stages of core/part_stages.hpp, in order. Each stage takes the typed
// results of the ones before it and gives its own; nothing is kept between compiles.
#include "core/xml_compiler.hpp"

#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core {

void declare_namespace(xmlNode* root, const char* href, const char* prefix) {
    for (const xmlNs* ns = root->nsDef; ns; ns = ns->next)
        if (ns->prefix && std::strcmp(reinterpret_cast<const char*>(ns->prefix), prefix) == 0) return;
    xmlNewNs(root, xml_chars(href), xml_chars(prefix));
}

namespace {

// A copied element carries the namespace declarations of the document root; inside the document they are noise.
void drop_namespace_declarations(std::string& xml) {
    std::size_t tag_end = xml.find('>');
    for (std::size_t p = xml.find(" xmlns"); p != std::string::npos && p < tag_end; p = xml.find(" xmlns", p)) {
        std::size_t q = xml.find('"', xml.find('"', p) + 1);
        xml.erase(p, q + 1 - p);
        tag_end = xml.find('>');
    }
}

}  // namespace

std::string dump_element(xmlDoc* doc, xmlNode* element) {
    xmlBuffer* buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, element, 0, 0);
    std::string xml(reinterpret_cast<const char*>(xmlBufferContent(buf)),
                    static_cast<std::size_t>(xmlBufferLength(buf)));
    xmlBufferFree(buf);
    drop_namespace_declarations(xml);
    return xml;
}

std::string dump_element(xmlDoc* doc, xmlNode* element, std::vector<OutputSite::PropSlot>& slots) {
    if (!holds_slots(element)) return dump_element(doc, element);  // the common case, and the quicker one
    std::vector<XmlSlice> slices = serialise_slices(doc, element);
    drop_namespace_declarations(slices.front().text);  // the declarations come before any attribute (and its tags)
    std::string xml;
    for (XmlSlice& slice : slices) {
        xml += slice.text;
        if (slice.slot && slice.slot->kind == Slot::Kind::tag)
            slots.push_back({xml.size(), static_cast<std::size_t>(slice.slot->index)});
    }
    return xml;
}

Program compile_xml_part(std::string_view xml, const std::string& part_name, const Dialect& dialect,
                         std::vector<Diagnostic>& errors, PartHooks* hooks) {
    if (xml.size() > kMaxTemplatedPartSize) {
        errors.push_back(part_too_large(part_name));
        return {};
    }
    part::ParsedPart parsed = part::parse_part(xml, part_name, errors);
    if (!parsed.root) return {};
    Slots slots;
    const part::Context c{part_name, dialect, errors, parsed.doc.get(), parsed.root, &slots};
    part::Paragraphs paragraphs = part::collect_paragraphs(c);
    part::TagSpans spans;
    if (!part::scan_tags(c, paragraphs, spans)) return {};
    const part::Joins joins = part::plan_whitespace(c, paragraphs, spans);
    part::Blocks blocks;
    if (!part::place_blocks(c, paragraphs, joins, spans, blocks)) return {};
    part::TreeEdits edits;
    part::edit_text(c, paragraphs, joins, spans, edits);
    part::apply_helpers(c, paragraphs, blocks, spans, edits);
    part::apply_structure(c, paragraphs, spans, edits);
    part::check_groups(c, paragraphs, blocks, spans);
    part::make_sites(c, spans);
    dialect.finish(parsed.doc.get(), parsed.root, hooks);
    if (hooks && hooks->footnotes_part) xmlAddChild(parsed.root, slots.node(parsed.doc.get(), {Slot::Kind::hook, 1}));
    return part::cut_program(c, paragraphs, joins, std::move(spans));
}

}  // namespace vanban::core
