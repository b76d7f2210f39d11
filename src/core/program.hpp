// The format-neutral core: finding tags in text, parsing statements, and the compiled program — a tree of
// literal byte slices, value outputs and control flow — that renders by concatenation. Format adapters (DOCX,
// ODT) turn a package part into a sequence of Pieces; everything after that is shared.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/expr.hpp"
#include "core/image.hpp"
#include "vanban/diagnostic.hpp"

namespace vanban::core {

// ----- tags in text

// Where a docxtpl-style prefix puts a block: {%p if %} acts on the paragraph, {%tr for %} on the table row, ...
enum class TagLevel : std::uint8_t { automatic, run, paragraph, row, cell };

struct TagToken {
    enum class Kind : std::uint8_t { output, statement, comment };
    Kind kind = Kind::output;
    TagLevel level = TagLevel::automatic;
    bool trim_left = false;   // {%- : strip white space before (Jinja)
    bool trim_right = false;  // -%}
    std::size_t begin = 0;    // byte offsets in the scanned text
    std::size_t end = 0;
    std::string raw;    // exactly as typed
    std::string inner;  // between the delimiters (and markers)
};

struct ScanProblem {
    std::string message;
    std::size_t offset = 0;
    std::string raw;
    std::string hint;
};

// `barrier` bytes (e.g. a drawing or a field inside the paragraph) cannot be inside a tag.
void scan_tags(std::string_view text, std::vector<TagToken>& tags, std::vector<ScanProblem>& problems,
               char barrier = '\x01');

// ----- statements

struct Statement {
    enum class Kind : std::uint8_t {
        output,
        if_,
        elif,
        else_,
        endif,
        for_,
        endfor,
        set,
        comment,
        // Jinja blocks (program_blocks.cpp); raw and endraw only matter to the tag scanner
        macro,
        endmacro,
        call,
        endcall,
        filter,
        endfilter,
        with,
        endwith,
        set_block,
        endset,
        raw,
        endraw,
        // docxtpl table helpers, handled by the format adapter
        vm,
        hm,
        colspan,
        cellbg,
        // paragraph and cell properties written from the text (word processors keep text, not tags in attributes)
        pstyle,
        indent,
        spacebefore,
        cellwidth
    };
    Kind kind = Kind::output;
    ExprPtr expr;                    // output value, condition, iterable, set value, helper argument
    ExprPtr filter;                  // for ... if <filter>
    std::vector<std::string> names;  // loop targets / set targets ("set a, b = …") / set's mapping and member
    bool member_target = false;      // set ns.x = …: names are the mapping and its member
    // macro: each parameter's default (null: none); with: each name's value
    std::vector<ExprPtr> values;
    bool recursive = false;  // for … recursive
    bool is_block_tag() const { return kind != Kind::output; }
    bool opens() const { return closer_of(kind) != Kind::output; }
    bool closes() const {
        return kind == Kind::endif || kind == Kind::endfor || kind == Kind::endmacro || kind == Kind::endcall ||
               kind == Kind::endfilter || kind == Kind::endwith || kind == Kind::endset;
    }
    bool middle() const { return kind == Kind::elif || kind == Kind::else_; }
    // The tag that closes a block opened by `opener` (output: `opener` opens none).
    static Kind closer_of(Kind opener) {
        switch (opener) {
            case Kind::if_: return Kind::endif;
            case Kind::for_: return Kind::endfor;
            case Kind::macro: return Kind::endmacro;
            case Kind::call: return Kind::endcall;
            case Kind::filter: return Kind::endfilter;
            case Kind::with: return Kind::endwith;
            case Kind::set_block: return Kind::endset;
            default: return Kind::output;
        }
    }
};

// The Jinja blocks beyond if/for/set (program_blocks.cpp): parses the statement of keyword `keyword`; false when it
// is not one of them.
bool parse_block_statement(const std::string& keyword, TokenStream& ts, Statement& st);
// The keyword of a block tag ("endmacro"), the opener a closer closes, a block's node, and the error of a text
// block (macro, call, filter, set block) whose body leaves its paragraph (program_blocks.cpp).
std::string_view block_keyword(Statement::Kind kind);
Statement::Kind opener_of(Statement::Kind closer);
struct Node;
struct LocatedTag;
Node block_node(Statement& st, int loc);
std::optional<Diagnostic> text_block_problem(const LocatedTag& open, const LocatedTag& close);
// The name a filter block's or set block's filters apply to: the block's rendered text.
inline constexpr std::string_view kBlockBodyName = "__vanban_block_body";

// Parses the inside of a tag. Throws ParseError.
Statement parse_statement(const TagToken& tag);

// ----- program

struct SourceLoc {
    std::string part;
    int paragraph = 0;
    std::string tag;
    std::string context;
};

// How a value is written where its tag stood. The format adapter fills this in at compile time.
struct OutputSite {
    enum class Context : std::uint8_t { run_text, attribute, element };
    Context context = Context::run_text;
    // Run properties of the host run for every emphasis combination, ready to paste; used to write rich text as
    // separate runs. Index: bold | italic << 1 | underline << 2 (0 = the host run's own properties).
    std::array<std::string, 8> run_props;
    // Tags inside those run properties (a template kept as XML may compute a style name): the value of
    // prop_exprs[expr] is written at byte `offset` of run_props[v] (prop_slots[v], in order of their offsets).
    struct PropSlot {
        std::size_t offset = 0;
        std::size_t expr = 0;
    };
    std::array<std::vector<PropSlot>, 8> prop_slots;
    std::vector<std::shared_ptr<const Expr>> prop_exprs;
    // The host paragraph's properties, for values that start a new paragraph with the same look (docxtpl's \a and
    // \f); `splits_paragraph` is false where the run cannot be cut out of its paragraph (a hyperlink, a field, a
    // content control), and such a value is then an error.
    // ODT: paragraph_props is the whole markup that ends the host paragraph and opens the next one (the spans around
    // the tag closed and reopened), and page_break_props the same with a paragraph style that breaks the page.
    std::string paragraph_props;
    std::string page_break_props;
    std::vector<PropSlot> paragraph_prop_slots;  // tags inside paragraph_props, as prop_slots
    bool splits_paragraph = false;
    TagLevel level = TagLevel::automatic;  // {{r x }} / {{p x }}: docxtpl's objects given as JSON lists are rich text
};

struct RenderState;

// The text of rendered XML: character data (only inside elements named `text_element` when it is given) with its
// entities decoded, tabs and line breaks (elements named tab, br, cr, line-break) as \t and \n, ODF's text:s as its
// spaces.
std::string xml_visible_text(std::string_view xml, std::string_view text_element);

// Format-specific writing of values. Implementations are stateless and shared by all renders.
class Emitter {
public:
    virtual ~Emitter() = default;
    virtual void text(std::string& out, std::string_view value, const OutputSite& site) const = 0;
    virtual void rich(std::string& out, const vanban::RichText& value, const OutputSite& site,
                      RenderState& state) const = 0;
    // A picture where the tag stands in running text (registered in state.images, which names its media file).
    virtual void image(std::string& out, const Image& image, const OutputSite& site, RenderState& state) const = 0;
    // A sub-document of the data ({"subdoc": …}, docxtpl's Subdoc) where the tag stands: its body replaces the
    // paragraph. Formats that cannot take one refuse it.
    virtual void subdoc(std::string& /*out*/, const json& /*object*/, const OutputSite& /*site*/,
                        RenderState& /*state*/) const {
        throw EvalError("a sub-document (subdoc) is a DOCX body and can be placed only in a DOCX template",
                        "render this template as DOCX, or put the sub-document's text in the data");
    }
    // The visible text of rendered content of one paragraph (a macro's body, a filter block): Jinja gives these as
    // text. The default reads all character data; formats that keep text in elements (DOCX w:t) say which.
    virtual std::string plain_text(std::string_view rendered) const { return xml_visible_text(rendered, {}); }
    // A block's text (a filter or call block) where the block stands, between the runs of its paragraph, looking like
    // the first run of `body` (the block's content as rendered). The default writes it as character data.
    virtual void text_run(std::string& out, std::string_view value, std::string_view /*body*/) const {
        text(out, value, {});
    }
    // Content the adapter inserts at a hook (e.g. collected footnotes at the end of the footnotes part).
    virtual void hook(std::string& out, int hook_id, RenderState& state) const = 0;
    // Appended by a guard whose children produced no paragraph (a table cell must keep one).
    virtual std::string_view empty_paragraph() const = 0;
    virtual bool has_paragraph(std::string_view produced) const = 0;
    // Called after a table with column loops or computed spans was rendered: out[start..] holds the table's content,
    // whose grid (DOCX w:tblGrid) must match the cells its rows now have.
    virtual void fix_table(std::string& /*out*/, std::size_t /*start*/) const {}
};

// The hook of a guard that wraps a table's content (Emitter::fix_table) rather than a cell's (empty_paragraph).
inline constexpr int kTableGuard = 1;

// One start or end tag of rendered XML, for Emitter::fix_table. Values are escaped when they are rendered, so '<' and
// '>' only delimit tags there.
struct RenderedTag {
    std::string_view text;  // <w:gridCol w:w="2000"/>
    std::string_view name;  // w:gridCol
    std::size_t begin = 0;  // offset of its '<' in the output
    bool end_tag = false;   // </…>
    bool empty = false;     // <…/>
    // The attribute's whole number (0 when it is not one, clamped to ±kMaxTagNumber), or `fallback` when it is absent.
    long number(std::string_view attribute, long fallback) const;
    static constexpr long kMaxTagNumber = 1'000'000;
};

// Calls visit(tag) for every tag of out[start..] except those of tables nested in it (elements named `table`).
template <typename Visit>
void for_each_table_tag(std::string_view out, std::size_t start, std::string_view table, Visit&& visit) {
    int nested = 0;
    for (std::size_t i = out.find('<', start); i != std::string_view::npos; i = out.find('<', i)) {
        const std::size_t close = out.find('>', i);
        if (close == std::string_view::npos) return;
        RenderedTag tag;
        tag.begin = i;
        tag.text = out.substr(i, close + 1 - i);
        i = close + 1;
        tag.end_tag = tag.text[1] == '/';
        tag.empty = tag.text[tag.text.size() - 2] == '/';
        const std::size_t from = tag.end_tag ? 2 : 1;
        tag.name = tag.text.substr(from, tag.text.find_first_of(" />", from) - from);
        if (tag.name == table) {
            if (tag.end_tag) --nested;
            else if (!tag.empty) ++nested;
        } else if (nested == 0) {
            visit(tag);
        }
    }
}

// Appends `value` escaped for an XML attribute value (both formats write attribute tags this way). Characters XML 1.0
// forbids are dropped rather than producing a file no reader opens.
void escape_xml_attribute(std::string& out, std::string_view value);

struct Node {
    enum class Kind : std::uint8_t {
        literal,
        output,
        if_,
        for_,
        set,
        guard,
        hook,
        macro,
        call_block,
        filter_block,
        with,
        set_block
    };
    Kind kind = Kind::literal;
    std::string text;  // literal bytes
    ExprPtr expr;      // output / for iterable / set value
    ExprPtr filter;    // for ... if filter
    std::vector<std::string> names;
    bool member_target = false;                                   // set ns.x = … (names: ns, x)
    bool recursive = false;                                       // for … recursive
    std::vector<ExprPtr> values;                                  // macro defaults, with values (Statement::values)
    std::vector<std::pair<ExprPtr, std::vector<Node>>> branches;  // if/elif conditions and bodies
    std::vector<Node> body;                                       // else (if), loop body, guard content
    std::vector<Node> else_body;                                  // for ... else
    int site = -1;
    int loc = -1;
    int hook = 0;  // hook id; for a guard, kTableGuard or 0
};

struct Program {
    std::vector<Node> nodes;
    std::vector<SourceLoc> locs;
    std::vector<OutputSite> sites;
    std::size_t literal_bytes = 0;  // for reserving output
    bool has_tags = false;
};

// What a format adapter hands to the builder.
struct Piece {
    enum class Kind : std::uint8_t { literal, tag, guard_open, guard_close, hook };
    Kind kind = Kind::literal;
    std::string text;  // literal
    int tag = -1;      // index into the tags passed to build_program
    int hook = 0;      // hook id; for guard_open, kTableGuard or 0
};

struct LocatedTag {
    TagToken token;
    Statement statement;  // already parsed
    SourceLoc loc;
    int site = -1;
};

// Blocks ({% if %}, {% for %}) nested deeper than this are a template error: rendering recurses once per level.
inline constexpr std::size_t kMaxBlockDepth = 100;
// Tags in one template part (the largest bundled template has about 220): each costs a few KiB while compiling, so a
// small package with a million tags must be refused as it is scanned, before they are parsed.
inline constexpr std::size_t kMaxTagsPerPart = 20'000;
// An XML part with tags is parsed into a tree of about eight times its size: past this (a document body of some
// thousand pages; the bundled templates' are under 200 KiB) it is refused before parsing.
inline constexpr std::size_t kMaxTemplatedPartSize = 16u << 20;
// The error for a part over kMaxTemplatedPartSize.
Diagnostic part_too_large(const std::string& part);

// Builds the node tree; structural errors (endfor without for, unclosed if, else twice, ...) are appended to
// `errors`, all of them.
Program build_program(std::vector<Piece> pieces, std::vector<LocatedTag> tags, std::vector<OutputSite> sites,
                      std::vector<Diagnostic>& errors);

// ----- rendering

struct RenderLimits {
    std::uint64_t max_output_bytes = 512ull << 20;  // all parts of one document together
    std::uint64_t max_loop_iterations = 10'000'000;
    EvalLimits eval;
};

// What a format adapter keeps for one render beyond pictures (DOCX: the sub-documents placed), made on first use.
struct AdapterSession {
    virtual ~AdapterSession() = default;
};

struct RenderState {
    RenderState(const json& data, bool lenient, RenderLimits limits_ = {})
        : scope(data), ctx{scope, lenient, limits_.eval}, limits(limits_) {
        ctx.images = &images;
    }
    RenderState(const RenderState&) = delete;
    RenderState& operator=(const RenderState&) = delete;
    ImageSession images;  // the pictures placed, for the package (media files, relationships, manifest)
    Scope scope;
    EvalContext ctx;
    RenderLimits limits;
    std::vector<Diagnostic> errors;
    std::uint64_t iterations = 0;
    std::uint64_t output_before = 0;  // bytes of the parts rendered before the current one
    bool aborted = false;             // a limit was hit: the render stops
    std::size_t loop_depth = 0;
    std::size_t call_depth = 0;  // macros, caller() and loop(…) running inside each other (kMaxBlockDepth)
    // Footnotes produced by rich text, written into the footnotes part by the adapter's hook.
    int next_footnote_id = 1;
    std::string footnotes;
    const std::string* current_part = nullptr;
    // The template's parts that a render may extend (relationships, content types, styles, numbering), as compiled.
    const std::map<std::string, std::string>* package_texts = nullptr;
    std::unique_ptr<AdapterSession> adapter_session;
    // Hyperlinks of rich text, for the package: part → target → its number in that part (1, 2, … in first-use order).
    // The adapter relates them after the render (DOCX: the part's relationships).
    std::map<std::string, std::map<std::string, int>> hyperlinks;
    // Whether the adapter must finish the rendered parts and list additions (a session or hyperlinks were made).
    bool package_grows() const { return adapter_session != nullptr || !hyperlinks.empty(); }
};

void render_program(const Program& program, const Emitter& emitter, std::string& out, RenderState& state);

// Walks a program and records the data paths it reads, to build `vanban inspect`'s skeleton.
struct Usage {
    json skeleton = json::object();
    std::vector<std::string> loops;       // "sections" ...
    std::vector<std::string> conditions;  // expression texts
    std::vector<std::string> outputs;
};
void collect_usage(const Program& program, Usage& usage);

}  // namespace vanban::core
