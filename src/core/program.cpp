#include "core/program.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/filters.hpp"
#include "core/program_render.hpp"

namespace vanban::core {

// ---------------------------------------------------------------------------------------------------------------
// Tag scanning

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string clip(std::string_view s, std::size_t n = 40) {
    if (s.size() <= n) return std::string(s);
    return std::string(vn::utf8_prefix(s, n)) + "…";
}

struct Closer {
    std::size_t at;  // where the closer starts, or where the search stopped
    bool found;
    char open_quote;  // the quote of a string literal left open, or 0
};

// The closer of a tag from `from`, skipping string literals in expressions (`strings`); a barrier stops the search
// (a tab or line break, \x02, inside a tag is white space, as in Jinja).
Closer find_closer(std::string_view text, std::size_t from, std::string_view close, bool strings, char barrier) {
    char quote = 0;
    for (std::size_t k = from; k < text.size();) {
        const char c = text[k];
        if (c == barrier) return {k, false, quote};
        if (quote) {
            if (c == '\\' && k + 1 < text.size()) {
                k += 2;
                continue;
            }
            if (c == quote) quote = 0;
            ++k;
            continue;
        }
        if (strings && (c == '"' || c == '\'')) {
            quote = c;
            ++k;
            continue;
        }
        if (text.compare(k, close.size(), close) == 0) return {k, true, 0};
        ++k;
    }
    return {text.size(), false, quote};
}

// After {% raw %}: the text up to {% endraw %} is left as it is (its tags are text); the endraw tag is added. Gives
// where scanning goes on.
std::size_t skip_raw(std::string_view text, std::size_t from, std::size_t raw_at, std::vector<TagToken>& tags,
                     std::vector<ScanProblem>& problems) {
    for (std::size_t at = text.find("{%", from); at != std::string_view::npos; at = text.find("{%", at + 2)) {
        std::size_t k = at + 2;
        const bool trim_left = k < text.size() && text[k] == '-';
        if (k < text.size() && (text[k] == '-' || text[k] == '+')) ++k;
        while (k < text.size() && is_space(text[k])) ++k;
        if (text.compare(k, 6, "endraw") != 0) continue;
        k += 6;
        while (k < text.size() && is_space(text[k])) ++k;
        const bool trim_right = k < text.size() && text[k] == '-';
        if (k < text.size() && (text[k] == '-' || text[k] == '+')) ++k;
        if (text.compare(k, 2, "%}") != 0) continue;
        TagToken end;
        end.kind = TagToken::Kind::statement;
        end.trim_left = trim_left;
        end.trim_right = trim_right;
        end.begin = at;
        end.end = k + 2;
        end.raw = std::string(text.substr(at, end.end - at));
        end.inner = "endraw";
        tags.push_back(std::move(end));
        return k + 2;
    }
    problems.push_back({"{% raw %} is not closed by {% endraw %} in the same paragraph", raw_at,
                        clip(text.substr(raw_at), 40), "close the raw block in the paragraph where it opens"});
    return text.size();
}

}  // namespace

