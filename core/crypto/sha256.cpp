// SPDX-License-Identifier: Apache-2.0
#include "sha256.h"

#include <openssl/evp.h>

#include <cstring>
#include <optional>

namespace twinspect::crypto {

struct Sha256::Context
{
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx{EVP_MD_CTX_new(), &EVP_MD_CTX_free};
    std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md{EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free};
};

Sha256::Sha256()
    : m_context(std::make_unique<Context>())
{
    reset();
}

Sha256::~Sha256() = default;

Sha256& Sha256::reset()
{
    // Failure here means OpenSSL itself is broken; there is no sensible way to continue.
    if (EVP_DigestInit_ex(m_context->ctx.get(), m_context->md.get(), nullptr) != 1)
        qFatal("OpenSSL SHA-256 is unavailable");
    return *this;
}

Sha256& Sha256::add(QByteArrayView data)
{
    EVP_DigestUpdate(m_context->ctx.get(), data.data(), static_cast<size_t>(data.size()));
    return *this;
}

Sha256& Sha256::add(const Digest& digest)
{
    EVP_DigestUpdate(m_context->ctx.get(), digest.data(), digest.size());
    return *this;
}

Sha256& Sha256::add(unsigned char byte)
{
    EVP_DigestUpdate(m_context->ctx.get(), &byte, 1);
    return *this;
}

Digest Sha256::finish()
{
    Digest out{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context->ctx.get(), out.data(), &length);
    reset();
    return out;
}

Digest Sha256::hash(QByteArrayView data)
{
    Digest out{};
    unsigned int length = 0;
    EVP_Digest(data.data(), static_cast<size_t>(data.size()), out.data(), &length, EVP_sha256(), nullptr);
    return out;
}

std::optional<Digest> digestFromBytes(const QByteArray& bytes)
{
    if (bytes.size() != 32)
        return std::nullopt;
    Digest d{};
    std::memcpy(d.data(), bytes.constData(), d.size());
    return d;
}

} // namespace twinspect::crypto
