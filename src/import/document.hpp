// The neutral form every imported document is read into before anything is recognised: its paragraphs in reading
// order, each with its text as rich spans (emphasis, line breaks, footnotes with their content), the label of
// automatic numbering already written in front of the text (as the reader sees it printed), and, for paragraphs
// in tables, where they stood. The format readers (DOCX, ODT, plain text) produce it; recognise.cpp reads it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/richtext.hpp"
#include "vanban/vanban.hpp"

namespace vanban::import {

struct Paragraph {
    std::string part;  // "word/document.xml", "content.xml", the text file's name
    int number = 0;    // 1-based paragraph (text: line) within the part
    std::vector<RichSpan> spans;
    // How many bytes of the plain text, from its start, are printed bold by direct formatting or by a style: tells
    // a section's title from its run-in text. Markup (the data's **…**) comes from direct formatting only, so a
    // template's own styles are not copied into the data.
    std::size_t bold_prefix = 0;
    int table = -1;  // tables of the part counted from 0, in reading order; -1 outside tables
    int row = -1;
    int cell = -1;
    // Its label was printed by the word processor's automatic numbering (w:numPr, text:list), which has no đ):
    // a label that differs from the decree's sequence is then the list's artefact, not the source's own number.
    bool numbered_automatically = false;
};

struct ReadLimits {
    Limits package;
    std::uint64_t max_paragraphs = 100'000;
};

std::vector<Paragraph> read_docx(std::string bytes, const std::string& name, const ReadLimits& limits);
std::vector<Paragraph> read_odt(std::string bytes, const std::string& name, const ReadLimits& limits);
// Plain text (UTF-8, one paragraph per line, *light markup* allowed); `markdown` also takes "#" heading marks off.
// Lines "¹ …" (superscript digits) are footnotes of the marks "…¹" in the text.
std::vector<Paragraph> read_text(std::string_view bytes, const std::string& name, bool markdown,
                                 const ReadLimits& limits);

// The visible text: text spans and line breaks ('\n'); footnotes left out.
std::string plain_text(const std::vector<RichSpan>& spans);
// The spans as the data's light markup (**đậm**, *nghiêng*, ^[chú thích], \* for a literal asterisk).
std::string to_markup(const std::vector<RichSpan>& spans);
// Splits at byte `offset` of plain_text(spans): the spans before and after (a footnote at the cut goes left).
std::pair<std::vector<RichSpan>, std::vector<RichSpan>> split_spans(const std::vector<RichSpan>& spans,
                                                                    std::size_t offset);
// White space (and line breaks) taken off both ends.
std::vector<RichSpan> trim_spans(std::vector<RichSpan> spans);

// Appends a text span, merging it into the last one when the formatting is the same.
void append_text(std::vector<RichSpan>& spans, std::string text, bool bold, bool italic, bool underline);

}  // namespace vanban::import
