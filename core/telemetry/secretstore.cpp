// SPDX-License-Identifier: Apache-2.0
#include "telemetry/secretstore.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace twinspect::telemetry {

namespace {
constexpr auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
}

Result<SecretStore> SecretStore::open(const QString& path)
{
    SecretStore store(path);
    QFile file(path);
    if (!file.exists())
        return store;
    if ((file.permissions() & ~(ownerOnly | QFileDevice::ReadUser | QFileDevice::WriteUser)) != 0)
        return Error{QStringLiteral("secrets.permissions"),
                     QStringLiteral("%1: the secret store is readable by others; make it private (chmod 600) and "
                                    "change the secrets it holds")
                         .arg(path)};
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("secrets.unreadable"),
                     QStringLiteral("%1: cannot read the secret store: %2").arg(path, file.errorString())};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.read(1 << 20), &parseError);
    // The parser's message is safe (it names a position, not content); the content itself is not shown.
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return Error{QStringLiteral("secrets.invalid"),
                     QStringLiteral("%1: the secret store is damaged (not a JSON object at byte %2); nothing was "
                                    "changed")
                         .arg(path)
                         .arg(parseError.offset)};
    const QJsonObject values = document.object().value(QLatin1String("secrets")).toObject();
    for (auto it = values.constBegin(); it != values.constEnd(); ++it)
        store.m_values.insert(it.key(), it.value().toString());
    return store;
}

Result<bool> SecretStore::set(const QString& key, const QString& secret)
{
    if (secret.isEmpty())
        return remove(key);
    m_values.insert(key, secret);
    return save();
}

Result<bool> SecretStore::remove(const QString& key)
{
    if (m_values.remove(key) == 0)
        return true;
    return save();
}

Result<bool> SecretStore::save() const
{
    QJsonObject values;
    for (auto it = m_values.constBegin(); it != m_values.constEnd(); ++it)
        values.insert(it.key(), it.value());
    QJsonObject root;
    root.insert(QLatin1String("format"), QStringLiteral("twinspect-secrets"));
    root.insert(QLatin1String("version"), 1);
    root.insert(QLatin1String("secrets"), values);
    QSaveFile file(m_path);
    // Permissions are set before any secret is written, on the temporary file that replaces the old one.
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(ownerOnly) ||
        file.write(QJsonDocument(root).toJson(QJsonDocument::Indented)) < 0 || !file.commit())
        return Error{QStringLiteral("secrets.unwritable"),
                     QStringLiteral("%1: cannot save the secret store: %2").arg(m_path, file.errorString())};
    return true;
}

} // namespace twinspect::telemetry
