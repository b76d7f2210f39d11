// Small helpers the DOCX and ODT readers share for walking a parsed part (libxml2 tree).
#pragma once

#include <optional>
#include <string>

#include <libxml/tree.h>

#include "core/xml_compiler.hpp"
#include "io/fail.hpp"
#include "zip/zip.hpp"

namespace vanban::import {

inline bool is_element(const xmlNode* n, const char* ns, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && core::has_name(n, ns, local);
}

// A namespaced attribute (ns null: an attribute without namespace).
inline std::optional<std::string> attribute(const xmlNode* n, const char* ns, const char* name) {
    if (!n) return std::nullopt;
    xmlChar* v = ns ? xmlGetNsProp(const_cast<xmlNode*>(n), core::xml_chars(name), core::xml_chars(ns))
                    : xmlGetNoNsProp(const_cast<xmlNode*>(n), core::xml_chars(name));
    if (!v) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

inline const xmlNode* first_child(const xmlNode* n, const char* ns, const char* local) {
    for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (is_element(c, ns, local)) return c;
    return nullptr;
}

// A counter, level or id written in decimal: `fallback` when absent, not a number, or over six digits (hostile
// values never overflow).
inline int small_number(const std::optional<std::string>& s, int fallback) {
    if (!s || s->empty() || s->size() > 6) return fallback;
    int v = 0;
    for (char c : *s) {
        if (c < '0' || c > '9') return fallback;
        v = v * 10 + (c - '0');
    }
    return v;
}

// An Office package being read: its parts parsed with the template compiler's limits (no DTD, no network, size).
struct Package {
    const zip::Reader& zip;
    std::string name;
    core::XmlDocPtr parse(const std::string& part) const {
        std::string problem;
        core::XmlDocPtr doc = core::parse_office_part(zip.read(part), part, problem);
        if (!doc) io::fail(DiagnosticKind::package, name + ": " + part + ": " + problem, name);
        return doc;
    }
};

}  // namespace vanban::import
