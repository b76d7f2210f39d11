#include "core/property_part.hpp"

#include <libxml/tree.h>

#include "core/xml_compiler.hpp"

namespace vanban::core {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

class PropertyCompiler {
public:
    PropertyCompiler(const std::string& part, std::vector<Diagnostic>& errors) : part_(part), errors_(errors) {}

    Program compile(std::string_view xml) {
        std::string problem;
        const XmlDocPtr doc = parse_office_part(xml, part_, problem);
        if (!doc) {
            Diagnostic d;
            d.kind = DiagnosticKind::package;
            d.part = part_;
            d.message = problem;
            errors_.push_back(std::move(d));
            return {};
        }
        std::vector<std::vector<Piece>> texts;  // the pieces of each text that holds tags
        Slots slots;
        mark_texts(xmlDocGetRootElement(doc.get()), texts, slots);
        if (texts.empty()) return {};
        std::vector<Piece> pieces;
        for (XmlSlice& slice : serialise_slices(doc.get())) {
            pieces.push_back({Piece::Kind::literal, std::move(slice.text)});
            if (!slice.slot) break;
            const auto& text = texts.at(static_cast<std::size_t>(slice.slot->index));
            pieces.insert(pieces.end(), text.begin(), text.end());
        }
        std::vector<OutputSite> sites(1);
        sites[0].context = OutputSite::Context::attribute;  // escaped, never a picture or a run
        Program program = build_program(std::move(pieces), std::move(tags_), std::move(sites), errors_);
        program.has_tags = true;
        return program;
    }

private:
    const std::string& part_;
    std::vector<Diagnostic>& errors_;
    std::vector<LocatedTag> tags_;

    void error(std::string message, std::string tag, std::string hint) {
        Diagnostic d;
        d.kind = DiagnosticKind::template_syntax;
        d.part = part_;
        d.message = std::move(message);
        d.tag = std::move(tag);
        d.hint = std::move(hint);
        errors_.push_back(std::move(d));
    }

    // Every text that holds tags gives its place to a slot (Slot::Kind::text, its index in `texts`).
    void mark_texts(xmlNode* n, std::vector<std::vector<Piece>>& texts, Slots& slots) {
        for (xmlNode* c = n; c; c = c->next) {
            if (c->type == XML_ELEMENT_NODE) mark_texts(c->children, texts, slots);
            if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content) continue;
            const std::string text(reinterpret_cast<const char*>(c->content));
            if (text.find('{') == std::string::npos) continue;
            std::vector<Piece> pieces = text_pieces(text);
            if (pieces.empty()) continue;
            // A CDATA section goes too: the pieces are escaped text.
            xmlNode* slot = slots.node(c->doc, {Slot::Kind::text, static_cast<int>(texts.size())});
            texts.push_back(std::move(pieces));
            xmlReplaceNode(c, slot);
            xmlFreeNode(c);
            c = slot;
        }
    }

    // The text as literal pieces (escaped) and tags; empty when it holds no tag. Jinja's {%- -%} trim the white space
    // beside them; a block must open and close inside the same text.
    std::vector<Piece> text_pieces(const std::string& text) {
        std::vector<TagToken> found;
        std::vector<ScanProblem> problems;
        scan_tags(text, found, problems);
        for (const auto& p : problems) error(p.message, p.raw, p.hint);
        if (found.empty()) return {};
        const std::string first_raw = found.front().raw;
        std::vector<Piece> pieces;
        std::size_t pos = 0;
        int depth = 0;
        bool trim_next = false;
        for (auto& token : found) {
            std::string literal = text.substr(pos, token.begin - pos);
            if (trim_next)
                literal.erase(0, literal.find_first_not_of(" \t\r\n") == std::string::npos
                                     ? literal.size()
                                     : literal.find_first_not_of(" \t\r\n"));
            if (token.trim_left)
                while (!literal.empty() && is_space(literal.back())) literal.pop_back();
            Piece piece{Piece::Kind::literal, {}};
            escape_xml_attribute(piece.text, literal);
            pieces.push_back(std::move(piece));
            trim_next = token.trim_right;
            pos = token.end;
            LocatedTag tag;
            tag.loc = {part_, 0, token.raw, text.substr(0, 80)};
            try {
                tag.statement = parse_statement(token);
            } catch (const ParseError& e) {
                error(e.what(), token.raw, {});
                continue;
            }
            if (tag.statement.opens()) ++depth;
            if (tag.statement.closes()) --depth;
            tag.site = tag.statement.kind == Statement::Kind::output ? 0 : -1;
            tag.token = std::move(token);
            pieces.push_back({Piece::Kind::tag, {}, static_cast<int>(tags_.size())});
            tags_.push_back(std::move(tag));
        }
        std::string rest = text.substr(pos);
        if (trim_next)
            rest.erase(0, rest.find_first_not_of(" \t\r\n") == std::string::npos ? rest.size()
                                                                                 : rest.find_first_not_of(" \t\r\n"));
        Piece last{Piece::Kind::literal, {}};
        escape_xml_attribute(last.text, rest);
        pieces.push_back(std::move(last));
        if (depth != 0)
            error("a block in a document property must open and close inside that property", first_raw,
                  "close the {% if %} or {% for %} in the same property");
        return pieces;
    }
};

}  // namespace

bool is_property_part(std::string_view part) {
    return part == "docProps/core.xml" || part == "docProps/app.xml" || part == "docProps/custom.xml" ||
           part == "meta.xml";
}

Program compile_property_part(std::string_view xml, const std::string& part, std::vector<Diagnostic>& errors) {
    return PropertyCompiler(part, errors).compile(xml);
}

}  // namespace vanban::core
