// The command line through the real executable (VANBAN_CLI): render to files and pipes, exit codes and messages,
// atomic output, inspect, structured errors, help, pack; outputs opened with validate-office and once with
// LibreOffice.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

#ifndef VANBAN_CLI
#error "VANBAN_CLI must be defined (path of the vanban executable)"
#endif

namespace {

namespace fs = std::filesystem;
namespace t = vanban::test;
using nlohmann::json;
using Texts = std::vector<std::string>;

using vanban::test::quote;

const std::string kCli = quote(VANBAN_CLI);

std::string P(const std::string& text) {
    return "<w:p><w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}
std::string Tc(const std::string& content) {
    return "<w:tc><w:tcPr><w:tcW w:w=\"3000\" w:type=\"dxa\"/></w:tcPr>" + content + "</w:tc>";
}

// A small KẾ HOẠCH-like template: heading, a paragraph loop, a table with a row loop, a header.
std::string template_docx() {
    const std::string body =
        P("{{ agency | upper }}") + P("Số: {{ number }}/KH-UBND") + P("{% for s in sections %}") +
        P("{{ s.no | roman }}. {{ s.title }}") + P("{% endfor %}") +
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"3000\"/>"
        "<w:gridCol w:w=\"3000\"/></w:tblGrid>"
        "<w:tr>" +
        Tc(P("Tên")) + Tc(P("Đơn vị")) +
        "</w:tr>"
        "<w:tr>" +
        Tc(P("{% for p in people %}{{ p.name }}")) + Tc(P("{{ p.unit }}{% endfor %}")) + "</w:tr></w:tbl>" +
        P("{{ place }}, {{ date | decree_date }}");
    const std::string header =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
        "<w:hdr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">" +
        P("{{ agency }}") + "</w:hdr>";
    return t::make_docx(body, {{"word/header1.xml", header}});
}

const json kData = json::parse(R"({
  "agency": "Ủy ban nhân dân xã Tân Phú",
  "number": "05",
  "sections": [{"no": 1, "title": "MỤC ĐÍCH, YÊU CẦU"}, {"no": 2, "title": "NỘI DUNG"}, {"no": 4, "title": "TỔ CHỨC THỰC HIỆN"}],
  "people": [{"name": "Nguyễn Văn Đức", "unit": "Văn phòng"}, {"name": "Trần Thị Lan", "unit": "Tài chính"}],
  "place": "Tân Phú",
  "date": "2022-03-10"
})");

const Texts kExpected = {"ỦY BAN NHÂN DÂN XÃ TÂN PHÚ",
                         "Số: 05/KH-UBND",
                         "I. MỤC ĐÍCH, YÊU CẦU",
                         "II. NỘI DUNG",
                         "IV. TỔ CHỨC THỰC HIỆN",
                         "Tên",
                         "Đơn vị",
                         "Nguyễn Văn Đức",
                         "Văn phòng",
                         "Trần Thị Lan",
                         "Tài chính",
                         "Tân Phú, ngày 10 tháng 3 năm 2022"};

// A directory with the template and the data.
struct Workspace {
    std::string dir = t::temp_dir();
    std::string tpl = dir + "/mau.docx";
    std::string data = dir + "/du-lieu.json";
    Workspace() {
        t::write_file(tpl, template_docx());
        t::write_file(data, kData.dump(2));
    }
    std::string path(const std::string& name) const { return dir + "/" + name; }
};

struct CliRun {
    int rc = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

// Runs the CLI with `args` (already quoted), stdout and stderr captured separately.
CliRun cli(const std::string& args, const std::string& stdin_file = "") {
    const std::string err_file = t::temp_dir() + "/stderr";
    CliRun r;
    r.rc = t::run_command(
        kCli + " " + args + (stdin_file.empty() ? "" : " < " + quote(stdin_file)) + " 2> " + quote(err_file), &r.out,
        false);
    r.err = t::read_file(err_file);
    return r;
}

Texts document_texts(const std::string& docx_bytes, const std::string& part = "word/document.xml") {
    return t::paragraph_texts(t::read_zip(docx_bytes).at(part));
}

using vanban::test::validate_office;

std::set<std::string> listing(const std::string& dir) {
    std::set<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
    return names;
}

// ----- render ---------------------------------------------------------------------------------------------------------

TEST(Cli, RenderWritesAValidDocumentWithTheDatasText) {
    Workspace w;
    const std::string out = w.path("ke-hoach.docx");
    CliRun r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out));
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(r.out, "");  // nothing on stdout when writing a file
    ASSERT_TRUE(fs::exists(out));
    EXPECT_EQ(validate_office(out), "");
    const std::string bytes = t::read_file(out);
    EXPECT_EQ(document_texts(bytes), kExpected);
    EXPECT_EQ(document_texts(bytes, "word/header1.xml"), Texts{"Ủy ban nhân dân xã Tân Phú"});
    EXPECT_EQ(listing(w.dir), (std::set<std::string>{"mau.docx", "du-lieu.json", "ke-hoach.docx"}));
}

