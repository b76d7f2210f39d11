#include "json/schema.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace vanban::json_data {
namespace {

using nlohmann::json;

const char* const kSchema = R"({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Văn bản",
  "type": "object",
  "required": ["issuing_agency", "number", "signer"],
  "properties": {
    "issuing_agency": {"$ref": "#/definitions/agency"},
    "number": {"type": "integer", "title": "Số văn bản", "minimum": 1},
    "kind": {"enum": ["QĐ", "CV"], "title": "Loại văn bản"},
    "signer": {"$ref": "#/$defs/person", "title": "Người ký"},
    "recipients": {"type": "array", "items": {"$ref": "#/definitions/agency"}},
    "note": {"type": "string"}
  },
  "additionalProperties": false,
  "definitions": {
    "agency": {
      "type": "object",
      "title": "Cơ quan ban hành",
      "required": ["name"],
      "properties": {
        "name": {"type": "string", "title": "Tên cơ quan ban hành", "minLength": 1},
        "code": {"type": "string", "pattern": "^[A-Z]+$", "title": "Mã cơ quan"}
      }
    }
  },
  "$defs": {
    "person": {
      "type": "object",
      "required": ["name"],
      "properties": {"name": {"type": "string", "title": "Họ và tên"}}
    }
  }
})";

Schema make_schema() { return Schema(json::parse(kSchema), "van_ban.schema.json"); }

TEST(Schema, ValidDocumentHasNoDiagnostics) {
    const Schema schema = make_schema();
    const Document doc = parse(R"({
  "issuing_agency": {"name": "UBND tỉnh Hà Giang", "code": "UBND"},
  "number": 12,
  "kind": "QĐ",
  "signer": {"name": "Nguyễn Văn A"},
  "recipients": [{"name": "Sở Nội vụ"}]
})",
                               "data.json");
    EXPECT_TRUE(schema.validate(doc).empty());
}

TEST(Schema, EveryViolationReportedWithPointerPositionAndTitle) {
    const Schema schema = make_schema();
    const Document doc = parse(
        "{\n"
        "  \"issuing_agency\": {\"code\": \"ab1\"},\n"
        "  \"number\": \"12\",\n"
        "  \"kind\": \"NQ\",\n"
        "  \"signer\": {\"name\": 5},\n"
        "  \"recipients\": [{\"name\": \"A\"}, {}],\n"
        "  \"note\": 3\n"
        "}\n",
        "data.json");
    const std::vector<Diagnostic> d = schema.validate(doc);
    ASSERT_EQ(d.size(), 7u);
    for (const auto& x : d) {
        EXPECT_EQ(x.kind, DiagnosticKind::schema);
        EXPECT_EQ(x.source, "data.json");
    }

    EXPECT_EQ(d[0].json_pointer, "/issuing_agency/name");
    EXPECT_EQ(d[0].line, 2);
    EXPECT_EQ(d[0].column, 21);  // the parent object: the missing property has no position
    EXPECT_EQ(d[0].message,
              "\"Tên cơ quan ban hành\" (/issuing_agency/name): required property \"name\" is missing in "
              "\"Cơ quan ban hành\"");

    EXPECT_EQ(d[1].json_pointer, "/issuing_agency/code");
    EXPECT_EQ(d[1].line, 2);
    EXPECT_EQ(d[1].column, 30);
    EXPECT_EQ(d[1].message,
              "\"Mã cơ quan\" (/issuing_agency/code): value does not have the required form (pattern ^[A-Z]+$)");

    EXPECT_EQ(d[2].json_pointer, "/number");
    EXPECT_EQ(d[2].line, 3);
    EXPECT_EQ(d[2].column, 13);
    EXPECT_EQ(d[2].message, "\"Số văn bản\" (/number): expected integer, found string");

    EXPECT_EQ(d[3].json_pointer, "/kind");
    EXPECT_EQ(d[3].line, 4);
    EXPECT_EQ(d[3].column, 11);
    EXPECT_EQ(d[3].message, "\"Loại văn bản\" (/kind): value is not one of the allowed values: \"QĐ\", \"CV\"");

    EXPECT_EQ(d[4].json_pointer, "/signer/name");
    EXPECT_EQ(d[4].line, 5);
    EXPECT_EQ(d[4].column, 22);
    EXPECT_EQ(d[4].message, "\"Họ và tên\" (/signer/name): expected string, found integer");

    EXPECT_EQ(d[5].json_pointer, "/recipients/1/name");
    EXPECT_EQ(d[5].line, 6);
    EXPECT_EQ(d[5].column, 33);
    EXPECT_EQ(d[5].message,
              "\"Tên cơ quan ban hành\" (/recipients/1/name): required property \"name\" is missing in "
              "\"Cơ quan ban hành\"");

    // No title: the message alone (the pointer is in the diagnostic).
    EXPECT_EQ(d[6].json_pointer, "/note");
    EXPECT_EQ(d[6].line, 7);
    EXPECT_EQ(d[6].column, 11);
    EXPECT_EQ(d[6].message, "expected string, found integer");
    EXPECT_EQ(d[6].to_string(), "data.json:7:11 at /note: expected string, found integer");
}

