#include "batch/sheet.hpp"

#include <stdlib.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <vector>

#include "batch/columns.hpp"
#include "batch/records.hpp"
#include "core/vn.hpp"
#include "io/fail.hpp"
#include "io/files.hpp"
#include "json/json_source.hpp"
#include "vanban/catalog.hpp"

namespace vanban::batch {

namespace {

using nlohmann::json;

constexpr lxw_row_t kFilledRows = 1000;  // rows given the drop-downs and formats below the header
constexpr const char* kMainSheet = "Danh sách";
constexpr const char* kGuideSheet = "Hướng dẫn";

struct Column {
    json path;           // from the record (main sheet) or from the list's item (list sheets)
    std::string header;  // what the reader recognises (title, or a longer name when the title is shared)
    std::string help;    // the field's description, for the header's comment
    std::string kind;    // column_kind(): "date", "integer", …
    std::vector<EnumChoice> choices;
    bool required = false;
};

struct ListSheet {
    std::string name;  // the sheet's name: the list's title
    json path;         // the list field in the record
    const json* items = nullptr;
    std::string title;
    std::vector<Column> columns;  // item fields; one column naming the list itself when items are not objects
    bool scalar_items = false;
};

// Where a field is written in the schema text: the sibling order of the schema as its author wrote it (the parsed
// schema keeps keys sorted). Only for ordering columns; a key not found sorts last.
std::size_t text_position(const std::string& text, const json& path) {
    std::size_t pos = 0;
    for (const auto& seg : path) {
        if (!seg.is_string()) continue;
        const std::string quoted = "\"" + seg.get<std::string>() + "\"";
        for (pos = text.find(quoted, pos); pos != std::string::npos; pos = text.find(quoted, pos + 1)) {
            const auto next = text.find_first_not_of(" \t\r\n", pos + quoted.size());
            if (next != std::string::npos && text[next] == ':') break;
        }
        if (pos == std::string::npos) return pos;
    }
    return pos;
}

const json* at_path(const json& value, const json& path) {
    const json* v = &value;
    for (const auto& seg : path) {
        if (seg.is_string()) {
            if (!v->is_object() || !v->contains(seg.get<std::string>())) return nullptr;
            v = &(*v)[seg.get<std::string>()];
        } else {
            if (!v->is_array() || v->size() <= seg.get<std::size_t>()) return nullptr;
            v = &(*v)[seg.get<std::size_t>()];
        }
    }
    return v;
}

// A value as one cell shows it: lines joined by line breaks, formatted text as its plain text.
std::optional<json> flat(const json& v) {
    if (v.is_string() || v.is_number() || v.is_boolean()) return v;
    if (v.is_object() && v.contains("text") && v["text"].is_string()) return v["text"];
    if (!v.is_array()) return std::nullopt;
    std::string out;
    bool lines = std::all_of(v.begin(), v.end(), [](const json& x) { return x.is_string(); });
    for (const auto& x : v) {
        auto part = flat(x);
        if (!part || !part->is_string()) continue;
        if (lines && !out.empty()) out += '\n';
        out += part->get<std::string>();
    }
    return json(out);
}

bool is_picture(const json& schema, const json* node) {
    const auto props = schema_properties(schema, node);
    return std::any_of(props.begin(), props.end(), [](const SchemaProperty& p) { return p.key == "image"; });
}

// The name a column is written under: the title when it names this field alone, else an alias that does, else the
// title with its group's ("Thủ trưởng đơn vị xác nhận - Họ tên"), else the dotted path.
std::string header_for(const ColumnNamer& namer, const json& path, const SchemaProperty& p, const std::string& group,
                       const std::string& dotted) {
    std::vector<std::string> names;
    if (!p.title.empty()) names.push_back(p.title);
    names.insert(names.end(), p.aliases.begin(), p.aliases.end());
    if (!group.empty() && !p.title.empty()) names.push_back(group + " - " + p.title);
    for (const auto& n : names) {
        const auto r = namer.resolve(n);
        if (r.kind == ColumnNamer::Resolution::Kind::field && r.path == path) return n;
    }
    return dotted;
}

class Builder {
public:
    explicit Builder(const SheetOptions& o) : o_(o), schema_(o.schema), namer_(&schema_) {}

