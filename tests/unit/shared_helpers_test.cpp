// The one-of-each helpers that several parts of the code share: base64 (core/base64), JSON Pointer tokens
// (json/pointer), the JSON nesting scan (json/nesting), the UTF-8 decoder (vn::next_code_point, vn::code_point_before)
// and the schema walk (json/schema_walk). Expected values are written out by hand (RFC 4648 test vectors, RFC 6901
// examples, code points of known characters).
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "core/base64.hpp"
#include "core/vn.hpp"
#include "json/nesting.hpp"
#include "json/pointer.hpp"
#include "json/schema_walk.hpp"

namespace {

using nlohmann::json;

// ----- base64

TEST(Base64, EncodesTheRfc4648Vectors) {
    using vanban::core::base64_encode;
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode(std::string("\xFF\xFE\x00", 3)), "//4A");
}

TEST(Base64, DecodesWhatItEncodesAndIgnoresWhiteSpace) {
    using namespace vanban::core;
    EXPECT_EQ(base64_decode("Zm9v\nYmFy").value(), "foobar");
    EXPECT_EQ(base64_decode("Zm9vYg==").value(), "foob");
    EXPECT_EQ(base64_decode("Zm9vYg").value(), "foob");  // padding may be left out
    std::string all;
    for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
    EXPECT_EQ(base64_decode(base64_encode(all)).value(), all);
    EXPECT_EQ(base64_decoded_size("Zm9vYmE=").value(), 5u);
    EXPECT_EQ(base64_decoded_size(" Zm9v YmFy ").value(), 6u);
}

TEST(Base64, SaysWhereTextStopsBeingBase64) {
    using namespace vanban::core;
    std::size_t at = 99;
    EXPECT_FALSE(base64_decode("Zm9v*mFy", &at));
    EXPECT_EQ(at, 4u);
    EXPECT_FALSE(base64_decoded_size("Zm9vY"));  // one character past a group: cut off
    EXPECT_TRUE(looks_base64("Zm9v YmFy=="));
    EXPECT_FALSE(looks_base64("Zm=9v"));      // '=' only at the end
    EXPECT_FALSE(looks_base64("photo.png"));  // '.' is not in the alphabet
    EXPECT_FALSE(looks_base64("   "));
}

// ----- JSON Pointer tokens (RFC 6901)

TEST(JsonPointer, EscapesTildeAndSlash) {
    using namespace vanban::json_data;
    EXPECT_EQ(escape_pointer_token("a/b"), "a~1b");
    EXPECT_EQ(escape_pointer_token("m~n"), "m~0n");
    EXPECT_EQ(escape_pointer_token("~/"), "~0~1");
    EXPECT_EQ(escape_pointer_token("Họ tên"), "Họ tên");
    EXPECT_EQ(escape_pointer_token(""), "");
    std::string pointer = "/people";
    append_pointer_token(pointer, "0");
    append_pointer_token(pointer, "full/name");
    EXPECT_EQ(pointer, "/people/0/full~1name");
    // nlohmann reads the pointer back to the same member.
    const json doc = {{"people", {{{"full/name", "An"}}}}};
    EXPECT_EQ(doc.at(json::json_pointer(pointer)), "An");
}

// find_pointer names the value nlohmann's json_pointer names, and null where nlohmann throws or finds nothing.
TEST(JsonPointer, FindsWhatNlohmannFinds) {
    using vanban::json_data::find_pointer;
    const json doc = json::parse(R"({"definitions": {"a/b": {"m~n": [10, 20, {"": true}]}}, "x": null, "0": "zero"})");
    for (const char* p : {"", "/definitions", "/definitions/a~1b/m~0n", "/definitions/a~1b/m~0n/1",
                          "/definitions/a~1b/m~0n/2/", "/x", "/0"}) {
        const json* found = find_pointer(doc, p);
        ASSERT_NE(found, nullptr) << p;
        EXPECT_EQ(found, &doc.at(json::json_pointer(p))) << p;
    }
    for (const char* p : {"definitions", "/nope", "/definitions/a/b", "/definitions/a~1b/m~0n/3",
                          "/definitions/a~1b/m~0n/01", "/definitions/a~1b/m~0n/-", "/definitions/a~1b/m~0n/1x",
                          "/definitions/a~2b", "/definitions/a~", "/x/y", "/0/0"})
        EXPECT_EQ(find_pointer(doc, p), nullptr) << p;
}

// ----- the nesting scan

int max_depth(std::string_view text) {
    vanban::json_data::NestingScan scan;
    int deepest = 0;
    for (char c : text) {
        scan.feed(c);
        deepest = std::max(deepest, scan.depth);
    }
    return deepest;
}

