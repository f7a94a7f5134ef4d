// SPDX-License-Identifier: Apache-2.0
#include "passwordhash.h"

#include <QRegularExpression>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <optional>

namespace twinspect::identity {

namespace {

constexpr int kSaltBytes = 16;
constexpr int kHashBytes = 32;

std::optional<QByteArray> derive(const QByteArray& password, const QByteArray& salt, const ScryptParameters& p)
{
    if (p.logN < 10 || p.logN > 22 || p.r < 1 || p.r > 32 || p.p < 1 || p.p > 16)
        return std::nullopt;
    QByteArray out(kHashBytes, '\0');
    const quint64 n = quint64(1) << p.logN;
    // Memory is 128 * r * N bytes; allow twice that so larger parameters stored later still work.
    const quint64 maxmem = 2 * 128 * quint64(p.r) * n + (quint64(1) << 20);
    if (EVP_PBE_scrypt(password.constData(), static_cast<size_t>(password.size()),
                       reinterpret_cast<const unsigned char*>(salt.constData()), static_cast<size_t>(salt.size()), n,
                       static_cast<quint64>(p.r), static_cast<quint64>(p.p), maxmem,
                       reinterpret_cast<unsigned char*>(out.data()), kHashBytes) != 1)
        return std::nullopt;
    return out;
}

struct Parsed
{
    ScryptParameters parameters;
    QByteArray salt;
    QByteArray hash;
};

std::optional<Parsed> parse(const QString& stored)
{
    static const QRegularExpression pattern(
        QStringLiteral("^\\$scrypt\\$ln=(\\d{1,2}),r=(\\d{1,2}),p=(\\d{1,2})\\$([A-Za-z0-9+/=]+)\\$([A-Za-z0-9+/=]+)$"));
    const QRegularExpressionMatch m = pattern.match(stored);
    if (!m.hasMatch())
        return std::nullopt;
    Parsed parsed{{m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt()},
                  QByteArray::fromBase64(m.captured(4).toLatin1()),
                  QByteArray::fromBase64(m.captured(5).toLatin1())};
    if (parsed.salt.size() < 8 || parsed.hash.size() != kHashBytes)
        return std::nullopt;
    return parsed;
}

} // namespace

Result<QString> PasswordHash::hash(const QString& password, const ScryptParameters& parameters)
{
    QByteArray salt(kSaltBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), kSaltBytes) != 1)
        return Error{QStringLiteral("password.random"), QStringLiteral("the system random generator failed")};
    const std::optional<QByteArray> derived = derive(password.toUtf8(), salt, parameters);
    if (!derived)
        return Error{QStringLiteral("password.scrypt"), QStringLiteral("scrypt failed (parameters out of range or no memory)")};
    return QStringLiteral("$scrypt$ln=%1,r=%2,p=%3$%4$%5")
        .arg(parameters.logN)
        .arg(parameters.r)
        .arg(parameters.p)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(derived->toBase64()));
}

bool PasswordHash::verify(const QString& password, const QString& stored)
{
    const std::optional<Parsed> parsed = parse(stored);
    if (!parsed)
        return false;
    const std::optional<QByteArray> derived = derive(password.toUtf8(), parsed->salt, parsed->parameters);
    return derived && CRYPTO_memcmp(derived->constData(), parsed->hash.constData(), kHashBytes) == 0;
}

std::optional<ScryptParameters> PasswordHash::parametersOf(const QString& stored)
{
    const std::optional<Parsed> parsed = parse(stored);
    if (!parsed)
        return std::nullopt;
    return parsed->parameters;
}

} // namespace twinspect::identity
