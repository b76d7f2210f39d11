// Batches end to end: an XLSX list with deliberately bad rows, a batch interrupted by a real SIGINT in a child
// process (nothing partial is left, the report is written), the same through the executable with its exit codes, and
// the bundled award form over a nominee list (CSV and XLSX) with deliberately bad records.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "batch/batch.hpp"
#include "test_support.hpp"
#include "vanban/catalog.hpp"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

#ifndef VANBAN_CLI
#error "VANBAN_CLI must be defined (path of the vanban executable)"
#endif

namespace {

namespace b = vanban::batch;
namespace t = vanban::test;
namespace fs = std::filesystem;
using nlohmann::json;

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) { g_interrupted = 1; }

std::string P(const std::string& text) {
    return "<w:p><w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

using vanban::test::quote;

const json kSchema = json::parse(R"({
  "type": "object", "required": ["person"],
  "properties": {"person": {"type": "object", "required": ["full_name"], "properties": {
    "full_name": {"type": "string", "pattern": "^[^\\n]+$"},
    "age": {"type": "integer"},
    "birth": {"type": "string", "format": "date"}}}}
})");

std::string inline_cell(const std::string& ref, const std::string& text) {
    return "<c r=\"" + ref + "\" t=\"inlineStr\"><is><t xml:space=\"preserve\">" + text + "</t></is></c>";
}

// A one-sheet workbook from rows of cells (already serialised <c> elements); style 1 is a date.
std::string make_xlsx(const std::vector<std::string>& rows) {
    vanban::zip::Writer w;
    w.add(
        "xl/workbook.xml",
        R"(<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">)"
        R"(<sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets></workbook>)",
        vanban::zip::Method::deflated);
    w.add(
        "xl/_rels/workbook.xml.rels",
        R"(<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" )"
        R"(Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>)",
        vanban::zip::Method::deflated);
    w.add(
        "xl/styles.xml",
        R"(<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>)",
        vanban::zip::Method::deflated);
    std::string sheet = R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
    for (std::size_t i = 0; i < rows.size(); ++i)
        sheet += "<row r=\"" + std::to_string(i + 1) + "\">" + rows[i] + "</row>";
    w.add("xl/worksheets/sheet1.xml", sheet + "</sheetData></worksheet>", vanban::zip::Method::deflated);
    return w.finish();
}

using vanban::test::files_in;

TEST(BatchE2E, XlsxWithBadRowsWritesTheGoodOnesAndLocatesTheBadOnes) {
    const std::string dir = t::temp_dir();
    t::write_file(dir + "/form.docx", t::make_docx(P("{{ person.full_name }} — {{ person.birth }}")));
    const std::vector<std::string> rows = {
        inline_cell("A1", "person.full_name") + inline_cell("B1", "person.age") + inline_cell("C1", "person.birth"),
        inline_cell("A2", "Nguyễn Văn An") + "<c r=\"B2\"><v>40</v></c><c r=\"C2\" s=\"1\"><v>30755</v></c>",
        "<c r=\"B3\"><v>30</v></c>",                                   // missing name
        inline_cell("A4", "Bình") + inline_cell("B4", "bốn mươi"),     // wrong type
        inline_cell("A5", "Cường") + inline_cell("C5", "31/02/1990"),  // bad date
        inline_cell("A6", "Dũng&#10;dòng hai"),                        // newline in a cell
        "",                                                            // empty row
        inline_cell("A8", "Lê Thị Em") + "<c r=\"C8\" s=\"1\"><v>36000</v></c>",
    };
    t::write_file(dir + "/people.xlsx", make_xlsx(rows));
    b::Options o;
    o.template_path = dir + "/form.docx";
    o.records_path = dir + "/people.xlsx";
    o.schema = kSchema;
    o.output_dir = dir + "/out";
    o.name_expression = "{{ loop.index }}-{{ person.full_name | slug }}";
    o.report_path = dir + "/report.json";
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 2u);
    EXPECT_EQ(s.failed, 4u);
    EXPECT_EQ(files_in(o.output_dir), (std::vector<std::string>{"1-nguyen-van-an.docx", "6-le-thi-em.docx"}));
    const std::string doc = t::read_zip(t::read_file(o.output_dir + "/1-nguyen-van-an.docx")).at("word/document.xml");
    EXPECT_NE(doc.find("1984-03-14"), std::string::npos);  // the date cell became the schema's date

    const json report = json::parse(t::read_file(o.report_path));
    const auto& r = report["results"];
    ASSERT_EQ(r.size(), 6u);
    EXPECT_EQ(r[1]["row"], 3);
    EXPECT_EQ(r[1]["errors"][0]["json_pointer"], "/person/full_name");
    EXPECT_EQ(r[2]["row"], 4);
    EXPECT_EQ(r[2]["errors"][0]["cell"], "B4");
    EXPECT_EQ(r[2]["errors"][0]["field"], "person.age");
    EXPECT_NE(r[2]["errors"][0]["message"].get<std::string>().find("'bốn mươi'"), std::string::npos);
    EXPECT_EQ(r[3]["errors"][0]["cell"], "C5");
    EXPECT_EQ(r[4]["row"], 6);
    EXPECT_EQ(r[4]["errors"][0]["cell"], "A6");
    EXPECT_EQ(r[5]["row"], 8);
    EXPECT_EQ(r[5]["status"], "ok");
}

