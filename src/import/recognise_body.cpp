// The body of a plan: căn cứ and the opening before the first numbered paragraph, then the numbered paragraphs
// (mục I., khoản 1., 2.1., điểm a), (1)) and bullets (-, +) as a tree; a section's title told from its run-in
// text; numbers that skip, repeat or disagree with the decree's sequence reported.
#include "import/recogniser.hpp"

#include <algorithm>
#include <memory>
#include <utility>

#include "core/vn.hpp"

namespace vanban::import::plan {

json Node::to_json() const {
    json kids = json::array();
    for (const auto& c : children) kids.push_back(c->to_json());
    if (kind == Kind::text) return rich;
    json j = json::object();
    if (kind == Kind::bullet) {
        j["bullet"] = rich;
        if (!symbol.empty()) j["symbol"] = symbol;
    } else if (kind == Kind::paragraph) {
        j["paragraph"] = rich;
    } else {
        if (title) j["title"] = *title;
        if (text) j["text"] = *text;
        if (!label.empty()) j["label"] = label;
        if (!children_numbering.empty()) j["children_numbering"] = children_numbering;
    }
    if (!kids.empty()) j["children"] = std::move(kids);
    return j;
}

std::vector<Item> Recogniser::body_items(std::size_t begin, std::size_t end) {
    std::vector<Item> items;
    for (std::size_t i = begin; i < end; ++i) {
        const Paragraph& p = ps_[i];
        Item item;
        item.p = &p;
        const std::string raw = plain_text(p.spans);
        const std::size_t lead = raw.find_first_not_of(" \t\n\r");
        item.spans = trim_spans(p.spans);
        item.plain = plain_text(item.spans);
        item.bold = p.bold_prefix > lead ? p.bold_prefix - lead : 0;
        if (p.table >= 0) {
            unrecognised(p, item.plain,
                         "a table in the body: the ke-hoach template has none there, so its cells "
                         "are kept as plain paragraphs");
        } else {
            item.label = parse_label(item.plain);
        }
        // A paragraph cut in two at a page break: the second part has no label, starts in lower case, and the
        // first does not end a sentence.
        if (!items.empty() && item.label.kind == Label::Kind::none && p.table < 0 && items.back().p->table < 0 &&
            starts_lower_or_digit(item.plain) && !ends_sentence(items.back().plain)) {
            Item& prev = items.back();
            append_text(prev.spans, " ", false, false, false);
            for (auto& s : item.spans) prev.spans.push_back(std::move(s));
            prev.plain += " " + item.plain;  // kept in step, not recomputed: many joins stay linear
            warn("import.joined_paragraphs",
                 "a paragraph starting in lower case after one that does not end a sentence was joined to it "
                 "(a paragraph cut at a page break)",
                 "Đoạn bắt đầu bằng chữ thường, nối tiếp một đoạn chưa hết câu, đã được ghép vào đoạn trước (đoạn bị "
                 "ngắt ở chỗ sang trang). Hãy kiểm tra lại chỗ này.",
                 &p);
            continue;
        }
        items.push_back(std::move(item));
    }
    return items;
}

bool Recogniser::is_section(const Label& l) {
    return l.kind == Label::Kind::roman || l.kind == Label::Kind::arabic || l.kind == Label::Kind::decimal ||
           l.kind == Label::Kind::letter;
}

void Recogniser::body(std::size_t begin, std::size_t end) {
    std::vector<Item> items = body_items(begin, end);
    std::size_t first = items.size();
    for (std::size_t i = 0; i < items.size() && first == items.size(); ++i)
        if (is_section(items[i].label)) first = i;
    for (std::size_t i = 0; i < items.size() && first == items.size(); ++i)
        if (items[i].label.kind == Label::Kind::bullet) first = i;
    std::size_t stop = items.size();
    if (!items.empty() && items.back().label.kind == Label::Kind::none && items.back().p->table < 0) {
        const std::string last = squash(items.back().plain);
        if (last.ends_with("/.") && (items.size() - 1 >= first || first == items.size())) stop = items.size() - 1;
    }
    preamble(items, 0, std::min(first, stop));
    tree(items, std::min(first, stop), stop);
    if (stop < items.size()) closing_.push_back(to_markup(items.back().spans));
}

void Recogniser::preamble(const std::vector<Item>& items, std::size_t begin, std::size_t end) {
    std::vector<std::string> bases;
    std::vector<std::string> opening = before_body_;
    for (std::size_t i = begin; i < end; ++i) {
        const std::string t = squash(items[i].plain);
        const bool last = i + 1 == end;
        const bool basis =
            opening.size() == before_body_.size() && (t.ends_with(";") || (!last && legal_basis_like(t)));
        (basis ? bases : opening).push_back(to_markup(items[i].spans));
    }
    before_body_.clear();
    if (!bases.empty()) data()["legal_bases"] = bases;
    if (!opening.empty()) data()["opening"] = paragraphs_json(opening);
}

void Recogniser::tree(std::vector<Item>& items, std::size_t begin, std::size_t end) {
    Node root;  // the body itself
    root.kind = Node::Kind::section;
    root.level = -1;
    std::vector<std::string> levels{"roman", "arabic", "letter"};
    bool levels_set = false;
    std::vector<Open> stack;
    Node* last_bullet = nullptr;
    Node* last_para = nullptr;
    for (std::size_t i = begin; i < end; ++i) {
        Item& item = items[i];
        const Label& l = item.label;
        Node* container = stack.empty() ? &root : stack.back().node;
        // "(1)" is a level under a điểm; elsewhere it stays text with its number typed.
        const bool paren_item = l.kind == Label::Kind::paren && !stack.empty() &&
                                (stack.back().scheme == "letter" || stack.back().scheme == "paren");
        if (is_section(l) || paren_item) {
            const std::string scheme = scheme_of(l.kind);
            if (!levels_set && scheme != "decimal") {
                levels_set = true;
                if (scheme == "arabic") levels = {"arabic", "letter"};
                else if (scheme == "letter") levels = {"letter"};
            }
            if (section(item, scheme, levels, stack, root)) {
                last_bullet = last_para = nullptr;
                continue;
            }
            container = stack.empty() ? &root : stack.back().node;
            last_para = add_text(container, item);
            last_bullet = nullptr;
            continue;
        }
        if (l.kind == Label::Kind::bullet) {
            auto node = std::make_unique<Node>();
            node->kind = Node::Kind::bullet;
            node->rich = to_markup(trim_spans(split_spans(item.spans, l.length).second));
            const bool nested = l.symbol == "+" || l.symbol == "- +";
            if (l.symbol == "- +") node->symbol = l.symbol;
            if (nested && last_bullet) {
                last_bullet->children.push_back(std::move(node));
            } else if (nested && last_para) {
                last_para->kind = Node::Kind::paragraph;
                last_para->children.push_back(std::move(node));
            } else {
                if (l.symbol != "-") node->symbol = l.symbol;
                last_bullet = node.get();
                last_para = nullptr;
                container->children.push_back(std::move(node));
            }
            continue;
        }
        if (l.kind == Label::Kind::paren)
            warn("import.schema_gap",
                 "the label \"" + l.printed +
                     "\" has no numbering scheme in the ke-hoach template; the paragraph "
                     "is kept as plain text with its label typed",
                 "Mẫu kế hoạch chưa có kiểu đánh số \"" + l.printed +
                     "\"; đoạn này được giữ nguyên là đoạn văn "
                     "thường, số thứ tự gõ tay trong chữ.",
                 item.p);
        last_para = add_text(container, item);
        last_bullet = nullptr;
    }
    json body = json::array();
    for (const auto& c : root.children) body.push_back(c->to_json());
    data()["body"] = std::move(body);
    if (levels_set && levels.front() != "roman") data()["numbering"] = {{"levels", levels}};
}

Node* Recogniser::add_text(Node* container, const Item& item) {
    auto node = std::make_unique<Node>();
    node->kind = Node::Kind::text;
    node->rich = to_markup(item.spans);
    Node* raw = node.get();
    container->children.push_back(std::move(node));
    return raw;
}

// Places a numbered paragraph in the tree; null when it cannot be (kept as plain text by the caller).
Node* Recogniser::section(const Item& item, const std::string& scheme, const std::vector<std::string>& levels,
                          std::vector<Open>& stack, Node& root) {
    const Label& l = item.label;
    while (!stack.empty() && rank_of(stack.back().scheme) >= rank_of(scheme)) stack.pop_back();
    Node* parent = stack.empty() ? &root : stack.back().node;
    if (scheme == "decimal" && (stack.empty() || stack.back().scheme != "arabic")) {
        unrecognised(*item.p, item.plain, "a \"" + l.printed + "\" number without a khoản above it");
        return nullptr;
    }
    const int level = scheme == "decimal" ? parent->level : parent->level + 1;
    const std::string by_level =
        level >= 0 && static_cast<std::size_t>(level) < levels.size() ? levels[static_cast<std::size_t>(level)] : "";
    const std::string expected = !parent->children_numbering.empty() ? parent->children_numbering : by_level;
    if (!parent->child_scheme.empty() && parent->child_scheme != scheme) {
        unrecognised(*item.p, item.plain,
                     "numbered \"" + l.printed + "\" among siblings numbered another way; kept as a plain paragraph");
        return nullptr;
    }
    if (scheme != expected) {
        if (parent == &root) {
            unrecognised(*item.p, item.plain, "a top-level \"" + l.printed + "\" in a body numbered " + levels.front());
            return nullptr;
        }
        parent->children_numbering = scheme;
    }
    if (scheme == "letter" && parent->numbered_children >= 23) {
        unrecognised(*item.p, item.plain, "a 24th điểm: the decree's letters end at y)");
        return nullptr;
    }
    parent->child_scheme = scheme;
    const int n = ++parent->numbered_children;
    if (scheme == "decimal" && l.first != parent->number)
        warn("import.numbering_mismatch",
             "\"" + l.printed + "\" stands under khoản " + std::to_string(parent->number) +
                 "; the data keeps it as its own label (generated: " + label_for(scheme, n, parent->number) + ")",
             "Số \"" + l.printed + "\" nằm dưới khoản " + std::to_string(parent->number) + "; dữ liệu giữ nguyên \"" +
                 l.printed + "\" làm số thứ tự riêng (số tự sinh sẽ là " + label_for(scheme, n, parent->number) +
                 "). Hãy kiểm tra lại số thứ tự.",
             item.p);
    else if (l.number != n) numbering_warning(item, scheme, n, parent->number);
    auto node = std::make_unique<Node>();
    // The source's own number is kept where it differs from the generated one ("e)" where the decree has đ)),
    // so the plan prints as the source does; automatic numbering's letters are the list's, not the source's.
    if (!item.p->numbered_automatically && l.printed != label_for(scheme, n, parent->number)) node->label = l.printed;
    node->kind = Node::Kind::section;
    node->scheme = scheme;
    node->number = n;
    node->level = level;
    split_title(item, scheme, *node);
    Node* raw = node.get();
    parent->children.push_back(std::move(node));
    stack.push_back({raw, scheme});
    return raw;
}

void Recogniser::numbering_warning(const Item& item, const std::string& scheme, int expected, int parent_number) {
    const std::string want = label_for(scheme, expected, parent_number);
    const bool repeat = item.label.number != 0 && item.label.number < expected;
    const bool automatic = item.p->numbered_automatically;
    warn(repeat ? "import.numbering_repeat" : "import.numbering_skip",
         "the document prints \"" + item.label.printed + "\" where \"" + want + "\" comes next (" +
             (repeat ? "a repeated number" : "a skipped number") + "); " +
             (automatic ? "the data numbers it \"" + want + "\""
                        : "the data keeps \"" + item.label.printed + "\" as its own label"),
         "Văn bản gốc ghi \"" + item.label.printed + "\" ở chỗ lẽ ra là \"" + want + "\" (" +
             (repeat ? "số bị lặp" : "số bị bỏ qua") + "); " +
             (automatic ? "dữ liệu tự đánh số lại thành \"" + want + "\"."
                        : "dữ liệu giữ \"" + item.label.printed +
                              "\" làm số thứ tự riêng của mục này (ô \"Số thứ tự "
                              "riêng\"); xóa ô đó nếu muốn đánh số lại."),
         item.p);
}

// A section's title (printed in the level's emphasis) and its run-in text: what looks bold after the label is
// the title; without emphasis, a short lead ending in ":" before more text, or a short line, is the title.
void Recogniser::split_title(const Item& item, const std::string& scheme, Node& node) {
    const std::vector<RichSpan> rest = trim_spans(split_spans(item.spans, item.label.length).second);
    const std::string plain = plain_text(rest);
    std::size_t bold = 0;
    if (item.bold >= item.label.length) {
        bold = std::min(item.bold - item.label.length, plain.size());
    } else {
        for (const auto& s : rest) {
            if (s.kind != RichSpan::Kind::text || !s.bold) break;
            bold += s.text.size();
        }
    }
    std::optional<std::size_t> cut;
    if (bold > 0 && plain.find_first_not_of(" \t\n", bold) == std::string::npos) {
        cut = plain.size();
    } else if (bold > 0 && plain.find_first_not_of(" \t\n") < bold) {
        cut = bold;
    } else {
        const std::size_t colon = plain.find(": ");
        if (colon != std::string::npos && word_count(plain.substr(0, colon)) <= 10 &&
            plain.substr(0, colon).find('.') == std::string::npos)
            cut = colon + 1;
        else if (scheme == "roman" ||
                 ((!ends_sentence(plain) || squash(plain).ends_with(":")) && word_count(plain) <= 25))
            cut = plain.size();
    }
    if (!cut) {
        node.text = to_markup(rest);
        return;
    }
    auto [title, text] = split_spans(rest, *cut);
    title = trim_spans(std::move(title));
    // Mục, khoản and 2.1. titles are printed bold by the template: bold typed on the whole title is not kept
    // as markup (a điểm's title is regular, so bold there is the writer's choice and stays).
    const bool all_bold = std::all_of(title.begin(), title.end(), [](const RichSpan& s) {
        return s.kind != RichSpan::Kind::text || s.bold || s.text.find_first_not_of(" \t") == std::string::npos;
    });
    if (all_bold && scheme != "letter")
        for (auto& s : title) s.bold = false;
    node.title = to_markup(title);
    const auto after = trim_spans(std::move(text));
    if (!after.empty()) node.text = to_markup(after);
}

}  // namespace vanban::import::plan
