// A finished talk's file knows what it holds: the talk's tags and chapters in a remuxed mkv or
// mp4 (every stream kept), its name in an MPEG-TS file's service description, a Kodi/Jellyfin
// .nfo beside it; a remux that fails keeps the file as recorded. Checked with ffprobe on real
// files made by ffmpeg.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <boost/test/unit_test.hpp>
#include <pugixml.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "confcap/core/Clock.h"
#include "confcap/core/Time.h"
#include "confcap/sink/FileCheck.h"
#include "confcap/sink/FileTags.h"
#include "confcap/sink/PartSet.h"
#include "confcap/sink/TalkSink.h"
#include "confcap/sink/TsServiceTags.h"
#include "support/FakeClock.h"
#include "support/MediaTestSupport.h"
#include "support/RunProcess.h"

BOOST_AUTO_TEST_SUITE(FinishingTest)

namespace fs = std::filesystem;
using confcap::sink::Container;
using confcap::sink::TalkMetadata;
using confcap::sink::TalkSink;
using confcap::sink::TalkSinkConfig;
using confcap::testing::FakeClock;
using confcap::testing::readFile;
using confcap::testing::runProcess;
using confcap::testing::TempDir;
using namespace std::chrono_literals;

namespace {

const std::string kTitle = "Ein \"Zitat\" über Äpfel; #1 = \\ <b>";
const auto kWindowStart =
    std::chrono::system_clock::time_point(date::sys_days{date::year{2024} / 12 / 27} + 10h + 25min);
/// When the first media arrives: two seconds before the talk.
const auto kFirstData = kWindowStart + 4min + 58s;

TalkMetadata talk() {
    TalkMetadata t;
    t.id = "1234";
    t.guid = "5b1c8f5e-7f4e-4a35-9d7e-2f1e7c0a1234";
    t.title = kTitle;
    t.subtitle = "Warum Bäume wachsen";
    t.room = "Saal 1";
    t.track = "Science";
    t.language = "de";
    t.start = confcap::core::parseIsoInstant("2024-12-27T10:30:00Z");
    t.end = confcap::core::parseIsoInstant("2024-12-27T10:30:02Z");
    t.durationSeconds = 2;
    t.persons = {"Jürgen Müller", "Ada"};
    t.url = "https://events.example/38c3/talk/ABC/";
    t.abstract = "Zeile eins.\nZeile <zwei> & \"drei\".";
    t.conference = "38th Chaos Communication Congress";
    t.date = "2024-12-27";
    return t;
}

std::string encode(const fs::path& folder, const std::string& name,
                   std::vector<std::string> options) {
    std::vector<std::string> args = {
        "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f",           "lavfi",     "-i",    "testsrc=size=160x90:rate=25",
        "-f",           "lavfi",     "-i",    "sine=frequency=440",
        "-t",           "6"};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back((folder / name).string());
    const auto result = runProcess("/usr/bin/ffmpeg", args);
    BOOST_TEST_REQUIRE(result.exitCode == 0, result.err);
    return readFile(folder / name);
}

/// Six seconds of video with two audio renditions (deu, eng), as an HLS master with EXT-X-MEDIA
/// delivers them.
struct Media {
    TempDir dir;
    std::string video, german, english, muxed;
    Media() {
        video = encode(dir.path, "video.ts", {"-an", "-c:v", "mpeg2video", "-f", "mpegts"});
        german = encode(dir.path, "deu.ts", {"-vn", "-c:a", "mp2", "-f", "mpegts"});
        english = encode(dir.path, "eng.ts", {"-vn", "-c:a", "mp2", "-f", "mpegts"});
        muxed = encode(dir.path, "muxed.ts", {"-c:v", "mpeg2video", "-c:a", "mp2", "-f", "mpegts"});
    }
};

const Media& media() {
    static const Media instance;
    return instance;
}

TalkSinkConfig configIn(const fs::path& outDir, std::optional<Container> container) {
    TalkSinkConfig config;
    config.outDir = outDir;
    config.relativeStem = "talk";
    config.windowStart = kWindowStart;
    config.windowEnd = kWindowStart + 45min;
    config.minDuration = 1s;
    config.streamUrl = "http://127.0.0.1:8080/saal1.m3u8";
    config.talk = talk();
    config.container = container;
    return config;
}

/// Records the video and both renditions as one HLS piece and finalizes.
confcap::sink::FinalizeResult recordWithRenditions(
    const TalkSinkConfig& config,
    confcap::sink::PieceMerger merger = confcap::sink::PieceMerger()) {
    FakeClock clock(kFirstData);
    TalkSink sink(config, clock, std::move(merger));
    const confcap::core::StreamFormat ts{"ts", true};
    sink.beginPiece(ts, false);
    sink.beginTrack({1, "Native", "deu"}, ts);
    sink.beginTrack({2, "Translated", "eng"}, ts);
    auto write = [&](int track, const std::string& bytes) {
        confcap::core::Chunk chunk;
        chunk.bytes = bytes;
        chunk.track = track;
        chunk.kind = confcap::core::ChunkKind::SegmentStart;
        chunk.mediaSeconds = 6;
        sink.write(chunk);
    };
    write(0, media().video);
    write(1, media().german);
    write(2, media().english);
    clock.advance(6s);
    return sink.finalize("window ended");
}

std::string ffprobe(const fs::path& file, const std::vector<std::string>& what) {
    std::vector<std::string> args = {"-v", "error"};
    args.insert(args.end(), what.begin(), what.end());
    args.push_back(file.string());
    const auto result = runProcess("/usr/bin/ffprobe", args);
    BOOST_TEST_REQUIRE(result.exitCode == 0, "ffprobe failed on " << file << ": " << result.err);
    return result.out;
}

/// ffprobe's JSON about a file: format tags, chapters, streams.
Poco::JSON::Object::Ptr probeJson(const fs::path& file) {
    Poco::JSON::Parser parser;
    return parser
        .parse(ffprobe(file, {"-of", "json", "-show_format", "-show_chapters", "-show_streams",
                              "-show_programs"}))
        .extract<Poco::JSON::Object::Ptr>();
}

/// A format tag, whatever case the container stores its key in.
std::string formatTag(const Poco::JSON::Object::Ptr& probe, const std::string& key) {
    const auto tags = probe->getObject("format")->getObject("tags");
    if (!tags) {
        return {};
    }
    for (const auto& [name, value] : *tags) {
        std::string lower = name;
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (lower == key) {
            return value.toString();
        }
    }
    return {};
}

std::vector<std::string> chapterTitles(const Poco::JSON::Object::Ptr& probe) {
    std::vector<std::string> titles;
    const auto chapters = probe->getArray("chapters");
    for (std::size_t i = 0; chapters && i < chapters->size(); ++i) {
        const auto chapter = chapters->getObject(static_cast<unsigned>(i));
        titles.push_back(chapter->getObject("tags")->getValue<std::string>("title"));
    }
    return titles;
}

/// "codec_type:language" of every stream, in order ("und" as no language).
std::vector<std::string> streamsOf(const Poco::JSON::Object::Ptr& probe) {
    std::vector<std::string> streams;
    const auto array = probe->getArray("streams");
    for (std::size_t i = 0; array && i < array->size(); ++i) {
        const auto stream = array->getObject(static_cast<unsigned>(i));
        const auto tags = stream->getObject("tags");
        auto language =
            tags && tags->has("language") ? tags->getValue<std::string>("language") : std::string();
        streams.push_back(stream->getValue<std::string>("codec_type") + ":" +
                          (language == "und" ? std::string() : language));
    }
    return streams;
}

Poco::JSON::Object::Ptr readJson(const fs::path& path) {
    Poco::JSON::Parser parser;
    return parser.parse(readFile(path)).extract<Poco::JSON::Object::Ptr>();
}

std::uint64_t sizeOf(const fs::path& file) {
    return static_cast<std::uint64_t>(fs::file_size(file));
}

}  // namespace

