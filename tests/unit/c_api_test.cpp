// The C API (vanban.h): status codes, every field of the error records, buffer and handle ownership (run under
// ASan: no leaks, no double frees), and one template handle shared by 8 rendering threads.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_images.hpp"
#include "test_support.hpp"
#include "vanban/vanban.h"
#include "vanban/vanban.hpp"

namespace {

namespace fs = std::filesystem;
using vanban::test::make_docx;
using vanban::test::paragraph_texts;
using vanban::test::read_zip;

std::string para(const std::string& text) {
    return "<w:p><w:r><w:t xml:space=\"preserve\">" + text + "</w:t></w:r></w:p>";
}

const std::string kBody = para("{{ agency.name | upper }}") + para("{% for task in tasks %}") +
                          para("{{ loop.index }}. {{ task.name }}") + para("{% endfor %}") + para("{{ signer.name }}");

const char* const kData = R"({
  "agency": {"name": "Ủy ban nhân dân xã Tân Lập"},
  "tasks": [{"name": "Rà soát"}, {"name": "Tập huấn"}],
  "signer": {"name": "Nguyễn Văn An"}
})";

// Owns what the C API hands out, so a failing assertion cannot leak it.
struct Handles {
    vanban_template* tpl = nullptr;
    vanban_schema* schema = nullptr;
    vanban_errors* errors = nullptr;
    vanban_buffer buffer{};
    ~Handles() {
        vanban_template_free(tpl);
        vanban_schema_free(schema);
        vanban_errors_free(errors);
        vanban_buffer_free(&buffer);
    }
    void reset_errors() {
        vanban_errors_free(errors);
        errors = nullptr;
    }
};

vanban_template* compile(Handles& h, const std::string& body) {
    const std::string docx = make_docx(body);
    EXPECT_EQ(vanban_template_from_memory(docx.data(), docx.size(), "plan.docx", &h.tpl, &h.errors), VANBAN_OK)
        << vanban_errors_json(h.errors);
    return h.tpl;
}

std::vector<std::string> document_text(const char* data, std::size_t size) {
    auto parts = read_zip(std::string(data, size));
    return paragraph_texts(parts.at("word/document.xml"));
}

}  // namespace

TEST(CApi, VersionAndStatusNames) {
    EXPECT_STREQ(vanban_version(), VANBAN_VERSION_STRING);
    EXPECT_EQ(std::string(vanban::version()), VANBAN_VERSION_STRING);
    EXPECT_STREQ(vanban_status_name(VANBAN_OK), "ok");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_TEMPLATE), "template");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_DATA), "data");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_SCHEMA), "schema");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_JSON), "json");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_PACKAGE), "package");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_IO), "io");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_LIMIT), "limit");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_USAGE), "usage");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_NO_MEMORY), "no-memory");
    EXPECT_STREQ(vanban_status_name(VANBAN_ERROR_INTERNAL), "internal");
    EXPECT_STREQ(vanban_status_name(static_cast<vanban_status>(99)), "unknown");
}

TEST(CApi, RendersToMemoryWithANulTerminatedBufferTheCallerFrees) {
    Handles h;
    ASSERT_TRUE(compile(h, kBody));
    int sentinel = 0;
    h.errors = reinterpret_cast<vanban_errors*>(&sentinel);  // must be overwritten with NULL on success
    ASSERT_EQ(vanban_render(h.tpl, kData, VANBAN_NUL_TERMINATED, "plan.json", 0, &h.buffer, &h.errors), VANBAN_OK);
    EXPECT_EQ(h.errors, nullptr);
    ASSERT_NE(h.buffer.data, nullptr);
    EXPECT_EQ(h.buffer.data[h.buffer.size], '\0');
    auto text = document_text(h.buffer.data, h.buffer.size);
    EXPECT_EQ(text,
              (std::vector<std::string>{"ỦY BAN NHÂN DÂN XÃ TÂN LẬP", "1. Rà soát", "2. Tập huấn", "Nguyễn Văn An"}));

    // Explicit size: only the first `size` bytes are read (the rest here is garbage that must be ignored).
    std::string sized = std::string(kData) + "garbage";
    vanban_buffer second{};
    ASSERT_EQ(vanban_render(h.tpl, sized.data(), std::strlen(kData), nullptr, 0, &second, nullptr), VANBAN_OK);
    EXPECT_EQ(std::string(second.data, second.size), std::string(h.buffer.data, h.buffer.size));  // deterministic
    vanban_buffer_free(&second);
    EXPECT_EQ(second.data, nullptr);
    EXPECT_EQ(second.size, 0u);
    vanban_buffer_free(&second);  // freeing an empty buffer is a no-op
    vanban_buffer_free(nullptr);
    vanban_errors_free(nullptr);
    vanban_template_free(nullptr);
    vanban_schema_free(nullptr);
}

