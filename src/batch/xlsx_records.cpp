// XLSX records: the main sheet of a workbook streamed row by row from the archive (xlsx_parts.hpp), its cells as
// Excel typed them (shared strings, numbers, dates by their number format, true/false, errors), vertical merges filled
// down, and the "list sheets" — the rows of a list field (achievements, awards …) on a sheet named after it, keyed by
// the record's STT or a column naming the record. Takes the workbook path; gives rows to TabularReader (tabular.hpp),
// which finds the header and builds the records, and adds each record's list rows to it.
#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "batch/readers.hpp"
#include "batch/tabular.hpp"
#include "batch/xlsx_parts.hpp"
#include "core/vn.hpp"
#include "io/fail.hpp"
#include "json/pointer.hpp"

namespace vanban::batch::detail {

namespace {

using io::fail;
using nlohmann::json;

class XlsxReader final : public TabularReader {
public:
    XlsxReader(const std::string& path, const ReaderOptions& options, bool count_only)
        : TabularReader(options, options.source.empty() ? path : options.source, true, count_only),
          zip_(zip::Reader::from_file(path, workbook_limits())),
          // The counting pass reads the texts too: telling titles, totals and notes from records needs them.
          shared_(false, options.xlsx_strings_in_memory),
          max_row_bytes_(options.max_record_bytes) {
        if (!zip_.contains("xl/workbook.xml"))
            fail(DiagnosticKind::usage, "not an XLSX workbook (no xl/workbook.xml)", source_);
        const std::string sheet_part = find_sheet(zip_, options.sheet);
        if (zip_.contains("xl/sharedStrings.xml")) read_shared_strings();
        if (zip_.contains("xl/styles.xml")) read_styles(zip_.read("xl/styles.xml"));
        if (!zip_.contains(sheet_part)) fail(DiagnosticKind::usage, "the workbook has no part " + sheet_part, source_);
        if (!count_only && options.schema) read_lists(*options.schema, options.max_record_bytes);
        read_merges(sheet_part);
        sheet_.emplace(zip_, sheet_part, source_);
        row_number_ = 0;
        done_ = false;
        find_header();
    }

    bool read_raw(RawRow& row) override {
        if (!read_row(row.cells)) return false;
        row.where = row_number_;
        if (!merges_.empty()) fill_merged(row.cells, row_number_);
        return true;
    }

private:
    std::string find_sheet(const zip::Reader& zip, const std::string& wanted) {
        static constexpr const char* kRelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        const std::string workbook = zip.read("xl/workbook.xml");
        auto r = xml_reader(workbook, "xl/workbook.xml", source_);
        std::vector<std::pair<std::string, std::string>> sheets;  // name, relationship id
        int rc;
        while ((rc = read_node(r.get(), "xl/workbook.xml", source_)) == 1) {
            if (xmlTextReaderNodeType(r.get()) != XML_READER_TYPE_ELEMENT) continue;
            const auto n = local_name(r.get());
            if (n == "workbookPr") {
                auto v = attribute(r.get(), "date1904");
                date1904_ = v && (*v == "1" || *v == "true");
            } else if (n == "sheet") {
                sheets.emplace_back(attribute(r.get(), "name").value_or(""),
                                    attribute(r.get(), "id", kRelNs).value_or(""));
            }
        }
        if (rc < 0) fail(DiagnosticKind::package, "xl/workbook.xml is not well-formed XML", source_);
        if (sheets.empty()) fail(DiagnosticKind::usage, "the workbook has no sheets", source_);
        auto sheet = sheets.begin();
        if (!wanted.empty()) {
            sheet = std::find_if(sheets.begin(), sheets.end(), [&](const auto& s) { return s.first == wanted; });
            if (sheet == sheets.end()) {
                std::string names;
                for (const auto& s : sheets) names += (names.empty() ? "'" : ", '") + s.first + "'";
                fail(DiagnosticKind::usage, "the workbook has no sheet named '" + wanted + "' (it has " + names + ")",
                     source_);
            }
        }
        // Resolve the relationships to the worksheet parts; fall back to the conventional names.
        std::map<std::string, std::string> targets;  // relationship id → part
        if (zip.contains("xl/_rels/workbook.xml.rels")) {
            const std::string rels = zip.read("xl/_rels/workbook.xml.rels");
            auto rr = xml_reader(rels, "xl/_rels/workbook.xml.rels", source_);
            while (read_node(rr.get(), "xl/_rels/workbook.xml.rels", source_) == 1) {
                if (xmlTextReaderNodeType(rr.get()) != XML_READER_TYPE_ELEMENT ||
                    local_name(rr.get()) != "Relationship")
                    continue;
                std::string t = attribute(rr.get(), "Target").value_or("");
                if (t.starts_with("/")) t = t.substr(1);
                else if (!t.empty()) t = "xl/" + t;
                if (!t.empty()) targets.emplace(attribute(rr.get(), "Id").value_or(""), t);
            }
        }
        for (std::size_t i = 0; i < sheets.size(); ++i) {
            auto t = targets.find(sheets[i].second);
            sheet_parts_.emplace_back(sheets[i].first, t != targets.end()
                                                           ? t->second
                                                           : "xl/worksheets/sheet" + std::to_string(i + 1) + ".xml");
        }
        main_sheet_ = static_cast<std::size_t>(sheet - sheets.begin());
        return sheet_parts_[main_sheet_].second;
    }

