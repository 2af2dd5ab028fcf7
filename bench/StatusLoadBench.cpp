// For bench/status-load.sh: the status server under a crowd on loopback. It serves a folder of
// recordings while N connections send half a request and wait (re-opened as soon as the server
// drops one, as a slowloris client does), M clients download recordings at a thin rate, and a
// probe asks /api/status every 100 ms on a new connection. Prints the probe's latencies, what the
// downloads got (and that it is byte for byte the file), the connections the server dropped, and
// the process's threads. Every client talks to 127.0.0.1 only and stops after --seconds.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "confcap/status/StatusServer.h"
#include "support/FakeClock.h"
#include "support/LoadClients.h"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace confcap::testing;

namespace {

struct Settings {
    std::size_t halfOpen = 1000;
    std::size_t downloads = 20;
    std::size_t fileMiB = 4;
    std::size_t rateKiB = 320;  // per download, KiB/s
    int seconds = 20;
    int headTimeout = 5;  // the server's, in seconds
};

Settings parse(int argc, char** argv) {
    Settings s;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string name = argv[i];
        const auto value = std::strtoul(argv[i + 1], nullptr, 10);
        if (name == "--half-open") {
            s.halfOpen = value;
        } else if (name == "--downloads") {
            s.downloads = value;
        } else if (name == "--file-mib") {
            s.fileMiB = value;
        } else if (name == "--rate-kib") {
            s.rateKiB = value;
        } else if (name == "--seconds") {
            s.seconds = static_cast<int>(value);
        } else if (name == "--head-timeout") {
            s.headTimeout = static_cast<int>(value);
        } else {
            std::cerr << "unknown option " << name << "\n";
            std::exit(64);
        }
    }
    return s;
}

std::string bytesFor(std::size_t size, unsigned seed) {
    std::string bytes(size, '\0');
    std::uint32_t state = seed * 2654435761u + 1;
    for (auto& b : bytes) {
        state = state * 1664525u + 1013904223u;
        b = static_cast<char>(state >> 24);
    }
    return bytes;
}