TEST(Schema, RequiredMissingAtTopLevelUsesRefTitles) {
    const Schema schema = make_schema();
    const Document doc = parse("\n  {\"kind\": \"CV\"}", "data.json");
    const std::vector<Diagnostic> d = schema.validate(doc);
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].json_pointer, "/issuing_agency");
    EXPECT_EQ(d[0].message,
              "\"Cơ quan ban hành\" (/issuing_agency): required property \"issuing_agency\" is missing in \"Văn bản\"");
    EXPECT_EQ(d[1].json_pointer, "/number");
    EXPECT_EQ(d[1].message, "\"Số văn bản\" (/number): required property \"number\" is missing in \"Văn bản\"");
    EXPECT_EQ(d[2].json_pointer, "/signer");
    EXPECT_EQ(d[2].message, "\"Người ký\" (/signer): required property \"signer\" is missing in \"Văn bản\"");
    for (const auto& x : d) {
        EXPECT_EQ(x.line, 2);
        EXPECT_EQ(x.column, 3);
        EXPECT_EQ(x.hint, "add \"" + x.json_pointer.substr(1) + "\" to the object at the top level");
    }
}

TEST(Schema, UnknownPropertyPointsAtIt) {
    const Schema schema = make_schema();
    const Document doc = parse(
        "{\"issuing_agency\": {\"name\": \"X\"}, \"number\": 1, \"signer\": {\"name\": \"Y\"},\n \"sô\": 1}", "d.json");
    const std::vector<Diagnostic> d = schema.validate(doc);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].json_pointer, "/sô");
    EXPECT_EQ(d[0].message, "property \"sô\" is not allowed here (in \"Văn bản\")");
    EXPECT_EQ(d[0].line, 2);
    EXPECT_EQ(d[0].column, 8);
}

TEST(Schema, NumbersAndLengthsInMessages) {
    const Schema schema = make_schema();
    const Document doc = parse(R"({"issuing_agency": {"name": ""}, "number": 0, "signer": {"name": "Y"}})", "d.json");
    const std::vector<Diagnostic> d = schema.validate(doc);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].json_pointer, "/issuing_agency/name");
    EXPECT_EQ(d[0].column, 29);
    EXPECT_EQ(d[0].message, "\"Tên cơ quan ban hành\" (/issuing_agency/name): must not be empty");
    EXPECT_EQ(d[0].code, "schema.empty");
    EXPECT_EQ(d[0].message_vi, "Cơ quan ban hành › Tên cơ quan ban hành: đang để trống — hãy điền nội dung");
    EXPECT_EQ(d[1].json_pointer, "/number");
    EXPECT_EQ(d[1].column, 44);
    EXPECT_EQ(d[1].message, "\"Số văn bản\" (/number): must be at least 1");
    EXPECT_EQ(d[1].code, "schema.too_small");
    EXPECT_EQ(d[1].message_vi, "Số văn bản: phải từ 1 trở lên");
}