TEST(CApi, PicturesFromFilesOnlyWhenTheCallerAllowsThem) {
    Handles h;
    ASSERT_TRUE(compile(h, para("{{ photo | image(width='30mm') }}")));
    const std::string dir = vanban::test::temp_dir();
    vanban::test::write_file(dir + "/chu-ky.png", vanban::test::signature_png());
    const std::string by_path = R"({"photo": {"image": "chu-ky.png"}})";
    const std::string inline_data =
        R"({"photo": {"image": ")" + vanban::test::data_uri(vanban::test::signature_png()) + "\"}}";

    // A picture in the data itself renders with the plain call.
    ASSERT_EQ(vanban_render(h.tpl, inline_data.c_str(), VANBAN_NUL_TERMINATED, "data.json", 0, &h.buffer, &h.errors),
              VANBAN_OK);
    EXPECT_EQ(read_zip(std::string(h.buffer.data, h.buffer.size)).count("word/media/vanban_image1.png"), 1u);
    vanban_buffer_free(&h.buffer);
    // A file path is refused by default: the data must not make vanban read files.
    ASSERT_EQ(vanban_render(h.tpl, by_path.c_str(), VANBAN_NUL_TERMINATED, "data.json", 0, &h.buffer, &h.errors),
              VANBAN_ERROR_DATA);
    ASSERT_EQ(vanban_errors_count(h.errors), 1u);
    EXPECT_NE(std::string(vanban_errors_get(h.errors, 0)->message).find("'chu-ky.png' is a file path"),
              std::string::npos);
    EXPECT_STREQ(vanban_errors_get(h.errors, 0)->json_pointer, "/photo/image");
    EXPECT_EQ(vanban_errors_get(h.errors, 0)->line, 1);
    h.reset_errors();
    vanban_render_options options;
    vanban_render_options_init(&options);
    EXPECT_EQ(options.struct_size, sizeof options);
    EXPECT_EQ(vanban_render_with_options(h.tpl, by_path.c_str(), VANBAN_NUL_TERMINATED, nullptr, &options, &h.buffer,
                                         &h.errors),
              VANBAN_ERROR_DATA)
        << "still refused without a directory";
    h.reset_errors();
    // Opting in: paths are read from the directory given.
    options.image_directory = dir.c_str();
    ASSERT_EQ(vanban_render_with_options(h.tpl, by_path.c_str(), VANBAN_NUL_TERMINATED, nullptr, &options, &h.buffer,
                                         &h.errors),
              VANBAN_OK)
        << vanban_errors_json(h.errors);
    EXPECT_EQ(read_zip(std::string(h.buffer.data, h.buffer.size)).at("word/media/vanban_image1.png"),
              vanban::test::signature_png());
    vanban_buffer_free(&h.buffer);
    const std::string out = dir + "/out.docx";
    ASSERT_EQ(vanban_render_to_file_with_options(h.tpl, by_path.c_str(), VANBAN_NUL_TERMINATED, nullptr, &options,
                                                 out.c_str(), &h.errors),
              VANBAN_OK);
    EXPECT_TRUE(fs::exists(out));
    // Limits per render.
    options.max_image_size = 100;
    ASSERT_EQ(vanban_render_with_options(h.tpl, by_path.c_str(), VANBAN_NUL_TERMINATED, nullptr, &options, &h.buffer,
                                         &h.errors),
              VANBAN_ERROR_LIMIT);
    EXPECT_NE(std::string(vanban_errors_get(h.errors, 0)->message).find("at most 100 bytes"), std::string::npos);
    h.reset_errors();
    // A program built against an older header passes a shorter structure: the fields it lacks keep their defaults.
    vanban_render_options old = options;
    old.struct_size = offsetof(vanban_render_options, image_directory);
    old.flags = VANBAN_RENDER_LENIENT;
    EXPECT_EQ(
        vanban_render_with_options(h.tpl, by_path.c_str(), VANBAN_NUL_TERMINATED, nullptr, &old, &h.buffer, &h.errors),
        VANBAN_ERROR_DATA)
        << "image_directory is beyond its size: not taken";
    h.reset_errors();
    EXPECT_EQ(vanban_render_with_options(h.tpl, "{}", VANBAN_NUL_TERMINATED, nullptr, &old, &h.buffer, &h.errors),
              VANBAN_OK)
        << "flags are within its size: lenient";
    vanban_buffer_free(&h.buffer);
    options.flags = 8;
    EXPECT_EQ(vanban_render_with_options(h.tpl, "{}", VANBAN_NUL_TERMINATED, nullptr, &options, &h.buffer, &h.errors),
              VANBAN_ERROR_USAGE);
    h.reset_errors();
    EXPECT_EQ(vanban_render_with_options(h.tpl, inline_data.c_str(), VANBAN_NUL_TERMINATED, nullptr, nullptr, &h.buffer,
                                         &h.errors),
              VANBAN_OK)
        << "NULL options: the defaults";
}

