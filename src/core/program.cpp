#include "core/program.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include "core/filters.hpp"
#include "core/richtext.hpp"
#include "core/vn.hpp"
#include "json/pointer.hpp"

namespace vanban::core {

// ---------------------------------------------------------------------------------------------------------------
// Tag scanning

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string clip(std::string_view s, std::size_t n = 40) {
    if (s.size() <= n) return std::string(s);
    return std::string(vn::utf8_prefix(s, n)) + "…";
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
        tag.kind = kind == '{' ? TagToken::Kind::output : kind == '%' ? TagToken::Kind::statement : TagToken::Kind::comment;
        std::string_view close = kind == '{' ? "}}" : kind == '%' ? "%}" : "#}";
        std::size_t j = open + 2;
        // whitespace-control and docxtpl level markers right after the opener
        if (j < n && text[j] == '-') {
            tag.trim_left = true;
            ++j;
        } else if (j < n && text[j] == '+') {
            ++j;
        }
        struct Prefix { std::string_view p; TagLevel level; };
        static constexpr Prefix prefixes[] = {{"tr", TagLevel::row}, {"tc", TagLevel::cell}, {"p", TagLevel::paragraph},
                                              {"r", TagLevel::run}};
        for (auto [p, level] : prefixes) {
            if (text.compare(j, p.size(), p) == 0 && j + p.size() < n &&
                is_space(text[j + p.size()])) {
                // "{{ r }}" is the variable r; "{{r x}}" / "{%tr for %}" are docxtpl levels. As in docxtpl, a space
                // follows the level letters: "{#p bỏ #}" removes its paragraph, "{#phần này#}" is only a comment.
                tag.level = level;
                j += p.size();
                break;
            }
        }
        // find the closer, skipping string literals in expressions
        std::size_t k = j;
        bool closed = false;
        char quote = 0;
        while (k < n) {
            char c = text[k];
            if (c == barrier || c == '\x02') break;
            if (quote) {
                if (c == '\\' && k + 1 < n) { k += 2; continue; }
                if (c == quote) quote = 0;
                ++k;
                continue;
            }
            if (kind != '#' && (c == '"' || c == '\'')) { quote = c; ++k; continue; }
            if (text.compare(k, close.size(), close) == 0) {
                closed = true;
                break;
            }
            ++k;
        }
        if (!closed && quote) {
            // an unbalanced quote: retry without string awareness so the error names the right tag
            std::size_t k2 = text.find(close, j);
            std::size_t b = text.find(barrier, j);
            if (k2 != std::string_view::npos && (b == std::string_view::npos || k2 < b)) {
                problems.push_back({"unterminated string in tag", open, clip(text.substr(open, k2 + 2 - open), 80), ""});
                i = k2 + 2;
                continue;
            }
        }
        if (!closed) {
            bool at_barrier = k < n && (text[k] == barrier || text[k] == '\x02');
            problems.push_back({at_barrier ? "tag is interrupted by a picture, field or tab" : "tag is not closed (missing '" + std::string(close) + "')",
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
        std::string_view inner = text.substr(j, inner_end - j);
        while (!inner.empty() && is_space(inner.front())) inner.remove_prefix(1);
        while (!inner.empty() && is_space(inner.back())) inner.remove_suffix(1);
        tag.inner = std::string(inner);
        if (tag.kind != TagToken::Kind::comment && tag.inner.empty())
            problems.push_back({"empty tag", open, tag.raw, ""});
        else
            tags.push_back(std::move(tag));
        i = k + close.size();
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
        if (!ts.at_end()) throw ParseError("unexpected '" + ts.peek().text + "' after the expression", ts.peek().offset);
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
        if (ts.accept_name("recursive"))
            throw ParseError("recursive loops are not supported", ts.peek().offset);
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
        if (ts.at_end())
            throw ParseError("expected '=' in the set tag (a set block {% set x %}…{% endset %} is not supported by vanban)",
                             ts.peek().offset);
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
        st.kind = kw == "pstyle"    ? Statement::Kind::pstyle
                  : kw == "indent"  ? Statement::Kind::indent
                  : kw == "cellwidth" ? Statement::Kind::cellwidth
                                      : Statement::Kind::spacebefore;
        st.expr = parse_expression(ts);
        end();
    } else {
        static constexpr std::string_view known[] = {"macro", "call", "filter", "block", "extends", "include", "import",
                                                     "with", "raw", "autoescape"};
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

}  // namespace

Program build_program(std::vector<Piece> pieces, std::vector<LocatedTag> tags, std::vector<OutputSite> sites,
                      std::vector<Diagnostic>& errors) {
    Program program;
    program.sites = std::move(sites);
    program.has_tags = !tags.empty();
    for (auto& t : tags) program.locs.push_back(t.loc);

    enum class FrameKind { if_, for_, guard };
    struct Frame {
        Node node;
        FrameKind kind;
        int tag = -1;
        bool in_else = false;
    };
    std::vector<Frame> stack;
    std::size_t open_blocks = 0;  // if/for frames on the stack
    bool too_deep = false;        // stop building: the structure is beyond repair

    auto target = [&]() -> std::vector<Node>& {
        if (stack.empty()) return program.nodes;
        Frame& f = stack.back();
        switch (f.kind) {
            case FrameKind::if_: return f.in_else ? f.node.body : f.node.branches.back().second;
            case FrameKind::for_: return f.in_else ? f.node.else_body : f.node.body;
            case FrameKind::guard: return f.node.body;
        }
        return program.nodes;
    };
    auto add_literal = [&](std::string_view text) {
        if (text.empty()) return;
        program.literal_bytes += text.size();
        auto& t = target();
        if (!t.empty() && t.back().kind == Node::Kind::literal) {
            t.back().text += text;
        } else {
            Node n;
            n.kind = Node::Kind::literal;
            n.text = std::string(text);
            t.push_back(std::move(n));
        }
    };
    auto close_frame = [&] {
        Frame f = std::move(stack.back());
        stack.pop_back();
        if (f.kind != FrameKind::guard) --open_blocks;
        target().push_back(std::move(f.node));
    };

    auto open_block = [&](Frame f, const LocatedTag& t) {
        if (open_blocks >= kMaxBlockDepth) {
            errors.push_back(template_error(t.loc, "blocks are nested more than " + std::to_string(kMaxBlockDepth) +
                                                       " deep", "close some {% if %} or {% for %} blocks first"));
            too_deep = true;
            return;
        }
        ++open_blocks;
        stack.push_back(std::move(f));
    };

    for (auto& piece : pieces) {
        if (too_deep) break;
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
                stack.push_back(std::move(f));
                break;
            }
            case Piece::Kind::guard_close: {
                // Blocks opened inside the cell (or the table) must close inside it.
                while (!stack.empty() && stack.back().kind != FrameKind::guard) {
                    const auto& t = tags[static_cast<std::size_t>(stack.back().tag)];
                    const bool table = [&] {
                        for (auto it = stack.rbegin(); it != stack.rend(); ++it)
                            if (it->kind == FrameKind::guard) return it->node.hook == kTableGuard;
                        return false;
                    }();
                    errors.push_back(template_error(t.loc, table ? "block is not closed inside its table"
                                                                 : "block is not closed inside its table cell",
                                                    "close it in the same cell, or put the whole table inside the block"));
                    close_frame();
                }
                if (!stack.empty()) close_frame();
                break;
            }
            case Piece::Kind::tag: {
                LocatedTag& t = tags[static_cast<std::size_t>(piece.tag)];
                Statement& st = t.statement;
                using K = Statement::Kind;
                switch (st.kind) {
                    case K::output: {
                        Node n;
                        n.kind = Node::Kind::output;
                        n.expr = std::move(st.expr);
                        n.site = t.site;
                        n.loc = piece.tag;
                        target().push_back(std::move(n));
                        break;
                    }
                    case K::comment:
                    case K::vm:
                    case K::hm:
                    case K::colspan:
                    case K::cellbg:
                    case K::pstyle:
                    case K::indent:
                    case K::spacebefore:
                    case K::cellwidth:
                        break;  // table helpers are applied by the adapter at compile time
                    case K::set: {
                        Node n;
                        n.kind = Node::Kind::set;
                        n.expr = std::move(st.expr);
                        n.names = std::move(st.names);
                        n.member_target = st.member_target;
                        n.loc = piece.tag;
                        target().push_back(std::move(n));
                        break;
                    }
                    case K::if_: {
                        Frame f;
                        f.kind = FrameKind::if_;
                        f.tag = piece.tag;
                        f.node.kind = Node::Kind::if_;
                        f.node.loc = piece.tag;
                        f.node.branches.emplace_back(std::move(st.expr), std::vector<Node>{});
                        open_block(std::move(f), t);
                        break;
                    }
                    case K::for_: {
                        Frame f;
                        f.kind = FrameKind::for_;
                        f.tag = piece.tag;
                        f.node.kind = Node::Kind::for_;
                        f.node.loc = piece.tag;
                        f.node.expr = std::move(st.expr);
                        f.node.filter = std::move(st.filter);
                        f.node.names = std::move(st.names);
                        open_block(std::move(f), t);
                        break;
                    }
                    case K::elif: {
                        if (stack.empty() || stack.back().kind != FrameKind::if_) {
                            errors.push_back(template_error(t.loc, "{% elif %} without a matching {% if %}"));
                            break;
                        }
                        Frame& f = stack.back();
                        if (f.in_else) {
                            errors.push_back(template_error(t.loc, "{% elif %} after {% else %}"));
                            break;
                        }
                        f.node.branches.emplace_back(std::move(st.expr), std::vector<Node>{});
                        break;
                    }
                    case K::else_: {
                        if (stack.empty() || stack.back().kind == FrameKind::guard) {
                            errors.push_back(template_error(t.loc, "{% else %} without a matching {% if %} or {% for %}"));
                            break;
                        }
                        Frame& f = stack.back();
                        if (f.in_else) {
                            errors.push_back(template_error(t.loc, "second {% else %} in the same block"));
                            break;
                        }
                        f.in_else = true;
                        break;
                    }
                    case K::endif:
                    case K::endfor: {
                        FrameKind want = st.kind == K::endif ? FrameKind::if_ : FrameKind::for_;
                        const char* name = st.kind == K::endif ? "{% endif %}" : "{% endfor %}";
                        const char* opener = st.kind == K::endif ? "{% if %}" : "{% for %}";
                        if (stack.empty() || stack.back().kind == FrameKind::guard) {
                            bool crossing = !stack.empty();
                            errors.push_back(template_error(
                                t.loc, std::string(name) + " without a matching " + opener,
                                crossing ? "its opening tag is outside this table cell; blocks must not cross table structure"
                                         : ""));
                            break;
                        }
                        if (stack.back().kind != want) {
                            const auto& open = tags[static_cast<std::size_t>(stack.back().tag)];
                            errors.push_back(template_error(t.loc, std::string(name) + " found while " + describe(open) +
                                                                       " is still open"));
                            // recover: if the expected frame is just below, close the inner one
                            if (stack.size() >= 2 && stack[stack.size() - 2].kind == want) {
                                close_frame();
                                close_frame();
                            }
                            break;
                        }
                        close_frame();
                        break;
                    }
                }
                break;
            }
        }
    }
    while (!stack.empty()) {
        if (stack.back().kind != FrameKind::guard && !too_deep) {
            const auto& t = tags[static_cast<std::size_t>(stack.back().tag)];
            bool is_if = stack.back().kind == FrameKind::if_;
            errors.push_back(template_error(t.loc, std::string(is_if ? "{% if %}" : "{% for %}") + " is never closed",
                                            std::string("add ") + (is_if ? "{% endif %}" : "{% endfor %}")));
        }
        close_frame();
    }
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


namespace {

struct Renderer {
    const Program& program;
    const Emitter& emitter;
    RenderState& state;
    std::set<std::pair<int, std::string>> reported;  // one diagnostic per tag and message, not one per iteration

    void error(const EvalError& e, int loc) {
        if (e.after_error) return;  // the error it follows from is reported
        // Repeats are dropped before the search for the pointer, which walks the data.
        if (reported.contains({loc, e.what()})) return;
        // Point into the data: the object that lacks a key (plus the key), or the offending value itself.
        std::string pointer;
        bool found = false;
        if (e.parent) {
            pointer = pointer_of(state.scope.root(), e.parent);
            found = e.parent == &state.scope.root() || !pointer.empty();
        }
        if (found && !e.key.empty()) vanban::json_data::append_pointer_token(pointer, e.key);
        if (e.limit) {
            error(loc, DiagnosticKind::limit, e.what(), e.hint, std::move(pointer));
            // A limit on the whole render (expression work, computed values, loop iterations, pictures per document)
            // stops it; one on a single value of the data (a picture too large, located by its pointer) refuses that
            // value, and the render goes on to find the other problems.
            if (!e.parent) state.aborted = true;
            return;
        }
        error(loc, DiagnosticKind::data, e.what(), e.hint, std::move(pointer));
        if (!e.code.empty() && !state.errors.empty() && state.errors.back().message == e.what()) {
            state.errors.back().code = e.code;
            state.errors.back().message_vi = e.message_vi;
        }
    }

    void error(int loc, DiagnosticKind kind, std::string message, std::string hint, std::string pointer = {}) {
        if (!reported.emplace(loc, message).second) return;
        Diagnostic d;
        d.kind = kind;
        d.message = std::move(message);
        d.hint = std::move(hint);
        d.json_pointer = std::move(pointer);
        if (loc >= 0) {
            const SourceLoc& l = program.locs[static_cast<std::size_t>(loc)];
            d.part = l.part;
            d.paragraph = l.paragraph;
            d.tag = l.tag;
            d.context = l.context;
        }
        state.errors.push_back(std::move(d));
    }

    void check_size(const std::string& out, int loc) {
        if (!state.aborted && state.output_before + out.size() > state.limits.max_output_bytes) {
            error(loc, DiagnosticKind::limit,
                  "the document would be larger than the limit of " + std::to_string(state.limits.max_output_bytes) +
                      " bytes",
                  "raise the output size limit (--max-output-size) if this is intended");
            state.aborted = true;
        }
    }

    // Writes a value in slices of about a MiB, checking the size after each: escaping can make text many times longer
    // (a line break becomes a run break), so a big value never gets far past the output limit.
    void emit_text(std::string& out, std::string_view text, const OutputSite& site, int loc) {
        constexpr std::size_t kSlice = 1u << 20;
        while (!text.empty() && !state.aborted) {
            std::size_t n = std::min(text.size(), kSlice);
            while (n < text.size() && n > 1 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;  // whole code points
            emitter.text(out, text.substr(0, n), site);
            text.remove_prefix(n);
            check_size(out, loc);
        }
    }

    void run(const std::vector<Node>& nodes, std::string& out) {
        for (const Node& n : nodes) {
            if (state.aborted) return;
            switch (n.kind) {
                case Node::Kind::literal: out += n.text; break;
                case Node::Kind::output: output(n, out); break;
                case Node::Kind::if_: branch(n, out); break;
                case Node::Kind::for_: loop(n, out); break;
                case Node::Kind::set: assign(n); break;
                case Node::Kind::hook: emitter.hook(out, n.hook, state); break;
                case Node::Kind::guard: {
                    std::size_t start = out.size();
                    run(n.body, out);
                    if (n.hook == kTableGuard) emitter.fix_table(out, start);
                    else if (!emitter.has_paragraph(std::string_view(out).substr(start))) out += emitter.empty_paragraph();
                    break;
                }
            }
        }
    }

    // U+FFFE and U+FFFF are valid in JSON strings but not in XML: they are dropped like the control characters.
    static std::string xml_characters(std::string text) {
        for (std::size_t p = text.find("\xEF\xBF"); p != std::string::npos; p = text.find("\xEF\xBF", p)) {
            if (p + 2 < text.size() && (text[p + 2] == '\xBE' || text[p + 2] == '\xBF')) text.erase(p, 3);
            else p += 2;
        }
        return text;
    }

    static bool ascii(std::string_view s) {
        for (char c : s)
            if (static_cast<unsigned char>(c) >= 0x80) return false;
        return true;
    }

    void output(const Node& n, std::string& out) {
        try {
            Value v = evaluate(*n.expr, state.ctx);
            const OutputSite& site = program.sites[static_cast<std::size_t>(n.site)];
            if (v.is_image() || (v.is_json() && is_image_object(v.j()))) {
                if (site.context != OutputSite::Context::run_text) {
                    EvalError e("a picture cannot stand in an XML attribute",
                                "put the tag in the text of a paragraph, alone or with other text");
                    if (v.is_json()) e.parent = &v.j();
                    throw e;
                }
                emitter.image(out, *(v.is_image() ? v.image_ptr() : to_image(v, {}, state.ctx)), site, state);
                return;
            }
            if (v.is_json() && is_subdoc_object(v.j())) {
                if (site.context != OutputSite::Context::run_text) {
                    EvalError e("a sub-document cannot stand in an XML attribute", "put {{p … }} alone in a paragraph");
                    e.parent = &v.j();
                    throw e;
                }
                emitter.subdoc(out, v.j(), site, state);
                return;
            }
            if (v.is_json() && site.context == OutputSite::Context::run_text) {
                const bool run_level = site.level == TagLevel::run || site.level == TagLevel::paragraph;
                if (auto object = docxtpl_value(v, run_level)) v = std::move(*object);
            }
            if (v.is_rich()) {
                if (site.context != OutputSite::Context::run_text) emitter.text(out, v.rich_text().plain(), site);
                else if (site.prop_exprs.empty()) emitter.rich(out, v.rich_text(), site, state);
                else emitter.rich(out, v.rich_text(), resolve_props(site), state);
                return;
            }
            std::string text = to_text(v, state.ctx);
            if (!ascii(text)) text = xml_characters(vn::nfc(text));
            // A value that starts paragraphs (\a, \f) writes the host's properties: their tags are evaluated then.
            if (!site.prop_exprs.empty() && text.find_first_of("\a\f") != std::string::npos)
                emit_text(out, text, resolve_props(site), n.loc);
            else
                emit_text(out, text, site, n.loc);
        } catch (const EvalError& e) {
            error(e, n.loc);
        }
    }

    // docxtpl's Listing, RichText and RichTextParagraph in their JSON forms (richtext.hpp), as rich text.
    static std::optional<Value> docxtpl_value(const Value& v, bool run_level) {
        try {
            auto rich = docxtpl_object(v.j(), run_level);
            if (!rich) return std::nullopt;
            return Value::rich(std::make_shared<const RichText>(std::move(*rich)));
        } catch (const RichTextError& e) {
            EvalError error(e.what(), "see docs/template-language.md, \"docxtpl's objects\"");
            error.parent = &v.j();
            error.code = "data.rich_text";
            error.message_vi = e.message_vi;
            throw error;
        }
    }

    // The host run's (and paragraph's) properties with their attribute tags evaluated.
    OutputSite resolve_props(const OutputSite& site) {
        std::vector<std::string> values;
        for (const auto& e : site.prop_exprs) {
            std::string escaped;
            escape_xml_attribute(escaped, to_text(evaluate(*e, state.ctx), state.ctx));
            values.push_back(std::move(escaped));
        }
        auto filled = [&](const std::string& src, const std::vector<OutputSite::PropSlot>& slots) {
            std::string dst;
            std::size_t pos = 0;
            for (const auto& slot : slots) {
                dst.append(src, pos, slot.offset - pos);
                dst += values.at(slot.expr);
                pos = slot.offset;
            }
            dst.append(src, pos, std::string::npos);
            return dst;
        };
        OutputSite resolved = site;
        resolved.prop_exprs.clear();
        for (std::size_t v = 0; v < site.run_props.size(); ++v) {
            resolved.run_props[v] = filled(site.run_props[v], site.prop_slots[v]);
            resolved.prop_slots[v].clear();
        }
        resolved.paragraph_props = filled(site.paragraph_props, site.paragraph_prop_slots);
        resolved.paragraph_prop_slots.clear();
        return resolved;
    }

    void branch(const Node& n, std::string& out) {
        for (const auto& [cond, body] : n.branches) {
            bool taken = false;
            try {
                taken = truthy(evaluate(*cond, state.ctx), state.ctx);
            } catch (const EvalError& e) {
                error(e, n.loc);
                return;
            }
            if (taken) {
                run(body, out);
                return;
            }
        }
        run(n.body, out);
    }

    void assign(const Node& n) {
        try {
            Value v = evaluate(*n.expr, state.ctx);
            if (n.member_target) return assign_member(n, std::move(v));
            if (n.names.size() == 1) return state.scope.assign(n.names.front(), std::move(v), frame_floor);
            // set a, b = [1, 2]: as many items as names, as Python unpacks
            const json& items = v.is_json() ? v.j() : throw EvalError("'" + n.expr->text + "' is not a list to unpack");
            if (!items.is_array() || items.size() != n.names.size())
                throw coded_error("data.unpack", "'" + n.expr->text + "' does not have " + std::to_string(n.names.size()) + " items to unpack",
                                  "\"" + n.expr->text + "\" không có đúng " + std::to_string(n.names.size()) + " mục để gán cho " +
                                      std::to_string(n.names.size()) + " tên");
            for (std::size_t i = 0; i < n.names.size(); ++i) state.scope.assign(n.names[i], v.child(items[i]), frame_floor);
        } catch (const EvalError& e) {
            error(e, n.loc);
            // The names are left undefined in a way their uses further on do not report again: the render fails on
            // this one error, and other mistakes are still found.
            if (n.member_target) return;
            for (const std::string& name : n.names)
                state.scope.assign(name, Value::undefined_after_error(name), frame_floor);
        }
    }

    // set ns.x = v: the member of a mapping the template made (namespace(), dict(), a literal), changed in place where
    // it is bound — so a loop can carry a value out, as with Jinja's namespace. Data from the file is never changed.
    void assign_member(const Node& n, Value v) {
        json* mapping = state.scope.owned_binding(n.names[0]);
        if (!mapping || !mapping->is_object())
            throw coded_error("data.not_a_namespace", "'" + n.names[0] + "' is not a namespace the template made: only its members can be set",
                              "\"" + n.names[0] + "\" không phải namespace do mẫu tạo ra, không gán được \"" + n.names[0] + "." + n.names[1] +
                                  "\" — dữ liệu từ tệp không bị sửa",
                              "write {% set " + n.names[0] + " = namespace(" + n.names[1] + "=…) %} first");
        (*mapping)[n.names[1]] = std::move(v).take();
        state.ctx.account(*mapping);
    }

    std::size_t frame_floor = 0;

    void loop(const Node& n, std::string& out) {
        Value iterable;
        try {
            iterable = evaluate(*n.expr, state.ctx);
        } catch (const EvalError& e) {
            error(e, n.loc);
            return;
        }
        const json* list = nullptr;
        json items_of_mapping;
        if (iterable.is_undefined()) {
            if (!state.ctx.lenient) {
                EvalError e("'" + iterable.undefined_what() + "' is missing from the data",
                            "a loop needs a list; give an empty list [] when there is nothing to repeat");
                e.parent = iterable.undefined_info().parent;
                e.key = iterable.undefined_info().key;
                error(e, n.loc);
                return;
            }
        } else if (iterable.is_json()) {
            const json& j = iterable.j();
            if (j.is_array()) {
                list = &j;
            } else if (j.is_object() && n.names.size() == 1) {
                // Jinja iterates a mapping's keys
                items_of_mapping = json::array();
                for (const std::string_view key : state.ctx.keys_of(j)) items_of_mapping.push_back(key);
                list = &items_of_mapping;
            } else if (!(j.is_null() && state.ctx.lenient)) {
                EvalError e("'" + n.expr->text + "' is " + std::string(j.type_name()) + ", not a list: cannot loop over it",
                            j.is_null() ? "give a list, or [] for none" : "");
                e.parent = &j;
                error(e, n.loc);
                return;
            }
        } else {
            error(n.loc, DiagnosticKind::data, "'" + n.expr->text + "' cannot be looped over", "");
            return;
        }
        static const json empty = json::array();
        if (!list) list = &empty;

        // for ... if filter: decide the items first so loop.length/last are right
        std::vector<std::size_t> chosen;
        json filtered;
        const json* items = list;
        std::size_t mark = state.scope.mark();
        if (n.filter) {
            filtered = json::array();
            for (std::size_t i = 0; i < list->size(); ++i) {
                std::size_t m = state.scope.mark();
                bind_targets(n, (*list)[i]);
                bool keep = false;
                try {
                    keep = truthy(evaluate(*n.filter, state.ctx), state.ctx);
                } catch (const EvalError& e) {
                    error(e, n.loc);
                }
                state.scope.pop_to(m);
                if (keep) filtered.push_back((*list)[i]);
            }
            items = &filtered;
        }
        if (items->empty()) {
            run(n.else_body, out);
            return;
        }
        LoopState ls;
        ls.length = items->size();
        ls.items = items;
        ++state.loop_depth;
        ls.depth = 1;  // Jinja's loop.depth counts recursion of a recursive loop, not nesting: 1 in nested loops
        std::size_t saved_floor = frame_floor;
        for (std::size_t i = 0; i < items->size() && !state.aborted; ++i) {
            if (++state.iterations > state.limits.max_loop_iterations) {
                error(n.loc, DiagnosticKind::limit,
                      "more than " + std::to_string(state.limits.max_loop_iterations) + " loop iterations in one render",
                      "raise the loop iteration limit (--max-loop-iterations)");
                state.aborted = true;
                break;
            }
            ls.index0 = i;
            state.scope.bind("loop", Value::loop(&ls));
            if (bind_targets(n, (*items)[i])) {
                frame_floor = state.scope.mark();
                run(n.body, out);
            }
            state.scope.pop_to(mark);
            check_size(out, n.loc);
        }
        frame_floor = saved_floor;
        --state.loop_depth;
    }

    bool bind_targets(const Node& n, const json& item) {
        if (n.names.size() == 1) {
            state.scope.bind(n.names[0], Value::ref(item));
            return true;
        }
        if (n.names.size() == 2 && item.is_object() && item.size() == 2 && item.contains("grouper") && item.contains("list")) {
            // a groupby() group unpacks like Jinja's (grouper, list) tuple
            state.scope.bind(n.names[0], Value::ref(item["grouper"]));
            state.scope.bind(n.names[1], Value::ref(item["list"]));
            return true;
        }
        if (!item.is_array() || item.size() != n.names.size()) {
            error(n.loc, DiagnosticKind::data,
                  "cannot unpack " + std::string(item.type_name()) + " into " + std::to_string(n.names.size()) + " names", "");
            return false;
        }
        for (std::size_t k = 0; k < n.names.size(); ++k) state.scope.bind(n.names[k], Value::ref(item[k]));
        return true;
    }
};

}  // namespace

void render_program(const Program& program, const Emitter& emitter, std::string& out, RenderState& state) {
    Renderer r{program, emitter, state, {}};
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
                if (child.is_null()) child = last ? (as_list_leaf ? json::array({json::object()}) : json("")) : json::object();
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
                        for (const std::string& name : n.names) bindings.emplace_back(name, std::vector<std::string>{"[set]"});
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
                case Node::Kind::guard: walk(n.body); break;
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
    d.message = "the part is larger than " + std::to_string(kMaxTemplatedPartSize >> 20) +
                " MiB, more than any document needs";
    d.message_vi = "phần " + part + " của mẫu lớn hơn " + std::to_string(kMaxTemplatedPartSize >> 20) +
                   " MiB, quá lớn đối với một văn bản";
    return d;
}

}  // namespace vanban::core