TEST(Schema, CombinatorsExplainTheMeantBranchOnly) {
    const Schema schema(json::parse(R"({
      "properties": {
        "x": {"title": "Giá trị", "anyOf": [{"type": "string"}, {"type": "integer"}]},
        "y": {"allOf": [{"type": "string"}, {"minLength": 2}]},
        "z": {"title": "Người", "oneOf": [
          {"type": "object", "required": ["kind", "name"], "properties": {"kind": {"const": "person"}, "name": {"type": "string"}}},
          {"type": "object", "required": ["kind", "unit"], "properties": {"kind": {"const": "group"}, "unit": {"type": "string", "title": "Đơn vị"}}}
        ]}
      }
    })"));
    const Document doc = parse(R"({"x": true, "y": "a", "z": {"kind": "group"}})", "d.json");
    const std::vector<Diagnostic> d = schema.validate(doc);
    // One message for x (every type any branch takes), one for y, and for z only the branch whose "kind" matches.
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d[0].json_pointer, "/x");
    EXPECT_EQ(d[0].line, 1);
    EXPECT_EQ(d[0].column, 7);
    EXPECT_EQ(d[0].message, "\"Giá trị\" (/x): expected string or integer, found boolean");
    EXPECT_EQ(d[0].message_vi, "Giá trị: cần ghi chữ hoặc số nguyên, nhưng đang là đúng/sai (true hoặc false)");
    EXPECT_EQ(d[1].json_pointer, "/y");
    EXPECT_EQ(d[1].column, 18);
    EXPECT_EQ(d[1].message, "must be at least 2 characters long");
    EXPECT_EQ(d[2].json_pointer, "/z/unit");
    EXPECT_EQ(d[2].code, "schema.required");
    EXPECT_EQ(d[2].message_vi, "Người › Đơn vị: chưa điền — đây là mục bắt buộc, hãy điền vào");
    for (const auto& x : d) {
        for (const char* jargon : {"anyOf", "oneOf", "schema #", "Failed to validate"}) {
            EXPECT_EQ(x.message.find(jargon), std::string::npos) << x.message;
            EXPECT_EQ(x.message_vi.find(jargon), std::string::npos) << x.message_vi;
        }
    }
}

TEST(Schema, EveryUnknownPropertyWithTheClosestKnownName) {
    const Schema schema = make_schema();
    const Document doc =
        parse(R"({"issuing_agency": {"name": "X"}, "numbr": 1, "Signer": {"name": "Y"}, "ghi_chu": 2})", "d.json");
    const std::vector<Diagnostic> d = schema.validate(doc);
    std::vector<std::string> vi;
    for (const auto& x : d) vi.push_back(x.message_vi);
    // number and signer are missing, and three unknown keys, all reported at once
    ASSERT_EQ(d.size(), 5u) << ::testing::PrintToString(vi);
    const auto has = [&](const std::string& text) { return std::find(vi.begin(), vi.end(), text) != vi.end(); };
    EXPECT_TRUE(has("Số văn bản: chưa điền — đây là mục bắt buộc, hãy điền vào"));
    EXPECT_TRUE(has("mẫu không có mục \"numbr\" — có phải ý bạn là \"number\" (Số văn bản)?"));
    EXPECT_TRUE(has("mẫu không có mục \"Signer\" — có phải ý bạn là \"signer\" (Người ký)?"));
    EXPECT_TRUE(has("mẫu không có mục \"ghi_chu\" — hãy kiểm tra lại chính tả hoặc xoá mục này"));
    for (const auto& x : d) {
        if (x.code == "schema.unknown_property" && x.json_pointer == "/numbr") {
            EXPECT_EQ(x.message, "property \"numbr\" is not allowed here (in \"Văn bản\"); did you mean \"number\"?");
        }
    }
}

