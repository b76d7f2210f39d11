// The slot serialiser (core/xml_slots.hpp) against libxml2's own: a tree cut at its slots must give exactly the bytes
// libxml2 writes for it, on every XML part of every bundled template, with the elements on the way to a slot written
// by vanban and the rest by libxml2.
#include <gtest/gtest.h>

#include <libxml/tree.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/xml_compiler.hpp"
#include "core/xml_slots.hpp"
#include "io/files.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using vanban::core::AttributePiece;
using vanban::core::Slot;
using vanban::core::Slots;

std::string libxml2_dump(xmlDoc* doc) {
    xmlChar* mem = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc, &mem, &size, "UTF-8");
    std::string xml(reinterpret_cast<char*>(mem), static_cast<std::size_t>(size));
    xmlFree(mem);
    return xml;
}

std::string joined(const std::vector<vanban::core::XmlSlice>& slices, int& slot_count) {
    std::string all;
    slot_count = 0;
    for (const auto& s : slices) {
        all += s.text;
        if (s.slot) ++slot_count;
    }
    return all;
}

// A slot as the last child of every element with children, and every attribute as one literal piece of its own value:
// every element with children is then written by the slicer itself.
int add_slots_everywhere(xmlNode* element, xmlDoc* doc, Slots& slots) {
    int added = 0;
    for (xmlAttr* a = element->properties; a; a = a->next) {
        xmlChar* v = xmlNodeGetContent(reinterpret_cast<xmlNode*>(a));
        slots.set_pieces(a, {AttributePiece{v ? reinterpret_cast<const char*>(v) : "", -1}});
        xmlFree(v);
    }
    std::vector<xmlNode*> children;
    for (xmlNode* c = element->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE) children.push_back(c);
    for (xmlNode* c : children) added += add_slots_everywhere(c, doc, slots);
    if (element->children) {
        xmlAddChild(element, slots.node(doc, {Slot::Kind::guard_open, 0}));
        ++added;
    }
    return added;
}

std::vector<fs::path> bundled_xml_parts() {
    std::vector<fs::path> parts;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(vanban::test::source_dir()) / "templates"))
        if (e.is_regular_file() && (e.path().extension() == ".xml" || e.path().extension() == ".rels"))
            parts.push_back(e.path());
    return parts;
}

TEST(XmlSlots, WithoutSlotsTheBytesAreLibxml2s) {
    const auto parts = bundled_xml_parts();
    ASSERT_GT(parts.size(), 40u);
    for (const auto& path : parts) {
        std::string problem;
        const auto doc = vanban::core::parse_office_part(vanban::io::read_file(path.string()), path.string(), problem);
        ASSERT_TRUE(doc) << path << ": " << problem;
        int slot_count = 0;
        EXPECT_EQ(joined(vanban::core::serialise_slices(doc.get()), slot_count), libxml2_dump(doc.get())) << path;
        EXPECT_EQ(slot_count, 0) << path;
    }
}

TEST(XmlSlots, ElementsWrittenAroundSlotsKeepLibxml2sBytes) {
    for (const auto& path : bundled_xml_parts()) {
        std::string problem;
        const auto doc = vanban::core::parse_office_part(vanban::io::read_file(path.string()), path.string(), problem);
        ASSERT_TRUE(doc) << path << ": " << problem;
        const std::string before = libxml2_dump(doc.get());
        Slots slots;
        const int added = add_slots_everywhere(xmlDocGetRootElement(doc.get()), doc.get(), slots);
        int slot_count = 0;
        EXPECT_EQ(joined(vanban::core::serialise_slices(doc.get()), slot_count), before) << path;
        EXPECT_EQ(slot_count, added) << path;
    }
}

TEST(XmlSlots, SlotsAndAttributeTagsComeOutInDocumentOrder) {
    std::string problem;
    const auto doc = vanban::core::parse_office_part(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<a xmlns:x=\"urn:x\"><b x:v=\"1 &amp; 2\">t</b><c/></a>",
        "t.xml", problem);
    ASSERT_TRUE(doc) << problem;
    xmlNode* a = xmlDocGetRootElement(doc.get());
    xmlNode* b = a->children;
    xmlNode* c = b->next;
    Slots slots;
    slots.set_pieces(b->properties, {{"<", -1}, {"", 4}, {"\"", -1}});
    xmlAddPrevSibling(c, slots.node(doc.get(), {Slot::Kind::tag, 7}));
    xmlAddChild(c, slots.node(doc.get(), {Slot::Kind::hook, 1}));
    const auto slices = vanban::core::serialise_slices(doc.get());
    ASSERT_EQ(slices.size(), 4u);
    EXPECT_EQ(slices[0].text,
              "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<a xmlns:x=\"urn:x\"><b x:v=\"&lt;");
    ASSERT_TRUE(slices[0].slot);
    EXPECT_EQ(slices[0].slot->kind, Slot::Kind::tag);
    EXPECT_EQ(slices[0].slot->index, 4);
    EXPECT_EQ(slices[1].text, "&quot;\">t</b>");
    ASSERT_TRUE(slices[1].slot);
    EXPECT_EQ(slices[1].slot->index, 7);
    EXPECT_EQ(slices[2].text, "<c>");
    ASSERT_TRUE(slices[2].slot);
    EXPECT_EQ(slices[2].slot->kind, Slot::Kind::hook);
    EXPECT_EQ(slices[3].text, "</c></a>\n");
    EXPECT_FALSE(slices[3].slot);
}

}  // namespace
