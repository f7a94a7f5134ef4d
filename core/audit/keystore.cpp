// SPDX-License-Identifier: Apache-2.0
#include "keystore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace twinspect::audit {

namespace {

constexpr char kHeader[] = "twinspect-audit-key v1\n";

Result<bool> syncDirectory(const QString& directory)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return Error{QStringLiteral("key.sync"), QStringLiteral("cannot open %1: %2").arg(directory, QString::fromLocal8Bit(std::strerror(errno)))};
    const int rc = ::fsync(fd);
    ::close(fd);
    if (rc != 0)
        return Error{QStringLiteral("key.sync"), QStringLiteral("cannot sync %1").arg(directory)};
    return true;
}

} // namespace

KeyStore::KeyStore(QString path)
    : m_path(std::move(path))
{
}

Result<bool> KeyStore::writeFile(const QString& path, const EpochKey& key)
{
    const QByteArray content = QByteArray(kHeader) + "epoch " + QByteArray::number(key.epoch) + "\n" + key.key.privatePem();
    const QString temporary = path + QStringLiteral(".tmp");
    const QByteArray temporaryName = QFile::encodeName(temporary);
    ::unlink(temporaryName.constData());
    // 0600 from the first byte: the key is never readable by others, not even briefly.
    const int fd = ::open(temporaryName.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return Error{QStringLiteral("key.write"),
                     QStringLiteral("cannot create the audit key file %1: %2").arg(temporary, QString::fromLocal8Bit(std::strerror(errno)))};
    qsizetype written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.constData() + written, static_cast<size_t>(content.size() - written));
        if (n <= 0) {
            ::close(fd);
            ::unlink(temporaryName.constData());
            return Error{QStringLiteral("key.write"), QStringLiteral("cannot write the audit key file %1 (disk full?)").arg(temporary)};
        }
        written += n;
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced || ::rename(temporaryName.constData(), QFile::encodeName(path).constData()) != 0) {
        ::unlink(temporaryName.constData());
        return Error{QStringLiteral("key.write"), QStringLiteral("cannot store the audit key file %1").arg(path)};
    }
    return syncDirectory(QFileInfo(path).absolutePath());
}

Result<EpochKey> KeyStore::readFile(const QString& path)
{
    QFile file(path);
    if (!file.exists())
        return Error{QStringLiteral("key.missing"), QStringLiteral("the audit key file %1 is missing").arg(path)};
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("key.read"), QStringLiteral("cannot read the audit key file %1: %2").arg(path, file.errorString())};
    const QByteArray content = file.readAll();
    if (!content.startsWith(kHeader))
        return Error{QStringLiteral("key.format"), QStringLiteral("%1 is not a Twinspect audit key file").arg(path)};
    const qsizetype lineEnd = content.indexOf('\n', sizeof(kHeader) - 1);
    const QByteArray epochLine = content.mid(sizeof(kHeader) - 1, lineEnd - qsizetype(sizeof(kHeader) - 1));
    bool ok = false;
    const quint64 epoch = epochLine.startsWith("epoch ") ? epochLine.mid(6).toULongLong(&ok) : 0;
    if (!ok)
        return Error{QStringLiteral("key.format"), QStringLiteral("%1 has no epoch line").arg(path)};
    Result<crypto::Ed25519Key> key = crypto::Ed25519Key::fromPem(content.mid(lineEnd + 1));
    if (!key || !key.value().hasPrivate())
        return Error{QStringLiteral("key.format"), QStringLiteral("%1 holds no Ed25519 private key").arg(path)};
    return EpochKey{epoch, std::move(key).value()};
}

Result<EpochKey> KeyStore::load() const
{
    return readFile(m_path);
}

Result<EpochKey> KeyStore::loadNext() const
{
    return readFile(nextPath());
}

Result<bool> KeyStore::write(const EpochKey& key) const
{
    return writeFile(m_path, key);
}

Result<bool> KeyStore::stageNext(const EpochKey& key) const
{
    return writeFile(nextPath(), key);
}

Result<bool> KeyStore::promoteNext() const
{
    if (::rename(QFile::encodeName(nextPath()).constData(), QFile::encodeName(m_path).constData()) != 0)
        return Error{QStringLiteral("key.write"), QStringLiteral("cannot replace the audit key file %1").arg(m_path)};
    return syncDirectory(QFileInfo(m_path).absolutePath());
}

void KeyStore::discardNext() const
{
    ::unlink(QFile::encodeName(nextPath()).constData());
}

} // namespace twinspect::audit