    void read_shared_strings() {
        const StreamedXml xml(zip_, "xl/sharedStrings.xml", source_);
        xmlTextReader* r = xml.get();
        std::string current;
        int in_t = 0, in_rph = 0;
        int rc;
        while ((rc = read_node(r, "xl/sharedStrings.xml", source_)) == 1) {
            const int type = xmlTextReaderNodeType(r);
            const auto n = local_name(r);
            if (type == XML_READER_TYPE_ELEMENT) {
                const bool empty = xmlTextReaderIsEmptyElement(r);
                if (n == "si") {
                    current.clear();
                    if (empty) shared_.add({});
                } else if (n == "t" && !empty) {
                    ++in_t;
                } else if ((n == "rPh" || n == "phoneticPr") && !empty) {
                    ++in_rph;
                }
            } else if (type == XML_READER_TYPE_END_ELEMENT) {
                if (n == "si") shared_.add(decode_xstring(std::move(current)));
                else if (n == "t") in_t = std::max(0, in_t - 1);
                else if (n == "rPh" || n == "phoneticPr") in_rph = std::max(0, in_rph - 1);
            } else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                        type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_CDATA) &&
                       in_t > 0 && in_rph == 0) {
                current += node_value(r);
            }
        }
        if (rc < 0) {
            xml.check();
            fail(DiagnosticKind::package, "xl/sharedStrings.xml is not well-formed XML", source_);
        }
        shared_.seal();
    }

    void read_styles(const std::string& xml) {
        auto r = xml_reader(xml, "xl/styles.xml", source_);
        std::map<int, std::string> custom;
        bool in_xfs = false;
        while (read_node(r.get(), "xl/styles.xml", source_) == 1) {
            const int type = xmlTextReaderNodeType(r.get());
            const auto n = local_name(r.get());
            if (type == XML_READER_TYPE_ELEMENT) {
                if (n == "numFmt") {
                    custom[bounded_int(attribute(r.get(), "numFmtId").value_or("0"))] =
                        attribute(r.get(), "formatCode").value_or("");
                } else if (n == "cellXfs") {
                    in_xfs = !xmlTextReaderIsEmptyElement(r.get());
                } else if (n == "xf" && in_xfs) {
                    const int id = bounded_int(attribute(r.get(), "numFmtId").value_or("0"));
                    auto c = custom.find(id);
                    date_styles_.push_back(c != custom.end() ? date_format_code(c->second) : builtin_date_format(id));
                }
            } else if (type == XML_READER_TYPE_END_ELEMENT && n == "cellXfs") {
                in_xfs = false;
            }
        }
    }

    bool is_date_style(const std::string& s) const {
        const auto i = static_cast<std::size_t>(bounded_int(s));
        return i < date_styles_.size() && date_styles_[i];
    }