BOOST_AUTO_TEST_CASE(containerNamesAreTheOptionsValues) {
    BOOST_TEST((confcap::sink::containerNamed("MKV") == Container::Matroska));
    BOOST_TEST((confcap::sink::containerNamed("mp4") == Container::Mp4));
    BOOST_TEST((confcap::sink::containerNamed("ts") == Container::AsRecorded));
    BOOST_TEST(!confcap::sink::containerNamed("avi").has_value());
    BOOST_TEST(confcap::sink::extensionIn(Container::AsRecorded, "webm") == "webm");
    BOOST_TEST(confcap::sink::extensionIn(Container::Mp4, "ts") == "mp4");
}

BOOST_AUTO_TEST_CASE(chaptersMarkTheTalkInsideThePadding) {
    const auto tags = confcap::sink::fileTagsFor(talk(), "mkv", kFirstData, 6.0);
    BOOST_REQUIRE_EQUAL(tags.chapters.size(), 3u);
    BOOST_TEST(tags.chapters[0].title == "Before the talk");
    BOOST_TEST(tags.chapters[0].endSeconds == 2.0);
    BOOST_TEST(tags.chapters[1].title == kTitle);
    BOOST_TEST(tags.chapters[1].startSeconds == 2.0);
    BOOST_TEST(tags.chapters[1].endSeconds == 4.0);
    BOOST_TEST(tags.chapters[2].title == "After the talk");
    BOOST_TEST(tags.chapters[2].endSeconds == 6.0);
    // A recording that began after the talk started has no "before" chapter.
    const auto late = confcap::sink::fileTagsFor(talk(), "mkv", kFirstData + 3s, 6.0);
    BOOST_REQUIRE_EQUAL(late.chapters.size(), 2u);
    BOOST_TEST(late.chapters[0].title == kTitle);
    BOOST_TEST(late.chapters[0].startSeconds == 0.0);
    // MPEG-TS carries the service name and provider only.
    const auto ts = confcap::sink::fileTagsFor(talk(), "ts", kFirstData, 6.0);
    BOOST_TEST(ts.chapters.empty());
    BOOST_REQUIRE_EQUAL(ts.tags.size(), 2u);
    BOOST_TEST(ts.tags[0].second == kTitle);
    BOOST_TEST(ts.tags[1].second == "38th Chaos Communication Congress");
}

