#include "odt/odt_rich.hpp"

#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/package_format.hpp"

namespace vanban::odt {

namespace {

// The automatic text styles one render made, by part.
class RichStyleSession final : public core::AdapterSession {
public:
    struct PartStyles {
        std::map<std::string, std::string> name_of;  // the style's definition after its name → its name
        std::string xml;                             // the style:style elements, in first-use order
    };
    std::map<std::string, PartStyles> parts;
};

// Word's highlight names (RunLook::highlight) as the colours Word shows them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 17> kHighlightColours = {
    {{"black", "#000000"},
     {"blue", "#0000ff"},
     {"cyan", "#00ffff"},
     {"green", "#00ff00"},
     {"magenta", "#ff00ff"},
     {"red", "#ff0000"},
     {"yellow", "#ffff00"},
     {"white", "#ffffff"},
     {"darkBlue", "#000080"},
     {"darkCyan", "#008080"},
     {"darkGreen", "#008000"},
     {"darkMagenta", "#800080"},
     {"darkRed", "#800000"},
     {"darkYellow", "#808000"},
     {"darkGray", "#808080"},
     {"lightGray", "#c0c0c0"},
     {"none", "transparent"}}};

// Word's underline styles (docxtpl's names) as ODF's line style, type and width.
struct Underline {
    std::string_view word, style, type, width;
};
constexpr std::array<Underline, 8> kUnderlines = {{{"single", "solid", "single", "auto"},
                                                   {"double", "solid", "double", "auto"},
                                                   {"thick", "solid", "single", "bold"},
                                                   {"dotted", "dotted", "single", "auto"},
                                                   {"dash", "dash", "single", "auto"},
                                                   {"dotDash", "dot-dash", "single", "auto"},
                                                   {"dotDotDash", "dot-dot-dash", "single", "auto"},
                                                   {"wave", "wave", "single", "auto"}}};

class Properties {
public:
    void add(std::string_view name, std::string_view value) {
        text_ += ' ';
        text_ += name;
        text_ += "=\"";
        core::escape_xml_attribute(text_, value);
        text_ += '"';
    }
    // The same value in the Western, Asian and complex-script attributes (fo:font-size, style:font-size-asian, …).
    void add_all_scripts(std::string_view local, std::string_view value) {
        add("fo:" + std::string(local), value);
        add("style:" + std::string(local) + "-asian", value);
        add("style:" + std::string(local) + "-complex", value);
    }
    const std::string& text() const { return text_; }

private:
    std::string text_;
};

// A font family as fo:font-family takes it: quoted when the name has spaces.
std::string font_family(const std::string& font) {
    return font.find(' ') == std::string::npos ? font : "'" + font + "'";
}

void add_emphasis_and_lines(const RichSpan& s, Properties& p) {
    if (s.bold) p.add_all_scripts("font-weight", "bold");
    if (s.italic) p.add_all_scripts("font-style", "italic");
    if (s.underline) {
        // (both arms string_view: a "single" : std::string conditional would make a temporary string to view)
        const std::string_view word =
            s.look.underline_style.empty() ? std::string_view("single") : std::string_view(s.look.underline_style);
        for (const Underline& u : kUnderlines) {
            if (u.word != word) continue;
            p.add("style:text-underline-style", u.style);
            if (u.type != "single") p.add("style:text-underline-type", u.type);
            p.add("style:text-underline-width", u.width);
            p.add("style:text-underline-color", "font-color");
        }
    }
    if (s.look.strike) {
        p.add("style:text-line-through-style", "solid");
        p.add("style:text-line-through-type", "single");
    }
    if (s.look.vert_align != RunLook::VertAlign::none)
        p.add("style:text-position", s.look.vert_align == RunLook::VertAlign::superscript ? "super 58%" : "sub 58%");
}

void add_look(const RunLook& look, Properties& p) {
    if (look.color == "auto") p.add("style:use-window-font-color", "true");
    else if (!look.color.empty()) p.add("fo:color", "#" + look.color);
    if (look.half_points > 0) {
        char size[16];
        std::snprintf(size, sizeof size, look.half_points % 2 ? "%d.5pt" : "%dpt", look.half_points / 2);
        p.add_all_scripts("font-size", size);
    }
    if (!look.font.empty()) {
        // docxtpl writes the font for Western and complex scripts, and for East Asian ones when asked ("eastAsia:…").
        p.add("fo:font-family", font_family(look.font));
        p.add("style:font-family-complex", font_family(look.font));
        if (look.font_region == "eastAsia") p.add("style:font-family-asian", font_family(look.font));
    }
    for (const auto& [word, colour] : kHighlightColours)
        if (word == look.highlight) p.add("fo:background-color", colour);
}

// A style name as ODF writes one (an NCName): characters a name cannot hold become _XX_ (hex), as LibreOffice encodes
// "Strong Emphasis" as "Strong_20_Emphasis".
std::string encoded_style_name(const std::string& name) {
    std::string out;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        const bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '_' ||
                           c == '-' || c == '.' || u >= 0x80;
        if (plain && !(out.empty() && (c == '-' || c == '.' || (u >= '0' && u <= '9')))) {
            out += c;
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "_%02X_", u);
            out += hex;
        }
    }
    return out;
}

}  // namespace

std::string rich_text_style(core::RenderState& state, const RichSpan& span) {
    if (!state.adapter_session) state.adapter_session = std::make_unique<RichStyleSession>();
    auto* session = dynamic_cast<RichStyleSession*>(state.adapter_session.get());
    if (!session) throw core::EvalError("internal: another adapter's render state");
    Properties p;
    add_emphasis_and_lines(span, p);
    add_look(span.look, p);
    std::string definition = " style:family=\"text\"";
    if (!span.look.style.empty()) {
        definition += " style:parent-style-name=\"";
        core::escape_xml_attribute(definition, encoded_style_name(span.look.style));
        definition += '"';
    }
    definition += "><style:text-properties" + p.text() + "/></style:style>";
    RichStyleSession::PartStyles& styles = session->parts[state.current_part ? *state.current_part : std::string()];
    const auto [it, fresh] = styles.name_of.try_emplace(definition);
    if (fresh) {
        it->second = std::string(kRichStylePrefix) + std::to_string(styles.name_of.size());
        styles.xml += "<style:style style:name=\"" + it->second + "\"" + definition;
    }
    return it->second;
}

void add_rich_text_styles(const std::string& part, std::string& rendered, const core::RenderState& state) {
    const auto* session = dynamic_cast<const RichStyleSession*>(state.adapter_session.get());
    if (!session) return;
    const auto styles = session->parts.find(part);
    if (styles == session->parts.end()) return;
    // The compiled part always has office:automatic-styles with vanban's emphasis styles in it (odt_part.cpp), under
    // the prefix the template binds: its end tag is the first "</…:automatic-styles>" (values never write '<').
    constexpr std::string_view kEnd = ":automatic-styles>";
    for (std::size_t at = rendered.find(kEnd); at != std::string::npos; at = rendered.find(kEnd, at + 1)) {
        const std::size_t open = rendered.rfind('<', at);
        if (open == std::string::npos || rendered.compare(open, 2, "</") != 0) continue;
        rendered.insert(open, styles->second.xml);
        return;
    }
    core::refuse_package(part, "package.odt_styles",
                         "the rendered part has no office:automatic-styles for rich text's styles",
                         "không ghi được kiểu chữ định dạng: phần " + part + " không có office:automatic-styles");
}

}  // namespace vanban::odt
