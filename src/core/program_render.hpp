// The renderer of a compiled Program (internal to src/core): walks the node tree, evaluates expressions, writes
// values through the format's Emitter. program.cpp renders text, values, if, for and set; program_blocks.cpp the
// Jinja blocks (macro, call, filter, with, set block) and recursive loops. One Renderer per program run; everything
// a render changes is in its RenderState.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/ascii.hpp"
#include "core/program.hpp"
#include "core/richtext.hpp"
#include "core/vn.hpp"
#include "json/pointer.hpp"

namespace vanban::core::render_detail {

struct Renderer;

// loop(items) in a loop marked recursive: the loop's body for `items`, one level deeper, as text (program_blocks.cpp).
class RecursiveLoop final : public Callable {
public:
    RecursiveLoop(Renderer& renderer, const Node& loop, std::size_t depth)
        : renderer_(renderer), loop_(loop), depth_(depth) {}
    std::string_view kind() const override { return "loop"; }
    Value call(std::span<const Value> args, KwArgs kwargs, EvalContext& ctx) override;

private:
    Renderer& renderer_;
    const Node& loop_;
    std::size_t depth_;
};

struct Renderer {
    const Program& program;
    const Emitter& emitter;
    RenderState& state;
    std::set<std::pair<int, std::string>> reported;  // one diagnostic per tag and message, not one per iteration
    int capturing = 0;  // > 0 while a block's text is rendered (render_text): pictures cannot be text

    // ----- program_blocks.cpp
    void define_macro(const Node& n);
    void call_block(const Node& n, std::string& out);
    void filter_block(const Node& n, std::string& out);
    void with_block(const Node& n, std::string& out);
    void set_block(const Node& n);
    // The visible text of what `render` writes (a macro's body, a filter or set block, loop(…)): Jinja gives these
    // as text. Limits as for a value; a picture or sub-document in it is an error.
    template <typename Render>
    std::string render_text(Render&& render, int loc);
    // Renders the body of a block as text with the names in force at the start of the block (macros, caller()).
    std::string body_text(const std::vector<Node>& body, int loc);

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
            if (!e.code.empty() && !state.errors.empty() && state.errors.back().message == e.what()) {
                state.errors.back().code = e.code;
                state.errors.back().message_vi = e.message_vi;
            }
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
            // whole code points (at least one byte, so that a slice always moves on)
            const std::size_t n = std::max<std::size_t>(1, vn::char_boundary_before(text, kSlice));
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
                case Node::Kind::macro: define_macro(n); break;
                case Node::Kind::call_block: call_block(n, out); break;
                case Node::Kind::filter_block: filter_block(n, out); break;
                case Node::Kind::with: with_block(n, out); break;
                case Node::Kind::set_block: set_block(n); break;
                case Node::Kind::guard: {
                    std::size_t start = out.size();
                    run(n.body, out);
                    if (n.hook == kTableGuard) emitter.fix_table(out, start);
                    else if (!emitter.has_paragraph(std::string_view(out).substr(start)))
                        out += emitter.empty_paragraph();
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

    void output(const Node& n, std::string& out) {
        try {
            Value v = evaluate(*n.expr, state.ctx);
            const OutputSite& site = program.sites[static_cast<std::size_t>(n.site)];
            if (capturing > 0 && (v.is_image() || (v.is_json() && (is_image_object(v.j()) || is_subdoc_object(v.j())))))
                throw EvalError("a picture or sub-document cannot be part of the text of a macro, filter or set block",
                                "put its tag outside the block");
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
                if (site.context != OutputSite::Context::run_text || capturing > 0)
                    emitter.text(out, v.rich_text().plain(), site);
                else if (site.prop_exprs.empty()) emitter.rich(out, v.rich_text(), site, state);
                else emitter.rich(out, v.rich_text(), resolve_props(site), state);
                return;
            }
            std::string text = to_text(v, state.ctx);
            if (!is_ascii(text)) text = xml_characters(vn::nfc(text));
            if (capturing > 0) refuse_break_in_block_text(text);
            // A value that starts paragraphs (\a, \f) writes the host's properties: their tags are evaluated then.
            if (!site.prop_exprs.empty() && text.find_first_of("\a\f") != std::string::npos)
                emit_text(out, text, resolve_props(site), n.loc);
            else emit_text(out, text, site, n.loc);
        } catch (const EvalError& e) {
            error(e, n.loc);
        }
    }

