// The plan recogniser's state and its parts (internal to src/import). Takes the document's paragraphs; fills the
// data of templates/ke-hoach/schema.json, the warnings and the places it did not recognise. One class, its member
// functions defined by what they recognise:
//   recognise.cpp           run (where each block begins), reporting, what the document lacks (placeholders)
//   recognise_header.cpp    the header block: agencies, Số/ký hiệu, place and date, KẾ HOẠCH and the trích yếu
//   recognise_body.cpp      căn cứ and opening, the numbered body (mục, khoản, điểm, bullets) as a tree
//   recognise_closing.cpp   Nơi nhận, the archive line ("Lưu: VT, …") and the signature block
//   recognise_appendix.cpp  appendices and their task tables
// docs/import.md describes every rule.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "import/document.hpp"
#include "import/recognise_text.hpp"
#include "vanban/import.hpp"

namespace vanban::import::plan {

using json = nlohmann::json;

// A place of the body tree as the data writes it: text, a bullet, a paragraph with bullets, or a section.
struct Node {
    enum class Kind { text, bullet, paragraph, section };
    Kind kind = Kind::text;
    std::string rich;  // text, bullet, paragraph
    std::optional<std::string> title, text;
    std::string symbol;
    std::string scheme;        // section
    int number = 0;            // section: its number as the data generates it
    int level = 0;             // section: numbered level (decimal: its parent's)
    std::string child_scheme;  // the scheme its numbered children use
    std::string children_numbering;
    std::string label;  // section: the source's own number where it is not the generated one
    int numbered_children = 0;
    std::vector<std::unique_ptr<Node>> children;

    json to_json() const;
};

// A body paragraph with its label read.
struct Item {
    const Paragraph* p = nullptr;
    std::vector<RichSpan> spans;
    std::string plain;
    Label label;
    std::size_t bold = 0;  // bytes of plain from the start that look bold
};

// One paragraph as a string, several as a list (the schema's "paragraphs" shape).
json paragraphs_json(const std::vector<std::string>& paragraphs);

class Recogniser {
public:
    Recogniser(std::vector<Paragraph> paragraphs, std::string source)
        : ps_(std::move(paragraphs)), source_(std::move(source)) {}

    ImportResult run();

private:
    std::vector<Paragraph> ps_;
    std::string source_;
    ImportResult result_;
    std::vector<std::string> before_body_;  // unrecognised paragraphs of the header, kept at the opening's start
    std::vector<std::string> after_body_;   // unrecognised paragraphs after the body, kept in the closing
    std::vector<std::string> closing_;
    json& data() { return result_.data; }

    // ----- reporting (recognise.cpp)
    void warn(const std::string& code, std::string en, std::string vi, const Paragraph* p, std::string pointer = {});
    void unrecognised(const Paragraph& p, const std::string& text, std::string reason);

    // ----- header (recognise_header.cpp)
    struct AgencyLine {
        std::string text;
        bool bold = false;
    };
    std::size_t find_type_line();
    void header(std::size_t begin, std::size_t end);
    static bool national_heading(const std::string& line);
    void set_agencies(const std::vector<AgencyLine>& lines);
    bool number_line(const std::string& line, const Paragraph& p);
    bool date_line(const std::string& line);
    static bool draft_year(const std::string& word);
    void place_of(const std::string& line, std::size_t date_bytes);
    std::size_t title(std::size_t type);

    // ----- body (recognise_body.cpp)
    struct Open {
        Node* node;
        std::string scheme;
    };
    std::vector<Item> body_items(std::size_t begin, std::size_t end);
    static bool is_section(const Label& l);
    void body(std::size_t begin, std::size_t end);
    void preamble(const std::vector<Item>& items, std::size_t begin, std::size_t end);
    void tree(std::vector<Item>& items, std::size_t begin, std::size_t end);
    static Node* add_text(Node* container, const Item& item);
    Node* section(const Item& item, const std::string& scheme, const std::vector<std::string>& levels,
                  std::vector<Open>& stack, Node& root);
    void numbering_warning(const Item& item, const std::string& scheme, int expected, int parent_number);
    static void split_title(const Item& item, const std::string& scheme, Node& node);

    // ----- Nơi nhận and signature (recognise_closing.cpp)
    struct Line {
        std::string text;
        const Paragraph* p;
    };
    void tail(std::size_t begin, std::size_t end, const Paragraph& label);
    void archive(const std::string& item);
    void signature(std::vector<Line> lines);

    // ----- appendices (recognise_appendix.cpp)
    using Cells = std::map<std::tuple<int, int, int>, std::vector<const Paragraph*>>;
    void appendices(std::size_t begin, std::size_t end);
    std::optional<json> appendix(std::size_t begin, std::size_t end);
    static std::string cell_markup(const std::vector<const Paragraph*>& ps);
    void read_task_table(int table, const Cells& cells, json& tasks, json& groups);

    // ----- what the document lacks (recognise.cpp)
    void missing(const std::string& pointer, const json& placeholder, const std::string& en_label,
                 const std::string& vi_label);
    static int current_year();
    int year_from_title() const;
    void finish();
};

}  // namespace vanban::import::plan
