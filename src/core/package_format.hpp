// What the api layer asks of a package format (DOCX, ODT) beyond compiling its parts and writing values: the width of
// the text, the ids of drawings, where pictures go and how the package lists them, the styles and fonts the package
// names. Every answer that needs the format's XML is read by the adapter (docx/docx_package.cpp,
// odt/odt_package.cpp) with libxml2; the api layer never searches a part's text.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/tree.h>

#include "core/image.hpp"
#include "core/program.hpp"
#include "core/xml_compiler.hpp"

namespace vanban::core {

// Styles and fonts a package defines and uses (`vanban check`).
struct StyleFacts {
    std::set<std::string> styles_defined;
    struct Use {
        std::string part, style;
        bool literal = false;  // written in a {% pstyle %} tag
    };
    std::vector<Use> styles_used;
    std::set<std::string> fonts;
};

// The parts one render with pictures writes: `text_of(name)` is the text of an existing part as this render leaves it
// so far (edit it in place; it throws a package error when the template lacks the part), `added` takes new parts.
struct PictureEdits {
    std::function<std::string&(const std::string&)> text_of;
    std::vector<std::pair<std::string, std::string>>& added;
    const std::set<std::string>& entries;                            // every entry of the template
    std::vector<std::pair<std::string, const std::string*>>& media;  // files added as they are (the render owns them)
};

class PackageFormat {
public:
    virtual ~PackageFormat() = default;

    // Writes values in this format. Stateless; one instance serves every render.
    virtual const Emitter& emitter() const = 0;

    // How the template compiler treats a part of this format.
    struct PartRole {
        bool story = false;              // may hold visible text with tags: compiled when it may have tags
        bool always_compiled = false;    // compiled even without tags (DOCX footnotes: rich-text footnotes go there)
        bool numbers_footnotes = false;  // its notes set where the numbers of rich-text footnotes start
        int render_rank = 1;             // parts render by rank: 0 the main document, collectors of footnotes last
    };
    virtual PartRole part_role(const std::string& part) const = 0;
    // Compiles a story part (core::compile_xml_part with the format's Dialect); `hooks` receives what it found.
    virtual Program compile_part(std::string_view xml, const std::string& part, std::vector<Diagnostic>& errors,
                                 PartHooks& hooks) const = 0;
    // Parts to add to, or replace in, a template of this format before it is compiled (name → content): the DOCX
    // footnotes part. `has` tells whether the template has an entry, `read` gives its content.
    virtual std::map<std::string, std::string> compile_additions(
        const std::function<bool(const std::string&)>& /*has*/,
        const std::function<std::string(const std::string&)>& /*read*/) const {
        return {};
    }
    // Refuses, with a package error naming the part, a package this format cannot render faithfully: its main part
    // missing (DOCX: found through _rels/.rels), of another content type, a wrong `mimetype` (ODF). `has` tells
    // whether the template has an entry, `read` gives its content.
    virtual void check_package(const std::function<bool(const std::string&)>& /*has*/,
                               const std::function<std::string(const std::string&)>& /*read*/) const {}
    // The content of the `mimetype` entry that must come first in the package, stored (ODF); empty when the format
    // has none.
    virtual std::string_view mimetype() const { return {}; }

    // The width of the text (EMU) when `part` is the one that sets the page (DOCX word/document.xml: the last
    // section; ODT styles.xml: the first page layout), 0 otherwise or when it does not say. `read` gives the part's
    // content; it is called only for that part.
    virtual std::int64_t text_width(const std::string& part, const std::function<std::string()>& read) const = 0;

    // Parts whose text a render may extend (relationships, content types, the manifest; DOCX sub-documents: styles
    // and numbering).
    virtual bool lists_pictures(const std::string& part) const = 0;
    // The folder of the package where picture files go ("word/media/", "Pictures/").
    virtual std::string_view media_folder() const = 0;
    // Lists the render's pictures where the format wants them (relationships of the parts that show them, content
    // types or manifest entries of their formats).
    virtual void list_pictures(const ImageSession& images, PictureEdits& edits) const = 0;

    // After a render that grew the package (RenderState::package_grows — DOCX: sub-documents, hyperlinks; ODT: rich
    // text's automatic styles): tidies the rendered `part`, and lists what the render adds to the package.
    virtual void finish_part(const std::string& /*part*/, std::string& /*rendered*/,
                             const RenderState& /*state*/) const {}
    virtual void list_additions(const RenderState& /*state*/, PictureEdits& /*edits*/) const {}

    // Drawings repeated by loops would share ids, which Word reports as unreadable content. The highest drawing id in
    // a part of the template (0 when the format has none), and the renumbering of a rendered part from `next` on.
    virtual unsigned long max_drawing_id(std::string_view /*xml*/) const { return 0; }
    virtual void renumber_drawings(std::string& /*rendered*/, unsigned long& /*next*/) const {}

    // `vanban check`: what one element of a parsed part says about styles and fonts, whether it is a paragraph, and
    // the visible text of a paragraph.
    virtual void note_styles(const xmlNode* element, const std::string& part, StyleFacts& facts) const = 0;
    virtual bool is_paragraph(const xmlNode* element) const = 0;
    virtual void paragraph_text(const xmlNode* paragraph, std::string& out) const = 0;
};

// Inserts `content` as the last children of the root element `root` ("Relationships", "Types", "manifest:manifest")
// of a part the template carries, also when it is written empty (<Relationships …/>). False when the part is not in
// that form. The part is otherwise copied byte for byte, so the render changes nothing else in it.
bool append_to_root(std::string& xml, std::string_view root, const std::string& content);

// A package error about `part` with its stable code and both texts.
[[noreturn]] void refuse_package(const std::string& part, std::string code, std::string message,
                                 std::string message_vi);

// The package error of a part a render must extend but that is not in the usual form.
[[noreturn]] void unusual_picture_part(const std::string& part);

}  // namespace vanban::core
