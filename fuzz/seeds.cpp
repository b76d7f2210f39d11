// Writes the generated part of the seed corpora, so that no binary seed lives in the repository: every bundled
// template (DOCX and ODT, from templates/<name>/<format>/) as a zip archive and as a bundle carrying its example data,
// the visible paragraph text of each template as tag seeds, and every example data file.
//   vanban-fuzz-seeds <repository> <output directory>   → <output>/{template,tags,data}/...
#include <filesystem>
#include <fstream>
#include <iostream>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "targets.hpp"
#include "vanban/vanban.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// The text of every w:p / text:p / text:h, one per line (what a template author typed, tags included).
void paragraph_lines(xmlNode* node, std::string& out) {
    for (xmlNode* c = node; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        const std::string name = reinterpret_cast<const char*>(c->name);
        if (name == "p" || name == "h") {
            xmlChar* text = xmlNodeGetContent(c);
            if (text) out += reinterpret_cast<const char*>(text);
            xmlFree(text);
            out += '\n';
            continue;
        }
        paragraph_lines(c->children, out);
    }
}

std::string visible_text(const std::string& xml) {
    std::string out;
    if (xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "part", nullptr, XML_PARSE_NONET)) {
        paragraph_lines(xmlDocGetRootElement(doc), out);
        xmlFreeDoc(doc);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: vanban-fuzz-seeds REPOSITORY OUTPUT\n";
        return 2;
    }
    const fs::path repo = argv[1], out = argv[2];
    int written = 0;
    for (const auto& entry : fs::directory_iterator(repo / "templates")) {
        if (!entry.is_directory()) continue;
        const std::string name = entry.path().filename().string();
        const std::string example =
            fs::exists(entry.path() / "example.json") ? slurp(entry.path() / "example.json") : "{}";
        for (const char* format : {"docx", "odt"}) {
            const fs::path dir = entry.path() / format;
            if (!fs::is_directory(dir)) continue;
            spit(out / "template" / (name + "-" + format + ".zip"), vanban::pack_directory(dir.string()));
            std::vector<std::pair<std::string, std::string>> parts;
            std::vector<fs::path> files;
            for (const auto& f : fs::recursive_directory_iterator(dir))
                if (f.is_regular_file()) files.push_back(f.path());
            std::sort(files.begin(), files.end());
            std::string story;
            for (const auto& f : files) {
                const std::string relative = fs::relative(f, dir).generic_string();
                parts.emplace_back(relative, slurp(f));
                if (relative == "word/document.xml" || relative == "content.xml")
                    story = visible_text(parts.back().second);
            }
            parts.emplace_back("@data", example);
            spit(out / "template" / (name + "-" + format + ".bundle"), vanban::fuzz::make_bundle(parts));
            spit(out / "tags" / (name + "-" + format + ".txt"),
                 vanban::fuzz::make_bundle({{"@text", story}, {"@data", example}}));
            written += 3;
        }
        if (example != "{}") {
            spit(out / "data" / (name + ".json"), example);
            ++written;
        }
    }
    for (const auto& f : fs::recursive_directory_iterator(repo / "examples")) {
        if (!f.is_regular_file()) continue;
        const std::string ext = f.path().extension().string();
        const std::string flat = fs::relative(f.path(), repo / "examples").generic_string();
        std::string file = flat;
        std::replace(file.begin(), file.end(), '/', '-');
        if (ext == ".json") spit(out / "data" / file, slurp(f.path()));
        if (ext == ".json" || ext == ".jsonl" || ext == ".csv") spit(out / "records" / file, slurp(f.path()));
        else continue;
        ++written;
    }
    std::cout << "vanban-fuzz-seeds: " << written << " seeds in " << out.string() << "\n";
    return 0;
}
