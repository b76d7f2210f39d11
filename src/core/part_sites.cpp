// Stage 8, make_sites: TagSpans → an OutputSite for every inline output tag: the Dialect describes the run it is
// written in (its properties for each emphasis, for rich text). Attribute tags inside those run (or paragraph)
// properties are rendered with each value: the Dialect records them as OutputSite::prop_slots holding the tag's
// index, which become indexes into OutputSite::prop_exprs here.
#include <algorithm>
#include <cstring>

#include "core/part_stages.hpp"

namespace vanban::core::part {

namespace {

class SiteMaker : TagQueries {
public:
    // Sites need no paragraphs.
    SiteMaker(const Context& c, const Paragraphs& none, TagSpans& spans) : TagQueries(c, none, spans) {}

    void make_sites() {
        for (TagRec& t : tags_) {
            if (t.placement != Placement::inline_ || t.st.kind != Statement::Kind::output) continue;
            OutputSite site;
            site.context = OutputSite::Context::run_text;
            site.level = t.token.level;
            if (t.host) d_.describe_site(doc_, t.host, site);
            // Attribute tags inside the host run's properties (rendered once per value, at render time).
            std::map<std::size_t, std::size_t> expr_of_tag;
            auto to_expr = [&](OutputSite::PropSlot& slot) {
                const std::size_t ti = slot.expr;
                auto [it, fresh] = expr_of_tag.emplace(ti, site.prop_exprs.size());
                if (fresh)
                    site.prop_exprs.push_back(
                        std::shared_ptr<const core::Expr>(core::parse_statement(tags_[ti].token).expr));
                slot.expr = it->second;
            };
            for (auto& slots : site.prop_slots)
                for (auto& slot : slots) to_expr(slot);
            for (auto& slot : site.paragraph_prop_slots) to_expr(slot);
            t.site = static_cast<int>(sites_.size());
            sites_.push_back(std::move(site));
        }
    }
};

}  // namespace

void make_sites(const Context& c, TagSpans& spans) {
    const Paragraphs none;
    SiteMaker(c, none, spans).make_sites();
}

}  // namespace vanban::core::part