BOOST_AUTO_TEST_CASE(metadataFileEscapesWhatFfmpegReadsAsSyntax) {
    confcap::sink::FileTags tags;
    tags.tags = {{"title", "a=b;c#d\\e"}, {"description", "one\ntwo\x01"}};
    tags.chapters = {{1.5, 2.25, "x=y"}};
    BOOST_TEST(confcap::sink::ffmetadataText(tags) ==
               ";FFMETADATA1\ntitle=a\\=b\\;c\\#d\\\\e\ndescription=one\\\ntwo\n"
               "[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=2250\ntitle=x\\=y\n");
}

BOOST_AUTO_TEST_CASE(nfoIsXmlAMediaServerReads) {
    auto hostile = talk();
    hostile.title += "\x01\x1b[31m\xff";
    pugi::xml_document document;
    const auto parsed = document.load_string(confcap::sink::nfoText(hostile).c_str());
    BOOST_TEST_REQUIRE(static_cast<bool>(parsed), parsed.description());
    const auto movie = document.child("movie");
    BOOST_TEST(std::string(movie.child_value("title")) == kTitle + "[31m\xEF\xBF\xBD");
    BOOST_TEST(std::string(movie.child_value("plot")) == "Zeile eins.\nZeile <zwei> & \"drei\".");
    BOOST_TEST(std::string(movie.child_value("premiered")) == "2024-12-27");
    BOOST_TEST(std::string(movie.child_value("year")) == "2024");
    BOOST_TEST(std::string(movie.child_value("studio")) == "38th Chaos Communication Congress");
    BOOST_TEST(std::string(movie.child_value("tag")) == "Science");
    BOOST_TEST(std::string(movie.child_value("runtime")) == "1");
    std::vector<std::string> speakers;
    for (const auto& actor : movie.children("actor")) {
        speakers.emplace_back(actor.child_value("name"));
        BOOST_TEST(std::string(actor.child_value("role")) == "Speaker");
    }
    BOOST_TEST(speakers == (std::vector<std::string>{"Jürgen Müller", "Ada"}),
               boost::test_tools::per_element());
    BOOST_TEST(std::string(movie.child("uniqueid").attribute("type").value()) == "confcap");
}