TEST(CApi, TemplateErrorsAreAllReportedWithPartParagraphAndTag) {
    Handles h;
    const std::string docx =
        make_docx(para("Kính gửi {{ agency.name | uper }}") + para("{{ x }}") + para("{% for a in b %}"));
    EXPECT_EQ(vanban_template_from_memory(docx.data(), docx.size(), "bad.docx", &h.tpl, &h.errors),
              VANBAN_ERROR_TEMPLATE);
    EXPECT_EQ(h.tpl, nullptr);
    ASSERT_EQ(vanban_errors_count(h.errors), 2u) << vanban_errors_json(h.errors);
    const vanban_error* filter = vanban_errors_get(h.errors, 0);
    ASSERT_NE(filter, nullptr);
    EXPECT_EQ(filter->kind, VANBAN_ERROR_TEMPLATE);
    EXPECT_STREQ(filter->kind_name, "template");
    EXPECT_NE(std::string(filter->message).find("uper"), std::string::npos);
    EXPECT_STREQ(filter->part, "word/document.xml");
    EXPECT_EQ(filter->paragraph, 1);
    EXPECT_STREQ(filter->tag, "{{ agency.name | uper }}");
    EXPECT_NE(std::string(filter->context).find("Kính gửi"), std::string::npos);
    EXPECT_STREQ(filter->json_pointer, "");
    EXPECT_EQ(filter->line, 0);
    EXPECT_NE(std::string(filter->text).find("word/document.xml ¶1"), std::string::npos);
    const vanban_error* loop = vanban_errors_get(h.errors, 1);
    ASSERT_NE(loop, nullptr);
    EXPECT_EQ(loop->paragraph, 3);
    EXPECT_STREQ(loop->tag, "{% for a in b %}");
    EXPECT_EQ(vanban_errors_get(h.errors, 2), nullptr);

    auto json = nlohmann::json::parse(vanban_errors_json(h.errors));
    ASSERT_EQ(json.size(), 2u);
    EXPECT_EQ(json[0]["tag"], "{{ agency.name | uper }}");
    EXPECT_EQ(json[0]["kind"], "template");
}