TEST(JsonNesting, CountsBracketsOutsideStringsOnly) {
    EXPECT_EQ(max_depth(R"([1, {"a": [2]}])"), 3);
    EXPECT_EQ(max_depth(R"(["[[[", "{{"])"), 1);
    EXPECT_EQ(max_depth(R"(["a\"[[", {"b\\": [[]]}])"), 4);  // an escaped quote does not end the string
    vanban::json_data::NestingScan scan;
    for (char c : std::string_view(R"({"x": "}"})")) scan.feed(c);
    EXPECT_TRUE(scan.at_top());
    scan.feed('"');
    EXPECT_FALSE(scan.at_top());
}

// ----- UTF-8

TEST(Utf8, DecodesCodePointsAndMovesPastThem) {
    const std::string text = "aế😀";  // 1, 3 and 4 bytes
    std::size_t i = 0;
    EXPECT_EQ(vanban::vn::next_code_point(text, i), U'a');
    EXPECT_EQ(i, 1u);
    EXPECT_EQ(vanban::vn::next_code_point(text, i), U'ế');
    EXPECT_EQ(i, 4u);
    EXPECT_EQ(vanban::vn::next_code_point(text, i), U'😀');
    EXPECT_EQ(i, text.size());
    EXPECT_EQ(vanban::vn::code_point_before(text, text.size()), U'😀');
    EXPECT_EQ(vanban::vn::code_point_before(text, 4), U'ế');
    EXPECT_EQ(vanban::vn::code_point_before(text, 1), U'a');
}

TEST(Utf8, RefusesIllFormedBytesAndStillMoves) {
    for (const std::string& bad :
         {std::string("\xC0\xAF"), std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80"),
          std::string("\xE1\x80"), std::string("\x80"), std::string("\xFF")}) {
        std::size_t i = 0;
        EXPECT_FALSE(vanban::vn::next_code_point(bad, i)) << bad.size();
        EXPECT_GT(i, 0u);
        EXPECT_FALSE(vanban::vn::valid_utf8(bad));
        EXPECT_EQ(vanban::vn::code_point_before(bad, bad.size()), U'\uFFFD');
    }
    EXPECT_TRUE(vanban::vn::valid_utf8("Kế hoạch 😀"));
}

// ----- the schema walk

const json kSchema = json::parse(R"({
  "$defs": {
    "person": {"type": "object", "title": "Người", "properties": {"name": {"type": "string", "title": "Họ tên"}}},
    "loop": {"$ref": "#/$defs/loop"}
  },
  "type": "object",
  "properties": {
    "signer": {"$ref": "#/$defs/person", "title": "Người ký"},
    "people": {"type": "array", "items": {"$ref": "#/$defs/person"}},
    "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
    "broken": {"$ref": "#/$defs/missing"},
    "loop": {"$ref": "#/$defs/loop"}
  },
  "allOf": [{"properties": {"extra": {"type": "boolean"}}}],
  "if": {"required": ["signer"]},
  "then": {"properties": {"date": {"format": "date"}}},
  "additionalProperties": {"type": "number"}
})");

TEST(SchemaWalk, FollowsRefsAndRefusesWhatDoesNotResolve) {
    using vanban::json_data::resolve_ref;
    const json* signer = &kSchema["properties"]["signer"];
    EXPECT_EQ(resolve_ref(kSchema, signer), &kSchema["$defs"]["person"]);
    EXPECT_EQ(resolve_ref(kSchema, &kSchema["properties"]["broken"]), nullptr);
    EXPECT_EQ(resolve_ref(kSchema, &kSchema["properties"]["loop"]), nullptr);  // a $ref to itself ends
    EXPECT_EQ(resolve_ref(kSchema, &kSchema), &kSchema);
}

TEST(SchemaWalk, FindsChildrenInPropertiesItemsBranchesAndAdditional) {
    using vanban::json_data::schema_child;
    // As written: the "title" beside the $ref is the property's own.
    EXPECT_EQ(schema_child(kSchema, &kSchema, "signer"), &kSchema["properties"]["signer"]);
    const json* signer = schema_child(kSchema, &kSchema, "signer");
    EXPECT_EQ(schema_child(kSchema, signer, "name"), &kSchema["$defs"]["person"]["properties"]["name"]);
    const json* people = schema_child(kSchema, &kSchema, "people");
    EXPECT_EQ(schema_child(kSchema, people, 3), &kSchema["properties"]["people"]["items"]);
    const json* pair = schema_child(kSchema, &kSchema, "pair");
    EXPECT_EQ(schema_child(kSchema, pair, 1), &kSchema["properties"]["pair"]["prefixItems"][1]);
    EXPECT_EQ(schema_child(kSchema, pair, 2), nullptr);
    EXPECT_EQ(schema_child(kSchema, &kSchema, "extra"), &kSchema["allOf"][0]["properties"]["extra"]);
    EXPECT_EQ(schema_child(kSchema, &kSchema, "date"), &kSchema["then"]["properties"]["date"]);
    EXPECT_EQ(schema_child(kSchema, &kSchema, "anything"), &kSchema["additionalProperties"]);
    EXPECT_EQ(vanban::json_data::schema_branches(kSchema, &kSchema).size(), 3u);  // the root, allOf[0], then
}

}  // namespace