void scan_tags(std::string_view text, std::vector<TagToken>& tags, std::vector<ScanProblem>& problems, char barrier) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        std::size_t open = text.find('{', i);
        // stray closers before the next opener are reported: they usually mean a mistyped opener ("{ % if")
        std::size_t stop = open == std::string_view::npos ? n : open;
        const std::string_view before_opener = text.substr(0, stop);  // (searching further would be quadratic)
        for (std::string_view closer : {std::string_view("%}"), std::string_view("}}")}) {
            std::size_t k = before_opener.find(closer, i);
            if (k != std::string_view::npos) {
                // "}}}" after a tag's end or text like "{x}}" are still suspicious; report once per closer
                problems.push_back({"'" + std::string(closer) + "' without an opening '" +
                                        (closer == "%}" ? std::string("{%") : std::string("{{")) + "'",
                                    k, clip(text.substr(k > 20 ? k - 20 : 0, 40)),
                                    "check the tag before it: '{ {' or '{ %' with a space is not a tag"});
            }
        }
        if (open == std::string_view::npos || open + 1 >= n) break;
        char kind = text[open + 1];
        if (kind != '{' && kind != '%' && kind != '#') {
            i = open + 1;
            continue;
        }
        TagToken tag;
        tag.begin = open;
        tag.kind = kind == '{'   ? TagToken::Kind::output
                   : kind == '%' ? TagToken::Kind::statement
                                 : TagToken::Kind::comment;
        std::string_view close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
        std::size_t j = open + 2;
        // whitespace-control and docxtpl level markers right after the opener
        if (j < n && text[j] == '-') {
            tag.trim_left = true;
            ++j;
        } else if (j < n && text[j] == '+') {
            ++j;
        }
        struct Prefix {
            std::string_view p;
            TagLevel level;
        };
        static constexpr Prefix prefixes[] = {
            {"tr", TagLevel::row}, {"tc", TagLevel::cell}, {"p", TagLevel::paragraph}, {"r", TagLevel::run}};
        for (auto [p, level] : prefixes) {
            if (text.compare(j, p.size(), p) == 0 && j + p.size() < n && is_space(text[j + p.size()])) {
                // "{{ r }}" is the variable r; "{{r x}}" / "{%tr for %}" are docxtpl levels. As in docxtpl, a space
                // follows the level letters: "{#p bỏ #}" removes its paragraph, "{#phần này#}" is only a comment.
                tag.level = level;
                j += p.size();
                break;
            }
        }
        const auto [k, closed, quote] = find_closer(text, j, close, kind != '#', barrier);
        if (!closed && quote) {
            // an unbalanced quote: retry without string awareness so the error names the right tag
            std::size_t k2 = text.find(close, j);
            std::size_t b = text.find(barrier, j);
            if (k2 != std::string_view::npos && (b == std::string_view::npos || k2 < b)) {
                problems.push_back(
                    {"unterminated string in tag", open, clip(text.substr(open, k2 + 2 - open), 80), ""});
                i = k2 + 2;
                continue;
            }
        }
        if (!closed) {
            bool at_barrier = k < n && text[k] == barrier;
            problems.push_back(
                {at_barrier ? "tag is interrupted by a picture, field or tab"
                            : "tag is not closed (missing '" + std::string(close) + "')",
                 open, clip(text.substr(open), 40),
                 at_barrier ? "keep a tag in one piece of text" : "a tag must start and end in the same paragraph"});
            // Openers up to where this one found no closer have none either: going on from there keeps the scan linear.
            i = std::max(open + 2, k);
            continue;
        }
        std::size_t inner_end = k;
        if (inner_end > j && text[inner_end - 1] == '-') {
            tag.trim_right = true;
            --inner_end;
        } else if (inner_end > j && text[inner_end - 1] == '+') {
            --inner_end;
        }
        tag.end = k + close.size();
        tag.raw = std::string(text.substr(open, tag.end - open));
        std::replace(tag.raw.begin(), tag.raw.end(), '\x02', '\t');
        std::string_view inner = text.substr(j, inner_end - j);
        while (!inner.empty() && is_space(inner.front())) inner.remove_prefix(1);
        while (!inner.empty() && is_space(inner.back())) inner.remove_suffix(1);
        tag.inner = std::string(inner);
        std::replace(tag.inner.begin(), tag.inner.end(), '\x02', ' ');
        const bool raw = tag.kind == TagToken::Kind::statement && tag.inner == "raw";
        if (tag.kind != TagToken::Kind::comment && tag.inner.empty())
            problems.push_back({"empty tag", open, tag.raw, ""});
        else tags.push_back(std::move(tag));
        i = k + close.size();
        if (raw) i = skip_raw(text, i, open, tags, problems);
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Statements