BOOST_AUTO_TEST_CASE(mpegTsGetsTheTalksNameInPlaceAndKeepsEveryOtherByte) {
    TempDir temp;
    const auto file = confcap::testing::writeFile(temp.path / "talk.ts", media().muxed);
    BOOST_TEST(confcap::sink::nameServiceInPlace(file, {kTitle, "38C3"}).sections > 0u);
    const auto tagged = readFile(file);
    BOOST_TEST(tagged.size() == media().muxed.size());
    BOOST_TEST(confcap::testing::withoutServiceTable(tagged) ==
               confcap::testing::withoutServiceTable(media().muxed));
    const auto probe = probeJson(file);
    const auto programs = probe->getArray("programs");
    BOOST_TEST_REQUIRE(programs->size() == 1u);
    const auto tags = programs->getObject(0)->getObject("tags");
    BOOST_TEST_REQUIRE(tags);
    BOOST_TEST(tags->getValue<std::string>("service_name") == kTitle);
    BOOST_TEST(tags->getValue<std::string>("service_provider") == "38C3");
    BOOST_TEST(streamsOf(probe).size() == 2u);
    // Named twice, the second name wins; nothing else changes.
    BOOST_TEST(confcap::sink::nameServiceInPlace(file, {"Zweiter Titel", "38C3"}).sections > 0u);
    BOOST_TEST(readFile(file).size() == media().muxed.size());
}

BOOST_AUTO_TEST_CASE(aFileOfManyReadsIsNamedThroughout) {
    // The clip over and over, far longer than one read, so that packets (the SDT ones among
    // them) straddle the reads at every offset the clip's length gives.
    TempDir temp;
    const auto& clip = media().muxed;
    const auto once = confcap::testing::writeFile(temp.path / "once.ts", clip);
    const std::size_t sections = confcap::sink::nameServiceInPlace(once, {kTitle, "38C3"}).sections;
    BOOST_TEST_REQUIRE(sections > 0u);
    std::string input;
    std::size_t repeats = 0;
    for (; input.size() < 1024 * 1024; ++repeats) {
        input += clip;
    }
    const auto file = confcap::testing::writeFile(temp.path / "long.ts", input);
    const auto named = confcap::sink::nameServiceInPlace(file, {kTitle, "38C3"});
    BOOST_TEST(named.sections == sections * repeats);
    const auto tagged = readFile(file);
    BOOST_TEST_REQUIRE(tagged.size() == input.size());
    // The check made on the way is the one of the file as it is left.
    BOOST_TEST((named.check == confcap::sink::fileCheckOf(file)));
    // Each copy of the clip is named as the clip alone is.
    const auto namedOnce = readFile(once);
    for (std::size_t at = 0; at < tagged.size(); at += clip.size()) {
        BOOST_TEST_REQUIRE(tagged.compare(at, clip.size(), namedOnce) == 0, "at byte " << at);
    }
}

