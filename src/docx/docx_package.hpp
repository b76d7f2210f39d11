// The DOCX package beyond its story parts: the page that sets the width of pictures, drawing ids, where pictures go
// and how the package lists them (relationships, content types), the footnotes part every compiled template has,
// and the styles and fonts `vanban check` looks at. All of it reads WordprocessingML as XML (libxml2).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/package_format.hpp"

namespace vanban::docx {

const core::PackageFormat& package_format();

// Rich text may produce footnotes, which need word/footnotes.xml, its content type and its relationship. For a
// template made without any footnote, the parts to add or replace (name → content) so that no render can point at a
// footnote that does not exist; empty when nothing is needed or the package is too broken to extend (validation
// then says why). `has` tells whether the template has an entry, `read` gives its content.
std::map<std::string, std::string> footnotes_part_additions(const std::function<bool(const std::string&)>& has,
                                                            const std::function<std::string(const std::string&)>& read);

// Refuses (vanban::Error, package) a package whose main document vanban would not find or could not render as a
// Word document: no _rels/.rels naming it, the part missing, of another content type, or not at word/document.xml
// (a render would otherwise write a package that points at a missing part, or render another part as the body).
void check_main_document(const std::function<bool(const std::string&)>& has,
                         const std::function<std::string(const std::string&)>& read);

// The main part of a package as its _rels/.rels names it (the officeDocument relationship, its target without the
// leading '/'); empty when the relationships do not parse or name none.
std::string main_part_named_by(std::string_view package_relationships);

// The content type [Content_Types].xml gives `part` (its Override, else the Default of its extension); empty when it
// gives none or does not parse.
std::string content_type_of(std::string_view content_types, const std::string& part);

// Rich text's hyperlinks (RichSpan::url) are related by the part that shows them: the relationship id of the
// hyperlink numbered `number` in a part (RenderState::hyperlinks) is rIdVanbanLink<base + number>, `base` being the
// highest such N the part's relationships in the template already have (link_id_base: read once per part and
// value, not per link), so ids never collide and a render is deterministic.
int link_id_base(const core::RenderState& state, const std::string& part);
std::string hyperlink_relationship_id(int base, int number);
// Whether the template's styles define Word's character style for links ("Hyperlink"), which links then take.
bool has_hyperlink_style(const core::RenderState& state);
// The external relationships of the render's hyperlinks, added to each part's .rels (made when it has none).
void list_hyperlinks(const core::RenderState& state, core::PictureEdits& edits);

// Whether `type` is the content type of a Word main document (document or template, with or without macros).
bool is_main_document_type(std::string_view type);

}  // namespace vanban::docx