TEST(Schema, ClosestName) {
    const std::vector<std::string> templates = {"ke-hoach", "bao-cao-thanh-tich", "bao-cao-thanh-tich-tap-the"};
    EXPECT_EQ(closest_name("kehoach", templates), "ke-hoach");
    EXPECT_EQ(closest_name("Kế hoạch", templates), "ke-hoach");
    EXPECT_EQ(closest_name("bao-cao-thanh-tich-tap-th", templates), "bao-cao-thanh-tich-tap-the");
    EXPECT_EQ(closest_name("ke-hoach", templates), std::nullopt);  // known
    EXPECT_EQ(closest_name("quyet-dinh", templates), std::nullopt);
    EXPECT_EQ(closest_name("titel", {"title", "date"}), "title");
    EXPECT_EQ(closest_name(std::string(5000, 'a'), templates), std::nullopt);
}

TEST(Schema, ArrayIndexesAndEscapedKeysInPointers) {
    const Schema schema(json::parse(R"({
      "type": "object",
      "properties": {"a/b~c": {"type": "array", "items": {"type": "integer", "title": "Số"}}}
    })"));
    const Document doc = parse("{\"a/b~c\": [1, \"x\", 3, null]}", "d.json");
    const std::vector<Diagnostic> d = schema.validate(doc);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].json_pointer, "/a~1b~0c/1");
    EXPECT_EQ(d[0].column, 15);
    EXPECT_EQ(d[0].message, "\"Số\" (/a~1b~0c/1): expected integer, found string");
    EXPECT_EQ(d[1].json_pointer, "/a~1b~0c/3");
    EXPECT_EQ(d[1].column, 23);
    EXPECT_EQ(d[1].message, "\"Số\" (/a~1b~0c/3): expected integer, found null");
}

TEST(Schema, Draft4AndDraft6Accepted) {
    const json draft4 = json::parse(R"({"$schema": "http://json-schema.org/draft-04/schema#",
        "properties": {"n": {"type": "number", "maximum": 10, "exclusiveMaximum": true}}})");
    const Schema s4(draft4);
    EXPECT_EQ(s4.validate(parse(R"({"n": 10})", "d.json")).size(), 1u);
    EXPECT_TRUE(s4.validate(parse(R"({"n": 9.5})", "d.json")).empty());

    const Schema s6(json::parse(R"({"$schema": "http://json-schema.org/draft-06/schema#",
        "properties": {"n": {"type": "number", "exclusiveMaximum": 10}}})"));
    const auto d = s6.validate(parse(R"({"n": 10})", "d.json"));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].message, "must be less than 10");
    EXPECT_EQ(s6.source()["$schema"], "http://json-schema.org/draft-06/schema#");
}