// Writes `n` records as JSON Lines.
std::string many_records(int n) {
    std::string records;
    for (int i = 0; i < n; ++i) records += R"({"person": {"full_name": "Người số )" + std::to_string(i) + "\"}}\n";
    return records;
}

// Waits until `dir` holds at least `n` documents (or the child ended).
void wait_for_outputs(const std::string& dir, std::size_t n, pid_t child) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        std::size_t docs = 0;
        for (const auto& f : files_in(dir)) docs += f.ends_with(".docx") && !f.starts_with(".");
        if (docs >= n) return;
        int status = 0;
        if (::waitpid(child, &status, WNOHANG) == child) FAIL() << "the batch ended before it was interrupted";
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    FAIL() << "no output appeared";
}

void expect_clean_interrupted_output(const std::string& out, const std::string& report_path, int records) {
    std::size_t docs = 0;
    for (const auto& f : files_in(out)) {
        EXPECT_FALSE(f.starts_with(".")) << "temporary file left: " << f;
        EXPECT_NO_THROW(vanban::Template::from_file(out + "/" + f)) << f << " is not a complete document";
        ++docs;
    }
    const json report = json::parse(t::read_file(report_path));
    EXPECT_TRUE(report["summary"]["interrupted"].get<bool>());
    EXPECT_EQ(report["summary"]["ok"], docs);
    EXPECT_LT(docs, static_cast<std::size_t>(records));
    for (const auto& r : report["results"]) {
        if (r["status"] == "ok") {
            EXPECT_TRUE(fs::exists(r["output"].get<std::string>()));
        }
    }
}

TEST(BatchE2E, SigintStopsCleanlyLeavesNoPartialFileAndWritesTheReport) {
    const std::string dir = t::temp_dir();
    t::write_file(dir + "/form.docx", t::make_docx(P("{{ person.full_name }}")));
    constexpr int kRecords = 20000;
    t::write_file(dir + "/many.jsonl", many_records(kRecords));
    const std::string out = dir + "/out", report = dir + "/report.json";
    fs::create_directories(out);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        struct sigaction sa {};
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(SIGINT, &sa, nullptr);
        int rc = 3;
        try {
            b::Options o;
            o.template_path = dir + "/form.docx";
            o.records_path = dir + "/many.jsonl";
            o.output_dir = out;
            o.report_path = report;
            o.jobs = 2;
            o.should_stop = [] { return g_interrupted != 0; };
            rc = b::run(o).interrupted ? 130 : 0;
        } catch (...) {
            rc = 4;
        }
        ::_exit(rc);
    }
    wait_for_outputs(out, 5, child);
    ::kill(child, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130);
    expect_clean_interrupted_output(out, report, kRecords);
}

bool cli_has_batch() {
    std::string help;
    t::run_command(quote(VANBAN_CLI) + " --help", &help);
    return help.find("\n  batch ") != std::string::npos;
}