    void collect() {
        walk(&schema_, json::array(), "", "", true, 0);
        const auto by_text = [&](const Column& a, const Column& b) {
            return text_position(o_.schema_text, a.path) < text_position(o_.schema_text, b.path);
        };
        std::stable_sort(columns_.begin(), columns_.end(), by_text);
        std::stable_sort(lists_.begin(), lists_.end(), [&](const ListSheet& a, const ListSheet& b) {
            return text_position(o_.schema_text, a.path) < text_position(o_.schema_text, b.path);
        });
    }

    std::string write();

private:
    bool wanted_at_root(const std::string& key, bool required) const {
        return required || !o_.example.is_object() || o_.example.contains(key);
    }

    void walk(const json* node, const json& path, const std::string& dotted, const std::string& group, bool required,
              int depth) {
        if (depth > 4) return;
        for (const SchemaProperty& p : schema_properties(schema_, node)) {
            if (p.key == "$schema" || (depth == 0 && p.key == "template")) continue;
            if (depth == 0 && !wanted_at_root(p.key, p.required)) continue;
            json child = path;
            child.push_back(p.key);
            const std::string child_dotted = dotted.empty() ? p.key : dotted + "." + p.key;
            const auto types = schema_types(schema_, p.node);
            const bool has = std::find(types.begin(), types.end(), "array") != types.end();  // a list is accepted
            const bool object_only = types.size() == 1 && types[0] == "object";
            if (object_only) {
                if (!is_picture(schema_, p.node) && !needs_lists(p.node))
                    walk(p.node, child, child_dotted, p.title, required && p.required, depth + 1);
                continue;
            }
            const json* items = schema_items(schema_, p.node);
            const bool string_too = std::find(types.begin(), types.end(), "string") != types.end();
            if (has && items && depth == 0 && (!schema_properties(schema_, items).empty() || !string_too)) {
                if (p.required || !nested_lists_in_example(child)) add_list(p, child, items);
                continue;
            }
            if (has && !string_too) continue;  // a list inside a group: JSON only
            Column c;
            c.path = child;
            c.header = header_for(namer_, child, p, group, child_dotted);
            c.help = p.node ? p.node->value("description", "") : "";
            c.kind = column_kind(schema_, child);
            c.choices = schema_enum(schema_, p.node);
            c.required = required && p.required;
            columns_.push_back(std::move(c));
        }
    }

    static bool list_only(const std::vector<std::string>& types) {
        return std::find(types.begin(), types.end(), "array") != types.end() &&
               std::find(types.begin(), types.end(), "string") == types.end();
    }

    // A group with a required list inside (a table's rows) cannot be filled in one row: it is left to JSON.
    bool needs_lists(const json* node) const {
        const auto props = schema_properties(schema_, node);
        return std::any_of(props.begin(), props.end(), [&](const SchemaProperty& p) {
            return p.required && list_only(schema_types(schema_, p.node));
        });
    }

    // Whether the example's items of an optional list hold lists of their own (appendix tables): then the list is
    // left to JSON rather than offered as a sheet that could not hold it.
    bool nested_lists_in_example(const json& path) const {
        const json* items = o_.example.is_object() ? at_path(o_.example, path) : nullptr;
        if (!items || !items->is_array()) return false;
        return std::any_of(items->begin(), items->end(), [](const json& item) {
            return item.is_object() &&
                   std::any_of(item.begin(), item.end(), [](const json& v) { return v.is_array(); });
        });
    }

    // The example's items with their nested items ("children"), flattened as the list sheet writes them.
    static void flatten_items(const json& items, std::vector<const json*>& out) {
        if (!items.is_array()) return;
        for (const auto& item : items) {
            out.push_back(&item);
            if (item.is_object() && item.contains("children")) flatten_items(item["children"], out);
        }
    }