BOOST_AUTO_TEST_CASE(aStreamWithoutServiceDescriptionIsLeftAsItIs) {
    TempDir temp;
    const auto bare = confcap::testing::withoutServiceTable(media().muxed);
    const auto file = confcap::testing::writeFile(temp.path / "bare.ts", bare);
    BOOST_TEST(confcap::sink::nameServiceInPlace(file, {kTitle, "38C3"}).sections == 0u);
    BOOST_TEST(readFile(file) == bare);
    const auto text = confcap::testing::writeFile(temp.path / "text.ts", std::string(5000, 'a'));
    BOOST_TEST(confcap::sink::nameServiceInPlace(text, {kTitle, "38C3"}).sections == 0u);
    BOOST_TEST(readFile(text) == std::string(5000, 'a'));
}

BOOST_AUTO_TEST_CASE(bytesThatAreNotWholePacketsAreSkippedOver) {
    // A progressive dump cut inside a packet, then continued: junk at the start, a packet cut
    // short in the middle, half a packet at the end.
    TempDir temp;
    const auto& clip = media().muxed;
    const std::string input =
        "junk" + clip.substr(0, 188 * 10 + 77) + clip.substr(188 * 10) + clip.substr(0, 100);
    const auto file = confcap::testing::writeFile(temp.path / "cut.ts", input);
    const auto named = confcap::sink::nameServiceInPlace(file, {kTitle, "38C3"});
    BOOST_TEST(named.sections > 0u);
    const auto tagged = readFile(file);
    BOOST_TEST((named.check == confcap::sink::fileCheckOf(file)));
    BOOST_TEST(tagged.size() == input.size());
    BOOST_TEST(tagged.substr(0, 4) == "junk");
    BOOST_TEST(tagged.substr(tagged.size() - 100) == input.substr(input.size() - 100));
    BOOST_TEST(confcap::testing::withoutServiceTable(tagged) ==
               confcap::testing::withoutServiceTable(input));
}

/// A progressive dump's worth of MPEG-TS: junk, a packet cut short, the clip over and over
/// (past 1 MiB, so that SDT packets fall across pieces at many offsets), half a packet.
std::string cutAndRepeated() {
    const auto& clip = media().muxed;
    std::string input = "junk" + clip.substr(0, 188 * 10 + 77) + clip.substr(188 * 10);
    while (input.size() < 1024 * 1024) {
        input += clip;
    }
    return input + clip.substr(0, 100);
}

BOOST_AUTO_TEST_CASE(aFileNamedAsItIsWrittenEndsAsOneNamedAfterwards) {
    TempDir temp;
    const auto input = cutAndRepeated();
    const auto after = confcap::testing::writeFile(temp.path / "after.ts", input);
    const auto namedAfter = confcap::sink::nameServiceInPlace(after, {kTitle, "38C3"});
    BOOST_TEST_REQUIRE(namedAfter.sections > 0u);
    // Written in pieces of every size around a packet's, each fed to the namer once written.
    const auto path = temp.path / "written.ts";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    BOOST_TEST_REQUIRE(fd >= 0);
    confcap::sink::TsServiceNamer namer(fd, {kTitle, "38C3"});
    const std::vector<std::size_t> sizes = {1, 3, 187, 188, 189, 200, 376, 377, 4096, 65536, 5};
    std::size_t at = 0;
    for (std::size_t n = 0; at < input.size(); ++n) {
        const auto piece = std::string_view(input).substr(at, sizes[n % sizes.size()]);
        BOOST_TEST_REQUIRE(::write(fd, piece.data(), piece.size()) ==
                           static_cast<ssize_t>(piece.size()));
        BOOST_TEST_REQUIRE(namer.feed(piece));
        at += piece.size();
    }
    const auto named = namer.finish();
    ::close(fd);
    BOOST_TEST_REQUIRE(named.has_value());
    BOOST_TEST(named->sections == namedAfter.sections);
    BOOST_TEST((named->check == namedAfter.check));
    BOOST_TEST((named->check == confcap::sink::fileCheckOf(path)));
    BOOST_TEST(readFile(path) == readFile(after));
}