Statement parse_statement(const TagToken& tag) {
    Statement st;
    if (tag.kind == TagToken::Kind::comment) {
        st.kind = Statement::Kind::comment;
        return st;
    }
    TokenStream ts(tag.inner);
    if (tag.kind == TagToken::Kind::output) {
        st.kind = Statement::Kind::output;
        st.expr = parse_expression(ts);
        if (!ts.at_end())
            throw ParseError("unexpected '" + ts.peek().text + "' after the expression", ts.peek().offset);
        return st;
    }
    std::size_t kw_at = ts.peek().offset;
    std::string kw = ts.expect_name();
    auto end = [&] {
        if (!ts.at_end()) throw ParseError("unexpected '" + ts.peek().text + "' after '" + kw + "'", ts.peek().offset);
    };
    if (kw == "if" || kw == "elif") {
        st.kind = kw == "if" ? Statement::Kind::if_ : Statement::Kind::elif;
        st.expr = parse_expression(ts);
        end();
    } else if (kw == "else") {
        st.kind = Statement::Kind::else_;
        end();
    } else if (kw == "endif") {
        st.kind = Statement::Kind::endif;
        end();
    } else if (kw == "for") {
        st.kind = Statement::Kind::for_;
        st.names.push_back(ts.expect_name());
        while (ts.accept_op(",")) st.names.push_back(ts.expect_name());
        if (!ts.accept_name("in")) throw ParseError("expected 'in' in the for tag", ts.peek().offset);
        st.expr = parse_expression_no_conditional(ts);  // "for x in xs if x.ok": the if is the loop filter
        if (ts.accept_name("if")) st.filter = parse_expression(ts);
        st.recursive = ts.accept_name("recursive");
        end();
    } else if (kw == "endfor") {
        st.kind = Statement::Kind::endfor;
        end();
    } else if (kw == "set") {
        st.kind = Statement::Kind::set;
        st.names.push_back(ts.expect_name());
        if (ts.accept_op(".")) {  // set ns.x = …
            st.names.push_back(ts.expect_name());
            st.member_target = true;
        } else {
            while (ts.accept_op(",")) st.names.push_back(ts.expect_name());  // set a, b = …
        }
        if (!st.member_target && st.names.size() == 1 && (ts.at_end() || ts.peek().text == "|")) {
            // {% set x %}…{% endset %}, {% set x | upper %}…{% endset %}: the block's text (program_blocks.cpp)
            parse_block_statement("set", ts, st);
            return st;
        }
        ts.expect_op("=");
        st.expr = parse_expression(ts);
        end();
    } else if (kw == "vm" || kw == "hm") {
        st.kind = kw == "vm" ? Statement::Kind::vm : Statement::Kind::hm;
        end();
    } else if (kw == "colspan" || kw == "cellbg") {
        st.kind = kw == "colspan" ? Statement::Kind::colspan : Statement::Kind::cellbg;
        st.expr = parse_expression(ts);
        end();
    } else if (kw == "pstyle" || kw == "indent" || kw == "spacebefore" || kw == "cellwidth") {
        st.kind = kw == "pstyle"      ? Statement::Kind::pstyle
                  : kw == "indent"    ? Statement::Kind::indent
                  : kw == "cellwidth" ? Statement::Kind::cellwidth
                                      : Statement::Kind::spacebefore;
        st.expr = parse_expression(ts);
        end();
    } else if (parse_block_statement(kw, ts, st)) {
        end();
    } else {
        static constexpr std::string_view known[] = {"block", "extends", "include", "import", "from", "autoescape"};
        for (auto k : known)
            if (kw == k) throw ParseError("'{% " + kw + " %}' is not supported by vanban", kw_at);
        throw ParseError("unknown tag '" + kw + "'", kw_at);
    }
    return st;
}

// ---------------------------------------------------------------------------------------------------------------
// Building the tree

namespace {

std::string describe(const LocatedTag& t) {
    std::string s = t.token.raw;
    if (t.loc.paragraph > 0) s += " (¶" + std::to_string(t.loc.paragraph) + ")";
    return s;
}

Diagnostic template_error(const SourceLoc& loc, std::string message, std::string hint = {}) {
    Diagnostic d;
    d.kind = DiagnosticKind::template_syntax;
    d.message = std::move(message);
    d.part = loc.part;
    d.paragraph = loc.paragraph;
    d.tag = loc.tag;
    d.context = loc.context;
    d.hint = std::move(hint);
    return d;
}

// The node tree made from the pieces in order: a stack of open blocks (and guards), each collecting its body.
class ProgramBuilder {
public:
    ProgramBuilder(Program& program, std::vector<LocatedTag>& tags, std::vector<Diagnostic>& errors)
        : program_(program), tags_(tags), errors_(errors) {}