    // The r, t and s attributes of the current <row> or <c> into ref_, type_, style_ ("" when absent), in one pass
    // over the attributes without allocating (this runs for every cell of the sheet).
    void read_attributes(xmlTextReader* r) {
        ref_.clear();
        type_.clear();
        style_.clear();
        for (int more = xmlTextReaderMoveToFirstAttribute(r); more == 1; more = xmlTextReaderMoveToNextAttribute(r)) {
            const auto name = local_name(r);
            if (name == "r") ref_ = node_value(r);
            else if (name == "t") type_ = node_value(r);
            else if (name == "s") style_ = node_value(r);
        }
        xmlTextReaderMoveToElement(r);
    }

    void finish_cell(std::vector<Cell>& cells, Cell cell, const std::string& type, bool date_style,
                     const std::string& value, const std::string& inline_text) {
        if (type == "s") {
            std::size_t i = 0;
            auto r = std::from_chars(value.data(), value.data() + value.size(), i);
            if (r.ec != std::errc() || i >= shared_.size()) {
                cell.kind = Cell::Kind::error;
                cell.text = "(shared string " + value + " does not exist)";
            } else {
                charge_row(shared_.length(i));  // before the copy: a bomb repeats one huge string in every cell
                cell.kind = Cell::Kind::text;
                cell.text = shared_.get(i);
            }
        } else if (type == "inlineStr") {
            cell.kind = Cell::Kind::text;
            cell.text = decode_xstring(inline_text);
        } else if (type == "str") {
            cell.kind = Cell::Kind::text;
            cell.text = decode_xstring(value);
        } else if (type == "b") {
            cell.kind = Cell::Kind::boolean;
            cell.number = value == "1" || value == "true" ? 1 : 0;
        } else if (type == "e") {
            cell.kind = Cell::Kind::error;
            cell.text = value;
        } else if (type == "d") {
            // An ISO 8601 date written as text (strict OOXML); typed like a text date.
            cell.kind = Cell::Kind::text;
            cell.text = value.substr(0, 10);
        } else {
            if (trim(value).empty()) return;
            auto v = parse_number(trim(value));
            if (!v) {
                cell.kind = Cell::Kind::text;
                cell.text = value;
            } else {
                cell.kind = date_style ? Cell::Kind::date : Cell::Kind::number;
                cell.number = *v;
            }
        }
        if (type != "s") charge_row(cell.text.size());
        cells.push_back(std::move(cell));
    }

    // The row's text counts against the record limit as its cells are read, shared strings included.
    void charge_row(std::uint64_t bytes) {
        row_bytes_ += bytes;
        if (row_bytes_ > max_row_bytes_)
            fail(DiagnosticKind::limit,
                 "row " + std::to_string(row_number_) + " holds more than the limit of " +
                     std::to_string(max_row_bytes_) +
                     " bytes of text (a cell's shared string counts each time a cell refers to it)",
                 source_);
    }