TEST(Cli, StdinDataAndStdoutOutput) {
    Workspace w;
    const std::string out = w.path("from-pipe.docx");
    const std::string err_file = w.path("err.txt");
    std::string ignored;
    int rc = t::run_command(
        kCli + " render " + quote(w.tpl) + " - -o - < " + quote(w.data) + " > " + quote(out) + " 2> " + quote(err_file),
        &ignored, false);
    ASSERT_EQ(rc, 0) << t::read_file(err_file);
    EXPECT_EQ(t::read_file(err_file), "");
    EXPECT_EQ(document_texts(t::read_file(out)), kExpected);
    EXPECT_EQ(validate_office(out), "");
}

TEST(Cli, LenientFlag) {
    Workspace w;
    t::write_file(w.data, R"({"sections": [], "people": [], "date": "2020-01-05"})");
    const std::string out = w.path("lenient.docx");
    CliRun strict = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out));
    EXPECT_EQ(strict.rc, 1);
    EXPECT_FALSE(fs::exists(out));
    CliRun lenient = cli("render --lenient " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out));
    ASSERT_EQ(lenient.rc, 0) << lenient.err;
    // missing values print as nothing, empty lists repeat nothing
    EXPECT_EQ(document_texts(t::read_file(out)),
              (Texts{"", "Số: /KH-UBND", "Tên", "Đơn vị", ", ngày 05 tháng 01 năm 2020"}));
}

// ----- exit codes and messages ---------------------------------------------------------------------------------------

TEST(Cli, TemplateErrorExitsOneAndNamesPartParagraphAndTag) {
    Workspace w;
    t::write_file(w.tpl, t::make_docx(P("Mở đầu") + P("Kính gửi {{ agency | uper }}") + P("{% for x in %}")));
    CliRun r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("word/document.xml"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("¶2"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("{{ agency | uper }}"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("unknown filter 'uper'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("¶3"), std::string::npos) << r.err;  // the second error too
    EXPECT_NE(r.err.find("{% for x in %}"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(w.path("x.docx")));
}

TEST(Cli, DataErrorExitsOneAndNamesThePath) {
    Workspace w;
    json data = kData;
    data["people"][1].erase("unit");
    t::write_file(w.data, data.dump(2));
    CliRun r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("vanban: lỗi dữ liệu: "), std::string::npos) << r.err;
    r = cli("--lang en render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("data error"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("'p.unit' is missing from the data"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("word/document.xml"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("{{ p.unit }}"), std::string::npos) << r.err;
}

TEST(Cli, LimitFlagsOfRenderAndBatch) {
    Workspace w;
    const std::string out = w.path("out.docx");
    t::write_file(out, "earlier output");
    // Three sections but at most two loop iterations; sizes take units.
    CliRun r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out) + " --max-loop-iterations 2");
    EXPECT_EQ(r.rc, 1) << r.err;
    EXPECT_NE(r.err.find("vượt giới hạn"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("more than 2 loop iterations"), std::string::npos) << r.err;
    EXPECT_EQ(t::read_file(out), "earlier output");
    r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out) + " --max-output-size 1K");
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("larger than the limit of 1024 bytes"), std::string::npos) << r.err;
    r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out) + " --max-data-depth 1");
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("more than 1 levels"), std::string::npos) << r.err;
    r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out) + " --max-package-entries 2");
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("too many entries"), std::string::npos) << r.err;
    r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out) + " --max-work nine");
    EXPECT_EQ(r.rc, 2) << "not a number: a usage error";
    EXPECT_EQ(t::read_file(out), "earlier output");
    r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out) +
            " --max-value-size 64M --max-work 1000000");
    EXPECT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(document_texts(t::read_file(out)), kExpected);

    // batch: each record is rendered under the limits; the one over them fails, the others are written.
    const std::string records = w.path("records.jsonl");
    json small = kData, big = kData;
    small["sections"] = json::array({kData["sections"][0]});
    t::write_file(records, small.dump() + "\n" + big.dump() + "\n" + small.dump() + "\n");
    r = cli("batch " + quote(w.tpl) + " " + quote(records) + " -o " + quote(w.path("out")) +
            " -q --max-loop-iterations 4 --report " + quote(w.path("report.json")));
    EXPECT_EQ(r.rc, 1) << r.err;
    const json report = json::parse(t::read_file(w.path("report.json")));
    ASSERT_EQ(report["results"].size(), 3u);
    EXPECT_EQ(report["results"][0]["status"], "ok");
    EXPECT_EQ(report["results"][1]["status"], "failed");
    EXPECT_EQ(report["results"][1]["errors"][0]["kind"], "limit");
    EXPECT_EQ(report["results"][2]["status"], "ok");
    EXPECT_NE(cli("batch --help").out.find("--max-output-size"), std::string::npos);
}

