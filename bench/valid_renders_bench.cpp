// The long form of the "valid ⇒ renders" property (tests/unit/valid_renders_test.cpp runs a few documents):
//   vanban-valid-renders-bench [COUNT]   (default 1000 documents per bundled template)
#include <cstdlib>
#include <iostream>

#include "valid_renders.hpp"

int main(int argc, char** argv) {
    const int count = argc > 1 ? std::atoi(argv[1]) : 1000;
    int failures = 0;
    for (const auto& t : vanban::bundled_templates()) {
        const auto outcome = vanban::property::check_valid_renders(t.name, count);
        std::cout << t.name << ": " << outcome.documents << " documents, " << outcome.valid << " valid, "
                  << outcome.rendered << " rendered, " << outcome.violations.size() << " violations\n";
        for (const auto& v : outcome.violations) std::cout << "  " << v.substr(0, 2000) << "\n";
        failures += static_cast<int>(outcome.violations.size());
    }
    return failures == 0 ? 0 : 1;
}
