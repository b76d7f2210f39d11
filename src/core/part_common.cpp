// What several stages of the part compiler share: text of nodes, the context shown with an error, and the queries on
// paragraphs and tags (TagQueries) that each stage asks of the typed results it is given.
#include "core/part_stages.hpp"

namespace vanban::core::part {

std::string node_text(const xmlNode* n) {
    std::string s;
    for (const xmlNode* c = n->children; c; c = c->next)
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content)
            s += reinterpret_cast<const char*>(c->content);
    return s;
}

std::string content_of(const xmlNode* text) {
    return text->content ? std::string(reinterpret_cast<const char*>(text->content)) : std::string();
}

bool is_paragraph_helper(const Statement& st) {
    using K = Statement::Kind;
    return st.kind == K::pstyle || st.kind == K::indent || st.kind == K::spacebefore;
}

// Helpers that write a property of their cell or paragraph; their text goes.
bool is_table_helper(const Statement& st) {
    using K = Statement::Kind;
    return st.kind == K::vm || st.kind == K::hm || st.kind == K::colspan || st.kind == K::cellbg ||
           st.kind == K::cellwidth || is_paragraph_helper(st);
}

std::string clip_context(const std::string& text, std::size_t begin, std::size_t end) {
    auto safe_left = [&](std::size_t i) {
        while (i > 0 && i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
        return i;
    };
    auto safe_right = [&](std::size_t i) {
        while (i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) ++i;
        return i;
    };
    std::size_t a = begin > 30 ? safe_left(begin - 30) : 0;
    std::size_t b = safe_right(std::min(text.size(), end + 30));
    std::string s = text.substr(a, b - a);
    for (char& c : s)
        if (c == kHard || c == kSoft) c = ' ';
    if (a > 0) s = "…" + s;
    if (b < text.size()) s += "…";
    return s;
}

Diagnostic TagQueries::diag(const TagRec& t, std::string message, std::string hint) const {
    Diagnostic d;
    d.kind = DiagnosticKind::template_syntax;
    d.part = part_;
    d.message = std::move(message);
    d.hint = std::move(hint);
    d.tag = t.token.raw;
    if (t.para >= 0) {
        const Paragraph& p = paras_[static_cast<std::size_t>(t.para)];
        d.paragraph = p.number;
        d.context = clip_context(p.text, t.token.begin, t.token.end);
    }
    return d;
}

void TagQueries::parse_tag(TagRec& rec) const {
    try {
        rec.st = core::parse_statement(rec.token);
        rec.parsed = true;
    } catch (const core::ParseError& e) {
        errors_.push_back(diag(rec, e.what()));
        // keep the block structure so one bad expression does not cascade into "endfor without for"
        std::string_view inner = rec.token.inner;
        auto word = inner.substr(0, inner.find_first_of(" \t"));
        using K = Statement::Kind;
        if (rec.token.kind == TagToken::Kind::statement) {
            if (word == "if") rec.st.kind = K::if_;
            else if (word == "elif") rec.st.kind = K::elif;
            else if (word == "else") rec.st.kind = K::else_;
            else if (word == "endif") rec.st.kind = K::endif;
            else if (word == "for") rec.st.kind = K::for_;
            else if (word == "endfor") rec.st.kind = K::endfor;
            else if (word == "macro") rec.st.kind = K::macro;
            else if (word == "endmacro") rec.st.kind = K::endmacro;
            else if (word == "call") rec.st.kind = K::call;
            else if (word == "endcall") rec.st.kind = K::endcall;
            else if (word == "filter") rec.st.kind = K::filter;
            else if (word == "endfilter") rec.st.kind = K::endfilter;
            else if (word == "with") rec.st.kind = K::with;
            else if (word == "endwith") rec.st.kind = K::endwith;
            else if (word == "endset") rec.st.kind = K::endset;
            else rec.st.kind = K::comment;
        }
        auto lit = std::make_unique<core::Expr>();
        lit->literal = nullptr;
        rec.st.expr = std::move(lit);
    }
}

bool TagQueries::alone(const TagRec& t) const {
    if (t.para < 0) return false;
    const Paragraph& p = para_of(t);
    if (p.tags.size() != 1 || p.hard_barrier) return false;
    for (std::size_t i = 0; i < p.text.size(); ++i) {
        if (i >= t.token.begin && i < t.token.end) continue;
        char c = p.text[i];
        if (c == ' ' || c == '\t' || c == kSoft) continue;
        if (p.text.compare(i, 2, "\xC2\xA0") == 0) {
            ++i;
            continue;
        }
        return false;
    }
    return true;
}

xmlNode* TagQueries::cell_of(const TagRec& t) const {
    return t.para >= 0 ? ancestor(para_of(t).node, [&](const xmlNode* n) { return d_.is_cell(n); }) : nullptr;
}

xmlNode* TagQueries::row_of(const TagRec& t) const {
    return t.para >= 0 ? ancestor(para_of(t).node, [&](const xmlNode* n) { return d_.is_row(n); }) : nullptr;
}

xmlNode* TagQueries::table_of(xmlNode* n) const {
    return ancestor(n, [&](const xmlNode* a) { return d_.is_table(a); });
}

bool TagQueries::inside(const xmlNode* n, const xmlNode* outer) {
    for (; n; n = n->parent)
        if (n == outer) return true;
    return false;
}

}  // namespace vanban::core::part
