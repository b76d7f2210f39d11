// Recognising a KẾ HOẠCH (Decree 30/2020/NĐ-CP, Mẫu 1.4) in the paragraphs of a document: where the header, the
// body, Nơi nhận and the appendices begin (each read by its own file, see import/recogniser.hpp), the reporting
// every part uses, and the placeholders for what the document lacks. See docs/import.md for every rule.
#include "import/recognise.hpp"

#include <chrono>
#include <utility>

#include "core/vn.hpp"
#include "import/recogniser.hpp"

namespace vanban::import::plan {

json paragraphs_json(const std::vector<std::string>& paragraphs) {
    if (paragraphs.size() == 1) return paragraphs.front();
    return json(paragraphs);
}

ImportResult Recogniser::run() {
    result_.template_name = "ke-hoach";
    result_.data = json::object();
    std::erase_if(ps_, [](const Paragraph& p) { return clean(plain_text(p.spans)).empty(); });
    const std::size_t type = find_type_line();
    header(0, type);
    std::size_t body_begin = title(type);
    std::size_t tail_begin = ps_.size(), appendix_begin = ps_.size();
    for (std::size_t i = body_begin; i < ps_.size(); ++i) {
        if (starts_with_lower(clean(plain_text(ps_[i].spans)), "nơi nhận")) {
            tail_begin = i;
            break;
        }
    }
    for (std::size_t i = tail_begin == ps_.size() ? body_begin : tail_begin; i < ps_.size(); ++i) {
        const std::string t = clean(plain_text(ps_[i].spans));
        if (ps_[i].table < 0 && vn::upper(t).starts_with("PHỤ LỤC") && word_count(t) <= 4) {
            appendix_begin = i;
            break;
        }
    }
    body(body_begin, std::min(tail_begin, appendix_begin));
    if (tail_begin < appendix_begin) tail(tail_begin + 1, appendix_begin, ps_[tail_begin]);
    appendices(appendix_begin, ps_.size());
    finish();
    return std::move(result_);
}

void Recogniser::warn(const std::string& code, std::string en, std::string vi, const Paragraph* p,
                      std::string pointer) {
    Diagnostic d;
    d.kind = DiagnosticKind::data;
    d.code = code;
    d.message = std::move(en);
    d.message_vi = std::move(vi);
    d.source = source_;
    if (p) {
        d.part = p->part;
        d.paragraph = p->number;
    }
    d.json_pointer = std::move(pointer);
    result_.warnings.push_back(std::move(d));
}

void Recogniser::unrecognised(const Paragraph& p, const std::string& text, std::string reason) {
    result_.unrecognised.push_back(UnrecognisedPlace{p.part, p.number, first_words(text), std::move(reason)});
}

void Recogniser::missing(const std::string& pointer, const json& placeholder, const std::string& en_label,
                         const std::string& vi_label) {
    json::json_pointer ptr(pointer);
    if (data().contains(ptr)) return;
    data()[ptr] = placeholder;
    const std::string shown = placeholder.is_string() ? placeholder.get<std::string>() : placeholder.dump();
    warn("import.missing_field",
         "the document has no " + en_label + "; the placeholder " + shown + " was filled in: replace it",
         "Văn bản gốc không có " + vi_label + "; đã điền tạm \"" + shown + "\", hãy sửa lại cho đúng.", nullptr,
         pointer);
}

int Recogniser::current_year() {
    const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    return static_cast<int>(today.year());
}

int Recogniser::year_from_title() const {
    const std::string t = result_.data.value("title", std::string());
    const std::size_t at = t.rfind("năm ");
    if (at != std::string::npos && at + 8 <= t.size()) {
        const std::string y = t.substr(at + std::string("năm ").size(), 4);
        if (y.find_first_not_of("0123456789") == std::string::npos && y[0] != '0') return std::stoi(y);
    }
    return 0;
}

void Recogniser::finish() {
    if (!before_body_.empty()) {  // a header without a body after it
        data()["opening"] = paragraphs_json(before_body_);
        before_body_.clear();
    }
    if (!after_body_.empty()) {
        // Kept before the closing sentence ("…./."), which stays last.
        closing_.insert(closing_.end() - (closing_.empty() ? 0 : 1), after_body_.begin(), after_body_.end());
    }
    if (!closing_.empty()) data()["closing"] = paragraphs_json(closing_);
    if (!data().contains("body")) data()["body"] = json::array();
    missing("/title", "[Trích yếu]", "trích yếu (title)", "trích yếu nội dung");
    missing("/agency/name", "[TÊN CƠ QUAN BAN HÀNH]", "issuing agency", "tên cơ quan ban hành");
    missing("/agency/abbreviation", "VIETTAT", "agency abbreviation (from the symbol \"KH-…\")",
            "chữ viết tắt tên cơ quan (trong ký hiệu \"KH-…\")");
    missing("/place", "[Địa danh]", "place (\"…, ngày … tháng … năm …\")",
            "địa danh (dòng \"…, ngày … tháng … năm …\")");
    if (!data().contains("date")) {
        const int year = year_from_title();
        missing("/date", json{{"year", year > 0 ? year : current_year()}}, "date line", "dòng ngày tháng năm ban hành");
    }
    missing("/recipients", json::array({"[Nơi nhận]"}), "Nơi nhận (recipients)", "phần Nơi nhận");
    missing("/archive", json{{"units", "[đơn vị soạn thảo]"}}, "archive line \"Lưu: VT, …\"",
            "dòng \"Lưu: VT, …\" (đơn vị soạn thảo)");
    if (!data().contains("signer")) {
        missing("/signer", json{{"position", "[CHỨC VỤ]"}, {"name", "[Họ và tên]"}}, "signature block",
                "phần chữ ký (chức vụ, họ tên người ký)");
    } else if (!data()["signer"].contains("position") && !data()["signer"].contains("authority")) {
        missing("/signer/position", "[CHỨC VỤ]", "signer's position", "chức vụ người ký");
    }
}

}  // namespace vanban::import::plan

namespace vanban::import {

ImportResult recognise_plan(std::vector<Paragraph> paragraphs, const std::string& source) {
    return plan::Recogniser(std::move(paragraphs), source).run();
}

}  // namespace vanban::import