    void add_list(const SchemaProperty& p, const json& path, const json* items) {
        ListSheet list;
        list.path = path;
        list.items = items;
        list.title = p.title.empty() ? p.key : p.title;
        list.name = sheet_name(list.title);
        const ColumnNamer item_namer(&schema_, items);
        const auto props = schema_properties(schema_, items);
        list.scalar_items = props.empty();
        const json* example = o_.example.is_object() ? at_path(o_.example, path) : nullptr;
        for (const SchemaProperty& ip : props) {
            const auto types = schema_types(schema_, ip.node);
            const bool object_only = types.size() == 1 && types[0] == "object";
            if (object_only || list_only(types)) continue;
            std::vector<const json*> flat_items;
            if (example) flatten_items(*example, flat_items);
            if (!ip.required && !flat_items.empty() &&
                std::none_of(flat_items.begin(), flat_items.end(),
                             [&](const json* item) { return item->is_object() && item->contains(ip.key); }))
                continue;
            Column c;
            c.path = json::array({ip.key});
            c.header = header_for(item_namer, c.path, ip, "", ip.key);
            c.help = ip.node ? ip.node->value("description", "") : "";
            c.kind = column_kind(schema_, c.path, items);
            c.choices = schema_enum(schema_, ip.node);
            c.required = ip.required;
            list.columns.push_back(std::move(c));
        }
        // In the order the example's items use their fields (a title before its text), the others after.
        std::vector<std::string> seen;
        std::vector<const json*> flat_items;
        if (example) flatten_items(*example, flat_items);
        for (const json* item : flat_items)
            if (item->is_object())
                for (auto it = item->begin(); it != item->end(); ++it)
                    if (std::find(seen.begin(), seen.end(), it.key()) == seen.end()) seen.push_back(it.key());
        std::stable_sort(list.columns.begin(), list.columns.end(), [&](const Column& a, const Column& b) {
            return std::find(seen.begin(), seen.end(), a.path[0].get<std::string>()) <
                   std::find(seen.begin(), seen.end(), b.path[0].get<std::string>());
        });
        if (list.scalar_items) {
            Column c;
            c.path = json::array();
            c.header = list.title;
            c.help = items->value("description", p.node ? p.node->value("description", "") : "");
            c.kind = column_kind(schema_, json::array(), items);
            list.columns.push_back(std::move(c));
        }
        if (!list.columns.empty()) lists_.push_back(std::move(list));
    }

    std::string sheet_name(const std::string& title) const {
        std::string name;
        for (char c : title)
            if (!std::strchr("[]:*?/\\", c)) name += c;
        return std::string(vn::code_point_prefix(name, 31));  // at most 31 characters (not bytes)
    }

    const char* keep(std::string s) { return arena_.emplace_back(std::move(s)).c_str(); }

    void header_row(lxw_worksheet* ws, const std::vector<Column>& columns, lxw_col_t first) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const Column& c = columns[i];
            const auto col = static_cast<lxw_col_t>(first + i);
            worksheet_write_string(ws, 0, col, keep(c.header + (c.required ? " *" : "")),
                                   c.required ? required_ : header_);
            std::string help = c.help;
            if (c.required) help += (help.empty() ? "" : "\n") + std::string("Bắt buộc.");
            if (!c.choices.empty()) help += (help.empty() ? "" : "\n") + std::string("Chọn trong danh sách.");
            if (c.kind == "date")
                help += (help.empty() ? "" : "\n") + std::string("Ghi ngày/tháng/năm, ví dụ 15/06/2024.");
            if (!help.empty()) {
                lxw_comment_options opt{};
                opt.width = 320;
                opt.height = 160;
                worksheet_write_comment_opt(ws, 0, col, keep(help), &opt);
            }
            const double width = column_width(c);
            lxw_format* format = c.kind == "date"                              ? date_
                                 : (c.kind == "integer" || c.kind == "number") ? nullptr
                                                                               : text_;
            worksheet_set_column(ws, col, col, width, format);
            if (!c.choices.empty()) drop_down(ws, col, c.choices);
        }
        worksheet_freeze_panes(ws, 1, 0);
        worksheet_set_row(ws, 0, 45, nullptr);
        // Printed as a list is: A4 landscape, as wide as the page, the header row on every page, with gridlines.
        worksheet_set_landscape(ws);
        worksheet_set_paper(ws, 9);
        worksheet_fit_to_pages(ws, 1, 0);
        worksheet_repeat_rows(ws, 0, 0);
        worksheet_gridlines(ws, LXW_SHOW_ALL_GRIDLINES);
    }

