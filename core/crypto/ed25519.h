// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"

#include <QByteArray>

#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

namespace twinspect::crypto {

/// An Ed25519 key pair (or public key alone), held in an OpenSSL EVP_PKEY.
class Ed25519Key
{
public:
    static Ed25519Key generate();
    /// From a 32-byte raw public key.
    static Result<Ed25519Key> fromRawPublic(const QByteArray& raw);
    /// From PEM: a PKCS#8 private key or an SPKI public key.
    static Result<Ed25519Key> fromPem(const QByteArray& pem);

    Ed25519Key(Ed25519Key&&) noexcept;
    Ed25519Key& operator=(Ed25519Key&&) noexcept;
    ~Ed25519Key();

    bool isValid() const { return m_key != nullptr; }
    bool hasPrivate() const { return m_private; }
    QByteArray rawPublic() const;
    QByteArray publicPem() const;
    /// PKCS#8 PEM of the private key (unencrypted: it goes into a 0600 file, never into logs).
    QByteArray privatePem() const;

    QByteArray sign(const QByteArray& message) const;
    bool verify(const QByteArray& message, const QByteArray& signature) const;

private:
    Ed25519Key(EVP_PKEY* key, bool hasPrivate);
    std::unique_ptr<EVP_PKEY, void (*)(EVP_PKEY*)> m_key;
    bool m_private = false;
};

} // namespace twinspect::crypto
