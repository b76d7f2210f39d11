#include "core/outline.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/vn.hpp"
#include "json/pointer.hpp"

namespace vanban::outline {
namespace {

using json = nlohmann::json;

enum class Scheme { roman, arabic, decimal, letter, paren, none };

struct Options {
    std::vector<Scheme> levels{Scheme::roman, Scheme::arabic, Scheme::letter};
    std::vector<std::string> bullets{"-", "+"};
    std::vector<Scheme> uppercase{Scheme::roman};
};

[[noreturn]] void fail(const std::string& pointer, const std::string& message, std::string message_vi = {}) {
    throw OutlineError(pointer, message, std::move(message_vi));
}

const char* scheme_name(Scheme s) {
    switch (s) {
        case Scheme::roman: return "roman";
        case Scheme::arabic: return "arabic";
        case Scheme::decimal: return "decimal";
        case Scheme::letter: return "letter";
        case Scheme::paren: return "paren";
        case Scheme::none: return "none";
    }
    return "";
}

bool parse_scheme(const json& j, Scheme& out) {
    if (!j.is_string()) return false;
    const auto& s = j.get_ref<const std::string&>();
    if (s == "roman") out = Scheme::roman;
    else if (s == "arabic") out = Scheme::arabic;
    else if (s == "decimal") out = Scheme::decimal;
    else if (s == "letter") out = Scheme::letter;
    else if (s == "paren") out = Scheme::paren;
    else if (s == "none") out = Scheme::none;
    else return false;
    return true;
}

const char* kSchemeHint =
    "one of \"roman\" (I.), \"arabic\" (1.), \"decimal\" (2.1.), \"letter\" (a)), \"paren\" ((1)), \"none\"";

Options read_options(const json& options) {
    Options o;
    if (options.is_null()) return o;
    if (!options.is_object()) throw std::invalid_argument("numbering: must be an object {levels, bullets, uppercase}");
    for (const auto& [key, value] : options.items()) {
        const std::string where = "numbering/" + vanban::json_data::escape_pointer_token(key);
        if (key == "levels") {
            if (!value.is_array() || value.empty())
                throw std::invalid_argument(where + ": must be a non-empty list of schemes");
            o.levels.clear();
            for (std::size_t i = 0; i < value.size(); ++i) {
                Scheme s{};
                if (!parse_scheme(value[i], s))
                    throw std::invalid_argument(where + "/" + std::to_string(i) + ": unknown scheme " +
                                                value[i].dump() + "; use " + kSchemeHint);
                o.levels.push_back(s);
            }
        } else if (key == "bullets") {
            if (!value.is_array() || value.empty())
                throw std::invalid_argument(where + ": must be a non-empty list of symbols");
            o.bullets.clear();
            for (std::size_t i = 0; i < value.size(); ++i) {
                if (!value[i].is_string() || value[i].get_ref<const std::string&>().empty())
                    throw std::invalid_argument(where + "/" + std::to_string(i) +
                                                ": a bullet symbol must be a non-empty string");
                o.bullets.push_back(value[i].get<std::string>());
            }
        } else if (key == "uppercase") {
            if (!value.is_array()) throw std::invalid_argument(where + ": must be a list of schemes");
            o.uppercase.clear();
            for (std::size_t i = 0; i < value.size(); ++i) {
                Scheme s{};
                if (!parse_scheme(value[i], s))
                    throw std::invalid_argument(where + "/" + std::to_string(i) + ": unknown scheme " +
                                                value[i].dump() + "; use " + kSchemeHint);
                o.uppercase.push_back(s);
            }
        } else {
            throw std::invalid_argument(where + ": unknown setting (known: levels, bullets, uppercase)");
        }
    }
    return o;
}

// Markup-special characters in generated text (labels, bullet symbols) are escaped so they stay literal.
std::string escape_markup(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '*' || c == '^' || c == '\\' || c == '[' || c == ']') out += '\\';
        out += c;
    }
    return out;
}

bool is_rich(const json& j) { return j.is_string() || j.is_array(); }

bool rich_empty(const json& j) {
    if (j.is_null()) return true;
    if (j.is_string()) return j.get_ref<const std::string&>().empty();
    if (j.is_array()) return j.empty();
    return false;
}

// prefix (literal text) + rich. Strings stay strings; arrays get a literal text span in front.
json prepend(const std::string& prefix, const json& rich) {
    if (prefix.empty()) return rich;
    if (rich.is_null() || rich.is_string()) {
        return escape_markup(prefix) + (rich.is_string() ? rich.get<std::string>() : std::string());
    }
    json out = json::array();
    out.push_back(json{{"text", prefix}});
    for (const auto& item : rich) out.push_back(item);
    return out;
}