    void drop_down(lxw_worksheet* ws, lxw_col_t col, const std::vector<EnumChoice>& choices) {
        auto& list = lists_of_choices_.emplace_back();
        std::size_t length = 0;
        for (const auto& c : choices) {
            const std::string shown = !c.label.empty()      ? c.label
                                      : c.value.is_string() ? c.value.get<std::string>()
                                                            : c.value.dump();
            length += shown.size() + 1;
            list.push_back(const_cast<char*>(keep(shown)));
        }
        if (length > 255) return;  // Excel's limit for a list written in the rule itself
        list.push_back(nullptr);
        lxw_data_validation v{};
        v.validate = LXW_VALIDATION_TYPE_LIST;
        v.value_list = list.data();
        v.error_type = LXW_VALIDATION_ERROR_TYPE_WARNING;
        worksheet_data_validation_range(ws, 1, col, kFilledRows, col, &v);
    }

    // Lines a wrapped text takes in a column of `width` characters (libxlsxwriter sets no row heights itself).
    static double lines_of(const std::string& text, double width) {
        double lines = 0;
        std::size_t start = 0;
        while (true) {
            const auto end = text.find('\n', start);
            const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
            const std::size_t chars = vn::code_point_count(line);
            lines += std::max(1.0, std::ceil(static_cast<double>(chars) / std::max(width - 2, 4.0)));
            if (end == std::string::npos) return lines;
            start = end + 1;
        }
    }

    static double column_width(const Column& c) {
        return std::clamp<double>(static_cast<double>(c.header.size()) * 0.8 + 4, 12, 40);
    }

    void write_value(lxw_worksheet* ws, lxw_row_t row, lxw_col_t col, const Column& c, const json& value) {
        auto v = flat(value);
        if (!v) return;
        if (v->is_string()) {
            std::string text = v->get<std::string>();
            double& lines = row_lines_[{ws, row}];
            lines = std::max(lines, lines_of(text, column_width(c)));
            worksheet_set_row(ws, row, 15 * std::min(lines, 20.0), nullptr);
            for (const auto& choice : c.choices)
                if (choice.value == *v && !choice.label.empty()) text = choice.label;
            if (c.kind == "date")
                if (auto d = vn::parse_date(text); d && d->day) {
                    lxw_datetime dt{};
                    dt.year = d->year;
                    dt.month = d->month;
                    dt.day = d->day;
                    worksheet_write_datetime(ws, row, col, &dt, date_);
                    return;
                }
            worksheet_write_string(ws, row, col, keep(text), wrap_);
        } else if (v->is_boolean()) {
            worksheet_write_boolean(ws, row, col, v->get<bool>(), nullptr);
        } else {
            worksheet_write_number(ws, row, col, v->get<double>(), nullptr);
        }
    }

    // The example's list items as rows; nested items ("children") follow their parent as rows of their own.
    void list_rows(lxw_worksheet* ws, const ListSheet& list, const json& items, lxw_row_t& row) {
        for (const auto& item : items) {
            bool any = false;
            for (std::size_t i = 0; i < list.columns.size(); ++i) {
                const Column& c = list.columns[i];
                const json* v = list.scalar_items ? &item : at_path(item, c.path);
                if (!v || (list.scalar_items && !item.is_string())) continue;
                write_value(ws, row, static_cast<lxw_col_t>(i + 1), c, *v);
                any = true;
            }
            if (any) {
                worksheet_write_number(ws, row, 0, 1, nullptr);
                ++row;
            }
            if (item.is_object() && item.contains("children") && item["children"].is_array())
                list_rows(ws, list, item["children"], row);
        }
    }