TEST(Cli, BrokenJsonExitsOne) {
    Workspace w;
    t::write_file(w.data, "{\"agency\": \"x\",\n \"number\": }");
    CliRun r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("du-lieu.json"), std::string::npos) << r.err;
}

TEST(Cli, UsageErrorsExitTwo) {
    Workspace w;
    CliRun unknown_option =
        cli("render --frobnicate " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(unknown_option.rc, 2) << unknown_option.err;
    EXPECT_NE(unknown_option.err.find("frobnicate"), std::string::npos) << unknown_option.err;
    CliRun missing_output = cli("render " + quote(w.tpl) + " " + quote(w.data));
    EXPECT_EQ(missing_output.rc, 2) << missing_output.err;
    EXPECT_NE(missing_output.err.find("--output"), std::string::npos) << missing_output.err;
    CliRun option_without_value = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o");
    EXPECT_EQ(option_without_value.rc, 2) << option_without_value.err;
    CliRun no_command = cli("");
    EXPECT_EQ(no_command.rc, 2) << no_command.err;
    CliRun unknown_command = cli("frobnicate");
    EXPECT_EQ(unknown_command.rc, 2) << unknown_command.err;
    CliRun no_template =
        cli("render " + quote(w.path("khong-co.docx")) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(no_template.rc, 2) << no_template.err;
    CliRun bad_errors =
        cli("--errors xml render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(bad_errors.rc, 2) << bad_errors.err;
    EXPECT_EQ(listing(w.dir), (std::set<std::string>{"mau.docx", "du-lieu.json"}));
}

TEST(Cli, FailedRenderLeavesTheExistingOutputUntouched) {
    Workspace w;
    const std::string out = w.path("ke-hoach.docx");
    const std::string previous = "nội dung cũ — not a docx\n";
    t::write_file(out, previous);
    json data = kData;
    data.erase("place");
    t::write_file(w.data, data.dump());
    CliRun r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out));
    EXPECT_EQ(r.rc, 1);
    EXPECT_NE(r.err.find("'place' is missing from the data"), std::string::npos) << r.err;
    EXPECT_EQ(t::read_file(out), previous);
    // no temporary files left beside it
    EXPECT_EQ(listing(w.dir), (std::set<std::string>{"mau.docx", "du-lieu.json", "ke-hoach.docx"}));

    // a template error does not touch it either
    t::write_file(w.tpl, t::make_docx(P("{% if x %}")));
    CliRun r2 = cli("render " + quote(w.tpl) + " " + quote(w.path("du-lieu.json")) + " -o " + quote(out));
    EXPECT_EQ(r2.rc, 1);
    EXPECT_EQ(t::read_file(out), previous);
    EXPECT_EQ(listing(w.dir).size(), 3u);
}

TEST(Cli, SuccessfulRenderReplacesTheOutput) {
    Workspace w;
    const std::string out = w.path("ke-hoach.docx");
    t::write_file(out, "cũ");
    CliRun r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out));
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(document_texts(t::read_file(out)), kExpected);
    EXPECT_EQ(listing(w.dir).size(), 3u);
}

