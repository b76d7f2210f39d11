// docxtpl's RichText properties in OpenDocument: each look a span asks for (colour, size, font, highlight, underline
// style, strike, sub/superscript, a character style, with its emphasis) is an automatic text style of the part that
// shows it, made by the render that needs it. Styles are named vanban_rt1, vanban_rt2, … per part in first-use
// order, one per distinct look, and written into the part's office:automatic-styles after the render.
#pragma once

#include <string>

#include "core/program.hpp"
#include "core/richtext.hpp"

namespace vanban::odt {

// The name of the automatic text style of the span's emphasis and look in the part being rendered (made on first
// use in the render's session).
std::string rich_text_style(core::RenderState& state, const RichSpan& span);

// After the render: the automatic styles the render made for `part`, added to its office:automatic-styles.
void add_rich_text_styles(const std::string& part, std::string& rendered, const core::RenderState& state);

// The prefix of those names: a template that has styles of that name (a vanban output used as a template) has them
// renamed when it is compiled, so that the render's never collide with them.
inline constexpr std::string_view kRichStylePrefix = "vanban_rt";

}  // namespace vanban::odt
