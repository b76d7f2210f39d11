// Uses vanban's C++ API from an installed package: consumer TEMPLATE DATA.json OUT.docx
#include <iostream>

#include <vanban/vanban.hpp>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: " << argv[0] << " TEMPLATE DATA.json OUT.docx\n";
        return 2;
    }
    try {
        const vanban::Template tpl = vanban::Template::from_file(argv[1]);  // compile once
        const vanban::Data data = vanban::Data::from_file(argv[2]);          // JSON with line:column positions
        const std::string document = tpl.render(data);                       // errors point into the data file
        vanban::write_file_atomic(argv[3], document);
        std::cout << "vanban " << vanban::version() << ": wrote " << argv[3] << " (" << document.size() << " bytes, "
                  << tpl.inspect().loops.size() << " loops)\n";
        return 0;
    } catch (const vanban::Error& e) {
        for (const auto& d : e.diagnostics()) std::cout << vanban::to_string(d.kind) << ": " << d.to_string() << "\n";
        std::cout << vanban::diagnostics_to_json(e.diagnostics()).dump() << "\n";
        return 1;
    }
}