    void guide(lxw_workbook* wb) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, kGuideSheet);
        worksheet_set_column(ws, 0, 0, 110, wrap_);
        std::vector<std::string> lines = {
            "Danh sách để tạo hàng loạt văn bản theo mẫu “" + o_.template_title + "” (" + o_.template_name + ").",
            "1. Mỗi dòng ở trang “Danh sách” là một văn bản. Dòng 2 là ví dụ: sửa lại hoặc xóa đi.",
            "2. Cột có dấu * là bắt buộc. Di chuột vào tên cột để xem hướng dẫn; cột có mũi tên thì chọn trong danh sách.",
            "3. Ngày ghi dạng ngày/tháng/năm, ví dụ 15/06/2024. Số có thể ghi 1.234,5.",
            "4. Giữ nguyên tên các cột. Có thể thêm tên bảng phía trên dòng tên cột, dòng “Tổng cộng” và ghi chú phía dưới: "
            "khi tạo văn bản, các dòng đó được bỏ qua và liệt kê trong báo cáo.",
        };
        if (!lists_.empty()) {
            std::string names;
            for (const auto& l : lists_) names += (names.empty() ? "“" : ", “") + l.name + "”";
            lines.push_back("5. Các trang " + names +
                            " ghi những mục có nhiều dòng của mỗi văn bản: mỗi mục một dòng, cột STT ghi số thứ tự của "
                            "dòng tương ứng ở trang “Danh sách”.");
        }
        lines.push_back(
            "Giá trị chung cho mọi văn bản (đơn vị, địa danh, người ký) có thể bỏ trống ở đây và ghi một lần khi "
            "tạo: vanban batch " +
            o_.template_name + " danh-sach.xlsx -o thu-muc --set \"Địa danh=Ninh Bình\".");
        lines.push_back("Tạo văn bản: vanban batch " + o_.template_name +
                        " danh-sach.xlsx -o thu-muc --report bao-cao.json");
        for (std::size_t i = 0; i < lines.size(); ++i)
            worksheet_write_string(ws, static_cast<lxw_row_t>(i), 0, keep(lines[i]), i == 0 ? header_ : wrap_);
    }

    const SheetOptions& o_;
    const json& schema_;
    ColumnNamer namer_;
    std::vector<Column> columns_;
    std::vector<ListSheet> lists_;
    std::deque<std::string> arena_;  // texts handed to libxlsxwriter live until the workbook is closed
    std::deque<std::vector<char*>> lists_of_choices_;
    std::map<std::pair<lxw_worksheet*, lxw_row_t>, double> row_lines_;  // the tallest cell of each written row
    lxw_format *header_ = nullptr, *required_ = nullptr, *date_ = nullptr, *text_ = nullptr, *wrap_ = nullptr;
};

// A private temporary directory, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::error_code ec;
        std::string base = std::filesystem::temp_directory_path(ec).string();
        if (ec || base.empty()) base = "/tmp";
        std::string pattern = base + "/vanban-sheet-XXXXXX";
        if (!::mkdtemp(pattern.data())) io::fail_errno("cannot create a temporary directory for the workbook", errno);
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

