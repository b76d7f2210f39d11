// The Jinja blocks beyond if/for/set: {% macro %} and {{ name(…) }}, {% call %} with caller(), {% filter %},
// {% with %}, {% set x %}…{% endset %}, and loop(…) of a recursive loop. Macros, call, filter and set blocks give
// their body as text (Jinja renders them to a string), so their body must stay in one paragraph: a body that crosses
// paragraphs would have to become text with the paragraph structure thrown away, and is refused when compiled.
#include <algorithm>
#include <cstdlib>
#include <optional>
#include <utility>

#include "core/program_render.hpp"

namespace vanban::core {

// ---------------------------------------------------------------------------------------------------------------
// Statements

namespace {

// The filters of `{% filter upper | trim %}` or `{% set x | upper %}`, applied to the block's text, bound as
// kBlockBodyName when the block renders. The rest of the tag is parsed as "<body> | <filters>".
ExprPtr parse_body_filters(TokenStream& ts, bool after_bar) {
    const std::size_t from = ts.peek().offset;
    const std::string prefix = std::string(kBlockBodyName) + (after_bar ? "" : " | ");
    const std::string source = prefix + std::string(ts.source().substr(from));
    while (!ts.at_end()) ts.next();
    try {
        return parse_expression(source);
    } catch (const ParseError& e) {
        throw ParseError(e.what(), from + (e.offset > prefix.size() ? e.offset - prefix.size() : 0));
    }
}

// (a, b=default, …) of a macro, or the caller's parameters of {% call(a, b) m() %}.
void parse_parameters(TokenStream& ts, Statement& st) {
    ts.expect_op("(");
    if (ts.accept_op(")")) return;
    do {
        st.names.push_back(ts.expect_name());
        st.values.push_back(ts.accept_op("=") ? parse_expression(ts) : nullptr);
    } while (ts.accept_op(","));
    ts.expect_op(")");
}

}  // namespace

bool parse_block_statement(const std::string& keyword, TokenStream& ts, Statement& st) {
    using K = Statement::Kind;
    if (keyword == "macro") {
        st.kind = K::macro;
        st.names.push_back(ts.expect_name());
        st.values.push_back(nullptr);  // names[0] is the macro's own name
        parse_parameters(ts, st);
    } else if (keyword == "call") {
        st.kind = K::call;
        st.names.push_back("caller");
        st.values.push_back(nullptr);
        if (ts.peek().type == TokenStream::Type::op && ts.peek().text == "(") parse_parameters(ts, st);
        st.expr = parse_expression(ts);
        if (st.expr->kind != Expr::Kind::call)
            throw ParseError("{% call %} needs a macro call: {% call name(…) %}", ts.peek().offset);
    } else if (keyword == "filter") {
        st.kind = K::filter;
        if (ts.at_end()) throw ParseError("{% filter %} needs a filter: {% filter upper %}", ts.peek().offset);
        st.expr = parse_body_filters(ts, false);
    } else if (keyword == "set") {  // the block form; parse_statement has read the name
        st.kind = K::set_block;
        if (ts.accept_op("|")) st.expr = parse_body_filters(ts, false);
    } else if (keyword == "with") {
        st.kind = K::with;
        while (!ts.at_end()) {
            st.names.push_back(ts.expect_name());
            ts.expect_op("=");
            st.values.push_back(parse_expression(ts));
            if (!ts.at_end()) ts.expect_op(",");
        }
    } else if (keyword == "endmacro" || keyword == "endcall" || keyword == "endfilter" || keyword == "endwith" ||
               keyword == "endset" || keyword == "raw" || keyword == "endraw") {
        st.kind = keyword == "endmacro"    ? K::endmacro
                  : keyword == "endcall"   ? K::endcall
                  : keyword == "endfilter" ? K::endfilter
                  : keyword == "endwith"   ? K::endwith
                  : keyword == "endset"    ? K::endset
                  : keyword == "raw"       ? K::raw
                                           : K::endraw;
    } else {
        return false;
    }
    return true;
}

std::string_view block_keyword(Statement::Kind kind) {
    using K = Statement::Kind;
    switch (kind) {
        case K::if_: return "if";
        case K::endif: return "endif";
        case K::for_: return "for";
        case K::endfor: return "endfor";
        case K::macro: return "macro";
        case K::endmacro: return "endmacro";
        case K::call: return "call";
        case K::endcall: return "endcall";
        case K::filter: return "filter";
        case K::endfilter: return "endfilter";
        case K::with: return "with";
        case K::endwith: return "endwith";
        case K::set_block: return "set";
        case K::endset: return "endset";
        default: return "?";
    }
}

Statement::Kind opener_of(Statement::Kind closer) {
    using K = Statement::Kind;
    for (K k : {K::if_, K::for_, K::macro, K::call, K::filter, K::with, K::set_block})
        if (Statement::closer_of(k) == closer) return k;
    return K::output;
}

Node block_node(Statement& st, int loc) {
    using K = Statement::Kind;
    Node n;
    n.kind = st.kind == K::macro    ? Node::Kind::macro
             : st.kind == K::call   ? Node::Kind::call_block
             : st.kind == K::with   ? Node::Kind::with
             : st.kind == K::filter ? Node::Kind::filter_block
                                    : Node::Kind::set_block;
    n.expr = std::move(st.expr);
    n.names = std::move(st.names);
    n.values = std::move(st.values);
    n.loc = loc;
    return n;
}

std::optional<Diagnostic> text_block_problem(const LocatedTag& open, const LocatedTag& close) {
    using K = Statement::Kind;
    const K kind = open.statement.kind;
    const bool text_body = kind == K::macro || kind == K::call || kind == K::filter || kind == K::set_block ||
                           (kind == K::for_ && open.statement.recursive);  // loop(…) gives the body's text
    if (!text_body) return std::nullopt;
    const auto level_ok = [](TagLevel l) { return l == TagLevel::automatic || l == TagLevel::run; };
    if (open.loc.paragraph == close.loc.paragraph && level_ok(open.token.level) && level_ok(close.token.level))
        return std::nullopt;
    const std::string keyword = kind == K::for_ ? "for … recursive" : std::string(block_keyword(kind));
    Diagnostic d;
    d.kind = DiagnosticKind::template_syntax;
    d.code = "template.text_block_paragraphs";
    d.message = "the body of {% " + keyword + " %} must stay in one paragraph: Jinja gives it as text, and the " +
                "paragraphs it crosses would be lost";
    d.message_vi = "nội dung của khối {% " + keyword + " %} phải nằm trong một đoạn văn: khối này cho ra chữ, " +
                   "các đoạn văn bên trong sẽ bị mất";
    d.hint = "put {% " + keyword + " %} … {% " + std::string(block_keyword(close.statement.kind)) +
             " %} in one paragraph, without {%p %}; repeat paragraphs with {%p for %} or {%p if %}";
    d.part = open.loc.part;
    d.paragraph = open.loc.paragraph;
    d.tag = open.loc.tag;
    d.context = open.loc.context;
    return d;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendered XML as text

namespace {

void decode_entity(std::string_view entity, std::string& out) {  // "amp", "#233", "#xE9"
    if (entity == "amp") out += '&';
    else if (entity == "lt") out += '<';
    else if (entity == "gt") out += '>';
    else if (entity == "quot") out += '"';
    else if (entity == "apos") out += '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
        const bool hex = entity[1] == 'x' || entity[1] == 'X';
        const unsigned long cp = std::strtoul(std::string(entity.substr(hex ? 2 : 1)).c_str(), nullptr, hex ? 16 : 10);
        vn::append_utf8(out, static_cast<std::uint32_t>(cp));
    }
}

void append_character_data(std::string_view data, std::string& out) {
    for (std::size_t i = 0; i < data.size(); ++i) {
        const std::size_t semi = data[i] == '&' ? data.find(';', i) : std::string_view::npos;
        if (semi == std::string_view::npos) {
            out += data[i];
            continue;
        }
        decode_entity(data.substr(i + 1, semi - i - 1), out);
        i = semi;
    }
}

// ODF's <text:s text:c="3"/>: its count of spaces.
std::size_t space_count(std::string_view tag) {
    const std::size_t at = tag.find(":c=\"");
    if (at == std::string_view::npos) return 1;
    return std::min<std::size_t>(std::strtoul(std::string(tag.substr(at + 4)).c_str(), nullptr, 10),
                                 std::size_t{10'000});
}

}  // namespace

std::string xml_visible_text(std::string_view xml, std::string_view text_element) {
    std::string out;
    bool in_text = text_element.empty();
    for (std::size_t i = 0; i < xml.size();) {
        if (xml[i] != '<') {
            const std::size_t next = std::min(xml.find('<', i), xml.size());
            if (in_text) append_character_data(xml.substr(i, next - i), out);
            i = next;
            continue;
        }
        const std::size_t close = xml.find('>', i);
        if (close == std::string_view::npos) break;
        const std::string_view tag = xml.substr(i + 1, close - i - 1);
        i = close + 1;
        const bool end = !tag.empty() && tag.front() == '/';
        const bool empty = !tag.empty() && tag.back() == '/';
        std::string_view name = tag.substr(end ? 1 : 0);
        name = name.substr(0, name.find_first_of(" /\t\r\n"));
        const std::string_view local = name.substr(name.find(':') + 1);
        if (!text_element.empty() && name == text_element) in_text = !end && !empty;
        else if (end) continue;
        else if (local == "tab") out += '\t';
        else if (local == "br" || local == "cr" || local == "line-break") out += '\n';
        else if (local == "s" && text_element.empty()) out.append(space_count(tag), ' ');
    }
    return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

namespace render_detail {

namespace {

// Counts a macro, caller() or loop(…) running inside another against kMaxBlockDepth: each nests the renderer once
// more, so a macro that calls itself must stop. A call is charged as work like the few hundred expression nodes its
// setting up costs, so a macro that calls itself twice over stops at the work limit in about a second.
class CallDepth {
public:
    static constexpr std::uint64_t kCallWork = 256;
    explicit CallDepth(RenderState& state) : state_(state) {
        state_.ctx.charge(kCallWork);
        if (++state_.call_depth > kMaxBlockDepth) {
            --state_.call_depth;
            EvalError e("macros, caller() and loop(…) run inside each other more than " +
                            std::to_string(kMaxBlockDepth) + " deep (a macro that calls itself without end?)",
                        "make the recursion stop: call the macro again only while there is something left to do");
            e.limit = true;
            e.code = "limit.call_depth";
            e.message_vi = "macro, caller() hoặc loop(…) gọi lồng nhau sâu quá " + std::to_string(kMaxBlockDepth) +
                           " tầng — có thể macro tự gọi lại mình mãi không dừng";
            throw e;
        }
    }
    ~CallDepth() { --state_.call_depth; }
    CallDepth(const CallDepth&) = delete;
    CallDepth& operator=(const CallDepth&) = delete;

private:
    RenderState& state_;
};

// The scope of a macro or caller() body while it runs: the names hidden from it and its frame, restored after.
class BodyScope {
public:
    BodyScope(Scope& scope, Scope::Hidden hidden)
        : scope_(scope), mark_(scope.mark()), before_(scope.set_hidden(std::move(hidden))) {
        scope_.open_frame(mark_);
    }
    ~BodyScope() {
        scope_.pop_to(mark_);
        scope_.close_frame();
        scope_.set_hidden(std::move(before_));
    }
    BodyScope(const BodyScope&) = delete;
    BodyScope& operator=(const BodyScope&) = delete;
    std::size_t mark() const { return mark_; }

private:
    Scope& scope_;
    std::size_t mark_;
    Scope::Hidden before_;
};

// The names in force where a body was defined, seen from `now`: what was hidden then, and the frames opened since.
Scope::Hidden hidden_since(const Scope& scope, const Scope::Hidden& then, std::size_t defined_at) {
    Scope::Hidden hidden = then;
    const std::size_t from = scope.first_frame_from(defined_at);
    if (from < scope.mark()) hidden.emplace_back(from, scope.mark());
    return hidden;
}

// An extra argument as an item of varargs or kwargs.
json as_json(const Value& v, const EvalContext& ctx) {
    if (v.is_json()) return v.j();
    if (v.is_undefined()) {
        if (!ctx.lenient) throw_missing(v);
        return nullptr;
    }
    throw EvalError(
        "a macro's extra argument must be a value from the data or the template (not a picture, a macro or loop)");
}

bool mentions(const Expr& e, std::string_view name) {
    if (e.kind == Expr::Kind::name && e.name == name) return true;
    for (const auto& arg : e.args)
        if (arg && mentions(*arg, name)) return true;
    for (const auto& [key, arg] : e.kwargs)
        if (arg && mentions(*arg, name)) return true;
    return false;
}

// Whether `name` is read anywhere in `nodes`: a macro takes extra arguments (varargs, kwargs) only when its body
// names them, as in Jinja.
bool mentions(const std::vector<Node>& nodes, std::string_view name) {
    for (const Node& n : nodes) {
        if ((n.expr && mentions(*n.expr, name)) || (n.filter && mentions(*n.filter, name))) return true;
        for (const auto& value : n.values)
            if (value && mentions(*value, name)) return true;
        for (const auto& [condition, body] : n.branches)
            if (mentions(*condition, name) || mentions(body, name)) return true;
        if (mentions(n.body, name) || mentions(n.else_body, name)) return true;
    }
    return false;
}

// A body the template calls: a macro, or the body of a {% call %} block given to the macro as caller().
class Body final : public Callable {
public:
    Body(const Program& program, const Emitter& emitter, RenderState& state, const Node& node, std::size_t defined_at,
         bool is_caller)
        : program_(program),
          emitter_(emitter),
          state_(state),
          node_(node),
          defined_at_(defined_at),
          hidden_(state.scope.hidden()),
          is_caller_(is_caller),
          takes_varargs_(!is_caller && mentions(node.body, "varargs")),
          takes_kwargs_(!is_caller && mentions(node.body, "kwargs")) {}
    std::string_view kind() const override { return is_caller_ ? "caller" : "macro"; }

    Value call(std::span<const Value> args, KwArgs kwargs, EvalContext& ctx) override {
        return invoke(args, kwargs, ctx, nullptr);
    }

    // The body's text with the parameters bound (and caller() for a {% call %} block).
    Value invoke(std::span<const Value> args, KwArgs kwargs, EvalContext& ctx, const Value* caller) {
        CallDepth depth(state_);
        const auto& params = node_.names;  // params[0] is the macro's name (or "caller")
        if (args.size() + 1 > params.size() && !takes_varargs_)
            throw EvalError(std::string(kind()) + " '" + name() + "' takes " + std::to_string(params.size() - 1) +
                                " arguments, not " + std::to_string(args.size()),
                            "a macro whose body reads varargs takes more");
        json extra_kwargs = json::object();
        std::vector<std::string> extra_order;
        for (const auto& [key, value] : kwargs) {
            if (std::find(params.begin() + 1, params.end(), key) != params.end()) continue;
            if (!takes_kwargs_)
                throw EvalError(std::string(kind()) + " '" + name() + "' has no parameter '" + std::string(key) + "'",
                                "a macro whose body reads kwargs takes other names");
            extra_order.emplace_back(key);
            extra_kwargs[std::string(key)] = as_json(value, ctx);
        }
        json extra_args = json::array();
        for (std::size_t i = params.size() - 1; i < args.size(); ++i) extra_args.push_back(as_json(args[i], ctx));
        BodyScope scope(state_.scope, hidden_since(state_.scope, hidden_, defined_at_));
        for (std::size_t i = 1; i < params.size(); ++i) state_.scope.bind(params[i], argument(i, args, kwargs, ctx));
        if (caller) state_.scope.bind("caller", *caller);
        if (takes_varargs_) state_.scope.bind("varargs", Value::owned(std::move(extra_args)));
        if (takes_kwargs_) {
            if (!std::is_sorted(extra_order.begin(), extra_order.end())) ctx.written_order.note(std::move(extra_order));
            state_.scope.bind("kwargs", Value::owned(std::move(extra_kwargs)));
        }
        Renderer r{program_, emitter_, state_, std::move(reported_)};
        r.frame_floor = state_.scope.mark();
        std::string text = r.body_text(node_.body, node_.loc);
        reported_ = std::move(r.reported);
        return Value::owned(std::move(text));
    }

private:
    std::string name() const { return node_.names.front(); }

    Value argument(std::size_t i, std::span<const Value> args, KwArgs kwargs, EvalContext& ctx) const {
        if (i - 1 < args.size()) return args[i - 1];
        for (const auto& [key, value] : kwargs)
            if (key == node_.names[i]) return value;
        if (node_.values[i]) return evaluate(*node_.values[i], ctx);
        return Value::undefined(node_.names[i]);  // as in Jinja: a missing argument is undefined
    }

    const Program& program_;
    const Emitter& emitter_;
    RenderState& state_;
    const Node& node_;
    std::size_t defined_at_;
    Scope::Hidden hidden_;
    bool is_caller_;
    bool takes_varargs_;                              // its body reads varargs: extra positional arguments go there
    bool takes_kwargs_;                               // … kwargs: extra keyword arguments go there
    std::set<std::pair<int, std::string>> reported_;  // a macro called in a loop reports a problem once
};

}  // namespace

template <typename Render>
std::string Renderer::render_text(Render&& render, int loc) {
    std::string xml;
    ++capturing;
    render(xml);
    --capturing;
    std::string text = emitter.plain_text(xml);
    try {
        state.ctx.check_size(text.size(), "the text of a block");
    } catch (const EvalError& e) {
        error(e, loc);
        return {};
    }
    return text;
}

std::string Renderer::body_text(const std::vector<Node>& body, int loc) {
    return render_text([&](std::string& out) { run(body, out); }, loc);
}

void Renderer::define_macro(const Node& n) {
    const std::size_t at = state.scope.mark();
    state.scope.assign(n.names.front(), Value::callable(std::make_shared<Body>(program, emitter, state, n, at, false)),
                       frame_floor);
}

// {% call m(args) %}body{% endcall %}: m's text where the block stands, with caller() giving the body's text.
void Renderer::call_block(const Node& n, std::string& out) {
    try {
        const Expr& call = *n.expr;
        const Value macro = evaluate(*call.args[0], state.ctx);
        if (!macro.is_callable())
            throw EvalError("'" + call.args[0]->text + "' is not a macro the template defined",
                            "define it first: {% macro name() %}…{% endmacro %}");
        std::vector<Value> args;
        for (std::size_t i = 1; i < call.args.size(); ++i) args.push_back(evaluate(*call.args[i], state.ctx));
        std::vector<std::pair<std::string_view, Value>> kwargs;
        for (const auto& [k, v] : call.kwargs) kwargs.emplace_back(k, evaluate(*v, state.ctx));
        const Value caller =
            Value::callable(std::make_shared<Body>(program, emitter, state, n, state.scope.mark(), true));
        auto* body = dynamic_cast<Body*>(&macro.callable_object());
        if (!body) throw EvalError("'" + call.args[0]->text + "' is not a macro the template defined");
        const Value text = body->invoke(args, kwargs, state.ctx, &caller);
        emitter.text_run(out, text.j().get_ref<const std::string&>(), {});
    } catch (const EvalError& e) {
        error(e, n.loc);
    }
}

// {% filter f %}body{% endfilter %}: the body's text through the filters, where the block stands.
void Renderer::filter_block(const Node& n, std::string& out) {
    std::string xml;
    const std::string text = render_text(
        [&](std::string& o) {
            run(n.body, o);
            xml = o;
        },
        n.loc);
    const std::size_t mark = state.scope.mark();
    try {
        state.scope.bind(kBlockBodyName, Value::owned(text));
        const std::string filtered = to_text(evaluate(*n.expr, state.ctx), state.ctx);
        emitter.text_run(out, vn::nfc(filtered), xml);
    } catch (const EvalError& e) {
        error(e, n.loc);
    }
    state.scope.pop_to(mark);
}

// {% with a = 1, b = x %}: the values are all computed first (b sees the a outside), then bound for the body only.
void Renderer::with_block(const Node& n, std::string& out) {
    std::vector<Value> values;
    try {
        for (const auto& e : n.values) values.push_back(evaluate(*e, state.ctx));
    } catch (const EvalError& e) {
        error(e, n.loc);
        return;
    }
    const std::size_t mark = state.scope.mark();
    const std::size_t saved_floor = frame_floor;
    state.scope.open_frame(mark);
    for (std::size_t i = 0; i < n.names.size(); ++i) state.scope.bind(n.names[i], std::move(values[i]));
    frame_floor = state.scope.mark();
    run(n.body, out);
    frame_floor = saved_floor;
    state.scope.close_frame();
    state.scope.pop_to(mark);
}

// {% set x %}body{% endset %} (or {% set x | f %}): x is the body's text.
void Renderer::set_block(const Node& n) {
    std::string text = body_text(n.body, n.loc);
    Value value = Value::owned(std::move(text));
    if (n.expr) {
        const std::size_t mark = state.scope.mark();
        try {
            state.scope.bind(kBlockBodyName, std::move(value));
            value = evaluate(*n.expr, state.ctx);
        } catch (const EvalError& e) {
            error(e, n.loc);
            value = Value::undefined_after_error(n.names.front());
        }
        state.scope.pop_to(mark);
    }
    state.scope.assign(n.names.front(), std::move(value), frame_floor);
}

}  // namespace render_detail

Value render_detail::RecursiveLoop::call(std::span<const Value> args, KwArgs kwargs, EvalContext& ctx) {
    if (args.size() != 1 || !kwargs.empty()) throw EvalError("loop(…) takes the list to loop over again");
    CallDepth depth(renderer_.state);
    static const json empty = json::array();
    const Value& items = args[0];
    const json* list = &empty;
    if (items.is_json() && items.j().is_array()) list = &items.j();
    else if (!(items.is_json() && items.j().is_null()) && !(items.is_undefined() && ctx.lenient)) {
        if (items.is_undefined()) throw_missing(items);
        throw EvalError("loop(…) needs a list, not " +
                        std::string(items.is_json() ? items.j().type_name() : "this value"));
    }
    std::string text =
        renderer_.render_text([&](std::string& out) { renderer_.iterate(loop_, *list, depth_ + 1, out); }, loop_.loc);
    return Value::owned(std::move(text));
}

}  // namespace vanban::core