// Upper-cases markup text, leaving footnote contents ^[...] and escapes as they are.
std::string upper_markup(const std::string& s) {
    std::string out;
    std::string pending;
    const auto flush = [&] {
        if (!pending.empty()) out += vn::upper(pending);
        pending.clear();
    };
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            pending += s.substr(i, 2);
            i += 2;
        } else if (s[i] == '^' && i + 1 < s.size() && s[i + 1] == '[') {
            std::size_t j = i + 2;
            int depth = 1;
            while (j < s.size()) {
                if (s[j] == '\\' && j + 1 < s.size()) {
                    j += 2;
                    continue;
                }
                if (s[j] == '[') ++depth;
                if (s[j] == ']' && --depth == 0) break;
                ++j;
            }
            flush();
            const std::size_t end = j < s.size() ? j + 1 : s.size();
            out += s.substr(i, end - i);
            i = end;
        } else {
            pending += s[i];
            ++i;
        }
    }
    flush();
    return out;
}

json upper_rich(const json& rich) {
    if (rich.is_string()) return upper_markup(rich.get<std::string>());
    if (!rich.is_array()) return rich;
    json out = json::array();
    for (const auto& item : rich) {
        if (item.is_string()) {
            out.push_back(upper_markup(item.get<std::string>()));
        } else if (item.is_object() && item.contains("text") && item["text"].is_string()) {
            json copy = item;
            copy["text"] = vn::upper(item["text"].get<std::string>());
            out.push_back(std::move(copy));
        } else {
            out.push_back(item);
        }
    }
    return out;
}

struct HeadingInfo {
    Scheme scheme = Scheme::none;
    std::string label;   // "" for the root
    int level = 0;       // printed level (1 = top); 0 for the root
    int child_rank = 0;  // index into levels for this node's numbered children
};

class Flattener {
public:
    explicit Flattener(Options o) : opt_(std::move(o)) {}

    json run(const json& body) {
        if (!body.is_array())
            throw std::invalid_argument(": the body must be a list (array) of sections and paragraphs");
        HeadingInfo root;
        walk_children(body, "", root, std::nullopt, 0);
        return std::move(out_);
    }

private:
    Options opt_;
    json out_ = json::array();

    static void check_rich(const json& node, const char* key, const std::string& pointer) {
        auto it = node.find(key);
        if (it == node.end()) return;
        if (!is_rich(*it) && !it->is_null())
            fail(pointer + "/" + key,
                 std::string("\"") + key +
                     "\" must be text (a string with *nghiêng*/**đậm** markup) or a list of spans");
    }

    static const json* children_of(const json& node, const std::string& pointer) {
        auto it = node.find("children");
        if (it == node.end() || it->is_null()) return nullptr;
        if (!it->is_array()) fail(pointer + "/children", "\"children\" must be a list");
        return &*it;
    }

    // `children_override`: the parent's children_numbering. `bullet_depth`: bullets printed so far under the
    // nearest heading (0 directly under a heading).
    void walk_children(const json& children, const std::string& pointer, const HeadingInfo& parent,
                       std::optional<Scheme> children_override, int bullet_depth) {
        int counter = 0;
        for (std::size_t i = 0; i < children.size(); ++i) {
            const json& node = children[i];
            const std::string p = pointer + "/" + std::to_string(i);
            if (node.is_string() || node.is_array()) {
                emit_paragraph(node, p, parent);
                continue;
            }
            if (!node.is_object())
                fail(p, std::string("a body item must be text, a list of spans or an object, not ") + node.type_name());
            if (node.contains("bullet")) {
                walk_bullet(node, p, parent, bullet_depth + 1);
            } else if (node.contains("paragraph")) {
                for (const auto& [key, value] : node.items()) {
                    if (key != "paragraph" && key != "children")
                        fail(p + "/" + vanban::json_data::escape_pointer_token(key),
                             "unknown key \"" + key + "\" in a paragraph (known: paragraph, children)");
                }
                check_rich(node, "paragraph", p);
                emit_paragraph(node["paragraph"], p, parent);
                if (const json* kids = children_of(node, p))
                    walk_children(*kids, p + "/children", parent, std::nullopt, bullet_depth + 1);
            } else {
                ++counter;
                walk_heading(node, p, parent, children_override, counter);
            }
        }
    }

    void emit_paragraph(const json& rich, const std::string& pointer, const HeadingInfo& parent) {
        out_.push_back(json{{"kind", "paragraph"},
                            {"level", parent.level},
                            {"scheme", ""},
                            {"style", "KHBody"},
                            {"head_style", "DefaultParagraphFont"},
                            {"label", ""},
                            {"head", ""},
                            {"tail", rich.is_null() ? json("") : rich},
                            {"pointer", pointer}});
    }

