// The batch runner (batch/batch) through its library API: bad records are reported with their locations while every
// good record is written, output names are safe and unique, up-to-date outputs are skipped, archives open, a stop
// request leaves nothing partial and the report is complete.
#include "batch/batch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "vanban/vanban.hpp"
#include "zip/zip.hpp"

namespace {

namespace b = vanban::batch;
namespace t = vanban::test;
namespace fs = std::filesystem;
using nlohmann::json;

std::string P(const std::string& text) {
    return "<w:p><w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

const json kSchema = json::parse(R"({
  "type": "object",
  "required": ["person"],
  "properties": {
    "person": {"type": "object", "required": ["full_name"], "properties": {
      "full_name": {"type": "string", "title": "Họ và tên", "pattern": "^[^\\n]+$"},
      "age": {"type": "integer"},
      "birth": {"type": "string", "format": "date", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"}
    }}
  }
})");

struct Fixture {
    std::string dir = t::temp_dir();
    std::string tpl = dir + "/form.docx";
    std::string out = dir + "/out";
    Fixture() {
        t::write_file(tpl, t::make_docx(P("Họ tên: {{ person.full_name }}") + P("{{ person.age | default('') }}")));
    }

    b::Options options(const std::string& records_name, const std::string& records) const {
        t::write_file(dir + "/" + records_name, records);
        b::Options o;
        o.template_path = tpl;
        o.records_path = dir + "/" + records_name;
        o.output_dir = out;
        o.jobs = 2;
        return o;
    }
};

using vanban::test::files_in;

std::string document_xml(const std::string& path) { return t::read_zip(t::read_file(path)).at("word/document.xml"); }

const std::string kBadJsonl = R"({"person": {"full_name": "Nguyễn Văn An", "age": 40, "birth": "1984-03-14"}})"
                              "\n"
                              R"({"person": {"age": 30}})"
                              "\n"
                              R"({"person": {"full_name": "Bình", "age": "thirty"}})"
                              "\n"
                              R"({"person": {"full_name": "Cường", "birth": "2024-13-45"}})"
                              "\n"
                              R"({"person": {"full_name": "Dũng\nsecond line"}})"
                              "\n"
                              R"({"person": {"full_name": "Lê Thị Em"}})"
                              "\n";

TEST(Batch, BadJsonRecordsAreReportedAndGoodOnesWritten) {
    Fixture f;
    auto o = f.options("people.jsonl", kBadJsonl);
    o.schema = kSchema;
    o.name_expression = "{{ loop.index }}-{{ person.full_name | slug }}";
    o.report_path = f.dir + "/report.json";
    std::vector<b::RecordResult> seen;
    o.on_record = [&](const b::RecordResult& r) { seen.push_back(r); };
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 2u);
    EXPECT_EQ(s.failed, 4u);
    EXPECT_FALSE(s.interrupted);
    EXPECT_EQ(files_in(f.out), (std::vector<std::string>{"1-nguyen-van-an.docx", "6-le-thi-em.docx"}));
    EXPECT_NE(document_xml(f.out + "/1-nguyen-van-an.docx").find("Nguyễn Văn An"), std::string::npos);

    ASSERT_EQ(seen.size(), 6u);
    for (std::size_t i = 0; i < seen.size(); ++i) {
        EXPECT_EQ(seen[i].index, i);  // in record order
        EXPECT_EQ(seen[i].line, static_cast<int>(i) + 1);
    }
    auto first_error = [&](std::size_t i) -> const b::RecordIssue& { return seen.at(i).errors.at(0); };
    EXPECT_EQ(first_error(1).diagnostic.json_pointer, "/person/full_name");  // required: located at its parent
    EXPECT_EQ(first_error(1).diagnostic.line, 2);
    EXPECT_EQ(first_error(2).diagnostic.json_pointer, "/person/age");
    EXPECT_EQ(first_error(2).diagnostic.line, 3);
    EXPECT_EQ(first_error(2).diagnostic.column, 41);
    EXPECT_EQ(first_error(3).diagnostic.json_pointer, "/person/birth");
    EXPECT_EQ(first_error(4).diagnostic.json_pointer, "/person/full_name");

    const json report = json::parse(t::read_file(o.report_path));
    ASSERT_EQ(report["results"].size(), 6u);
    EXPECT_EQ(report["summary"]["failed"], 4);
    EXPECT_EQ(report["summary"]["ok"], 2);
    EXPECT_EQ(report["results"][0]["status"], "ok");
    EXPECT_EQ(report["results"][0]["output"], f.out + "/1-nguyen-van-an.docx");
    EXPECT_EQ(report["results"][2]["status"], "failed");
    EXPECT_EQ(report["results"][2]["line"], 3);
    EXPECT_EQ(report["results"][2]["errors"][0]["json_pointer"], "/person/age");
    EXPECT_EQ(report["results"][2]["errors"][0]["line"], 3);
    EXPECT_FALSE(report["results"][2].contains("output"));
}

TEST(Batch, BadCsvRecordsCarryLineAndColumn) {
    Fixture f;
    const std::string csv =
        "person.full_name,person.age,person.birth\n"
        "Nguyễn Văn An,40,14/03/1984\n"
        ",30,\n"
        "Bình,thirty,\n"
        "Cường,,30/02/2024\n"
        "\"Dũng\nsecond line\",,\n"
        "\n"
        "\"Lê, Thị Em\",,\n";
    auto o = f.options("people.csv", csv);
    o.schema = kSchema;
    o.name_expression = "{{ person.full_name | slug }}";
    std::vector<b::RecordResult> failed;
    o.on_record = [&](const b::RecordResult& r) {
        if (r.status == b::Status::failed) failed.push_back(r);
    };
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 2u);
    ASSERT_EQ(s.failed, 4u);
    EXPECT_EQ(files_in(f.out), (std::vector<std::string>{"le-thi-em.docx", "nguyen-van-an.docx"}));
    EXPECT_EQ(failed[0].line, 3);
    EXPECT_EQ(failed[0].errors.at(0).diagnostic.json_pointer, "/person/full_name");
    EXPECT_EQ(failed[0].errors.at(0).diagnostic.line, 3);
    EXPECT_EQ(failed[1].line, 4);
    EXPECT_EQ(failed[1].errors.at(0).field, "person.age");
    EXPECT_EQ(failed[1].errors.at(0).diagnostic.column, 2);
    EXPECT_NE(failed[1].errors.at(0).diagnostic.message.find("'thirty'"), std::string::npos);
    ASSERT_EQ(failed[1].errors.size(), 1u);  // the schema's type error on the same cell is not repeated
    EXPECT_EQ(failed[2].line, 5);
    EXPECT_EQ(failed[2].errors.at(0).field, "person.birth");
    EXPECT_EQ(failed[2].errors.at(0).diagnostic.column, 3);
    EXPECT_EQ(failed[3].line, 6);
    EXPECT_EQ(failed[3].errors.at(0).diagnostic.json_pointer, "/person/full_name");
    EXPECT_EQ(failed[3].errors.at(0).field, "person.full_name");
}

