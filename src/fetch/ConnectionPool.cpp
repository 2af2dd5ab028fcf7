#include "ConnectionPool.h"

namespace confcap::fetch {

std::unique_ptr<HttpConnection> ConnectionPool::take(const Endpoint& endpoint,
                                                     tls::ContextPtr tls) {
    {
        std::lock_guard lock(mutex_);
        if (auto it = idle_.find(endpoint.key()); it != idle_.end()) {
            auto connection = std::move(it->second);
            idle_.erase(it);
            return connection;
        }
    }
    return std::make_unique<HttpConnection>(endpoint, std::move(tls));
}

void ConnectionPool::giveBack(std::unique_ptr<HttpConnection> connection) {
    std::unique_ptr<HttpConnection> replaced;
    std::lock_guard lock(mutex_);
    if (aborted_) {
        return;
    }
    auto& slot = idle_[connection->endpoint().key()];
    replaced = std::move(slot);
    slot = std::move(connection);
}

bool ConnectionPool::enter(HttpConnection& connection) {
    std::lock_guard lock(mutex_);
    if (aborted_) {
        return false;
    }
    busy_.insert(&connection);
    return true;
}

void ConnectionPool::leave(HttpConnection& connection) noexcept {
    std::lock_guard lock(mutex_);
    busy_.erase(&connection);
}

void ConnectionPool::abort() noexcept {
    std::lock_guard lock(mutex_);
    aborted_ = true;
    for (HttpConnection* connection : busy_) {
        HttpConnection::shutdown(connection->nativeHandle());
    }
}

bool ConnectionPool::aborted() const noexcept {
    std::lock_guard lock(mutex_);
    return aborted_;
}

void ConnectionPool::countConnect() noexcept {
    std::lock_guard lock(mutex_);
    ++connects_;
}

std::size_t ConnectionPool::connects() const noexcept {
    std::lock_guard lock(mutex_);
    return connects_;
}

}  // namespace confcap::fetch