    void add(Piece& piece) {
        switch (piece.kind) {
            case Piece::Kind::literal: add_literal(piece.text); break;
            case Piece::Kind::hook: {
                Node n;
                n.kind = Node::Kind::hook;
                n.hook = piece.hook;
                target().push_back(std::move(n));
                break;
            }
            case Piece::Kind::guard_open: {
                Frame f;
                f.kind = FrameKind::guard;
                f.node.kind = Node::Kind::guard;
                f.node.hook = piece.hook;
                stack_.push_back(std::move(f));
                break;
            }
            case Piece::Kind::guard_close: close_guard(); break;
            case Piece::Kind::tag: add_tag(piece.tag); break;
        }
    }

    bool too_deep() const { return too_deep_; }

    // Blocks still open at the end are errors, each at its opening tag.
    void finish() {
        while (!stack_.empty()) {
            if (stack_.back().kind != FrameKind::guard && !too_deep_) {
                const Statement::Kind opener = stack_.back().opener;
                errors_.push_back(template_error(
                    tag(stack_.back().tag).loc, "{% " + std::string(block_keyword(opener)) + " %} is never closed",
                    "add {% " + std::string(block_keyword(Statement::closer_of(opener))) + " %}"));
            }
            close_frame();
        }
    }

private:
    enum class FrameKind { if_, for_, guard, block /* macro, call, filter, with, set block */ };
    struct Frame {
        Node node;
        FrameKind kind = FrameKind::guard;
        int tag = -1;
        bool in_else = false;
        Statement::Kind opener = Statement::Kind::output;  // the statement that opened it (none for a guard)
    };

    Program& program_;
    std::vector<LocatedTag>& tags_;
    std::vector<Diagnostic>& errors_;
    std::vector<Frame> stack_;
    std::size_t open_blocks_ = 0;  // block frames on the stack
    bool too_deep_ = false;        // stop building: the structure is beyond repair

    LocatedTag& tag(int index) { return tags_[static_cast<std::size_t>(index)]; }

    std::vector<Node>& target() {
        if (stack_.empty()) return program_.nodes;
        Frame& f = stack_.back();
        switch (f.kind) {
            case FrameKind::if_: return f.in_else ? f.node.body : f.node.branches.back().second;
            case FrameKind::for_: return f.in_else ? f.node.else_body : f.node.body;
            case FrameKind::guard:
            case FrameKind::block: return f.node.body;
        }
        return program_.nodes;
    }

    void add_literal(std::string_view text) {
        if (text.empty()) return;
        program_.literal_bytes += text.size();
        auto& t = target();
        if (!t.empty() && t.back().kind == Node::Kind::literal) {
            t.back().text += text;
        } else {
            Node n;
            n.kind = Node::Kind::literal;
            n.text = std::string(text);
            t.push_back(std::move(n));
        }
    }

    void close_frame() {
        Frame f = std::move(stack_.back());
        stack_.pop_back();
        if (f.kind != FrameKind::guard) --open_blocks_;
        target().push_back(std::move(f.node));
    }

    void open_block(Frame f, const LocatedTag& t) {
        if (open_blocks_ >= kMaxBlockDepth) {
            errors_.push_back(template_error(t.loc,
                                             "blocks are nested more than " + std::to_string(kMaxBlockDepth) + " deep",
                                             "close some {% if %} or {% for %} blocks first"));
            too_deep_ = true;
            return;
        }
        ++open_blocks_;
        stack_.push_back(std::move(f));
    }