    // The next <row>'s cells (columns from the r attributes; cells without r follow the previous one).
    bool read_row(std::vector<Cell>& cells) {
        cells.clear();
        row_bytes_ = 0;
        if (done_) return false;
        xmlTextReader* r = sheet_->get();
        bool in_row = false;
        int column = 0;
        Cell cell;
        std::string type, value, inline_text;
        bool date_style = false, in_cell = false;
        int in_v = 0, in_t = 0, in_rph = 0;
        int rc;
        while ((rc = read_node(r, "the worksheet", source_)) == 1) {
            const int node = xmlTextReaderNodeType(r);
            if (node == XML_READER_TYPE_ELEMENT) {
                const auto n = local_name(r);
                const bool empty = xmlTextReaderIsEmptyElement(r);
                if (n == "row") {
                    read_attributes(r);
                    row_number_ = ref_.empty() ? std::min(row_number_, kMaxRow) + 1 : bounded_int(ref_);
                    column = 0;
                    in_row = true;
                    if (empty) return true;
                } else if (n == "c" && in_row) {
                    cell = Cell{};
                    read_attributes(r);
                    column = ref_.empty() ? column + 1 : column_index(ref_);
                    if (column <= 0) column = static_cast<int>(cells.size()) + 1;
                    cell.column = column;
                    cell.line = row_number_;
                    type = type_.empty() ? "n" : type_;
                    date_style = !style_.empty() && is_date_style(style_);
                    value.clear();
                    inline_text.clear();
                    in_cell = !empty;
                } else if (in_cell && n == "v" && !empty) {
                    ++in_v;
                } else if (in_cell && n == "t" && !empty) {
                    ++in_t;
                } else if (in_cell && n == "rPh" && !empty) {
                    ++in_rph;
                }
            } else if (node == XML_READER_TYPE_END_ELEMENT) {
                const auto n = local_name(r);
                if (n == "c" && in_cell) {
                    in_cell = false;
                    finish_cell(cells, std::move(cell), type, date_style, value, inline_text);
                } else if (n == "v") {
                    in_v = std::max(0, in_v - 1);
                } else if (n == "t") {
                    in_t = std::max(0, in_t - 1);
                } else if (n == "rPh") {
                    in_rph = std::max(0, in_rph - 1);
                } else if (n == "row" && in_row) {
                    return true;
                } else if (n == "sheetData") {
                    done_ = true;
                    return in_row;
                }
            } else if (node == XML_READER_TYPE_TEXT || node == XML_READER_TYPE_SIGNIFICANT_WHITESPACE ||
                       node == XML_READER_TYPE_WHITESPACE || node == XML_READER_TYPE_CDATA) {
                if (in_v > 0) value += node_value(r);
                else if (in_t > 0 && in_rph == 0) inline_text += node_value(r);
            }
        }
        if (rc < 0) {
            sheet_->check();
            fail(DiagnosticKind::package, "the worksheet XML is not well-formed", source_);
        }
        done_ = true;
        return in_row;
    }

    // ----- list sheets: the rows of a list field (achievements, awards …) on a sheet of their own, keyed by the
    // record's "STT" (or by a column naming a field of the record, such as "Họ và tên")

    struct ListItem {
        json value;
        std::vector<RecordError> errors;
        std::unordered_map<std::string, RecordError> cells;  // pointer inside the item → where
        int row = 0;
    };
    struct ListSheet {
        std::string sheet;
        json path;                                           // the list field in the record
        std::string pointer;                                 // its JSON pointer
        std::optional<json> key_path;                        // a field of the record; nullopt: the "STT" column
        std::map<std::string, std::vector<ListItem>> items;  // by key, in sheet order
        std::set<std::string> used;
    };

    static std::string cell_text(const Cell& c) {
        if (c.kind == Cell::Kind::number || c.kind == Cell::Kind::date) return number_text(c.number);
        return c.kind == Cell::Kind::text ? normalise_text(trim(c.text)) : std::string();
    }

    void read_lists(const json& schema, std::size_t max_bytes) {
        const ColumnNamer root(&schema);
        for (std::size_t i = 0; i < sheet_parts_.size(); ++i) {
            if (i == main_sheet_) continue;
            const auto& [name, part] = sheet_parts_[i];
            if (vn::match_key(name) == vn::match_key("Hướng dẫn")) continue;  // the generated sheet's instructions
            const auto r = root.resolve(name);
            const json* node = r.kind == ColumnNamer::Resolution::Kind::field ? schema_at(schema, r.path) : nullptr;
            const json* items = node ? schema_items(schema, node) : nullptr;
            if (!items || !zip_.contains(part)) {
                notice(0, name,
                       make_diagnostic(DiagnosticKind::data, "batch.sheet_ignored",
                                       "sheet '" + name + "' is not named after a list field of the template: not read",
                                       "Trang “" + name +
                                           "” không trùng tên danh sách nào của mẫu (ví dụ “Thành tích đạt "
                                           "được”): không đọc trang này.",
                                       source_));
                continue;
            }
            read_list(schema, root, name, part, r.path, items, max_bytes);
        }
    }