TEST(Batch, RenderErrorsAreRecordFailuresToo) {
    Fixture f;
    auto o = f.options("r.json", R"([{"person": {"full_name": "An"}}, {"person": {}}, {"x": 1}])");
    std::vector<b::RecordResult> failed;
    o.on_record = [&](const b::RecordResult& r) {
        if (r.status == b::Status::failed) failed.push_back(r);
    };
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 1u);
    ASSERT_EQ(failed.size(), 2u);
    EXPECT_EQ(failed[0].errors.at(0).diagnostic.part, "word/document.xml");
    EXPECT_EQ(failed[0].errors.at(0).diagnostic.line, 1);
    // Lenient: missing values are empty
    fs::remove_all(f.out);
    o.lenient = true;
    o.on_record = nullptr;
    EXPECT_EQ(b::run(o).ok, 3u);
}

TEST(Batch, NamesCannotEscapeAndCollisionsAreNumbered) {
    Fixture f;
    const std::string records = R"([
      {"name": "../../etc/x"}, {"name": "/abs"}, {"name": "..\\x"}, {"name": "a/b"}, {"name": "\u0001ctl\n"},
      {"name": ""}, {"name": "same"}, {"name": "SAME"}, {"name": "same"}, {"name": "same-2"}, {"name": ".."},
      {"name": "report.docx"}
    ])";
    auto o = f.options("n.json", records);
    o.name_expression = "{{ name }}";
    o.lenient = true;
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 12u);
    EXPECT_EQ(files_in(f.out), (std::vector<std::string>{"11.docx", "6.docx", "SAME-2.docx", "a-b.docx", "abs.docx",
                                                         "ctl.docx", "etc-x.docx", "report.docx", "same-2-2.docx",
                                                         "same-3.docx", "same.docx", "x.docx"}));
    EXPECT_EQ(files_in(f.dir), (std::vector<std::string>{"form.docx", "n.json", "out"}));
}