TEST(Schema, BadSchemasThrow) {
    EXPECT_THROW(Schema(json::parse(R"({"type": 5})")), Error);
    EXPECT_THROW(Schema(json::parse(R"({"$schema": "https://json-schema.org/draft/2020-12/schema"})")), Error);
    EXPECT_THROW(Schema(json::parse(R"({"properties": {"a": {"$ref": "http://example.com/x.json"}}})")), Error);
    EXPECT_THROW(Schema(json::parse("[1]")), Error);
    try {
        Schema bad(json::parse(R"({"minLength": "two"})"), "bad.schema.json");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_EQ(e.diagnostics()[0].kind, DiagnosticKind::schema);
        EXPECT_EQ(e.diagnostics()[0].source, "bad.schema.json");
        EXPECT_EQ(e.diagnostics()[0].message.rfind("invalid JSON Schema: ", 0), 0u);
    }
}

TEST(Schema, PatternsAreExplainedInWordsWhereTheSchemaSaysHow) {
    // The bundled schemas explain every pattern in Vietnamese ("x-pattern-message"): a secretary sees what to write,
    // not a regular expression — also for the pattern under an if/then of the plan's date.
    const auto src = vanban::test::source_dir();
    const Schema plan(json::parse(vanban::test::read_file(src + "/templates/ke-hoach/schema.json")), "schema.json");
    json data = json::parse(vanban::test::read_file(src + "/templates/ke-hoach/example.json"));
    data["date"] = "10/03/2022";
    data["recipients"][0] = "- Sở Nội vụ;";
    const auto d = plan.validate(parse(data.dump(1), "plan.json"));
    std::string all;
    for (const auto& x : d) all += x.json_pointer + " " + x.message + "\n";
    EXPECT_NE(all.find("/date \"Ngày ban hành\" (/date): value does not have the required form: dạng năm-tháng-ngày "
                       "\"2022-03-10\""),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("/recipients/0 "), std::string::npos) << all;
    EXPECT_NE(all.find("mẫu tự thêm gạch đầu dòng"), std::string::npos) << all;
    EXPECT_EQ(all.find("(pattern "), std::string::npos) << all;

    const Schema record(json::parse(vanban::test::read_file(src + "/templates/award-record.schema.json")),
                        "record.json");
    const json person = {{"person", {{"full_name", "Nguyễn Văn\nAn"}}}};
    std::string rec;
    for (const auto& x : record.validate(parse(person.dump(), "r.json"))) rec += x.message + "\n";
    EXPECT_NE(
        rec.find("\"Họ tên\" (/person/full_name): value does not have the required form: viết trên một dòng, không "
                 "xuống dòng"),
        std::string::npos)
        << rec;
}

TEST(Schema, ValidMeansItRendersWithThePlaceNamedByItsPrintedNumbers) {
    const auto src = vanban::test::source_dir();
    const Schema plan(json::parse(vanban::test::read_file(src + "/templates/ke-hoach/schema.json")), "schema.json");
    const json example = json::parse(vanban::test::read_file(src + "/templates/ke-hoach/example.json"));
    EXPECT_TRUE(plan.validate(parse(example.dump(1), "plan.json")).empty());

    // A wrong value inside the body is placed by the numbers the document prints: Mục II › khoản 1 › mục 1.1.
    json data = example;
    data["body"][1]["children"][0]["children"][0]["title"] = 5;
    auto d = plan.validate(parse(data.dump(1), "plan.json"));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].json_pointer, "/body/1/children/0/children/0/title");
    EXPECT_EQ(d[0].message_vi.rfind("Nội dung › Mục II › khoản 1 › mục 1.1 › Tiêu đề: ", 0), 0u) << d[0].message_vi;

    // Numbering shorter than the body: reported by validate at the first part that has no scheme, as the render would.
    data = example;
    data["numbering"] = {{"levels", {"roman"}}};
    d = plan.validate(parse(data.dump(1), "plan.json"));
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].kind, DiagnosticKind::data);
    EXPECT_EQ(d[0].code, "data.outline");
    EXPECT_EQ(d[0].json_pointer, "/body/0/children/0");
    EXPECT_EQ(d[0].message_vi.rfind("Nội dung › Mục I › mục con thứ 1: phần nội dung có 2 cấp mục lồng nhau", 0), 0u)
        << d[0].message_vi;

    // Dates that do not exist, as text or in parts; 29/02 of a leap year is fine.
    for (const json& date : {json("2025-02-30"), json("2023-02-29"), json{{"year", 2025}, {"month", 4}, {"day", 31}}}) {
        data = example;
        data["date"] = date;
        d = plan.validate(parse(data.dump(1), "plan.json"));
        ASSERT_EQ(d.size(), 1u) << date;
        EXPECT_EQ(d[0].code, "data.date");
        EXPECT_EQ(d[0].json_pointer, "/date");
        EXPECT_EQ(d[0].message_vi.rfind("Ngày ban hành: ngày ", 0), 0u) << d[0].message_vi;
    }
    data = example;
    data["date"] = "2024-02-29";
    EXPECT_TRUE(plan.validate(parse(data.dump(1), "plan.json")).empty());
}

TEST(Schema, MoveAndConcurrentValidation) {
    Schema moved = make_schema();
    Schema schema = std::move(moved);
    const Document doc = parse(R"({"issuing_agency": {"code": "x"}, "number": "1", "signer": {}})", "d.json");
    const std::size_t expected = schema.validate(doc).size();
    ASSERT_EQ(expected, 4u);
    std::vector<std::thread> threads;
    std::vector<std::size_t> counts(4);
    for (std::size_t t = 0; t < counts.size(); ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) counts[t] = schema.validate(doc).size();
        });
    }
    for (auto& th : threads) th.join();
    for (const std::size_t c : counts) EXPECT_EQ(c, expected);
}

}  // namespace
}  // namespace vanban::json_data