    // The list sheet's header row: the first of its top rows with an STT column or a column naming a field of the
    // record (list.key_path is then set); that column's number. Throws vanban::Error (usage) when there is none.
    int find_list_key(const json& schema, const ColumnNamer& root, const std::string& name, ListSheet& list,
                      std::vector<Cell>& header) {
        std::vector<Cell> cells;
        int key_column = 0;
        for (int scanned = 0; !key_column && scanned < static_cast<int>(kHeaderScanRows) && read_row(cells);
             ++scanned) {
            for (const Cell& c : cells) {
                const std::string text = cell_text(c);
                if (text.empty()) continue;
                if (is_row_number_header(text)) {
                    key_column = c.column;
                    break;
                }
                const auto r = root.resolve(text);
                const json* node = r.kind == ColumnNamer::Resolution::Kind::field ? schema_at(schema, r.path) : nullptr;
                if (node && r.path != list.path && !schema_items(schema, node)) {
                    key_column = c.column;
                    list.key_path = r.path;
                    break;
                }
            }
            if (key_column) header = cells;
        }
        if (!key_column)
            throw Error(make_diagnostic(
                DiagnosticKind::usage, "batch.list_sheet_without_key",
                "sheet '" + name +
                    "': no header row with an STT column (or a column naming the record, such as a name)",
                "Trang “" + name +
                    "” không có dòng tên cột với cột STT (số thứ tự của dòng ở trang danh sách chính) "
                    "hoặc một cột chỉ ra người/tập thể (ví dụ “Họ và tên”).",
                source_));
        return key_column;
    }

    // A list of plain values (not objects): the one cell of the value column, typed by the item schema.
    void scalar_item(const std::vector<Cell>& rest, int scalar_column, const ColumnSpec& scalar_spec,
                     const std::string& where, ListItem& item) const {
        for (const Cell& c : rest) {
            if (c.column != scalar_column) continue;
            std::string error;
            item.value = convert(c, scalar_spec, date1904_, error).value_or(json());
            RecordError at;
            at.field = scalar_spec.header;
            at.cell = column_letters(c.column) + std::to_string(c.line);
            at.diagnostic.source = where;
            at.diagnostic.line = c.line;
            at.diagnostic.column = c.column;
            if (!error.empty()) {
                RecordError e = at;
                e.diagnostic.kind = DiagnosticKind::data;
                e.diagnostic.message = "cell " + at.cell + " '" + scalar_spec.header + "': " + error;
                item.errors.push_back(std::move(e));
            }
            item.cells.emplace("", std::move(at));
        }
    }

    void read_list(const json& schema, const ColumnNamer& root, const std::string& name, const std::string& part,
                   const json& path, const json* items, std::size_t max_bytes) {
        sheet_.emplace(zip_, part, source_);
        row_number_ = 0;
        done_ = false;
        ListSheet list;
        list.sheet = name;
        list.path = path;
        for (const auto& seg : path)
            vanban::json_data::append_pointer_token(list.pointer,
                                                    seg.is_string() ? seg.get<std::string>() : seg.dump());
        const std::string where = source_ + " [" + name + "]";
        std::vector<Cell> cells, header;
        const int key_column = find_list_key(schema, root, name, list, header);
        std::vector<Cell> item_header;
        for (const Cell& c : header)
            if (c.column != key_column) item_header.push_back(c);
        const bool scalar = schema_properties(schema, items).empty();
        std::optional<Tabular> table;
        ColumnSpec scalar_spec;
        int scalar_column = 0;
        if (!scalar) {
            table.emplace(item_header, ColumnNamer(&schema, items), &schema, where, true, items);
            table->set_date1904(date1904_);
        } else {
            for (const Cell& c : item_header)
                if (!cell_text(c).empty()) {
                    scalar_column = c.column;
                    scalar_spec = column_spec(&schema, cell_text(c), json::array(), items);
                    break;
                }
        }
        std::string last_key;
        std::size_t bytes = 0;
        while (read_row(cells)) {
            if (Tabular::blank(cells)) continue;
            std::string key;
            std::vector<Cell> rest;
            for (Cell& c : cells) {
                if (c.column == key_column) key = cell_text(c);
                else rest.push_back(c);
                bytes += c.text.size() + 16;
            }
            if (bytes > max_bytes)
                throw Error(make_diagnostic(
                    DiagnosticKind::limit, "batch.list_sheet_too_large",
                    "sheet '" + name + "' is larger than the limit of " + std::to_string(max_bytes) + " bytes",
                    "Trang “" + name + "” quá lớn (quá " + std::to_string(max_bytes >> 20) +
                        " MB): hãy chia danh sách thành nhiều tệp.",
                    source_));
            if (key.empty()) key = last_key;  // a person's further rows often leave the STT empty (or merged)
            last_key = key;
            if (key.empty() || Tabular::blank(rest)) continue;
            ListItem item;
            item.row = row_number_;
            if (table) {
                Record rec;
                rec.row = row_number_;
                rec.data.source = where;
                table->build(rest, rec);
                item.value = std::move(rec.data.value);
                item.errors = std::move(rec.errors);
                item.cells = std::move(rec.cells);
            } else {
                scalar_item(rest, scalar_column, scalar_spec, where, item);
                if (item.value.is_null()) continue;
            }
            list.items[key].push_back(std::move(item));
        }
        sheet_.reset();
        lists_.push_back(std::move(list));
    }