/// The slowloris crowd: keeps `count` half-open connections, 25 per loopback address,
/// re-opening each one the server drops.
class Crowd {
public:
    Crowd(std::uint16_t port, std::size_t count) : port_(port), fds_(count, -1) { refill(); }
    ~Crowd() {
        for (const int fd : fds_) {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    }
    /// Re-opens what the server dropped; how many that were.
    std::size_t refill() {
        std::size_t reopened = 0;
        for (std::size_t i = 0; i < fds_.size(); ++i) {
            if (fds_[i] >= 0 && !closedByPeer(fds_[i])) {
                continue;
            }
            if (fds_[i] >= 0) {
                ::close(fds_[i]);
                ++reopened;
            }
            const auto host = i / 25;
            fds_[i] = connectFrom(
                "127.0." + std::to_string(1 + host / 250) + "." + std::to_string(1 + host % 250),
                port_);
            if (fds_[i] >= 0) {
                sendAll(fds_[i], "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow");
            }
        }
        return reopened;
    }
    std::size_t open() const {
        return static_cast<std::size_t>(
            std::count_if(fds_.begin(), fds_.end(), [](int fd) { return fd >= 0; }));
    }

private:
    std::uint16_t port_;
    std::vector<int> fds_;
};

int threadsOfThisProcess() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("Threads:", 0) == 0) {
            return std::stoi(line.substr(8));
        }
    }
    return 0;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    return values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
    const auto settings = parse(argc, argv);
    const auto files = raiseOpenFileLimit();
    std::string pattern = (fs::temp_directory_path() / "confcap-status-bench-XXXXXX").string();
    const fs::path folder = ::mkdtemp(pattern.data());
    const auto out = folder / "out";
    fs::create_directories(out);
    std::vector<std::string> contents;
    for (std::size_t i = 0; i < settings.downloads; ++i) {
        contents.push_back(bytesFor(settings.fileMiB << 20, static_cast<unsigned>(i)));
        std::ofstream(out / ("talk-" + std::to_string(i) + ".ts"), std::ios::binary)
            << contents.back();
    }

    confcap::status::StatusBoard board;
    FakeClock clock{std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
    confcap::status::StatusServer::Options options;
    options.outputDir = out;
    options.headTimeout = std::chrono::seconds(settings.headTimeout);
    auto server = std::make_unique<confcap::status::StatusServer>(board, clock, options);
    const auto port = server->port();
    const int threadsBefore = threadsOfThisProcess();

    Crowd crowd(port, settings.halfOpen);
    const auto start = std::chrono::steady_clock::now();
    const auto chunk = settings.rateKiB * 1024 / 20;  // read every 50 ms
    std::vector<std::unique_ptr<SlowDownload>> downloads;
    for (std::size_t i = 0; i < settings.downloads; ++i) {
        downloads.push_back(
            std::make_unique<SlowDownload>(port, "/recordings/talk-" + std::to_string(i) + ".ts",
                                           "127.0.200." + std::to_string(1 + i % 250), chunk, 50ms,
                                           std::chrono::seconds(settings.seconds)));
    }
    std::vector<double> probes;
    std::size_t failedProbes = 0;
    std::size_t dropped = 0;
    int threadsDuring = 0;
    auto nextRefill = std::chrono::steady_clock::now() + 250ms;
    while (std::chrono::steady_clock::now() < start + std::chrono::seconds(settings.seconds)) {
        const auto probe = timedGet(port, "/api/status", 5000ms);
        if (probe.status == 200) {
            probes.push_back(probe.seconds * 1000);
        } else {
            ++failedProbes;
        }
        threadsDuring = std::max(threadsDuring, threadsOfThisProcess());
        if (std::chrono::steady_clock::now() >= nextRefill) {
            dropped += crowd.refill();
            nextRefill = std::chrono::steady_clock::now() + 250ms;
        }
        std::this_thread::sleep_for(100ms);
    }
    const auto metrics = timedGet(port, "/metrics");
    std::size_t bytes = 0;
    std::size_t identical = 0;
    std::size_t whole = 0;
    for (std::size_t i = 0; i < settings.downloads; ++i) {
        const auto& answer = downloads[i]->answer();
        bytes += answer.body.size();
        whole += answer.whole ? 1u : 0u;
        identical += contents[i].compare(0, answer.body.size(), answer.body) == 0 ? 1u : 0u;
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::size_t unchanged = 0;
    for (std::size_t i = 0; i < settings.downloads; ++i) {
        std::ifstream in(out / ("talk-" + std::to_string(i) + ".ts"), std::ios::binary);
        const std::string now{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        unchanged += now == contents[i] ? 1u : 0u;
    }
    std::printf("server: open-file limit %llu, %zu connections allowed, head timeout %d s\n",
                static_cast<unsigned long long>(files), server->maxConnections(),
                settings.headTimeout);
    std::printf(
        "crowd: %zu half-open connections kept (%zu open at the end), %zu dropped by the "
        "server and re-opened\n",
        settings.halfOpen, crowd.open(), dropped);
    std::printf(
        "/api/status: %zu probes, %zu failed; p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, "
        "max %.2f ms\n",
        probes.size(), failedProbes, percentile(probes, 0.5), percentile(probes, 0.95),
        percentile(probes, 0.99), percentile(probes, 1.0));
    std::printf("/metrics at the end: status %d in %.2f ms\n", metrics.status,
                metrics.seconds * 1000);
    std::printf(
        "downloads: %zu at %zu KiB/s each: %.1f MiB in %.1f s (%.0f KiB/s in all), %zu "
        "whole, %zu byte-identical so far, %zu files unchanged on disk\n",
        settings.downloads, settings.rateKiB, static_cast<double>(bytes) / (1 << 20), elapsed,
        static_cast<double>(bytes) / 1024 / elapsed, whole, identical, unchanged);
    std::printf(
        "threads of this process: %d before the crowd, at most %d during it (%zu of them "
        "the download clients)\n",
        threadsBefore, threadsDuring, settings.downloads);
    server.reset();
    fs::remove_all(folder);
    return failedProbes == 0 && identical == settings.downloads &&
                   unchanged == settings.downloads && percentile(probes, 1.0) < 1000
               ? 0
               : 1;
}