// ----- inspect and structured errors -----------------------------------------------------------------------------------

TEST(Cli, InspectPrintsTheDataSkeleton) {
    Workspace w;
    CliRun r = cli("inspect " + quote(w.tpl));
    ASSERT_EQ(r.rc, 0) << r.err;
    const json skeleton = json::parse(r.out);
    const json expected = json::parse(R"({
      "agency": "", "number": "", "place": "", "date": "",
      "sections": [{"no": "", "title": ""}],
      "people": [{"name": "", "unit": ""}]
    })");
    EXPECT_EQ(skeleton, expected) << r.out;
    EXPECT_TRUE(skeleton["sections"].is_array());
    EXPECT_NE(r.err.find("for s in sections"), std::string::npos) << r.err;

    CliRun j = cli("inspect --json " + quote(w.tpl));
    ASSERT_EQ(j.rc, 0) << j.err;
    const json all = json::parse(j.out);
    EXPECT_EQ(all["skeleton"], expected);
    EXPECT_EQ(all["loops"], json::parse(R"(["s in sections", "p in people"])"));
}

TEST(Cli, ErrorsAsJsonRecords) {
    Workspace w;
    json data = kData;
    data["people"][1].erase("unit");
    data.erase("number");
    t::write_file(w.data, data.dump(2));
    CliRun r = cli("--errors json render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(r.rc, 1);
    const json records = json::parse(r.err);
    ASSERT_TRUE(records.is_array()) << r.err;
    ASSERT_EQ(records.size(), 2u) << r.err;
    const json& number = records[0];
    EXPECT_EQ(number["kind"], "data");
    EXPECT_EQ(number["message"], "'number' is missing from the data");
    EXPECT_EQ(number["part"], "word/document.xml");
    EXPECT_EQ(number["paragraph"], 2);
    EXPECT_EQ(number["tag"], "{{ number }}");
    EXPECT_EQ(number["json_pointer"], "/number");
    EXPECT_TRUE(number.contains("hint"));
    const json& unit = records[1];
    EXPECT_EQ(unit["message"], "'p.unit' is missing from the data");
    EXPECT_EQ(unit["json_pointer"], "/people/1/unit");
    // the data file is pretty-printed: people[1] starts on its own line
    EXPECT_TRUE(unit.contains("line")) << unit.dump();
    EXPECT_GT(unit.value("line", 0), 1);

    t::write_file(w.tpl, t::make_docx(P("{{ a | uper }}")));
    CliRun tpl = cli("--errors json render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(tpl.rc, 1);
    const json trec = json::parse(tpl.err);
    ASSERT_EQ(trec.size(), 1u);
    EXPECT_EQ(trec[0]["kind"], "template");
    EXPECT_EQ(trec[0]["paragraph"], 1);
    EXPECT_EQ(trec[0]["tag"], "{{ a | uper }}");
}

// ----- help ------------------------------------------------------------------------------------------------------

TEST(Cli, HelpOfTheMainCommandsShowsAnExample) {
    for (const std::string command : {"render", "inspect", "validate", "new"}) {
        CliRun r = cli(command + " --help");
        EXPECT_EQ(r.rc, 0) << command << ": " << r.err;
        EXPECT_NE(r.out.find("Example"), std::string::npos) << command << " --help:\n" << r.out;
        EXPECT_NE(r.out.find("vanban " + command), std::string::npos) << command << " --help:\n" << r.out;
    }
    CliRun top = cli("--help");
    EXPECT_EQ(top.rc, 0);
    for (const char* command : {"render", "inspect", "validate", "templates", "new", "pack"})
        EXPECT_NE(top.out.find(command), std::string::npos) << command;
}

// Every command's help ends with an example, these two included.
TEST(Cli, HelpOfPackAndTemplatesShowsAnExample) {
    for (const std::string command : {"pack", "templates"}) {
        CliRun r = cli(command + " --help");
        EXPECT_EQ(r.rc, 0) << command << ": " << r.err;
        EXPECT_NE(r.out.find("Example"), std::string::npos) << command << " --help:\n" << r.out;
    }
}

// ----- pack -----------------------------------------------------------------------------------------------------------

TEST(Cli, PackATemplateDirectory) {
    Workspace w;
    // unzip the template into a directory, as templates are kept in the repository
    const std::string dir = w.path("mau");
    for (const auto& [name, content] : t::read_zip(template_docx())) {
        fs::create_directories(fs::path(dir + "/" + name).parent_path());
        t::write_file(dir + "/" + name, content);
    }
    const std::string packed = w.path("mau-dong-goi.docx");
    CliRun r = cli("pack " + quote(dir) + " -o " + quote(packed));
    ASSERT_EQ(r.rc, 0) << r.err;
    EXPECT_EQ(validate_office(packed), "");
    const auto parts = t::read_zip(t::read_file(packed));
    EXPECT_EQ(parts.size(), t::read_zip(template_docx()).size());
    EXPECT_EQ(parts.at("word/document.xml"), t::read_zip(template_docx()).at("word/document.xml"));

    // both the packed file and the directory itself render
    for (const std::string& source : {packed, dir}) {
        const std::string out = w.path("out.docx");
        CliRun rr = cli("render " + quote(source) + " " + quote(w.data) + " -o " + quote(out));
        ASSERT_EQ(rr.rc, 0) << source << ": " << rr.err;
        EXPECT_EQ(document_texts(t::read_file(out)), kExpected) << source;
        EXPECT_EQ(validate_office(out), "") << source;
    }

    CliRun missing = cli("pack " + quote(w.path("khong-co")) + " -o " + quote(w.path("y.docx")));
    EXPECT_EQ(missing.rc, 1) << missing.err;
    EXPECT_FALSE(fs::exists(w.path("y.docx")));
}

// ----- LibreOffice ------------------------------------------------------------------------------------------------------

TEST(Cli, LibreOfficeReadsTheRenderedText) {
    Workspace w;
    // paragraphs only, so LibreOffice's text export is one line per paragraph
    t::write_file(w.tpl, t::make_docx(P("{{ agency | upper }}") + P("{% for s in sections %}") +
                                      P("{{ s.no | roman }}. {{ s.title }}") + P("{% endfor %}") +
                                      P("{{ place }}, {{ date | decree_date }}")));
    const std::string out = w.path("lo.docx");
    CliRun r = cli("render " + quote(w.tpl) + " " + quote(w.data) + " -o " + quote(out));
    ASSERT_EQ(r.rc, 0) << r.err;
    std::string text;
    int rc = t::run_command(quote(t::shared_dir() + "/tools/office-text") + " " + quote(out), &text, false);
    ASSERT_EQ(rc, 0) << text;
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    EXPECT_EQ(lines, (Texts{"ỦY BAN NHÂN DÂN XÃ TÂN PHÚ", "I. MỤC ĐÍCH, YÊU CẦU", "II. NỘI DUNG",
                            "IV. TỔ CHỨC THỰC HIỆN", "Tân Phú, ngày 10 tháng 3 năm 2022"}));
}

// ----- messages for people (issue 18) ---------------------------------------------------------------------------------

const std::string kPlan = t::source_dir() + "/templates/ke-hoach/example.json";

// Words of the validation library and of schema jargon that a secretary must never see.
void expect_no_jargon(const std::string& text) {
    for (const char* word : {"required property", "String should", "Failed to validate", "anyOf", "oneOf", "schema #",
                             "object at the top level"})
        EXPECT_EQ(text.find(word), std::string::npos) << word << " in:\n" << text;
}

TEST(CliMessages, BadPlanInVietnameseByDefaultAndEnglishOnRequest) {
    Workspace w;
    json plan = json::parse(t::read_file(kPlan));
    plan.erase("title");
    plan["titel"] = "x";
    plan["sigher"] = plan["signer"];
    plan["date"] = "2025-02-30";
    t::write_file(w.data, plan.dump(2));
    CliRun vi = cli("validate ke-hoach " + quote(w.data));
    EXPECT_EQ(vi.rc, 1);
    expect_no_jargon(vi.err);
    EXPECT_NE(vi.err.find("Trích yếu: chưa điền"), std::string::npos) << vi.err;
    // every unknown key at once, each with the closest known one
    EXPECT_NE(vi.err.find("mẫu không có mục \"titel\" — có phải ý bạn là \"title\" (Trích yếu)?"), std::string::npos)
        << vi.err;
    EXPECT_NE(vi.err.find("mẫu không có mục \"sigher\" — có phải ý bạn là \"signer\" (Người ký)?"), std::string::npos)
        << vi.err;

    CliRun en = cli("validate ke-hoach " + quote(w.data) + " --lang en");  // a global option after the command
    EXPECT_EQ(en.rc, 1);
    EXPECT_NE(en.err.find("property \"titel\" is not allowed here (in \"Kế hoạch\"); did you mean \"title\"?"),
              std::string::npos)
        << en.err;
    EXPECT_EQ(en.err.find("chưa điền"), std::string::npos) << en.err;
}

TEST(CliMessages, EmptyAwardFormNamesWhatIsMissingWithoutBranchNoise) {
    Workspace w;
    t::write_file(w.data, "{}");
    CliRun r = cli("validate bao-cao-thanh-tich " + quote(w.data));
    EXPECT_EQ(r.rc, 1);
    expect_no_jargon(r.err);
    EXPECT_NE(r.err.find("Ngày báo cáo: chưa điền"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Cá nhân: chưa điền"), std::string::npos) << r.err;  // the meant anyOf branch only
    EXPECT_EQ(r.err.find("Tập thể"), std::string::npos) << r.err;
}

TEST(CliMessages, ValidMeansItRendersForImpossibleDatesAndShortNumbering) {
    Workspace w;
    json plan = json::parse(t::read_file(kPlan));
    plan["date"] = "2025-02-30";
    t::write_file(w.data, plan.dump(2));
    CliRun date = cli("validate ke-hoach " + quote(w.data));
    EXPECT_EQ(date.rc, 1);
    EXPECT_NE(date.err.find("Ngày ban hành: ngày \"2025-02-30\" không có trong lịch"), std::string::npos) << date.err;
    plan["date"] = {{"year", 2023}, {"month", 2}, {"day", 29}};  // entered in parts: 29/2 of a common year
    t::write_file(w.data, plan.dump(2));
    EXPECT_EQ(cli("validate ke-hoach " + quote(w.data)).rc, 1);
    plan["date"] = {{"year", 2024}, {"month", 2}, {"day", 29}};
    plan["numbering"] = {{"levels", {"roman"}}};
    t::write_file(w.data, plan.dump(2));
    CliRun depth = cli("--errors json validate ke-hoach " + quote(w.data));
    EXPECT_EQ(depth.rc, 1);
    const json records = json::parse(depth.err);
    ASSERT_EQ(records.size(), 1u) << depth.err;
    EXPECT_EQ(records[0]["code"], "data.outline");
    EXPECT_EQ(records[0]["json_pointer"].get<std::string>().rfind("/body/", 0), 0u);
    EXPECT_NE(records[0]["message"].get<std::string>().find("\"Kiểu đánh số theo cấp\" chỉ có 1 cấp"),
              std::string::npos);
    EXPECT_NE(records[0]["message_en"].get<std::string>().find("no numbering scheme for level 2"), std::string::npos);
}

TEST(CliMessages, OutputMustBeADocumentFormat) {
    Workspace w;
    for (const std::string name : {"x.doc", "x", "x.pdfx"}) {
        CliRun r = cli("render ke-hoach " + quote(kPlan) + " -o " + quote(w.path(name)));
        EXPECT_EQ(r.rc, 2) << name;
        EXPECT_NE(r.err.find(".docx, .odt hoặc .pdf"), std::string::npos) << r.err;
        EXPECT_FALSE(fs::exists(w.path(name))) << name;
    }
    CliRun piped = cli("render ke-hoach " + quote(kPlan) + " -o - --format odt");
    EXPECT_EQ(piped.rc, 0) << piped.err;
    EXPECT_EQ(piped.out.substr(0, 2), "PK");
}

TEST(CliMessages, Utf16AndWindows1258DataAreRecognised) {
    Workspace w;
    const std::string text = t::read_file(kPlan);
    std::string le = "\xFF\xFE", be_without_bom;
    for (unsigned char c : std::string("{\"title\": \"K\"}")) {
        le += static_cast<char>(c);
        le += '\0';
        be_without_bom += '\0';
        be_without_bom += static_cast<char>(c);
    }
    // "Kế hoạch" in Windows-1258: ê = 0xEA with the combining acute 0xEC, ạ = a with 0xF2
    const std::string cp1258 = "{\"title\": \"K\xEA\xEC ho\x61\xF2\x63h \xD0\xE3i\"}";
    for (const std::string& bytes : {le, be_without_bom, cp1258}) {
        t::write_file(w.data, bytes);
        CliRun r = cli("validate ke-hoach " + quote(w.data));
        EXPECT_EQ(r.rc, 1);
        EXPECT_NE(r.err.find("hãy lưu tệp dưới dạng UTF-8"), std::string::npos) << r.err;
    }
}

TEST(CliMessages, SwappedArgumentsAndMistypedNames) {
    Workspace w;
    CliRun swapped = cli("render " + quote(kPlan) + " ke-hoach -o " + quote(w.path("x.docx")));
    EXPECT_EQ(swapped.rc, 2);
    EXPECT_NE(swapped.err.find("hai tham số đang bị đảo"), std::string::npos) << swapped.err;
    EXPECT_NE(swapped.err.find("vanban render ke-hoach " + kPlan), std::string::npos) << swapped.err;
    CliRun tpl = cli("render kehoach " + quote(kPlan) + " -o " + quote(w.path("x.docx")));
    EXPECT_EQ(tpl.rc, 2);
    EXPECT_NE(tpl.err.find("có phải ý bạn là \"ke-hoach\"?"), std::string::npos) << tpl.err;
    CliRun command = cli("rendr ke-hoach");
    EXPECT_EQ(command.rc, 2);
    EXPECT_NE(command.err.find("có phải ý bạn là \"render\"?"), std::string::npos) << command.err;
    CliRun english = cli("--lang en valdate x");
    EXPECT_NE(english.err.find("did you mean 'validate'?"), std::string::npos) << english.err;
    EXPECT_EQ(listing(w.dir), (std::set<std::string>{"mau.docx", "du-lieu.json"}));
}

TEST(CliMessages, GlobalOptionsAfterTheCommandAndOneLineOnSuccess) {
    Workspace w;
    t::write_file(w.data, "{}");
    CliRun json_after = cli("validate ke-hoach " + quote(w.data) + " --errors json");
    EXPECT_EQ(json_after.rc, 1);
    EXPECT_TRUE(json::parse(json_after.err).is_array()) << json_after.err;

    const std::string out = w.path("ke-hoach.docx");
    CliRun r = cli("render ke-hoach " + quote(kPlan) + " -o " + quote(out));
    ASSERT_EQ(r.rc, 0) << r.err;
    const auto kb = std::to_string(std::max<std::uintmax_t>(1, (fs::file_size(out) + 512) / 1024));
    EXPECT_EQ(r.err, "đã tạo " + out + " — " + kb + " KB\n");
    EXPECT_EQ(validate_office(out), "");
    CliRun quiet = cli("render ke-hoach " + quote(kPlan) + " -o " + quote(out) + " --quiet");
    EXPECT_EQ(quiet.rc, 0);
    EXPECT_EQ(quiet.err, "");
    CliRun quiet_before = cli("-q render ke-hoach " + quote(kPlan) + " -o " + quote(out));
    EXPECT_EQ(quiet_before.err, "");
}

}  // namespace
