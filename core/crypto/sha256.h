// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <array>
#include <optional>
#include <memory>

namespace twinspect::crypto {

using Digest = std::array<unsigned char, 32>;

/// SHA-256 through OpenSSL's EVP interface, with the context reused between messages (hashing
/// millions of short audit entries is the verifier's main cost).
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    Sha256& reset();
    Sha256& add(QByteArrayView data);
    Sha256& add(const Digest& digest);
    Sha256& add(unsigned char byte);
    Digest finish();

    static Digest hash(QByteArrayView data);

private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

inline QByteArray toBytes(const Digest& d)
{
    return QByteArray(reinterpret_cast<const char*>(d.data()), static_cast<qsizetype>(d.size()));
}

/// nullopt unless `bytes` is exactly 32 bytes.
std::optional<Digest> digestFromBytes(const QByteArray& bytes);

} // namespace twinspect::crypto