    // A block's text (macro, call, filter, set) is text of one paragraph: docxtpl's \a and \f cannot start
    // paragraphs there, and leaving them out would glue the words around them.
    static void refuse_break_in_block_text(std::string_view text) {
        if (text.find_first_of("\a\f") == std::string_view::npos) return;
        EvalError e(
            "a value with a new paragraph (\\a) or page break (\\f) cannot be part of the text of a macro, "
            "call, filter or set block",
            "print the value outside the block");
        e.code = "data.paragraph_break";
        e.message_vi =
            "giá trị có sang đoạn mới (\\a) hoặc ngắt trang (\\f) không thể nằm trong văn bản của khối "
            "macro, call, filter hoặc set";
        throw e;
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
                throw coded_error(
                    "data.unpack",
                    "'" + n.expr->text + "' does not have " + std::to_string(n.names.size()) + " items to unpack",
                    "\"" + n.expr->text + "\" không có đúng " + std::to_string(n.names.size()) + " mục để gán cho " +
                        std::to_string(n.names.size()) + " tên");
            for (std::size_t i = 0; i < n.names.size(); ++i)
                state.scope.assign(n.names[i], v.child(items[i]), frame_floor);
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
            throw coded_error("data.not_a_namespace",
                              "'" + n.names[0] + "' is not a namespace the template made: only its members can be set",
                              "\"" + n.names[0] + "\" không phải namespace do mẫu tạo ra, không gán được \"" +
                                  n.names[0] + "." + n.names[1] + "\" — dữ liệu từ tệp không bị sửa",
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
                EvalError e(
                    "'" + n.expr->text + "' is " + std::string(j.type_name()) + ", not a list: cannot loop over it",
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
        iterate(n, *list, 1, out);
    }

    // The body of loop `n` for each of `list` (after its filter), at recursion depth `depth` (loop(…) of a recursive
    // loop renders one level deeper).
    void iterate(const Node& n, const json& list_ref, std::size_t depth, std::string& out) {
        const json* list = &list_ref;

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
        ls.depth = depth;  // Jinja's loop.depth counts recursion of a recursive loop, not nesting: 1 in nested loops
        std::optional<RecursiveLoop> recursion;
        if (n.recursive) ls.recurse = &recursion.emplace(*this, n, depth);
        state.scope.open_frame(mark);
        std::size_t saved_floor = frame_floor;
        for (std::size_t i = 0; i < items->size() && !state.aborted; ++i) {
            if (++state.iterations > state.limits.max_loop_iterations) {
                error(
                    n.loc, DiagnosticKind::limit,
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
        state.scope.close_frame();
        --state.loop_depth;
    }

    bool bind_targets(const Node& n, const json& item) {
        if (n.names.size() == 1) {
            state.scope.bind(n.names[0], Value::ref(item));
            return true;
        }
        if (n.names.size() == 2 && item.is_object() && item.size() == 2 && item.contains("grouper") &&
            item.contains("list")) {
            // a groupby() group unpacks like Jinja's (grouper, list) tuple
            state.scope.bind(n.names[0], Value::ref(item["grouper"]));
            state.scope.bind(n.names[1], Value::ref(item["list"]));
            return true;
        }
        if (!item.is_array() || item.size() != n.names.size()) {
            error(
                n.loc, DiagnosticKind::data,
                "cannot unpack " + std::string(item.type_name()) + " into " + std::to_string(n.names.size()) + " names",
                "");
            return false;
        }
        for (std::size_t k = 0; k < n.names.size(); ++k) state.scope.bind(n.names[k], Value::ref(item[k]));
        return true;
    }
};

}  // namespace vanban::core::render_detail