TEST(Batch, SanitizeName) {
    EXPECT_EQ(b::sanitize_name("../../etc/passwd"), "etc-passwd");
    EXPECT_EQ(b::sanitize_name("C:\\Windows\\x"), "C--Windows-x");
    EXPECT_EQ(b::sanitize_name("a..b"), "a.b");
    EXPECT_EQ(b::sanitize_name("...."), "");
    EXPECT_EQ(b::sanitize_name(" .hidden "), "hidden");
    EXPECT_EQ(b::sanitize_name("CON"), "CON_");
    EXPECT_EQ(b::sanitize_name("Nguyễn Văn An"), "Nguyễn Văn An");
    EXPECT_EQ(b::sanitize_name("bad\xFFutf8\xC3"), "badutf8");
    std::string long_name;
    for (int i = 0; i < 100; ++i) long_name += "ễ";
    const std::string cut = b::sanitize_name(long_name);
    EXPECT_LE(cut.size(), 150u);
    EXPECT_EQ(cut.size() % 3, 0u);  // cut between characters
}

TEST(Batch, UpToDateOutputsAreSkippedUnlessForced) {
    Fixture f;
    auto o = f.options("r.jsonl", "{\"person\": {\"full_name\": \"An\"}}\n{\"person\": {\"full_name\": \"Bình\"}}\n");
    EXPECT_EQ(b::run(o).ok, 2u);
    b::Summary again = b::run(o);
    EXPECT_EQ(again.skipped, 2u);
    EXPECT_EQ(again.ok, 0u);
    o.force = true;
    EXPECT_EQ(b::run(o).ok, 2u);
    o.force = false;
    // The records change: everything is rendered again.
    fs::last_write_time(o.records_path, fs::file_time_type::clock::now() + std::chrono::seconds(5));
    EXPECT_EQ(b::run(o).ok, 2u);
    EXPECT_EQ(b::run(o).skipped, 0u);  // still older than the records (dated in the future)

    // What a power cut can leave after the rename — an empty or cut file with a new date — is rendered again.
    fs::last_write_time(o.records_path, fs::file_time_type::clock::now() - std::chrono::seconds(60));
    EXPECT_EQ(b::run(o).skipped, 2u);
    const std::string whole = t::read_file(f.out + "/2.docx");
    t::write_file(f.out + "/1.docx", "");
    t::write_file(f.out + "/2.docx", whole.substr(0, whole.size() / 2));
    const b::Summary repaired = b::run(o);
    EXPECT_EQ(repaired.ok, 2u);
    EXPECT_EQ(repaired.skipped, 0u);
    EXPECT_EQ(t::read_file(f.out + "/2.docx"), whole);
}

TEST(Batch, ZipHoldsEveryGoodRecordAndOpens) {
    Fixture f;
    auto o = f.options("people.jsonl", kBadJsonl);
    o.schema = kSchema;
    o.output_dir.clear();
    o.zip_path = f.dir + "/all.zip";
    o.name_expression = "{{ person.full_name | slug }}";
    o.report_path = f.dir + "/report.json";
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 2u);
    EXPECT_EQ(s.failed, 4u);
    auto archive = vanban::zip::Reader::from_file(o.zip_path);
    ASSERT_EQ(archive.names(), (std::vector<std::string>{"nguyen-van-an.docx", "le-thi-em.docx"}));
    for (const auto& n : archive.names()) {
        auto doc = vanban::zip::Reader::from_bytes(archive.read(n), n);
        EXPECT_TRUE(doc.contains("word/document.xml")) << n;
        EXPECT_NO_THROW(vanban::Template::from_bytes(archive.read(n), n)) << n;  // a complete package
    }
    // no temporary files beside the archive
    for (const auto& n : files_in(f.dir)) EXPECT_EQ(n.find(".vanban-"), std::string::npos) << n;
    const json report = json::parse(t::read_file(o.report_path));
    EXPECT_EQ(report["results"][0]["output"], "nguyen-van-an.docx");
}

TEST(Batch, StopRequestLeavesNothingPartialAndWritesTheReport) {
    Fixture f;
    std::string records;
    for (int i = 0; i < 400; ++i) records += R"({"person": {"full_name": "Người )" + std::to_string(i) + "\"}}\n";
    auto o = f.options("many.jsonl", records);
    o.report_path = f.dir + "/report.json";
    std::atomic<int> done{0};
    o.on_record = [&](const b::RecordResult&) { ++done; };
    o.should_stop = [&] { return done.load() >= 20; };
    const b::Summary s = b::run(o);
    EXPECT_TRUE(s.interrupted);
    EXPECT_GE(s.ok, 20u);
    EXPECT_LT(s.ok, 400u);
    const auto names = files_in(f.out);
    EXPECT_EQ(names.size(), s.ok);
    for (const auto& n : names) {
        EXPECT_FALSE(n.starts_with(".")) << n;  // no temporary file left
        EXPECT_NO_THROW(vanban::Template::from_file(f.out + "/" + n)) << n;
    }
    const json report = json::parse(t::read_file(o.report_path));
    EXPECT_TRUE(report["summary"]["interrupted"].get<bool>());
    EXPECT_EQ(report["results"].size(), s.total);
    EXPECT_EQ(report["summary"]["records_in_file"], 400);
}