    // Blocks opened inside the cell (or the table) must close inside it.
    void close_guard() {
        while (!stack_.empty() && stack_.back().kind != FrameKind::guard) {
            const bool table = [&] {
                for (auto it = stack_.rbegin(); it != stack_.rend(); ++it)
                    if (it->kind == FrameKind::guard) return it->node.hook == kTableGuard;
                return false;
            }();
            errors_.push_back(template_error(
                tag(stack_.back().tag).loc,
                table ? "block is not closed inside its table" : "block is not closed inside its table cell",
                "close it in the same cell, or put the whole table inside the block"));
            close_frame();
        }
        if (!stack_.empty()) close_frame();
    }

    void add_tag(int index) {
        LocatedTag& t = tag(index);
        Statement& st = t.statement;
        using K = Statement::Kind;
        switch (st.kind) {
            case K::output:
            case K::set: {
                Node n;
                n.kind = st.kind == K::output ? Node::Kind::output : Node::Kind::set;
                n.expr = std::move(st.expr);
                n.names = std::move(st.names);
                n.member_target = st.member_target;
                n.site = st.kind == K::output ? t.site : -1;
                n.loc = index;
                target().push_back(std::move(n));
                break;
            }
            case K::if_:
            case K::for_:
            case K::macro:
            case K::call:
            case K::filter:
            case K::with:
            case K::set_block: open_statement(index); break;
            case K::elif:
            case K::else_: middle_statement(t); break;
            case K::endif:
            case K::endfor:
            case K::endmacro:
            case K::endcall:
            case K::endfilter:
            case K::endwith:
            case K::endset: close_statement(t); break;
            default:
                break;  // comments; table helpers are applied by the adapter at compile time; raw/endraw: the
                        // scanner kept the text between them as it is
        }
    }

    void open_statement(int index) {
        LocatedTag& t = tag(index);
        Statement& st = t.statement;
        using K = Statement::Kind;
        Frame f;
        f.tag = index;
        f.opener = st.kind;
        if (st.kind == K::if_) {
            f.kind = FrameKind::if_;
            f.node.kind = Node::Kind::if_;
            f.node.loc = index;
            f.node.branches.emplace_back(std::move(st.expr), std::vector<Node>{});
        } else if (st.kind == K::for_) {
            f.kind = FrameKind::for_;
            f.node.kind = Node::Kind::for_;
            f.node.loc = index;
            f.node.expr = std::move(st.expr);
            f.node.filter = std::move(st.filter);
            f.node.names = std::move(st.names);
            f.node.recursive = st.recursive;
        } else {
            f.kind = FrameKind::block;
            f.node = block_node(st, index);
        }
        open_block(std::move(f), t);
    }

    void middle_statement(LocatedTag& t) {
        if (t.statement.kind == Statement::Kind::elif) {
            if (stack_.empty() || stack_.back().kind != FrameKind::if_)
                return errors_.push_back(template_error(t.loc, "{% elif %} without a matching {% if %}"));
            if (stack_.back().in_else) return errors_.push_back(template_error(t.loc, "{% elif %} after {% else %}"));
            stack_.back().node.branches.emplace_back(std::move(t.statement.expr), std::vector<Node>{});
            return;
        }
        if (stack_.empty() || stack_.back().kind == FrameKind::guard || stack_.back().kind == FrameKind::block)
            return errors_.push_back(template_error(t.loc, "{% else %} without a matching {% if %} or {% for %}"));
        if (stack_.back().in_else)
            return errors_.push_back(template_error(t.loc, "second {% else %} in the same block"));
        stack_.back().in_else = true;
    }