TEST(BatchE2E, CliExitCodesAndMessages) {
    if (!cli_has_batch()) GTEST_SKIP() << "`vanban batch` is not wired into the CLI yet";
    const std::string dir = t::temp_dir();
    t::write_file(dir + "/form.docx", t::make_docx(P("{{ person.full_name }}")));
    t::write_file(dir + "/schema.json", kSchema.dump());
    t::write_file(dir + "/people.csv", "person.full_name,person.age\nAn,1\n,2\nBình,ba\n");
    const std::string cli = quote(VANBAN_CLI);
    std::string output;
    int rc = t::run_command(cli + " batch " + quote(dir + "/form.docx") + " " + quote(dir + "/people.csv") + " -o " +
                                quote(dir + "/out") + " --schema " + quote(dir + "/schema.json") + " --report " +
                                quote(dir + "/report.json"),
                            &output);
    EXPECT_EQ(rc, 1) << output;
    EXPECT_NE(output.find("people.csv:3: record[1] failed"), std::string::npos) << output;
    EXPECT_NE(output.find("'ba' is not a whole number"), std::string::npos) << output;
    EXPECT_NE(output.find("1 written, 2 failed"), std::string::npos) << output;
    EXPECT_TRUE(fs::exists(dir + "/out/1.docx"));
    EXPECT_TRUE(fs::exists(dir + "/report.json"));

    t::write_file(dir + "/good.csv", "person.full_name\nAn\nBình\n");
    rc = t::run_command(cli + " batch " + quote(dir + "/form.docx") + " " + quote(dir + "/good.csv") + " --zip " +
                            quote(dir + "/all.zip") + " --quiet",
                        &output);
    EXPECT_EQ(rc, 0) << output;
    EXPECT_EQ(vanban::zip::Reader::from_file(dir + "/all.zip").names().size(), 2u);

    rc = t::run_command(cli + " batch " + quote(dir + "/form.docx") + " " + quote(dir + "/good.csv") + " -o " +
                            quote(dir + "/o2") + " --zip " + quote(dir + "/x.zip"),
                        &output);
    EXPECT_EQ(rc, 2) << output;
    rc = t::run_command(cli + " batch " + quote(dir + "/form.docx") + " " + quote(dir + "/good.csv") + " -o " +
                            quote(dir + "/o3") + " --name '{{ person.full_name'",
                        &output);
    EXPECT_EQ(rc, 2) << output;
    rc = t::run_command(
        cli + " batch " + quote(dir + "/nope.docx") + " " + quote(dir + "/good.csv") + " -o " + quote(dir + "/o4"),
        &output);
    EXPECT_EQ(rc, 2) << output;
}

// RFC 4180 cells of one CSV row, written back (quotes where needed).
std::string csv_row(const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const std::string& c = cells[i];
        if (i) line += ',';
        if (c.find_first_of(",\"\n\r") == std::string::npos) {
            line += c;
            continue;
        }
        line += '"';
        for (char ch : c) line += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        line += '"';
    }
    return line + "\n";
}

// The first `n` rows of examples/award-forms/nominees.csv (header first); no cell there holds a line break.
std::vector<std::vector<std::string>> nominee_rows(std::size_t n) {
    std::istringstream in(t::read_file(t::source_dir() + "/examples/award-forms/nominees.csv"));
    std::vector<std::vector<std::string>> rows;
    for (std::string line; rows.size() <= n && std::getline(in, line);) {
        std::vector<std::string> cells(1);
        bool quoted = false;
        for (std::size_t i = 0; i < line.size(); ++i) {
            const char c = line[i];
            if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') cells.back() += line[i++];
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) cells.emplace_back();
            else cells.back() += c;
        }
        rows.push_back(cells);
    }
    return rows;
}

