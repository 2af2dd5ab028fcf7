// Writes the manual page or the bash completion at build time: `confcap_docs man FILE` or
// `confcap_docs bash-completion FILE`.
#include <fstream>
#include <iostream>
#include <string_view>

#include "confcap/app/ManPage.h"

int main(int argc, char** argv) {
    const std::string_view what = argc == 3 ? argv[1] : "";
    if (what != "man" && what != "bash-completion") {
        std::cerr << "usage: confcap_docs man|bash-completion FILE\n";
        return 64;
    }
    std::ofstream out(argv[2], std::ios::binary | std::ios::trunc);
    if (what == "man") {
        confcap::app::writeManPage(out);
    } else {
        confcap::app::writeBashCompletion(out);
    }
    out.close();
    if (!out) {
        std::cerr << "confcap_docs: cannot write " << argv[2] << "\n";
        return 73;
    }
    return 0;
}
