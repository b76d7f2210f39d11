// Stage 8, make_sites: TagSpans → an OutputSite for every inline output tag: the Dialect describes the run it is
// written in (its properties for each emphasis, for rich text). Attribute tags inside those run properties are
// rendered with each value: their markers are renumbered to index OutputSite::prop_exprs.
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
            for (auto& props : site.run_props) {
                std::string resolved;
                std::size_t pos = 0;
                while (true) {
                    std::size_t m = props.find(kMarkOpen, pos);
                    if (m == std::string::npos) break;
                    std::size_t e = props.find(kMarkClose, m);
                    std::size_t ti = std::stoul(props.substr(m + kMarkOpen.size(), e - m - kMarkOpen.size()));
                    resolved.append(props, pos, m - pos);
                    auto [it, fresh] = expr_of_tag.emplace(ti, site.prop_exprs.size());
                    if (fresh) site.prop_exprs.push_back(std::shared_ptr<const core::Expr>(core::parse_statement(tags_[ti].token).expr));
                    resolved += marker(std::to_string(it->second));
                    pos = e + kMarkClose.size();
                }
                if (pos == 0) continue;
                resolved.append(props, pos, std::string::npos);
                props = std::move(resolved);
            }
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