// A nominee list with deliberately bad records, rendered by the bundled award form through the CLI, as CSV and as the
// XLSX made from it: every good record is written, each bad one is reported with its index, line (CSV) or row and
// cell (XLSX), JSON pointer and message, on stderr and in the report, and the exit status is 1.
TEST(BatchE2E, AwardNomineeListWithBadRecords) {
    const std::string dir = t::temp_dir();
    auto rows = nominee_rows(7);
    ASSERT_EQ(rows.size(), 8u);
    const auto& header = rows[0];
    auto column = [&](const std::string& name) {
        const auto it = std::find(header.begin(), header.end(), name);
        EXPECT_NE(it, header.end()) << name;
        return static_cast<std::size_t>(it - header.begin());
    };
    rows[0].push_back("show_form_no");
    for (std::size_t r = 1; r < rows.size(); ++r) rows[r].push_back("");
    rows[3][column("person.full_name")] = "";                   // record 2: missing name
    rows[4][column("show_form_no")] = "chưa rõ";                // record 3: wrong type (a yes/no column)
    rows[5][column("person.birth_date")] = "31/02/1980";        // record 4: a date that does not exist
    rows[7][column("person.full_name")] = "Phạm Thị\nLan Anh";  // record 6: a line break inside the name's cell
    std::string csv;
    for (const auto& r : rows) csv += csv_row(r);
    t::write_file(dir + "/bad.csv", csv);
    std::string output;
    ASSERT_EQ(t::run_command("python3 " + quote(t::source_dir() + "/tools/csv2xlsx.py") + " " +
                                 quote(dir + "/bad.csv") + " " + quote(dir + "/bad.xlsx"),
                             &output),
              0)
        << output;

    // index → the JSON pointer its first error is at (a missing value is reported where it should be)
    const std::vector<std::pair<std::size_t, std::string>> bad = {
        {2, "/person/full_name"}, {3, "/show_form_no"}, {4, "/person/birth_date"}, {6, "/person/full_name"}};
    for (const std::string list : {"bad.csv", "bad.xlsx"}) {
        SCOPED_TRACE(list);
        const bool xlsx = list.ends_with(".xlsx");
        const std::string out = dir + "/out-" + list, report_path = dir + "/" + list + ".json";
        const int rc =
            t::run_command(quote(VANBAN_CLI) + " batch bao-cao-thanh-tich " + quote(dir + "/" + list) + " -o " +
                               quote(out) + " --report " + quote(report_path) +
                               " --name '{{ loop.index }}-{{ person.full_name | default(collective.name) | slug }}'",
                           &output);
        EXPECT_EQ(rc, 1) << output;
        EXPECT_NE(output.find("3 written, 4 failed"), std::string::npos) << output;
        EXPECT_NE(output.find("vanban: 1/7 "), std::string::npos)
            << "a plain progress line when stderr is not a terminal\n"
            << output;
        const auto written = files_in(out);
        ASSERT_EQ(written.size(), 3u) << output;
        EXPECT_TRUE(written[0].starts_with("1-nguyen-van-an")) << written[0];
        EXPECT_TRUE(written[1].starts_with("2-phong-ngan-sach")) << written[1];
        EXPECT_TRUE(written[2].starts_with("6-khoa-hoi-suc")) << written[2];

        const json report = json::parse(t::read_file(report_path));
        const auto& results = report.at("results");
        ASSERT_EQ(results.size(), 7u);
        for (const auto& [index, pointer] : bad) {
            SCOPED_TRACE("record " + std::to_string(index));
            const json& r = results.at(index);
            EXPECT_EQ(r.at("status"), "failed");
            EXPECT_EQ(r.at("index"), index);
            // CSV: the line the record starts on (the header is line 1, no earlier cell spans lines); XLSX: the row.
            EXPECT_EQ(r.value(xlsx ? "row" : "line", 0), static_cast<int>(index) + 2);
            const json& e = r.at("errors").at(0);
            EXPECT_EQ(e.at("json_pointer"), pointer);
            EXPECT_FALSE(e.at("message").get<std::string>().empty());
            EXPECT_EQ(e.value("line", 0), static_cast<int>(index) + 2);
            const std::string where = xlsx ? " row " + std::to_string(index + 2) : ":" + std::to_string(index + 2);
            EXPECT_NE(output.find(list + where + ": record[" + std::to_string(index) + "] failed"), std::string::npos)
                << output;
        }
        EXPECT_NE(results[3]["errors"][0]["message"].get<std::string>().find("'chưa rõ'"), std::string::npos);
        EXPECT_NE(results[4]["errors"][0]["message"].get<std::string>().find("'31/02/1980'"), std::string::npos);
        if (xlsx) {
            EXPECT_EQ(results[4]["errors"][0].value("cell", ""), "K6");  // person.birth_date is column K
            EXPECT_EQ(results[3]["errors"][0].value("field", ""), "show_form_no");
        }
        EXPECT_EQ(report["summary"]["ok"], 3);
        EXPECT_EQ(report["summary"]["failed"], 4);
    }
}