BOOST_AUTO_TEST_CASE(aPartNamedAsItIsWrittenIsKnownByItsNamesAndSize) {
    TempDir temp;
    const auto input = cutAndRepeated();
    const confcap::sink::TsService names{kTitle, "38C3"};
    confcap::sink::PartSet parts(temp.path, "talk");
    parts.nameServiceAsWritten(names);
    parts.openPiece({"ts", true}, false);
    for (std::size_t at = 0; at < input.size(); at += 100000) {
        std::size_t written = 0;
        BOOST_TEST_REQUIRE(parts.append(0, input.substr(at, 100000), written) == 0);
    }
    const auto file = parts.pathOf(parts.list().pieces.back().tracks.front());
    // Known only once the file is closed: its last packet is decided at its end.
    BOOST_TEST(!parts.namedAsWritten(file, names));
    parts.closeFiles();
    const auto named = parts.namedAsWritten(file, names);
    BOOST_TEST_REQUIRE(named.has_value());
    BOOST_TEST((named->check == confcap::sink::fileCheckOf(file)));
    const auto after = confcap::testing::writeFile(temp.path / "after.ts", input);
    BOOST_TEST(named->sections == confcap::sink::nameServiceInPlace(after, names).sections);
    BOOST_TEST(readFile(file) == readFile(after));
    // Other names, or a file written to since, are named afresh when published.
    BOOST_TEST(!parts.namedAsWritten(file, {"Anderer Titel", "38C3"}));
    std::ofstream(file, std::ios::binary | std::ios::app) << "more";
    BOOST_TEST(!parts.namedAsWritten(file, names));
}

BOOST_AUTO_TEST_CASE(aRecordingKeptAsRecordedIsPublishedWithTheCheckOfItsNamedFile) {
    TempDir temp;
    FakeClock clock(kFirstData);
    TalkSink sink(configIn(temp.path, Container::AsRecorded), clock);
    sink.beginPiece({"ts", true}, false);
    const auto input = cutAndRepeated();
    for (std::size_t at = 0; at < input.size(); at += 65536) {
        confcap::core::Chunk chunk;
        chunk.bytes = std::string_view(input).substr(at, 65536);
        chunk.mediaSeconds =
            6.0 * static_cast<double>(chunk.bytes.size()) / static_cast<double>(input.size());
        sink.write(chunk);
    }
    clock.advance(6s);
    const auto result = sink.finalize("window ended");
    BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    const auto file = result.files.at(0);
    const auto tags = probeJson(file)->getArray("programs")->getObject(0)->getObject("tags");
    BOOST_TEST_REQUIRE(tags);
    BOOST_TEST(tags->getValue<std::string>("service_name") == kTitle);
    const auto check = readJson(result.sidecar)->getObject("fileCheck");
    BOOST_TEST_REQUIRE(check);
    const auto actual = confcap::sink::fileCheckOf(file);
    BOOST_TEST_REQUIRE(actual.has_value());
    BOOST_TEST(check->getValue<std::uint64_t>("bytes") == actual->bytes);
    BOOST_TEST(check->getValue<std::string>("xxh128") == actual->digest);
}

BOOST_AUTO_TEST_CASE(anSdtSectionHasTheLayoutAndCrcOfEn300468) {
    const auto section = confcap::sink::sdtSection(1, 0xFF01, 1, 0, "Talk", "Conf");
    // table 0x42, section_length, ids, version 0 current, one service with its descriptor.
    BOOST_TEST(static_cast<unsigned char>(section[0]) == 0x42u);
    const auto length = ((static_cast<unsigned char>(section[1]) & 0x0F) << 8) |
                        static_cast<unsigned char>(section[2]);
    BOOST_TEST(static_cast<std::size_t>(length) + 3 == section.size());
    BOOST_TEST(section.find(std::string("\x48\x0b\x01\x04"
                                        "Conf"
                                        "\x04"
                                        "Talk",
                                        13)) != std::string::npos);
    // The CRC over the whole section, CRC included, is 0 (CRC-32/MPEG-2).
    std::uint32_t crc = 0xFFFFFFFFu;
    for (char c : section) {
        crc ^= static_cast<std::uint32_t>(static_cast<unsigned char>(c)) << 24;
        for (int k = 0; k < 8; ++k) {
            crc = (crc & 0x80000000u) != 0 ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
        }
    }
    BOOST_TEST(crc == 0u);
}

