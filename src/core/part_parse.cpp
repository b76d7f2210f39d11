// Stage 0, parse_part: the bytes of one part → its libxml2 tree (ParsedPart), parsed the one safe way
// (parse_office_part: no DTD, no network, no entity expansion, libxml2's limits), comments dropped. Refused with a
// package error: XML that does not parse, or a DTD.
#include <cctype>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

#include <libxml/parser.h>

#include "core/part_stages.hpp"

namespace vanban::core {

bool has_name(const xmlNode* n, const char* ns_href, const char* local) {
    return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           std::strcmp(reinterpret_cast<const char*>(n->ns->href), ns_href) == 0 &&
           std::strcmp(reinterpret_cast<const char*>(n->name), local) == 0;
}

bool declares_doctype(std::string_view xml) {
    std::size_t i = xml.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (i < xml.size()) {
        const char c = xml[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ++i;
            continue;
        }
        if (xml.compare(i, 2, "<?") == 0) {
            const std::size_t end = xml.find("?>", i + 2);
            if (end == std::string_view::npos) return false;
            i = end + 2;
        } else if (xml.compare(i, 4, "<!--") == 0) {
            const std::size_t end = xml.find("-->", i + 4);
            if (end == std::string_view::npos) return false;
            i = end + 3;
        } else {
            return xml.compare(i, 9, "<!DOCTYPE") == 0;
        }
    }
    return false;
}

namespace {

void ignore_generic_error(void*, const char*, ...) {}

// libxml2 reports a few errors (a text node over its size limit) through the thread's generic error handler even with
// XML_PARSE_NOERROR. Silenced for one parse; the application's handler is restored after.
// libxml2 sets up its global state lazily, unlocked, on first use: two threads compiling their first templates at
// once would race in it. It is set up here instead, when the library is loaded (before any thread of ours runs), as
// libxml2 asks of threaded programs.
[[maybe_unused]] const bool libxml2_ready = [] {
    xmlInitParser();
    return true;
}();

class QuietGenericErrors {
public:
    QuietGenericErrors() : func_(xmlGenericError), context_(xmlGenericErrorContext) {
        xmlSetGenericErrorFunc(nullptr, ignore_generic_error);
    }
    ~QuietGenericErrors() { xmlSetGenericErrorFunc(context_, func_); }
    QuietGenericErrors(const QuietGenericErrors&) = delete;
    QuietGenericErrors& operator=(const QuietGenericErrors&) = delete;

private:
    xmlGenericErrorFunc func_;
    void* context_;
};

}  // namespace

XmlDocPtr parse_office_part(std::string_view xml, const std::string& part, std::string& problem) {
    if (xml.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        problem = "the part is larger than 2 GiB";
        return {};
    }
    const std::string no_dtd = "a document type declaration (DTD) is not allowed in an Office part";
    if (declares_doctype(xml)) {
        problem = no_dtd;
        return {};
    }
    // No network, no DTD loading, entities left unexpanded (no XML_PARSE_NOENT / DTDLOAD), and libxml2's own
    // limits (no XML_PARSE_HUGE): 256 levels of nesting, 10 MB text nodes and attribute values.
    // A parser context of our own: its error is this part's (not a thread's last error), and an error libxml2
    // stops at without clearing its well-formedness flag (a text node over its size limit) still counts.
    const QuietGenericErrors quiet;
    const std::unique_ptr<xmlParserCtxt, decltype(&xmlFreeParserCtxt)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
    if (!ctxt) throw std::bad_alloc();
    XmlDocPtr doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), part.c_str(), nullptr,
                                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc || ctxt->errNo != XML_ERR_OK) {
        const xmlError& e = ctxt->lastError;
        std::string message = e.message ? e.message : "";
        while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) message.pop_back();
        problem = "XML does not parse" + (message.empty() ? std::string() : ": " + message) +
                  (e.line > 0 ? " (line " + std::to_string(e.line) + ")" : "");
        return {};
    }
    if (doc->intSubset || doc->extSubset) {  // declared in an encoding the check above cannot read
        problem = no_dtd;
        return {};
    }
    return doc;
}

namespace part {

namespace {

void package_error(const std::string& part, std::string message, std::vector<Diagnostic>& errors) {
    Diagnostic d;
    d.kind = DiagnosticKind::package;
    d.part = part;
    d.message = std::move(message);
    errors.push_back(std::move(d));
}

void drop_comments(xmlNode* node) {
    for (xmlNode* c = node->children; c;) {
        xmlNode* next = c->next;
        if (c->type == XML_COMMENT_NODE) {
            xmlUnlinkNode(c);
            xmlFreeNode(c);
        } else if (c->type == XML_ELEMENT_NODE) {
            drop_comments(c);
        }
        c = next;
    }
}

}  // namespace

ParsedPart parse_part(std::string_view xml, const std::string& part, std::vector<Diagnostic>& errors) {
    ParsedPart parsed;
    std::string problem;
    parsed.doc = parse_office_part(xml, part, problem);
    if (!parsed.doc) {
        package_error(part, problem, errors);
        return {};
    }
    parsed.root = xmlDocGetRootElement(parsed.doc.get());
    if (!parsed.root) return parsed;
    drop_comments(parsed.root);  // notes for template authors stay out of the documents
    return parsed;
}

}  // namespace part

}  // namespace vanban::core