TEST(CApi, DataErrorsPointIntoTheTemplateAndTheJsonText) {
    Handles h;
    ASSERT_TRUE(compile(h, kBody));
    const char* bad = "{\n  \"agency\": {\"name\": \"UBND\"},\n  \"tasks\": \"none\",\n  \"signer\": {}\n}";
    EXPECT_EQ(vanban_render(h.tpl, bad, VANBAN_NUL_TERMINATED, "bad.json", 0, &h.buffer, &h.errors), VANBAN_ERROR_DATA);
    EXPECT_EQ(h.buffer.data, nullptr);
    EXPECT_EQ(h.buffer.size, 0u);
    ASSERT_EQ(vanban_errors_count(h.errors), 2u) << vanban_errors_json(h.errors);
    const vanban_error* loop = vanban_errors_get(h.errors, 0);
    EXPECT_EQ(loop->kind, VANBAN_ERROR_DATA);
    EXPECT_STREQ(loop->kind_name, "data");
    EXPECT_STREQ(loop->part, "word/document.xml");
    EXPECT_EQ(loop->paragraph, 2);
    EXPECT_STREQ(loop->tag, "{% for task in tasks %}");
    EXPECT_STREQ(loop->json_pointer, "/tasks");
    EXPECT_STREQ(loop->source, "bad.json");
    EXPECT_EQ(loop->line, 3);
    EXPECT_EQ(loop->column, 12);
    const vanban_error* missing = vanban_errors_get(h.errors, 1);
    EXPECT_EQ(missing->paragraph, 5);
    EXPECT_STREQ(missing->tag, "{{ signer.name }}");
    EXPECT_STREQ(missing->json_pointer, "/signer/name");
    EXPECT_EQ(missing->line, 4);  // the nearest located ancestor: /signer
    EXPECT_EQ(missing->column, 13);
    EXPECT_NE(std::string(missing->hint).find("default"), std::string::npos);
    EXPECT_NE(std::string(missing->text).find("/signer/name"), std::string::npos);

    // Lenient: the missing name renders as nothing, but a loop over a string is still an error.
    h.reset_errors();
    const char* lenient = R"({"agency": {"name": "UBND"}, "signer": {}})";
    ASSERT_EQ(
        vanban_render(h.tpl, lenient, VANBAN_NUL_TERMINATED, nullptr, VANBAN_RENDER_LENIENT, &h.buffer, &h.errors),
        VANBAN_OK)
        << vanban_errors_json(h.errors);
    EXPECT_EQ(document_text(h.buffer.data, h.buffer.size), (std::vector<std::string>{"UBND", ""}));
}

TEST(CApi, JsonSyntaxErrorsHaveLineAndColumn) {
    Handles h;
    ASSERT_TRUE(compile(h, kBody));
    const char* broken = "{\n  \"agency\": {\"name\": \"x\",}\n}";
    EXPECT_EQ(vanban_render(h.tpl, broken, VANBAN_NUL_TERMINATED, "broken.json", 0, &h.buffer, &h.errors),
              VANBAN_ERROR_JSON);
    ASSERT_GE(vanban_errors_count(h.errors), 1u);
    const vanban_error* e = vanban_errors_get(h.errors, 0);
    EXPECT_EQ(e->kind, VANBAN_ERROR_JSON);
    EXPECT_STREQ(e->source, "broken.json");
    EXPECT_EQ(e->line, 2);
    EXPECT_GT(e->column, 0);
}