    void walk_bullet(const json& node, const std::string& pointer, const HeadingInfo& parent, int depth) {
        for (const auto& [key, value] : node.items()) {
            if (key != "bullet" && key != "symbol" && key != "children")
                fail(pointer + "/" + vanban::json_data::escape_pointer_token(key),
                     "unknown key \"" + key + "\" in a bullet (known: bullet, symbol, children)");
        }
        check_rich(node, "bullet", pointer);
        std::string symbol;
        if (auto it = node.find("symbol"); it != node.end()) {
            if (!it->is_string() || it->get_ref<const std::string&>().empty())
                fail(pointer + "/symbol", "\"symbol\" must be a non-empty string such as \"+\"");
            symbol = it->get<std::string>();
        } else {
            const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(depth), opt_.bullets.size()) - 1;
            symbol = opt_.bullets[k];
        }
        const json& text = node["bullet"];
        out_.push_back(json{{"kind", "bullet"},
                            {"level", depth},
                            {"scheme", "bullet"},
                            {"style", depth <= 1 ? "KHBullet1" : "KHBullet2"},
                            {"head_style", "DefaultParagraphFont"},
                            {"label", symbol},
                            {"head", ""},
                            {"tail", prepend(symbol + " ", text)},
                            {"pointer", pointer}});
        if (const json* kids = children_of(node, pointer))
            walk_children(*kids, pointer + "/children", parent, std::nullopt, depth);
    }

    // A section's "label": printed instead of its generated number; one short line.
    static std::optional<std::string> own_label(const json& node, const std::string& pointer) {
        constexpr std::size_t kMaxLabelBytes = 96;  // the schema allows 24 characters, up to 4 bytes each
        const auto it = node.find("label");
        if (it == node.end() || it->is_null()) return std::nullopt;
        const bool text = it->is_string();
        const std::string label = text ? vn::nfc(it->get<std::string>()) : std::string();
        const bool blank = label.find_first_not_of(' ') == std::string::npos;
        const bool one_line = label.find_first_of("\r\n\t") == std::string::npos;
        if (!text || blank || !one_line || label.size() > kMaxLabelBytes) {
            fail(
                pointer + "/label", "\"label\" must be a short one-line text such as \"e)\" or \"(3)\"",
                "\"Số thứ tự riêng\" phải là một nhãn ngắn trên một dòng, ví dụ \"e)\" hoặc \"(3)\" — hoặc để trống để "
                "dùng số tự sinh");
        }
        return label;
    }

    // The section's keys checked; the scheme its children are numbered with when it sets one.
    std::optional<Scheme> section_keys(const json& node, const std::string& pointer) {
        std::optional<Scheme> children_override;
        for (const auto& [key, value] : node.items()) {
            if (key == "title" || key == "text" || key == "children" || key == "label") continue;
            if (key == "children_numbering") {
                Scheme s{};
                if (!parse_scheme(value, s))
                    fail(pointer + "/children_numbering", "unknown scheme " + value.dump() + "; use " + kSchemeHint);
                children_override = s;
                continue;
            }
            fail(
                pointer + "/" + vanban::json_data::escape_pointer_token(key),
                "unknown key \"" + key +
                    "\" (a section has title, text, label, children, children_numbering; a bullet has \"bullet\"; a plain "
                    "paragraph with children has \"paragraph\")");
        }
        return children_override;
    }

    // The scheme of a section at `rank` (0: the top level): its parent's children_numbering, else numbering.levels.
    Scheme scheme_at(int rank, std::optional<Scheme> override_scheme, const std::string& pointer) {
        if (override_scheme) return *override_scheme;
        if (static_cast<std::size_t>(rank) < opt_.levels.size()) return opt_.levels[static_cast<std::size_t>(rank)];
        fail(pointer,
             "no numbering scheme for level " + std::to_string(rank + 1) + " (numbering.levels has " +
                 std::to_string(opt_.levels.size()) +
                 "); add one to numbering.levels or set \"children_numbering\" on the parent",
             "phần nội dung có " + std::to_string(rank + 1) +
                 " cấp mục lồng nhau nhưng \"Kiểu đánh số theo cấp\" chỉ có " + std::to_string(opt_.levels.size()) +
                 " cấp — hãy thêm một kiểu đánh số cho cấp này, hoặc chọn \"Kiểu đánh số của mục con\" ở mục cha");
    }

    // The label the data generates for section `number` of `scheme` under `parent` ("II.", "2.1.", "đ)", "(3)").
    std::string generated_label(Scheme scheme, int number, const HeadingInfo& parent, const std::string& pointer) {
        std::string label;
        switch (scheme) {
            case Scheme::roman: {
                auto r = vn::roman(number);
                if (!r)
                    fail(pointer, "section " + std::to_string(number) + " has no Roman numeral",
                         "mục thứ " + std::to_string(number) + " không có số La Mã (chỉ đến 3999)");
                label = *r + ".";
                break;
            }
            case Scheme::arabic: label = std::to_string(number) + "."; break;
            case Scheme::decimal: {
                if (parent.scheme != Scheme::arabic && parent.scheme != Scheme::decimal)
                    fail(
                        pointer,
                        std::string("decimal numbering (2.1.) needs a parent numbered 1. or 2.1., not ") +
                            (parent.label.empty() ? "the top level" : "\"" + parent.label + "\""),
                        "đánh số kiểu 2.1. chỉ dùng được dưới mục đánh số 1. hoặc 2.1. — hãy đổi kiểu đánh số của cấp này");
                std::string base = parent.label;
                if (!base.empty() && base.back() == '.') base.pop_back();
                label = base + "." + std::to_string(number) + ".";
                break;
            }
            case Scheme::letter: {
                auto l = vn::diem_letter(number);
                if (!l)
                    fail(pointer,
                         "điểm " + std::to_string(number) +
                             " has no letter: the Vietnamese sequence a, b, c, d, đ, e, g, h, i, k, l, m, n, o, "
                             "p, q, r, s, t, u, v, x, y ends at y (23)",
                         "điểm thứ " + std::to_string(number) +
                             " không có chữ cái: dãy a, b, c, d, đ, … chỉ đến y (23 điểm) — "
                             "hãy chia bớt hoặc đổi kiểu đánh số của cấp này");
                label = *l + ")";
                break;
            }
            case Scheme::paren: label = "(" + std::to_string(number) + ")"; break;
            case Scheme::none: label = ""; break;
        }
        return label;
    }

    void walk_heading(const json& node, const std::string& pointer, const HeadingInfo& parent,
                      std::optional<Scheme> override_scheme, int number) {
        const std::optional<Scheme> children_override = section_keys(node, pointer);
        check_rich(node, "title", pointer);
        check_rich(node, "text", pointer);
        const json title = node.value("title", json(nullptr));
        const json text = node.value("text", json(nullptr));
        if (rich_empty(title) && rich_empty(text) && !node.contains("children"))
            fail(pointer, "a section needs a \"title\" or a \"text\" (or write a bullet as {\"bullet\": …})",
                 "mục này chưa có tiêu đề hay nội dung — hãy điền \"Tiêu đề\" hoặc \"Nội dung viết liền\"");

        const int rank = parent.child_rank;
        const Scheme scheme = scheme_at(rank, override_scheme, pointer);

        HeadingInfo info;
        info.scheme = scheme;
        info.level = rank + 1;
        info.child_rank = scheme == Scheme::decimal ? rank : rank + 1;
        info.label = generated_label(scheme, number, parent, pointer);
        // The source's own number ("e)" where it skipped đ)) replaces the generated one; the count goes on unchanged.
        if (auto own = own_label(node, pointer)) info.label = std::move(*own);

        json shown_title = title;
        for (Scheme u : opt_.uppercase) {
            if (u == scheme) shown_title = upper_rich(title);
        }

        json head = "";
        json tail = "";
        const std::string prefix = info.label.empty() ? "" : info.label + " ";
        if (!rich_empty(shown_title)) {
            head = prepend(prefix, shown_title);
            if (!rich_empty(text)) tail = prepend(" ", text);
        } else if (!rich_empty(text)) {
            tail = prepend(prefix, text);
        } else {
            tail = escape_markup(info.label);  // a bare label: a section that holds only children
        }

        // "(1)" under a điểm is laid out as a điểm (its first line indented, the label in regular type).
        static const char* kStyles[] = {"KHMuc", "KHKhoan", "KHDecimal", "KHDiem", "KHBody"};
        static const char* kHeadStyles[] = {"KHMucHead", "KHKhoanHead", "KHDecimalHead", "KHDiemHead",
                                            "DefaultParagraphFont"};
        const int style_index = scheme == Scheme::roman                               ? 0
                                : scheme == Scheme::arabic                            ? 1
                                : scheme == Scheme::decimal                           ? 2
                                : scheme == Scheme::letter || scheme == Scheme::paren ? 3
                                                                                      : 4;
        out_.push_back(json{{"kind", "heading"},
                            {"level", rank + 1},
                            {"scheme", scheme_name(scheme)},
                            {"style", kStyles[style_index]},
                            {"head_style", kHeadStyles[style_index]},
                            {"label", info.label},
                            {"head", head},
                            {"tail", tail},
                            {"pointer", pointer}});

        if (const json* kids = children_of(node, pointer))
            walk_children(*kids, pointer + "/children", info, children_override, 0);
    }
};

}  // namespace

nlohmann::json flatten(const nlohmann::json& body, const nlohmann::json& options) {
    return Flattener(read_options(options)).run(body);
}

}  // namespace vanban::outline
