#include "confcap/app/ConfcapApp.h"

int main(int argc, char** argv) {
    return confcap::app::ConfcapApp::runMain(argc, argv);
}