TEST(CApi, InvalidArgumentsAreUsageErrorsNotCrashes) {
    Handles h;
    EXPECT_EQ(vanban_template_open(nullptr, &h.tpl, &h.errors), VANBAN_ERROR_USAGE);
    ASSERT_EQ(vanban_errors_count(h.errors), 1u);
    EXPECT_EQ(vanban_errors_get(h.errors, 0)->kind, VANBAN_ERROR_USAGE);
    h.reset_errors();
    EXPECT_EQ(vanban_template_open("x.docx", nullptr, nullptr), VANBAN_ERROR_USAGE);
    EXPECT_EQ(vanban_render(nullptr, "{}", 2, nullptr, 0, &h.buffer, nullptr), VANBAN_ERROR_USAGE);
    EXPECT_EQ(vanban_render_to_file(nullptr, "{}", 2, nullptr, 0, "x", nullptr), VANBAN_ERROR_USAGE);
    EXPECT_EQ(vanban_template_inspect(nullptr, &h.buffer, nullptr), VANBAN_ERROR_USAGE);
    EXPECT_EQ(vanban_schema_compile(nullptr, 0, nullptr, &h.schema, nullptr), VANBAN_ERROR_USAGE);
    EXPECT_EQ(vanban_schema_validate(nullptr, "{}", 2, nullptr, nullptr), VANBAN_ERROR_USAGE);
    EXPECT_EQ(vanban_template_from_memory(nullptr, 10, nullptr, &h.tpl, nullptr), VANBAN_ERROR_USAGE);
    ASSERT_TRUE(compile(h, kBody));
    EXPECT_EQ(vanban_render(h.tpl, kData, VANBAN_NUL_TERMINATED, nullptr, 0x80, &h.buffer, &h.errors),
              VANBAN_ERROR_USAGE);
    EXPECT_EQ(vanban_errors_count(h.errors), 1u);
    EXPECT_EQ(vanban_errors_count(nullptr), 0u);
    EXPECT_EQ(vanban_errors_get(nullptr, 0), nullptr);
    EXPECT_STREQ(vanban_errors_json(nullptr), "[]");
}

TEST(CApi, BrokenPackagesAndMissingFiles) {
    Handles h;
    const std::string junk = "PK\x03\x04 this is not a zip";
    EXPECT_EQ(vanban_template_from_memory(junk.data(), junk.size(), "junk.docx", &h.tpl, &h.errors),
              VANBAN_ERROR_PACKAGE);
    EXPECT_EQ(h.tpl, nullptr);
    ASSERT_GE(vanban_errors_count(h.errors), 1u);
    h.reset_errors();
    EXPECT_EQ(vanban_template_open("/nonexistent/plan.docx", &h.tpl, &h.errors), VANBAN_ERROR_IO);
    ASSERT_EQ(vanban_errors_count(h.errors), 1u);
    EXPECT_NE(std::string(vanban_errors_get(h.errors, 0)->text).find("/nonexistent/plan.docx"), std::string::npos);
}

TEST(CApi, OpensTemplateFilesAndDirectoriesAndRendersToFilesAtomically) {
    Handles h;
    const std::string dir = vanban::test::temp_dir();
    const std::string docx_path = dir + "/plan.docx";
    vanban::test::write_file(docx_path, make_docx(kBody));
    ASSERT_EQ(vanban_template_open(docx_path.c_str(), &h.tpl, &h.errors), VANBAN_OK);
    const std::string out = dir + "/out.docx";
    ASSERT_EQ(vanban_render_to_file(h.tpl, kData, VANBAN_NUL_TERMINATED, nullptr, 0, out.c_str(), &h.errors),
              VANBAN_OK);
    const std::string written = vanban::test::read_file(out);
    EXPECT_EQ(document_text(written.data(), written.size()).back(), "Nguyễn Văn An");

    // A data error leaves the earlier good output untouched; a missing directory is an I/O error.
    EXPECT_EQ(vanban_render_to_file(h.tpl, "{}", 2, nullptr, 0, out.c_str(), &h.errors), VANBAN_ERROR_DATA);
    EXPECT_EQ(vanban::test::read_file(out), written);
    h.reset_errors();
    const std::string nowhere = dir + "/missing/out.docx";
    EXPECT_EQ(vanban_render_to_file(h.tpl, kData, VANBAN_NUL_TERMINATED, nullptr, 0, nowhere.c_str(), &h.errors),
              VANBAN_ERROR_IO);
    EXPECT_EQ(vanban_errors_count(h.errors), 1u);
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
    EXPECT_EQ(entries, 2u);  // plan.docx, out.docx: no temporaries left behind

    // An unzipped template directory.
    h.reset_errors();
    vanban_template_free(h.tpl);
    h.tpl = nullptr;
    const std::string unzipped = dir + "/unzipped";
    for (const auto& [name, bytes] : read_zip(make_docx(kBody))) {
        fs::create_directories(fs::path(unzipped + "/" + name).parent_path());
        vanban::test::write_file(unzipped + "/" + name, bytes);
    }
    ASSERT_EQ(vanban_template_open(unzipped.c_str(), &h.tpl, &h.errors), VANBAN_OK);
    ASSERT_EQ(vanban_render(h.tpl, kData, VANBAN_NUL_TERMINATED, nullptr, 0, &h.buffer, &h.errors), VANBAN_OK);
    EXPECT_EQ(document_text(h.buffer.data, h.buffer.size).front(), "ỦY BAN NHÂN DÂN XÃ TÂN LẬP");
}

