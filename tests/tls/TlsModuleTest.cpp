// The TLS module as the loader meets it: loaded once on first use, and refusing to serve a
// program built against another interface (an upgrade that replaced it under a running program).
#include <dlfcn.h>

#include <boost/test/unit_test.hpp>

#include "confcap/tls/TlsModule.h"

BOOST_AUTO_TEST_SUITE(TlsModuleTest)

BOOST_AUTO_TEST_CASE(theModuleIsLoadedOnceAndServesItsOwnInterfaceOnly) {
    const confcap::tls::Module& module = confcap::tls::module();
    BOOST_TEST(confcap::tls::loaded());
    BOOST_TEST(&confcap::tls::module() == &module);

    void* handle = ::dlopen(CONFCAP_TLS_MODULE, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    BOOST_TEST_REQUIRE(handle != nullptr, "module() left the module loaded");
    using Entry = const confcap::tls::Module* (*)(const char*);
    const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "confcap_tls_module"));
    BOOST_TEST_REQUIRE(entry != nullptr);
    BOOST_TEST(entry(confcap::tls::kInterface) == &module);
    BOOST_TEST(entry("0.0.0/tls-0") == nullptr);
    BOOST_TEST(entry(nullptr) == nullptr);
    ::dlclose(handle);
}

BOOST_AUTO_TEST_CASE(aClientContextIsSharedPerCaFile) {
    const auto& module = confcap::tls::module();
    const auto system = module.clientContext("");
    BOOST_TEST(system != nullptr);
    BOOST_TEST(module.clientContext("") == system);
    const auto own = module.clientContext(CONFCAP_DATA_DIR "/tls/localhost.crt");
    BOOST_TEST(own != nullptr);
    BOOST_TEST(own != system);
}

BOOST_AUTO_TEST_SUITE_END()