TEST(Batch, InterruptedZipIsCompleteAndHasNoTemporaryFile) {
    Fixture f;
    std::string records;
    for (int i = 0; i < 300; ++i) records += R"({"person": {"full_name": "Người )" + std::to_string(i) + "\"}}\n";
    auto o = f.options("many.jsonl", records);
    o.output_dir.clear();
    o.zip_path = f.dir + "/out.zip";
    std::atomic<int> done{0};
    o.on_record = [&](const b::RecordResult&) { ++done; };
    o.should_stop = [&] { return done.load() >= 10; };
    const b::Summary s = b::run(o);
    EXPECT_TRUE(s.interrupted);
    auto archive = vanban::zip::Reader::from_file(o.zip_path);
    EXPECT_EQ(archive.names().size(), s.ok);
    for (const auto& n : files_in(f.dir)) EXPECT_EQ(n.find(".vanban-"), std::string::npos) << n;
}

// A name that says how many records there are gets the count before the first record is named, however long the list.
TEST(Batch, NamesThatSayHowManyRecordsGetTheCount) {
    Fixture f;
    std::string records = "[";
    for (int i = 0; i < 100; ++i) records += std::string(i ? "," : "") + R"({"person": {"full_name": "P"}})";
    records += "]";
    auto o = f.options("count.json", records);
    o.jobs = 2;
    o.name_expression = "{{ loop.index }}-of-{{ loop.length }}-{{ loop.revindex }}";
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 100u);
    const auto names = files_in(f.out);
    EXPECT_EQ(std::count(names.begin(), names.end(), "1-of-100-100.docx"), 1);
    EXPECT_EQ(std::count(names.begin(), names.end(), "100-of-100-1.docx"), 1);
}

TEST(Batch, ManyThreadsWriteEveryRecordInOrder) {
    Fixture f;
    std::string records = "[";
    for (int i = 0; i < 300; ++i)
        records += std::string(i ? "," : "") + R"({"person": {"full_name": "P)" + std::to_string(i) + "\"}}";
    records += "]";
    auto o = f.options("many.json", records);
    o.jobs = 8;
    o.report_path = f.dir + "/r.json";
    std::size_t last = 0, calls = 0, last_total = 0;
    bool ordered = true;
    o.on_progress = [&](const b::Progress& p) {
        // A long list is counted beside the workers: the total is 0 ("not known yet") until it is, then 300.
        ordered = ordered && p.done == last + 1 && (p.total == 300 || (p.total == 0 && last_total == 0));
        last = p.done;
        last_total = p.total;
        ++calls;
    };
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.ok, 300u);
    EXPECT_TRUE(ordered);
    EXPECT_EQ(calls, 300u);
    EXPECT_EQ(json::parse(t::read_file(o.report_path))["summary"]["records_in_file"], 300);
    EXPECT_EQ(files_in(f.out).size(), 300u);
    EXPECT_NE(document_xml(f.out + "/300.docx").find("P299"), std::string::npos);
    const json report = json::parse(t::read_file(o.report_path));
    for (std::size_t i = 0; i < 300; ++i) EXPECT_EQ(report["results"][i]["index"], i);
    EXPECT_GT(s.p95_ms, 0.0);
}

// Every sync mode writes the same complete files and leaves no temporary file (only when they reach the disk differs).
TEST(Batch, EverySyncModeWritesEveryRecordCompletely) {
    for (const auto mode : {b::SyncMode::end, b::SyncMode::each, b::SyncMode::none}) {
        Fixture f;
        std::string records;
        for (int i = 0; i < 40; ++i) records += R"({"person": {"full_name": "Người )" + std::to_string(i) + "\"}}\n";
        auto o = f.options("r.jsonl", records);
        o.sync = mode;
        o.report_path = f.dir + "/report.json";
        const b::Summary s = b::run(o);
        EXPECT_EQ(s.ok, 40u);
        const auto files = files_in(f.out);
        ASSERT_EQ(files.size(), 40u);
        for (const auto& name : files) EXPECT_FALSE(name.starts_with(".")) << "temporary file left: " << name;
        EXPECT_NE(document_xml(f.out + "/40.docx").find("Người 39"), std::string::npos);
        EXPECT_EQ(json::parse(t::read_file(o.report_path))["summary"]["ok"], 40);
    }
}