BOOST_AUTO_TEST_CASE(anMkvKeepsEveryStreamWithTheTalksTagsAndChapters) {
    TempDir temp;
    const auto result = recordWithRenditions(configIn(temp.path, Container::Matroska));
    BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_REQUIRE_EQUAL(result.files.size(), 1u);
    BOOST_TEST(result.files[0] == temp.path / "talk.mkv");
    const auto probe = probeJson(result.files[0]);
    BOOST_TEST(probe->getObject("format")->getValue<std::string>("format_name") == "matroska,webm");
    BOOST_TEST(formatTag(probe, "title") == kTitle);
    BOOST_TEST(formatTag(probe, "artist") == "Jürgen Müller, Ada");
    BOOST_TEST(formatTag(probe, "album") == "38th Chaos Communication Congress");
    BOOST_TEST(formatTag(probe, "subtitle") == "Warum Bäume wachsen");
    BOOST_TEST(formatTag(probe, "room") == "Saal 1");
    BOOST_TEST(formatTag(probe, "url") == "https://events.example/38c3/talk/ABC/");
    BOOST_TEST(formatTag(probe, "description") == "Zeile eins.\nZeile <zwei> & \"drei\".");
    BOOST_TEST(chapterTitles(probe) ==
                   (std::vector<std::string>{"Before the talk", kTitle, "After the talk"}),
               boost::test_tools::per_element());
    BOOST_TEST(streamsOf(probe) == (std::vector<std::string>{"video:", "audio:deu", "audio:eng"}),
               boost::test_tools::per_element());
    const auto sidecar = readJson(result.sidecar);
    const auto container = sidecar->getObject("container");
    BOOST_TEST(container->getValue<std::string>("requested") == "mkv");
    BOOST_TEST(container->getValue<std::string>("format") == "mkv");
    BOOST_TEST(container->getValue<bool>("tagged"));
    BOOST_TEST(container->getValue<int>("chapters") == 3);
    BOOST_TEST(sidecar->getValue<std::string>("file") == "talk.mkv");
    BOOST_TEST(sidecar->getValue<std::uint64_t>("bytes") == sizeOf(result.files[0]));
    BOOST_TEST(!fs::exists(temp.path / "talk.ts"));
}

BOOST_AUTO_TEST_CASE(anMp4SeeksAtOnceAndKeepsEveryStreamWithTagsAndChapters) {
    TempDir temp;
    const auto result = recordWithRenditions(configIn(temp.path, Container::Mp4));
    BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_TEST(result.files.at(0) == temp.path / "talk.mp4");
    const auto probe = probeJson(result.files[0]);
    BOOST_TEST(formatTag(probe, "title") == kTitle);
    BOOST_TEST(formatTag(probe, "artist") == "Jürgen Müller, Ada");
    BOOST_TEST(formatTag(probe, "album") == "38th Chaos Communication Congress");
    BOOST_TEST(formatTag(probe, "genre") == "Science");
    BOOST_TEST(formatTag(probe, "comment") == "Saal 1, https://events.example/38c3/talk/ABC/");
    BOOST_TEST(chapterTitles(probe) ==
                   (std::vector<std::string>{"Before the talk", kTitle, "After the talk"}),
               boost::test_tools::per_element());
    // Both renditions and the video survive, with their languages (beside the chapters' own
    // text track).
    auto streams = streamsOf(probe);
    streams.erase(std::remove_if(streams.begin(), streams.end(),
                                 [](const std::string& s) { return s.rfind("data:", 0) == 0; }),
                  streams.end());
    BOOST_TEST(streams == (std::vector<std::string>{"video:", "audio:deu", "audio:eng"}),
               boost::test_tools::per_element());
    // +faststart: the index (moov) comes before the media (mdat).
    const auto bytes = readFile(result.files[0]);
    BOOST_TEST(bytes.find("moov") < bytes.find("mdat"));
    BOOST_TEST(readJson(result.sidecar)->getObject("container")->getValue<bool>("tagged"));
}