TEST(CApi, InspectReturnsTheDataSkeleton) {
    Handles h;
    ASSERT_TRUE(compile(h, kBody));
    ASSERT_EQ(vanban_template_inspect(h.tpl, &h.buffer, &h.errors), VANBAN_OK);
    auto j = nlohmann::json::parse(std::string(h.buffer.data, h.buffer.size));
    EXPECT_EQ(j["skeleton"]["agency"]["name"], "");
    EXPECT_TRUE(j["skeleton"]["tasks"].is_array());
    EXPECT_EQ(j["skeleton"]["signer"]["name"], "");
    ASSERT_EQ(j["loops"].size(), 1u);
    EXPECT_TRUE(j["conditions"].is_array());
    EXPECT_TRUE(j["outputs"].is_array());
}

TEST(CApi, SchemaValidationReportsEveryViolationWithPointerAndPosition) {
    Handles h;
    const char* schema = R"({"type": "object", "required": ["agency", "signer"],
        "properties": {"agency": {"type": "object", "properties": {"name": {"type": "string", "title": "Tên cơ quan"}}},
                       "tasks": {"type": "array"}}})";
    ASSERT_EQ(vanban_schema_compile(schema, VANBAN_NUL_TERMINATED, "plan.schema.json", &h.schema, &h.errors),
              VANBAN_OK);
    EXPECT_EQ(vanban_schema_validate(h.schema, kData, VANBAN_NUL_TERMINATED, "plan.json", &h.errors), VANBAN_OK);
    EXPECT_EQ(h.errors, nullptr);

    const char* bad = "{\n  \"agency\": {\"name\": 5},\n  \"tasks\": {}\n}";
    EXPECT_EQ(vanban_schema_validate(h.schema, bad, VANBAN_NUL_TERMINATED, "bad.json", &h.errors), VANBAN_ERROR_SCHEMA);
    ASSERT_EQ(vanban_errors_count(h.errors), 3u) << vanban_errors_json(h.errors);
    bool name = false, tasks = false, signer = false;
    for (std::size_t i = 0; i < vanban_errors_count(h.errors); ++i) {
        const vanban_error* e = vanban_errors_get(h.errors, i);
        EXPECT_EQ(e->kind, VANBAN_ERROR_SCHEMA);
        EXPECT_STREQ(e->source, "bad.json");
        const std::string pointer = e->json_pointer;
        if (pointer == "/agency/name") {
            name = true;
            EXPECT_EQ(e->line, 2);
            EXPECT_EQ(e->column, 22);
            EXPECT_NE(std::string(e->message).find("Tên cơ quan"), std::string::npos);
            EXPECT_STREQ(e->code, "schema.type");
            EXPECT_STREQ(e->message_en, e->message);
            EXPECT_STREQ(e->message_vi, "Tên cơ quan: cần ghi chữ, nhưng đang là số nguyên");
            EXPECT_EQ(std::string(e->text_vi), "bad.json dòng 2, cột 22: " + std::string(e->message_vi));
        } else if (pointer == "/tasks") {
            tasks = true;
            EXPECT_EQ(e->line, 3);
            EXPECT_EQ(e->column, 12);
        } else {
            signer = true;
            EXPECT_NE(std::string(e->message).find("signer"), std::string::npos);
            EXPECT_EQ(e->line, pointer == "" ? 1 : e->line);
        }
    }
    EXPECT_TRUE(name && tasks && signer);

    h.reset_errors();
    vanban_schema* other = nullptr;
    EXPECT_EQ(vanban_schema_compile("{\"type\": ", VANBAN_NUL_TERMINATED, "cut.json", &other, &h.errors),
              VANBAN_ERROR_JSON);
    EXPECT_EQ(other, nullptr);
    EXPECT_STREQ(vanban_errors_get(h.errors, 0)->source, "cut.json");
    h.reset_errors();
    EXPECT_EQ(vanban_schema_compile("{\"type\": 12}", VANBAN_NUL_TERMINATED, nullptr, &other, &h.errors),
              VANBAN_ERROR_SCHEMA);
    EXPECT_EQ(other, nullptr);
    EXPECT_GE(vanban_errors_count(h.errors), 1u);
}

