// The entry point of every test executable: Boost.Test's runner, from the shared library. The
// suites themselves are in the other sources; CTest runs each with --run_test=<suite>.
#define BOOST_TEST_MODULE confcap
#include <boost/test/unit_test.hpp>

#include "confcap/tls/TlsModule.h"

// The test executables do not live beside the TLS module, as the program does: they name the one
// the build made.
struct UseTheBuiltTlsModule {
    UseTheBuiltTlsModule() { confcap::tls::useModuleFile(CONFCAP_TLS_MODULE); }
};
BOOST_TEST_GLOBAL_FIXTURE(UseTheBuiltTlsModule);
