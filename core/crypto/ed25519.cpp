// SPDX-License-Identifier: Apache-2.0
#include "ed25519.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

namespace twinspect::crypto {

namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

QByteArray drain(BIO* bio)
{
    char* data = nullptr;
    const long length = BIO_get_mem_data(bio, &data);
    return QByteArray(data, length);
}

} // namespace

Ed25519Key::Ed25519Key(EVP_PKEY* key, bool hasPrivate)
    : m_key(key, &EVP_PKEY_free)
    , m_private(hasPrivate)
{
}

Ed25519Key::Ed25519Key(Ed25519Key&&) noexcept = default;
Ed25519Key& Ed25519Key::operator=(Ed25519Key&&) noexcept = default;
Ed25519Key::~Ed25519Key() = default;

Ed25519Key Ed25519Key::generate()
{
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (!key)
        qFatal("OpenSSL could not generate an Ed25519 key");
    return Ed25519Key(key, true);
}

Result<Ed25519Key> Ed25519Key::fromRawPublic(const QByteArray& raw)
{
    if (raw.size() != 32)
        return Error{QStringLiteral("key.size"), QStringLiteral("an Ed25519 public key is 32 bytes, got %1").arg(raw.size())};
    EVP_PKEY* key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                                reinterpret_cast<const unsigned char*>(raw.constData()), 32);
    if (!key)
        return Error{QStringLiteral("key.invalid"), QStringLiteral("not a valid Ed25519 public key")};
    return Ed25519Key(key, false);
}

Result<Ed25519Key> Ed25519Key::fromPem(const QByteArray& pem)
{
    Bio bio(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())), &BIO_free);
    if (EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)) {
        if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
            EVP_PKEY_free(key);
            return Error{QStringLiteral("key.type"), QStringLiteral("the private key is not an Ed25519 key")};
        }
        return Ed25519Key(key, true);
    }
    Bio again(BIO_new_mem_buf(pem.constData(), static_cast<int>(pem.size())), &BIO_free);
    if (EVP_PKEY* key = PEM_read_bio_PUBKEY(again.get(), nullptr, nullptr, nullptr)) {
        if (EVP_PKEY_get_id(key) != EVP_PKEY_ED25519) {
            EVP_PKEY_free(key);
            return Error{QStringLiteral("key.type"), QStringLiteral("the public key is not an Ed25519 key")};
        }
        return Ed25519Key(key, false);
    }
    return Error{QStringLiteral("key.pem"), QStringLiteral("no Ed25519 key in the PEM data")};
}

QByteArray Ed25519Key::rawPublic() const
{
    QByteArray raw(32, '\0');
    size_t length = 32;
    if (!m_key || EVP_PKEY_get_raw_public_key(m_key.get(), reinterpret_cast<unsigned char*>(raw.data()), &length) != 1)
        return {};
    return raw;
}

QByteArray Ed25519Key::publicPem() const
{
    Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!m_key || PEM_write_bio_PUBKEY(bio.get(), m_key.get()) != 1)
        return {};
    return drain(bio.get());
}

QByteArray Ed25519Key::privatePem() const
{
    Bio bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!m_key || !m_private ||
        PEM_write_bio_PrivateKey(bio.get(), m_key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        return {};
    return drain(bio.get());
}

QByteArray Ed25519Key::sign(const QByteArray& message) const
{
    if (!m_key || !m_private)
        return {};
    MdContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    QByteArray signature(64, '\0');
    size_t length = 64;
    if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, m_key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(message.constData()),
                       static_cast<size_t>(message.size())) != 1)
        return {};
    return signature;
}

bool Ed25519Key::verify(const QByteArray& message, const QByteArray& signature) const
{
    if (!m_key || signature.size() != 64)
        return false;
    MdContext ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, m_key.get()) == 1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.constData()), 64,
                            reinterpret_cast<const unsigned char*>(message.constData()),
                            static_cast<size_t>(message.size())) == 1;
}

} // namespace twinspect::crypto