TEST(CApi, OneTemplateHandleRendersFromEightThreads) {
    Handles h;
    ASSERT_TRUE(compile(h, kBody));
    const char* schema = R"({"type": "object", "required": ["agency"]})";
    ASSERT_EQ(vanban_schema_compile(schema, VANBAN_NUL_TERMINATED, nullptr, &h.schema, nullptr), VANBAN_OK);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                const std::string who = "Cán bộ " + std::to_string(t) + "-" + std::to_string(i);
                const nlohmann::json data = {{"agency", {{"name", "xã " + std::to_string(t)}}},
                                             {"tasks", nlohmann::json::array({{{"name", who}}})},
                                             {"signer", {{"name", who}}}};
                const std::string text = data.dump();
                vanban_buffer out{};
                vanban_errors* errors = nullptr;
                if (vanban_schema_validate(h.schema, text.data(), text.size(), nullptr, &errors) != VANBAN_OK ||
                    vanban_render(h.tpl, text.data(), text.size(), nullptr, 0, &out, &errors) != VANBAN_OK) {
                    ++failures;
                } else {
                    auto paragraphs = document_text(out.data, out.size);
                    if (paragraphs != std::vector<std::string>{"XÃ " + std::to_string(t), "1. " + who, who}) ++failures;
                }
                vanban_buffer_free(&out);  // outputs are overwritten, not freed, by the next call
                vanban_errors_free(errors);
                // A data error from every thread too: records are per call, never shared.
                if (vanban_render(h.tpl, "{}", 2, nullptr, 0, &out, &errors) != VANBAN_ERROR_DATA ||
                    vanban_errors_count(errors) == 0)
                    ++failures;
                vanban_errors_free(errors);
                vanban_buffer_free(&out);
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
}

// The C++ additions the C API and the CLI are built on.
TEST(CppApi, DataLocatesRenderErrorsAndSchemasValidateData) {
    const std::string docx = make_docx(kBody);
    auto tpl = vanban::Template::from_bytes(docx, "plan.docx");
    auto data = vanban::Data::parse("{\n \"agency\": {\"name\": \"x\"},\n \"tasks\": 3, \"signer\": {\"name\": \"y\"}}",
                                    "d.json");
    EXPECT_EQ(data.source(), "d.json");
    EXPECT_EQ(data.value()["agency"]["name"], "x");
    try {
        (void)tpl.render(data);
        FAIL() << "render should fail";
    } catch (const vanban::Error& e) {
        ASSERT_EQ(e.diagnostics().size(), 1u);
        EXPECT_EQ(e.diagnostics()[0].json_pointer, "/tasks");
        EXPECT_EQ(e.diagnostics()[0].source, "d.json");
        EXPECT_EQ(e.diagnostics()[0].line, 3);
    }
    auto json = vanban::diagnostics_to_json({vanban::Diagnostic{}});
    EXPECT_EQ(json[0]["kind"], "template");
    vanban::Schema schema = vanban::Schema::parse(R"({"properties": {"tasks": {"type": "array"}}})", "s.json");
    auto problems = schema.validate(data);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].line, 3);
    vanban::Data built(nlohmann::json{{"tasks", 1}});
    EXPECT_EQ(schema.validate(built).size(), 1u);
}