TEST(Batch, SymlinkInTheOutputDirectoryIsNotFollowed) {
    Fixture f;
    auto o = f.options("r.jsonl", "{\"person\": {\"full_name\": \"An\"}}\n");
    fs::create_directories(f.out);
    t::write_file(f.dir + "/precious.txt", "keep me");
    fs::create_symlink(f.dir + "/precious.txt", f.out + "/1.docx");
    const b::Summary s = b::run(o);
    EXPECT_EQ(s.failed, 1u);
    EXPECT_EQ(t::read_file(f.dir + "/precious.txt"), "keep me");
}

TEST(Batch, UsageErrors) {
    Fixture f;
    auto o = f.options("r.jsonl", "{\"person\": {\"full_name\": \"An\"}}\n");
    auto kind_of = [](const b::Options& opts) {
        try {
            b::run(opts);
        } catch (const vanban::Error& e) {
            return e.diagnostics().at(0).kind;
        }
        return vanban::DiagnosticKind::template_syntax;  // "did not throw"
    };
    auto both = o;
    both.zip_path = f.dir + "/x.zip";
    EXPECT_EQ(kind_of(both), vanban::DiagnosticKind::usage);
    auto unclosed = o;
    unclosed.name_expression = "{{ person.full_name";
    EXPECT_EQ(kind_of(unclosed), vanban::DiagnosticKind::usage);
    auto unknown_filter = o;
    unknown_filter.name_expression = "{{ person.full_name | nosuchfilter }}";
    EXPECT_EQ(kind_of(unknown_filter), vanban::DiagnosticKind::usage);
    auto odt = o;
    odt.output = b::OutputKind::odt;
    EXPECT_EQ(kind_of(odt), vanban::DiagnosticKind::usage);
    auto missing = o;
    missing.records_path = f.dir + "/nope.csv";
    EXPECT_EQ(kind_of(missing), vanban::DiagnosticKind::io);
    auto bad_header = f.options("h.csv", "a..b\n1\n");
    EXPECT_EQ(kind_of(bad_header), vanban::DiagnosticKind::usage);
    EXPECT_FALSE(fs::exists(f.out));  // nothing was started
}

TEST(Batch, OdtTemplatesRenderOdt) {
    Fixture f;
    t::write_file(f.dir + "/form.odt", t::make_odt("<text:p>{{ person.full_name }}</text:p>"));
    auto o = f.options("r.jsonl", "{\"person\": {\"full_name\": \"An\"}}\n");
    o.template_path = f.dir + "/form.odt";
    o.output = b::OutputKind::odt;
    EXPECT_EQ(b::run(o).ok, 1u);
    EXPECT_EQ(files_in(f.out), (std::vector<std::string>{"1.odt"}));
    EXPECT_NE(t::read_zip(t::read_file(f.out + "/1.odt")).at("content.xml").find("An"), std::string::npos);
}

// Jinja iterates a mapping in the order the data writes it; a record read by the batch runner keeps its file's
// order of keys as `vanban render` does (JSON Lines and a JSON array alike), and `dictsort` still sorts.
TEST(Batch, ARecordsMappingsIterateInFileOrder) {
    Fixture f;
    t::write_file(f.tpl, t::make_docx(P("{% for k, v in fees.items() %}[{{ k }}={{ v }}]{% endfor %}") +
                                      P("{% for k in fees %}/{{ k }}{% endfor %}") +
                                      P("{% for k, v in fees | dictsort %}({{ k }}){% endfor %}")));
    const std::string record = R"({"fees": {"zeta": 3, "alpha": 1, "mu": 2}})";
    for (const auto& [name, text] :
         {std::pair<std::string, std::string>{"r.jsonl", record + "\n"},
          {"r.json", "[" + record + "]"},
          {"r.csv", "fees.zeta,fees.alpha,fees.mu\n3,1,2\n"}}) {  // a table's keys: in the order of its columns
        fs::remove_all(f.out);
        auto o = f.options(name, text);
        o.name_expression = "out";
        const b::Summary s = b::run(o);
        ASSERT_EQ(s.ok, 1u) << name;
        EXPECT_EQ(t::paragraph_texts(document_xml(f.out + "/out.docx")),
                  (std::vector<std::string>{"[zeta=3][alpha=1][mu=2]", "/zeta/alpha/mu", "(alpha)(mu)(zeta)"}))
            << name;
    }
}

}  // namespace