    void close_statement(const LocatedTag& t) {
        const Statement::Kind kind = t.statement.kind;
        const std::string name = "{% " + std::string(block_keyword(kind)) + " %}";
        const std::string opener = "{% " + std::string(block_keyword(opener_of(kind))) + " %}";
        if (stack_.empty() || stack_.back().kind == FrameKind::guard) {
            const bool crossing = !stack_.empty();
            errors_.push_back(template_error(
                t.loc, name + " without a matching " + opener,
                crossing ? "its opening tag is outside this table cell; blocks must not cross table structure" : ""));
            return;
        }
        if (Statement::closer_of(stack_.back().opener) != kind) {
            errors_.push_back(
                template_error(t.loc, name + " found while " + describe(tag(stack_.back().tag)) + " is still open"));
            // recover: if the expected frame is just below, close the inner one
            if (stack_.size() >= 2 && Statement::closer_of(stack_[stack_.size() - 2].opener) == kind) {
                close_frame();
                close_frame();
            }
            return;
        }
        if (auto problem = text_block_problem(tag(stack_.back().tag), t)) errors_.push_back(std::move(*problem));
        close_frame();
    }
};

}  // namespace

Program build_program(std::vector<Piece> pieces, std::vector<LocatedTag> tags, std::vector<OutputSite> sites,
                      std::vector<Diagnostic>& errors) {
    Program program;
    program.sites = std::move(sites);
    program.has_tags = !tags.empty();
    for (auto& t : tags) program.locs.push_back(t.loc);
    ProgramBuilder builder(program, tags, errors);
    for (auto& piece : pieces) {
        if (builder.too_deep()) break;
        builder.add(piece);
    }
    builder.finish();
    return program;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

long RenderedTag::number(std::string_view attribute, long fallback) const {
    const std::string key = " " + std::string(attribute) + "=\"";
    const std::size_t at = text.find(key);
    if (at == std::string_view::npos) return fallback;
    // Clamped to ±kMaxTagNumber: a template's absurd span or repeat count must not overflow the sums made of it.
    const char* first = text.data() + at + key.size();
    const char* last = text.data() + text.size();
    long value = 0;
    const auto [end, ec] = std::from_chars(first + (first < last && *first == '+'), last, value);
    if (ec == std::errc::result_out_of_range) return *first == '-' ? -kMaxTagNumber : kMaxTagNumber;
    if (ec != std::errc()) return 0;
    return std::clamp(value, -kMaxTagNumber, kMaxTagNumber);
}

void escape_xml_attribute(std::string& out, std::string_view s) {
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\n': out += "&#10;"; break;
            case '\t': out += "&#9;"; break;
            case '\r': break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) break;
                out += c;
        }
    }
}

void render_program(const Program& program, const Emitter& emitter, std::string& out, RenderState& state) {
    render_detail::Renderer r{program, emitter, state, {}};
    r.run(program.nodes, out);
}

// ---------------------------------------------------------------------------------------------------------------
// Usage (inspect)

namespace {

struct UsageWalker {
    Usage& usage;
    std::vector<std::pair<std::string, std::vector<std::string>>> bindings;  // loop var -> data path

    std::optional<std::vector<std::string>> path_of(const Expr& e) {
        switch (e.kind) {
            case Expr::Kind::name: {
                if (e.name == "loop") return std::nullopt;
                for (auto it = bindings.rbegin(); it != bindings.rend(); ++it)
                    if (it->first == e.name) return it->second;
                return std::vector<std::string>{e.name};
            }
            case Expr::Kind::attr: {
                auto p = path_of(*e.args[0]);
                if (!p) return std::nullopt;
                p->push_back(e.name);
                return p;
            }
            case Expr::Kind::index: {
                auto p = path_of(*e.args[0]);
                if (!p) return std::nullopt;
                const Expr& k = *e.args[1];
                if (k.kind == Expr::Kind::literal && k.literal.is_string()) p->push_back(k.literal.get<std::string>());
                else p->push_back("[]");
                return p;
            }
            default: return std::nullopt;
        }
    }

    json* node_at(const std::vector<std::string>& path, bool as_list_leaf) {
        json* cur = &usage.skeleton;
        for (std::size_t i = 0; i < path.size(); ++i) {
            const std::string& seg = path[i];
            bool last = i + 1 == path.size();
            if (seg == "[]") {
                if (!cur->is_array() || cur->empty()) *cur = json::array({json::object()});
                cur = &(*cur)[0];
            } else {
                if (!cur->is_object()) *cur = json::object();
                json& child = (*cur)[seg];
                if (child.is_null())
                    child = last ? (as_list_leaf ? json::array({json::object()}) : json("")) : json::object();
                else if (last && as_list_leaf && !child.is_array()) child = json::array({json::object()});
                cur = &child;
            }
        }
        return cur;
    }

