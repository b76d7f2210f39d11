// Values the expression evaluator works with. Data stays in the caller's nlohmann::json and is referenced,
// never copied, while a template walks it; computed values own their json. Undefined values remember what was
// missing so strict mode can say exactly which path was absent.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/richtext.hpp"

namespace vanban::core {

using json = nlohmann::json;

struct LoopState;  // defined in program.cpp; exposes loop.index etc.
struct Image;      // core/image.hpp: a picture with its size and placement
class Callable;    // core/expr.hpp: a macro, caller(), joiner(), cycler()

struct Undefined {
    std::string what;              // the expression that had no value, e.g. "agency.name"
    const json* parent = nullptr;  // the data object that lacks it, when there is one (to point into the data file)
    std::string key;               // the missing key in `parent`
    bool after_error = false;      // left by a {% set %} whose error is reported already: not reported again
};

class Value {
public:
    Value() : v_(Undefined{{}, nullptr, {}, false}) {}
    static Value undefined(std::string what) { return Value(Undefined{std::move(what), nullptr, {}, false}); }
    static Value undefined(std::string what, const json* parent, std::string key) {
        return Value(Undefined{std::move(what), parent, std::move(key), false});
    }
    // What a {% set %} that failed leaves its name: undefined, and every path through it too, without a second report.
    static Value undefined_after_error(std::string what) {
        return Value(Undefined{std::move(what), nullptr, {}, true});
    }
    // The undefined `what` reached through `undefined_subject` (a member or item of it).
    static Value undefined_from(const Value& undefined_subject, std::string what) {
        return Value(Undefined{std::move(what), nullptr, {}, undefined_subject.undefined_info().after_error});
    }
    static Value ref(const json& j) { return Value(&j); }
    static Value owned(json j) { return Value(std::move(j)); }
    static Value rich(std::shared_ptr<const RichText> r) { return Value(std::move(r)); }
    static Value loop(const LoopState* l) { return Value(l); }
    static Value image(std::shared_ptr<const Image> i) { return Value(std::move(i)); }
    static Value callable(std::shared_ptr<Callable> c) { return Value(std::move(c)); }

    bool is_undefined() const noexcept { return std::holds_alternative<Undefined>(v_); }
    bool is_rich() const noexcept { return std::holds_alternative<std::shared_ptr<const RichText>>(v_); }
    bool is_loop() const noexcept { return std::holds_alternative<const LoopState*>(v_); }
    bool is_image() const noexcept { return std::holds_alternative<std::shared_ptr<const Image>>(v_); }
    bool is_callable() const noexcept { return std::holds_alternative<std::shared_ptr<Callable>>(v_); }
    bool is_json() const noexcept {
        return !is_undefined() && !is_rich() && !is_loop() && !is_image() && !is_callable();
    }
    bool is_owned_json() const noexcept { return std::holds_alternative<json>(v_); }
    bool is_ref() const noexcept { return std::holds_alternative<const json*>(v_); }

    // The json of a json value (reference or owned). Only valid when is_json().
    const json& j() const {
        if (auto p = std::get_if<const json*>(&v_)) return **p;
        return std::get<json>(v_);
    }
    const std::string& undefined_what() const { return std::get<Undefined>(v_).what; }
    const Undefined& undefined_info() const { return std::get<Undefined>(v_); }
    const RichText& rich_text() const { return *std::get<std::shared_ptr<const RichText>>(v_); }
    const LoopState& loop_state() const { return *std::get<const LoopState*>(v_); }
    const std::shared_ptr<const Image>& image_ptr() const { return std::get<std::shared_ptr<const Image>>(v_); }
    // A callable's state changes when it is called (joiner, cycler): copies of the value share it, as in Python.
    Callable& callable_object() const { return *std::get<std::shared_ptr<Callable>>(v_); }

    // A value inside this json value (a member or element of it): a reference when this value refers to data that
    // outlives the evaluation, a copy when this value owns its json (a computed temporary that is about to go away:
    // "(items | sort)[0]", "(people | groupby('unit'))[0].list").
    Value child(const json& inside) const {
        if (std::holds_alternative<json>(v_)) return Value(json(inside));
        return Value(&inside);
    }

    // The json this value owns (a computed value), to change in place; null for data references and other values.
    json* owned_json() noexcept { return std::get_if<json>(&v_); }

    // Moves a json value out (copies when it is a reference).
    json take() && {
        if (auto p = std::get_if<const json*>(&v_)) return **p;
        if (auto o = std::get_if<json>(&v_)) return std::move(*o);
        return nullptr;
    }

private:
    explicit Value(Undefined u) : v_(std::move(u)) {}
    explicit Value(const json* p) : v_(p) {}
    explicit Value(json j) : v_(std::move(j)) {}
    explicit Value(std::shared_ptr<const RichText> r) : v_(std::move(r)) {}
    explicit Value(const LoopState* l) : v_(l) {}
    explicit Value(std::shared_ptr<const Image> i) : v_(std::move(i)) {}
    explicit Value(std::shared_ptr<Callable> c) : v_(std::move(c)) {}

    std::variant<Undefined, const json*, json, std::shared_ptr<const RichText>, const LoopState*,
                 std::shared_ptr<const Image>, std::shared_ptr<Callable>>
        v_;
};

}  // namespace vanban::core
