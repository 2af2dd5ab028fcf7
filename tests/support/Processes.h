// What runs on this machine, read from /proc: the processes whose command line mentions a path
// (a test's private folder), and the children of a process (zombies included).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace confcap::testing {

struct ProcessInfo {
    int pid = 0;
    int parent = 0;
    char state = '?';         ///< 'Z' for a zombie
    std::string commandLine;  ///< arguments joined by spaces
};

/// Every process but this one, as /proc shows them now.
inline std::vector<ProcessInfo> processes() {
    std::vector<ProcessInfo> all;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        ProcessInfo info;
        info.pid = std::stoi(name);
        if (info.pid == ::getpid()) {
            continue;
        }
        std::ifstream stat(entry.path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) {
            continue;  // it has gone
        }
        // "pid (comm) S ppid ...": comm may hold spaces and parentheses.
        const auto close = line.rfind(')');
        if (close == std::string::npos) {
            continue;
        }
        std::istringstream rest(line.substr(close + 1));
        rest >> info.state >> info.parent;
        std::ifstream cmdline(entry.path() / "cmdline", std::ios::binary);
        std::string arg;
        while (std::getline(cmdline, arg, '\0')) {
            info.commandLine += (info.commandLine.empty() ? "" : " ") + arg;
        }
        all.push_back(std::move(info));
    }
    return all;
}

/// The processes whose command line contains `text`.
inline std::vector<ProcessInfo> processesMentioning(const std::string& text) {
    std::vector<ProcessInfo> found;
    for (auto& p : processes()) {
        if (p.commandLine.find(text) != std::string::npos) {
            found.push_back(std::move(p));
        }
    }
    return found;
}

/// The children of `pid`, zombies included.
inline std::vector<ProcessInfo> childrenOf(int pid) {
    std::vector<ProcessInfo> found;
    for (auto& p : processes()) {
        if (p.parent == pid) {
            found.push_back(std::move(p));
        }
    }
    return found;
}

}  // namespace confcap::testing