std::string Builder::write() {
    const TempDir dir;
    const std::string file = dir.path() + "/mau.xlsx";
    lxw_workbook_options options{};
    options.tmpdir = const_cast<char*>(dir.path().c_str());
    lxw_workbook* wb = workbook_new_opt(file.c_str(), &options);
    if (!wb) io::fail(DiagnosticKind::io, "libxlsxwriter could not start a workbook");
    header_ = workbook_add_format(wb);
    format_set_bold(header_);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color(header_, 0xDDEBF7);
    format_set_border(header_, LXW_BORDER_THIN);
    required_ = workbook_add_format(wb);
    format_set_bold(required_);
    format_set_text_wrap(required_);
    format_set_align(required_, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bg_color(required_, 0xFCE4D6);
    format_set_font_color(required_, 0x9C0006);
    format_set_border(required_, LXW_BORDER_THIN);
    date_ = workbook_add_format(wb);
    format_set_num_format(date_, "dd/mm/yyyy");
    text_ = workbook_add_format(wb);
    format_set_num_format(text_, "@");
    format_set_text_wrap(text_);
    wrap_ = workbook_add_format(wb);
    format_set_text_wrap(wrap_);
    format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);

    lxw_worksheet* main = workbook_add_worksheet(wb, kMainSheet);
    std::vector<Column> with_number = {
        Column{json::array(), "STT", "Số thứ tự; các trang danh sách nhiều dòng dùng số này.", "integer", {}, false}};
    with_number.insert(with_number.end(), columns_.begin(), columns_.end());
    header_row(main, with_number, 0);
    worksheet_set_column(main, 0, 0, 6, nullptr);
    if (o_.example.is_object()) {
        worksheet_write_number(main, 1, 0, 1, nullptr);
        for (std::size_t i = 0; i < columns_.size(); ++i)
            if (const json* v = at_path(o_.example, columns_[i].path))
                write_value(main, 1, static_cast<lxw_col_t>(i + 1), columns_[i], *v);
    }
    for (const ListSheet& list : lists_) {
        lxw_worksheet* ws = workbook_add_worksheet(wb, list.name.c_str());
        std::vector<Column> cols = {Column{
            json::array(), "STT", "Số thứ tự của dòng ở trang “Danh sách” mà mục này thuộc về.", "integer", {}, true}};
        cols.insert(cols.end(), list.columns.begin(), list.columns.end());
        header_row(ws, cols, 0);
        worksheet_set_column(ws, 0, 0, 6, nullptr);
        lxw_row_t row = 1;
        if (const json* items = o_.example.is_object() ? at_path(o_.example, list.path) : nullptr;
            items && items->is_array())
            list_rows(ws, list, *items, row);
    }
    guide(wb);
    const lxw_error rc = workbook_close(wb);
    if (rc != LXW_NO_ERROR) io::fail(DiagnosticKind::io, std::string("libxlsxwriter: ") + lxw_strerror(rc));
    return io::read_file(file);
}

}  // namespace

std::string make_sheet(const SheetOptions& options) {
    Builder b(options);
    b.collect();
    return b.write();
}

std::string make_template_sheet(const std::string& template_name_or_path, const std::string& schema_path) {
    const ResolvedTemplate t = resolve_template(template_name_or_path);
    SheetOptions o;
    const std::string schema_file = schema_path.empty() ? t.schema_name : schema_path;
    if (!schema_path.empty()) {
        o.schema_text = io::read_file(schema_path);
        o.schema = vanban::json_data::parse(o.schema_text, schema_path).value;
    } else if (t.schema) {
        o.schema = *t.schema;
        try {
            o.schema_text = io::read_file(t.schema_name);  // only orders the columns
        } catch (const Error&) {}
    } else {
        throw Error(make_diagnostic(
            DiagnosticKind::usage, "batch.no_schema",
            "'" + template_name_or_path + "' brings no JSON Schema to build the sheet from; give --schema FILE",
            "Mẫu “" + template_name_or_path +
                "” không có lược đồ dữ liệu (JSON Schema) để tạo bảng tính; "
                "hãy chỉ ra tệp lược đồ bằng --schema."));
    }
    o.template_name = t.bundled ? t.bundled->name : template_name_or_path;
    o.template_title = t.bundled ? t.bundled->manifest.value("title", o.template_name) : o.template_name;
    if (t.bundled) {
        try {
            o.example = nlohmann::json::parse(t.bundled->example());
        } catch (const std::exception&) {
            o.example = nullptr;  // no example: every field, no example row
        }
    }
    return make_sheet(o);
}

}  // namespace vanban::batch
