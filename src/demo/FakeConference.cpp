#include "confcap/demo/FakeConference.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <date/tz.h>

#include <sstream>

namespace confcap::demo {

namespace {

std::string escaped(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string hms(std::chrono::seconds d) {
    char buffer[32];
    const auto s = d.count();
    std::snprintf(buffer, sizeof buffer, "%02lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60), static_cast<long long>(s % 60));
    return buffer;
}

}  // namespace

std::string FakeConference::scheduleXml(const std::vector<FakeRoom>& rooms,
                                        const std::vector<FakeTalk>& talks,
                                        std::chrono::system_clock::time_point start, int version) {
    const auto* zone = date::locate_zone("Europe/Berlin");
    const auto at = [&](std::chrono::seconds offset) {
        return date::zoned_time<std::chrono::seconds>(
            zone, date::floor<std::chrono::seconds>(start) + offset);
    };
    const auto day = at(std::chrono::seconds(0));
    std::ostringstream xml;
    xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<schedule>\n"
        << "  <generator name=\"confcap-demo\" version=\"1\"/>\n"
        << "  <version>" << version << "</version>\n"
        << "  <conference>\n    <acronym>fakecon</acronym>\n"
        << "    <title>confcap Demo Conference</title>\n"
        << "    <start>" << date::format("%Y-%m-%d", day) << "</start>\n"
        << "    <end>" << date::format("%Y-%m-%d", day) << "</end>\n"
        << "    <days>1</days>\n    <timeslot_duration>00:05</timeslot_duration>\n"
        << "    <time_zone_name>Europe/Berlin</time_zone_name>\n  </conference>\n"
        << "  <day index=\"1\" date=\"" << date::format("%Y-%m-%d", day) << "\" start=\""
        << date::format("%Y-%m-%dT%H:%M:%S%Ez", at(-std::chrono::hours(1))) << "\" end=\""
        << date::format("%Y-%m-%dT%H:%M:%S%Ez", at(std::chrono::hours(6))) << "\">\n";
    int id = 1;
    for (const auto& room : rooms) {
        xml << "    <room name=\"" << escaped(room.name) << "\">\n";
        for (const auto& talk : talks) {
            if (talk.room != room.name) {
                continue;
            }
            const auto begins = at(talk.start);
            xml << "      <event id=\"" << id++ << "\" guid=\"" << escaped(talk.guid) << "\">\n"
                << "        <date>" << date::format("%Y-%m-%dT%H:%M:%S%Ez", begins) << "</date>\n"
                << "        <start>" << date::format("%H:%M", begins) << "</start>\n"
                << "        <duration>" << hms(talk.duration) << "</duration>\n"
                << "        <room>" << escaped(room.name) << "</room>\n"
                << "        <title>" << escaped(talk.title) << "</title>\n"
                << "        <subtitle/>\n        <track>Demo</track>\n"
                << "        <type>Talk</type>\n        <language>en</language>\n"
                << "        <recording><license/><optout>" << (talk.optout ? "true" : "false")
                << "</optout></recording>\n"
                << "        <persons><person id=\"1\">Demo Speaker</person></persons>\n"
                << "      </event>\n";
        }
        xml << "    </room>\n";
    }
    xml << "  </day>\n</schedule>\n";
    return xml.str();
}

FakeConference::FakeConference(const MediaClip& clip, std::vector<FakeRoom> rooms,
                               std::vector<FakeTalk> talks,
                               std::chrono::system_clock::time_point start)
    : rooms_(std::move(rooms)), start_(start) {
    std::vector<StreamSpec> specs;
    for (const auto& room : rooms_) {
        specs.push_back(room.stream);
    }
    streams_ = std::make_unique<FakeStreamServer>(clip, std::move(specs));
    document_ = scheduleXml(rooms_, talks, start_, version_);
    scheduleServer_ = std::make_unique<LoopbackServer>(
        [this](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
            ++fetches_;
            std::string body;
            std::string etag;
            {
                std::lock_guard lock(mutex_);
                body = document_;
                etag = "\"v" + std::to_string(version_) + "\"";
            }
            response.set("ETag", etag);
            if (request.get("If-None-Match", "") == etag) {
                response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_MODIFIED);
                response.send();
                return;
            }
            response.setContentType("application/xml; charset=utf-8");
            response.setContentLength(static_cast<std::streamsize>(body.size()));
            response.send() << body;
        });
}

FakeConference::~FakeConference() = default;

std::string FakeConference::scheduleUrl() const {
    return scheduleServer_->url("/schedule.xml");
}

std::vector<std::string> FakeConference::streamOptions() const {
    std::vector<std::string> options;
    for (const auto& room : rooms_) {
        options.push_back(room.name + "=" + streams_->url(room.stream.name));
    }
    return options;
}

void FakeConference::setTalks(std::vector<FakeTalk> talks) {
    std::lock_guard lock(mutex_);
    ++version_;
    document_ = scheduleXml(rooms_, talks, start_, version_);
}

std::size_t FakeConference::scheduleFetches() const {
    return fetches_;
}

}  // namespace confcap::demo