    void visit_expr(const Expr& e) {
        if (auto p = path_of(e)) {
            json* leaf = node_at(*p, false);
            (void)leaf;
            return;
        }
        // A call's subject is a function (range) or a method (x.items): not data; a method's object is.
        const bool call = e.kind == Expr::Kind::call && !e.args.empty();
        if (call && e.args[0]->kind == Expr::Kind::attr) visit_expr(*e.args[0]->args[0]);
        for (std::size_t i = call ? 1 : 0; i < e.args.size(); ++i) visit_expr(*e.args[i]);
        for (const auto& [k, v] : e.kwargs) visit_expr(*v);
    }

    // A block whose names (with's, a macro's parameters) are the template's, not data; a set block's name too.
    void walk_scoped(const Node& n) {
        for (const auto& value : n.values)
            if (value) visit_expr(*value);
        const std::size_t mark = bindings.size();
        for (const std::string& name : n.names) bindings.emplace_back(name, std::vector<std::string>{"[set]"});
        walk(n.body);
        if (n.kind != Node::Kind::set_block) bindings.resize(mark);
    }

    void walk(const std::vector<Node>& nodes) {
        for (const Node& n : nodes) {
            switch (n.kind) {
                case Node::Kind::output:
                    usage.outputs.push_back(n.expr->text);
                    visit_expr(*n.expr);
                    break;
                case Node::Kind::set:
                    visit_expr(*n.expr);
                    if (!n.member_target)
                        for (const std::string& name : n.names)
                            bindings.emplace_back(name, std::vector<std::string>{"[set]"});
                    break;
                case Node::Kind::if_:
                    for (const auto& [c, body] : n.branches) {
                        usage.conditions.push_back(c->text);
                        visit_expr(*c);
                        walk(body);
                    }
                    walk(n.body);
                    break;
                case Node::Kind::for_: {
                    usage.loops.push_back(n.names[0] + " in " + n.expr->text);
                    auto p = path_of(*n.expr);
                    std::size_t mark = bindings.size();
                    if (p) {
                        node_at(*p, true);
                        auto elem = *p;
                        elem.push_back("[]");
                        bindings.emplace_back(n.names[0], elem);
                    } else {
                        visit_expr(*n.expr);
                        bindings.emplace_back(n.names[0], std::vector<std::string>{"[computed]"});
                    }
                    walk(n.body);
                    walk(n.else_body);
                    bindings.resize(mark);
                    break;
                }
                case Node::Kind::guard:
                case Node::Kind::filter_block:
                case Node::Kind::call_block: walk(n.body); break;
                case Node::Kind::with:
                case Node::Kind::set_block:
                case Node::Kind::macro: walk_scoped(n); break;
                default: break;
            }
        }
    }
};

void drop_internal(json& j) {
    if (j.is_object()) {
        j.erase("[set]");
        j.erase("[computed]");
        for (auto& [k, v] : j.items()) drop_internal(v);
    } else if (j.is_array()) {
        for (auto& v : j) drop_internal(v);
    }
}

}  // namespace

void collect_usage(const Program& program, Usage& usage) {
    UsageWalker w{usage, {}};
    w.walk(program.nodes);
    drop_internal(usage.skeleton);
}

Diagnostic part_too_large(const std::string& part) {
    Diagnostic d;
    d.kind = DiagnosticKind::limit;
    d.code = "template.part_too_large";
    d.part = part;
    d.message =
        "the part is larger than " + std::to_string(kMaxTemplatedPartSize >> 20) + " MiB, more than any document needs";
    d.message_vi = "phần " + part + " của mẫu lớn hơn " + std::to_string(kMaxTemplatedPartSize >> 20) +
                   " MiB, quá lớn đối với một văn bản";
    return d;
}

}  // namespace vanban::core
