#include "confcap/demo/FolderServer.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <fstream>
#include <iterator>

namespace confcap::demo {

namespace {

LoopbackServer::Options withUplink(double bytesPerSecond) {
    LoopbackServer::Options options;
    options.bytesPerSecond = bytesPerSecond;
    return options;
}

const char* contentTypeOf(const std::filesystem::path& path) {
    const auto extension = path.extension().string();
    return extension == ".m3u8"                         ? "application/vnd.apple.mpegurl"
           : extension == ".ts"                         ? "video/mp2t"
           : extension == ".m4s" || extension == ".mp4" ? "video/mp4"
                                                        : "application/octet-stream";
}

}  // namespace

FolderServer::FolderServer(std::filesystem::path root, double bytesPerSecond)
    : root_(std::move(root)),
      server_(
          [this](Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
              using Poco::Net::HTTPResponse;
              const std::string path = request.getURI().substr(0, request.getURI().find('?'));
              std::ifstream in;
              if (path.find("..") == std::string::npos && path.size() >= 2) {
                  in.open(root_ / path.substr(1), std::ios::binary);
              }
              if (!in) {
                  response.setStatusAndReason(HTTPResponse::HTTP_NOT_FOUND);
                  response.setContentType("text/plain");
                  response.send() << "not found\n";
                  return;
              }
              const std::string body{std::istreambuf_iterator<char>(in),
                                     std::istreambuf_iterator<char>()};
              response.setContentType(contentTypeOf(path));
              server_.send(response, body);
          },
          withUplink(bytesPerSecond)) {}

std::string FolderServer::url(const std::string& name) const {
    return server_.url("/" + name);
}

}  // namespace confcap::demo