BOOST_AUTO_TEST_CASE(aFailedRemuxKeepsTheTsAndTheSidecarSaysWhy) {
    TempDir temp;
    // An ffmpeg that fails as a broken installation would.
    const auto ffmpeg = temp.path / "bin" / "ffmpeg";
    fs::create_directories(ffmpeg.parent_path());
    std::ofstream(ffmpeg) << "#!/bin/sh\necho 'Unknown encoder' >&2\nexit 1\n";
    fs::permissions(ffmpeg, fs::perms::owner_all);
    const auto out = temp.path / "out";
    fs::create_directories(out);
    auto config = configIn(out, Container::Matroska);
    FakeClock clock(kFirstData);
    TalkSink sink(config, clock, confcap::sink::PieceMerger(ffmpeg));
    sink.beginPiece({"ts", true}, false);
    confcap::core::Chunk chunk;
    chunk.bytes = media().muxed;
    chunk.kind = confcap::core::ChunkKind::SegmentStart;
    chunk.mediaSeconds = 6;
    sink.write(chunk);
    clock.advance(6s);
    const auto result = sink.finalize("window ended");
    BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_TEST(result.files.at(0) == out / "talk.ts");
    BOOST_TEST(readFile(result.files[0]) == media().muxed);
    const auto container = readJson(result.sidecar)->getObject("container");
    BOOST_TEST(container->getValue<std::string>("requested") == "mkv");
    BOOST_TEST(container->getValue<std::string>("format") == "ts");
    BOOST_TEST(!container->getValue<bool>("tagged"));
    const auto error = container->getValue<std::string>("error");
    BOOST_TEST(error.find("ffmpeg could not remux the ts file to mkv") != std::string::npos, error);
    BOOST_TEST(error.find("Unknown encoder") != std::string::npos, error);
    // Nothing but the file and its sidecar is left.
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(out)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    BOOST_TEST(names == (std::vector<std::string>{"talk.json", "talk.ts"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(theStreamsOwnContainerIsTaggedAndANfoWrittenBesideIt) {
    TempDir temp;
    auto config = configIn(temp.path, Container::AsRecorded);
    config.nfo = true;
    const auto result = recordWithRenditions(config);
    BOOST_TEST_REQUIRE(result.outcome == confcap::core::Outcome::Recorded, result.reason);
    BOOST_TEST(result.files.at(0) == temp.path / "talk.ts");
    const auto probe = probeJson(result.files[0]);
    const auto tags = probe->getArray("programs")->getObject(0)->getObject("tags");
    BOOST_TEST_REQUIRE(tags);
    BOOST_TEST(tags->getValue<std::string>("service_name") == kTitle);
    BOOST_TEST(tags->getValue<std::string>("service_provider") ==
               "38th Chaos Communication Congress");
    const auto sidecar = readJson(result.sidecar);
    BOOST_TEST(sidecar->getValue<std::string>("nfo") == "talk.nfo");
    BOOST_TEST(sidecar->getValue<std::uint64_t>("bytes") == sizeOf(result.files[0]));
    pugi::xml_document nfo;
    BOOST_TEST_REQUIRE(static_cast<bool>(nfo.load_file((temp.path / "talk.nfo").c_str())));
    BOOST_TEST(std::string(nfo.child("movie").child_value("title")) == kTitle);
}

BOOST_AUTO_TEST_SUITE_END()
