// Helpers shared by unit and end-to-end tests: build small DOCX packages, read rendered ones back, extract the
// visible text paragraph by paragraph, and run the shared check tools.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace vanban::test {

std::string source_dir();  // the repository
std::string shared_dir();  // ../shared beside the repository
std::string binary_dir();  // the build tree
std::string temp_dir();    // a fresh directory under the system temp dir, removed at exit

// A minimal, valid DOCX whose word/document.xml body is `body_xml` (the content of <w:body>, without sectPr).
// `extra_parts` adds or replaces parts (e.g. "word/header1.xml"); content types and relationships for
// headers/footers/footnotes named in extra_parts are added automatically.
std::string make_docx(const std::string& body_xml, const std::map<std::string, std::string>& extra_parts = {});

// One w:p with one run holding `text` (escaped for XML), for make_docx bodies.
std::string docx_paragraph(const std::string& text);

// A minimal, valid ODT (ODF 1.3): mimetype first and stored, manifest, meta.xml, content.xml whose office:text holds
// `body_xml`, styles.xml with a master page "Standard" holding `master_page_xml` (e.g. a style:header) and the
// paragraph/text styles named in tests (P, Footnote, Header, Strong). `automatic_styles` goes into content.xml's
// office:automatic-styles.
std::string make_odt(const std::string& body_xml, const std::string& master_page_xml = {},
                     const std::string& automatic_styles = {});

// Text escaped for XML character data (& < >).
std::string xml_escape(const std::string& text);

// All entries of a zip archive, uncompressed.
std::map<std::string, std::string> read_zip(const std::string& bytes);

// The visible text of every w:p in `xml`, in document order (tabs as '\t', breaks as '\n'); paragraphs inside
// tables and text boxes included; footnote marks left out, a form's own "(1)" as an automatic number.
std::vector<std::string> paragraph_texts(const std::string& xml);

// The visible text of every text:p / text:h in an OpenDocument part, in document order (text:s as spaces, text:tab
// as '\t', text:line-break as '\n'); notes (text:note) and annotations are left out, paragraphs in tables and
// frames included, each nested paragraph in its own slot.
std::vector<std::string> odt_paragraph_texts(const std::string& xml);

// The text of each footnote/endnote body (its paragraphs joined with '\n'), in document order.
std::vector<std::string> odt_note_texts(const std::string& xml);

// The paragraphs that hold more than white space (empty ones — rules, spacers, section breaks — left out).
std::vector<std::string> non_empty(const std::vector<std::string>& paragraphs);

// Where two paragraph lists first differ ("paragraph N:\n  odt: …\n  docx: …"), "" when they are equal.
std::string first_difference(const std::vector<std::string>& odt, const std::vector<std::string>& docx);

// The text of each footnote of a DOCX (the parts of read_zip), without the space after its mark, in document order.
std::vector<std::string> docx_footnote_texts(const std::map<std::string, std::string>& parts);

// Runs a shell command; returns its exit status and puts stdout (and stderr when merge_stderr) into *output.
int run_command(const std::string& command, std::string* output = nullptr, bool merge_stderr = true);

void write_file(const std::string& path, const std::string& data);
std::string read_file(const std::string& path);
// `s` in single quotes for /bin/sh (a quote inside becomes '\'').
std::string quote(const std::string& s);

std::string tools_dir();  // ../shared/tools
// "" when ../shared/tools/validate-office accepts the file at `path` (given `flags`, e.g. "--strict"); otherwise its
// exit status and output, for the failure message.
std::string validate_office(const std::string& path, const std::string& flags = {});

// The names in `dir`: throws when it cannot be read (for assertions about what a directory holds).
std::set<std::string> entries_of(const std::string& dir);
// The names in `dir`, sorted; none when it does not exist (yet: for polling).
std::vector<std::string> files_in(const std::string& dir);

// Hostile-input bounds (docs/reliability.md): `work` runs in a forked child, which reports a short outcome (e.g. the
// error message it got); the parent measures the wall time and the child's peak resident memory (wait4's rusage).
struct Bounded {
    std::string outcome;     // what `work` returned, or "killed by signal N" / "exception: ..."
    double seconds = 0;      // wall
    double cpu_seconds = 0;  // user + system: what the bound is checked on (a loaded machine stretches the wall time)
    double peak_rss_mib = 0;
};
Bounded run_bounded(const std::function<std::string()>& work, unsigned kill_after_seconds = 800);

// The bounds the issue sets: < 2 s and < 256 MiB at the default limits (the time as CPU time, so that other work on
// the machine does not make the test flaky). Sanitizer builds run several times slower and keep shadow memory: time
// is scaled, memory not checked. The coverage build (ASan with atomic gcov counters on every branch) is slower again,
// 30-60x release on the hot loops: there the bound only tells a refusal from a runaway (the release build holds 2 s).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif
#else
inline constexpr bool kSanitized = false;
#endif
#ifdef VANBAN_TEST_COVERAGE
inline constexpr bool kCoverageCounted = true;
#else
inline constexpr bool kCoverageCounted = false;
#endif
inline constexpr double kBoundSeconds = kCoverageCounted ? 400.0 : kSanitized ? 20.0 : 2.0;
inline constexpr double kBoundMib = 256.0;

}  // namespace vanban::test