    void attach_lists(Record& record, const std::string& row_key) override {
        for (ListSheet& list : lists_) {
            std::string key = row_key;
            if (list.key_path) {
                const json* v = &record.data.value;
                for (const auto& seg : *list.key_path) {
                    if (!v || !seg.is_string() || !v->is_object() || !v->contains(seg.get<std::string>())) v = nullptr;
                    else v = &(*v)[seg.get<std::string>()];
                }
                key = !v               ? ""
                      : v->is_string() ? v->get<std::string>()
                      : v->is_number() ? number_text(v->get<double>())
                                       : "";
            }
            auto it = list.items.find(key);
            if (key.empty() || it == list.items.end()) continue;
            list.used.insert(key);
            json* target = &record.data.value;
            for (const auto& seg : list.path) {
                if (!target->is_object()) *target = json::object();
                target = &(*target)[seg.get<std::string>()];
            }
            if (!target->is_null()) {
                RecordError e;
                e.diagnostic =
                    make_diagnostic(DiagnosticKind::data, "batch.list_twice",
                                    "the list is given twice: in this row's columns and on sheet '" + list.sheet + "'",
                                    "Danh sách này được ghi hai lần: ở các cột của dòng này và ở trang “" + list.sheet +
                                        "”; hãy giữ một chỗ.",
                                    source_);
                e.diagnostic.json_pointer = list.pointer;
                record.errors.push_back(std::move(e));
                continue;
            }
            *target = json::array();
            for (const ListItem& item : it->second) {
                const std::string prefix = list.pointer + "/" + std::to_string(target->size());
                target->push_back(item.value);
                for (RecordError e : item.errors) {
                    e.diagnostic.json_pointer = prefix + e.diagnostic.json_pointer;
                    e.cell = list.sheet + "!" + e.cell;
                    record.errors.push_back(std::move(e));
                }
                for (const auto& [pointer, at] : item.cells) {
                    RecordError located = at;
                    located.cell = list.sheet + "!" + at.cell;
                    record.cells.insert_or_assign(prefix + pointer, std::move(located));
                }
            }
        }
    }

    void at_end() override {
        for (const ListSheet& list : lists_)
            for (const auto& [key, items] : list.items) {
                if (list.used.contains(key)) continue;
                for (const ListItem& item : items)
                    notice(item.row, std::string(vn::utf8_prefix(key, 200)),
                           make_diagnostic(DiagnosticKind::data, "batch.list_row_unmatched",
                                           "sheet '" + list.sheet + "' row " + std::to_string(item.row) +
                                               ": no record has '" + key + "' (STT or the key column): not used",
                                           "Trang “" + list.sheet + "” dòng " + std::to_string(item.row) +
                                               ": không có dòng nào ở trang danh sách chính ứng với “" + key +
                                               "”; dòng này không được dùng.",
                                           source_));
            }
    }

    // ----- merged cells: a value merged down over several rows fills each of them (a unit written once for the
    // people under it). Excel keeps the merges after the rows, so they are found first by a scan of the sheet's bytes.

    struct Merge {
        int top = 0, bottom = 0, column = 0;
        std::optional<Cell> value;  // the top cell, once its row is read
    };
    static constexpr std::size_t kMaxMerges = 100000;