// PDF output goes through LibreOffice with a bounded pool of converters: every record becomes a PDF whose text holds
// its form's title and its nominee's name.
// What `vanban batch` writes is what the engine renders: the bundled award forms over the example nominees (three
// times over, validated by their schema), to an archive and to a folder, compared byte for byte with
// Template::render of each record; the archive passes `unzip -t` and its members validate-office.
TEST(BatchE2E, AwardFormsEqualTheEngineByteForByte) {
    const std::string dir = t::temp_dir();
    std::vector<json> records;
    std::istringstream lines(t::read_file(t::source_dir() + "/examples/award-forms/nominees.jsonl"));
    std::string jsonl;
    for (int copy = 0; copy < 3; ++copy) {
        lines.clear();
        lines.seekg(0);
        for (std::string line; std::getline(lines, line);)
            if (!line.empty()) {
                records.push_back(json::parse(line));
                jsonl += line + "\n";
            }
    }
    t::write_file(dir + "/nominees.jsonl", jsonl);
    vanban::ResolvedTemplate resolved = vanban::resolve_template("bao-cao-thanh-tich");
    const vanban::Template engine = vanban::Template::from_file(resolved.path);
    for (const bool to_zip : {true, false}) {
        b::Options o;
        o.template_path = resolved.path;
        o.schema = resolved.schema;
        o.records_path = dir + "/nominees.jsonl";
        (to_zip ? o.zip_path : o.output_dir) = dir + (to_zip ? "/all.zip" : "/files");
        o.sync = b::SyncMode::none;
        o.jobs = 3;
        const b::Summary s = b::run(o);
        ASSERT_EQ(s.ok, records.size()) << (to_zip ? "zip" : "files");
        const auto members =
            to_zip ? t::read_zip(t::read_file(dir + "/all.zip")) : std::map<std::string, std::string>{};
        for (std::size_t i = 0; i < records.size(); ++i) {
            const std::string name = std::to_string(i + 1) + ".docx";
            const std::string written = to_zip ? members.at(name) : t::read_file(dir + "/files/" + name);
            EXPECT_TRUE(written == engine.render(records[i])) << name << (to_zip ? " in the zip" : " in the folder");
        }
        if (to_zip) {
            EXPECT_EQ(members.size(), records.size());
        }
    }
    std::string output;
    EXPECT_EQ(t::run_command("unzip -tq " + quote(dir + "/all.zip"), &output), 0) << output;
    const auto members = t::read_zip(t::read_file(dir + "/all.zip"));
    for (const char* name : {"1.docx", "2.docx", "22.docx"}) {
        t::write_file(dir + "/member.docx", members.at(name));
        EXPECT_EQ(t::validate_office(dir + "/member.docx", "--no-schema"), "") << name;  // as award_forms_test
    }
}

TEST(BatchE2E, AwardNomineesToPdf) {
    const std::string dir = t::temp_dir();
    std::string csv;
    for (const auto& row : nominee_rows(2)) csv += csv_row(row);
    t::write_file(dir + "/two.csv", csv);
    std::string output;
    const int rc = t::run_command(quote(VANBAN_CLI) + " batch bao-cao-thanh-tich " + quote(dir + "/two.csv") + " -o " +
                                      quote(dir + "/pdf") + " --format pdf --converters 2 --quiet" +
                                      " --name '{{ person.full_name | default(collective.name) | slug }}'",
                                  &output);
    ASSERT_EQ(rc, 0) << output;
    EXPECT_EQ(files_in(dir + "/pdf"),
              (std::vector<std::string>{"nguyen-van-an.pdf", "phong-ngan-sach-so-tai-chinh-tinh-ninh-binh.pdf"}));
    for (const auto& [file, name] : {std::pair{"nguyen-van-an.pdf", "Nguyễn Văn An"},
                                     std::pair{"phong-ngan-sach-so-tai-chinh-tinh-ninh-binh.pdf", "Phòng Ngân sách"}}) {
        EXPECT_TRUE(t::read_file(dir + "/pdf/" + file).starts_with("%PDF-")) << file;
        std::string text;
        ASSERT_EQ(t::run_command("pdftotext -layout -enc UTF-8 " + quote(dir + "/pdf/" + file) + " -", &text, false), 0)
            << file;
        EXPECT_NE(text.find("BÁO CÁO THÀNH TÍCH"), std::string::npos) << file << "\n" << text;
        EXPECT_NE(text.find(name), std::string::npos) << file << "\n" << text;
    }
}

TEST(BatchE2E, CliSigintLeavesNoPartialFile) {
    if (!cli_has_batch()) GTEST_SKIP() << "`vanban batch` is not wired into the CLI yet";
    const std::string dir = t::temp_dir();
    t::write_file(dir + "/form.docx", t::make_docx(P("{{ person.full_name }}")));
    constexpr int kRecords = 20000;
    t::write_file(dir + "/many.jsonl", many_records(kRecords));
    const std::string out = dir + "/out", report = dir + "/report.json";
    fs::create_directories(out);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        const int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, STDERR_FILENO);
        ::execl(VANBAN_CLI, VANBAN_CLI, "batch", (dir + "/form.docx").c_str(), (dir + "/many.jsonl").c_str(), "-o",
                out.c_str(), "--report", report.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    wait_for_outputs(out, 5, child);
    ::kill(child, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130);
    expect_clean_interrupted_output(out, report, kRecords);
}

}  // namespace
