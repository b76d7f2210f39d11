// vanban's fuzz targets: every parser that takes outside input, driven from raw bytes. The same functions are the
// bodies of the libFuzzer harnesses (fuzz/entry.cpp, built with -DVANBAN_FUZZ=ON and clang) and of the unit test that
// replays the seed corpora and every regression input with the ordinary builds (tests/unit/fuzz_replay_test.cpp).
//
// A target returns normally for any input: bad input must end in a vanban::Error (caught here). Anything else — a
// crash, a sanitizer report, another exception, a leak, a hang, a blown memory limit, or a rendered document that is
// not well-formed — is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vanban::fuzz {

// A template package (DOCX or ODT) → compile → render with data (strictly for inputs of even size, leniently for odd)
// → the output is reopened and every rendered part must be well-formed XML. The input is either a zip archive (starts with "PK") or a bundle (below) whose parts
// become a package; a bundle part named "@data" is the JSON data to render with.
int template_package(const std::uint8_t* data, std::size_t size);

// Tag and expression text: each line becomes a paragraph of a minimal DOCX whose text is the input (so tags may open
// in one line and close in another), compiled and rendered. A bundle part "@data" gives the data, "@text" the text.
int tags(const std::uint8_t* data, std::size_t size);

// JSON data → Data::parse (positions, NFC) → validation against the bundled JSON Schemas → rendering of one of the
// bundled ke-hoach (DOCX, ODT) and award-form templates, whose output must be well-formed.
int data(const std::uint8_t* data, std::size_t size);

// Record files: the bytes read as CSV, as a JSON array and as JSON Lines; cells typed by the award record schema for
// inputs of odd size.
int records(const std::uint8_t* data, std::size_t size);

// An XLSX workbook (zip, or a bundle of its parts) read as records; cells typed by the award record schema for inputs
// of odd size.
int xlsx(const std::uint8_t* data, std::size_t size);

// A picture: the bytes through the PNG/JPEG/GIF header reader, then as the picture of the data (printable text as the
// source text itself — data: URI, base64, path — other bytes base64-encoded) rendered into a DOCX, inline and floating.
int pictures(const std::uint8_t* data, std::size_t size);

// An existing plan read by vanban::import_document: a zip (or a bundle of its parts) as DOCX and as ODT, and the
// bytes themselves as plain text (odd sizes: Markdown). The result must hold a body the outline numbers, be valid
// for the ke-hoach schema and serialise as JSON.
int import_plan(const std::uint8_t* data, std::size_t size);

struct Target {
    std::string_view name;
    int (*run)(const std::uint8_t*, std::size_t);
};
std::span<const Target> targets();

// The bundle format, to keep zip-shaped seeds as reviewable text: parts as "=== name" lines, each followed by the
// part's content; the newline before the next "=== " line is not part of the content.
//   === word/document.xml
//   <w:document ...>...</w:document>
//   === @data
//   {"x": 1}
std::vector<std::pair<std::string, std::string>> parse_bundle(std::string_view text);
std::string make_bundle(const std::vector<std::pair<std::string, std::string>>& parts);

}  // namespace vanban::fuzz