    void read_merges(const std::string& part) {
        zip::EntryStream stream = zip_.stream(part);
        std::vector<char> buffer(64 * 1024);
        std::string text;
        for (std::size_t n; (n = stream.read(buffer.data(), buffer.size())) > 0;) {
            text.append(buffer.data(), n);
            std::size_t pos = 0, keep = text.size() > 16 ? text.size() - 16 : 0;
            while ((pos = text.find("mergeCell ", pos)) != std::string::npos) {
                const auto end = text.find('>', pos);
                if (end == std::string::npos) {
                    keep = pos;  // the element goes on in the next block
                    break;
                }
                if (pos > 0 && (text[pos - 1] == '<' || text[pos - 1] == ':')) add_merge(text.substr(pos, end - pos));
                pos = end;
                keep = std::max(keep, end);
            }
            text.erase(0, std::min(keep, text.size()));
            if (text.size() > 4096) text.erase(0, text.size() - 4096);  // no element is that long
        }
        std::sort(merges_.begin(), merges_.end(), [](const Merge& a, const Merge& b) { return a.top < b.top; });
    }

    void add_merge(const std::string& element) {
        const auto at = element.find("ref=\"");
        if (at == std::string::npos || merges_.size() >= kMaxMerges) return;
        const auto close = element.find('"', at + 5);
        const std::string ref = element.substr(at + 5, close == std::string::npos ? 0 : close - at - 5);
        const auto colon = ref.find(':');
        if (colon == std::string::npos) return;
        const auto row_of = [](std::string_view r) {
            std::size_t i = 0;
            while (i < r.size() && !(r[i] >= '0' && r[i] <= '9')) ++i;
            return bounded_int(r.substr(i));
        };
        Merge m;
        m.top = row_of(std::string_view(ref).substr(0, colon));
        m.bottom = row_of(std::string_view(ref).substr(colon + 1));
        m.column = column_index(ref);
        if (m.top > 0 && m.bottom > m.top && m.column > 0) merges_.push_back(std::move(m));  // vertical merges only
    }

    // Copies the value of a merge into the rows it covers below its top row.
    void fill_merged(std::vector<Cell>& cells, int row) {
        while (next_merge_ < merges_.size() && merges_[next_merge_].top <= row) active_.push_back(next_merge_++);
        bool added = false;
        for (std::size_t k = 0; k < active_.size();) {
            Merge& m = merges_[active_[k]];
            if (m.bottom < row) {
                active_[k] = active_.back();
                active_.pop_back();
                continue;
            }
            const auto here =
                std::find_if(cells.begin(), cells.end(), [&](const Cell& c) { return c.column == m.column; });
            if (row == m.top) {
                if (here != cells.end()) m.value = *here;
            } else if (m.value && (here == cells.end() || here->kind == Cell::Kind::empty)) {
                Cell copy = *m.value;
                copy.line = row;
                if (here != cells.end()) *here = std::move(copy);
                else cells.push_back(std::move(copy));
                added = true;
            }
            ++k;
        }
        if (added)
            std::sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) { return a.column < b.column; });
    }

    std::vector<Merge> merges_;
    std::size_t next_merge_ = 0;
    std::vector<std::size_t> active_;  // merges covering the current row

    std::vector<std::pair<std::string, std::string>> sheet_parts_;  // every sheet: name, part
    std::size_t main_sheet_ = 0;
    std::vector<ListSheet> lists_;

    zip::Reader zip_;  // read from the file as needed; outlives the sheet stream
    SharedStrings shared_;
    std::vector<bool> date_styles_;
    std::optional<StreamedXml> sheet_;
    std::string ref_, type_, style_;  // read_attributes
    int row_number_ = 0;
    std::uint64_t max_row_bytes_;
    std::uint64_t row_bytes_ = 0;
    bool done_ = false;
};

}  // namespace

std::unique_ptr<RecordReader> open_xlsx(const std::string& path, const ReaderOptions& options, bool count_only) {
    return std::make_unique<XlsxReader>(path, options, count_only);
}

}  // namespace vanban::batch::detail
