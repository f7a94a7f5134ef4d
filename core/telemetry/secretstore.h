// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"

#include <QHash>
#include <QString>

namespace twinspect::telemetry {

/// Passwords, key passphrases and tokens of the backends, kept apart from backends.json in a file
/// only the owner can read (0600). Debian 12 without a desktop session has no usable OS keyring
/// (no Secret Service on D-Bus), so this file is the store; docs/backends.md says so.
/// Values never leave this class except to the code that uses them for a connection.
class SecretStore
{
public:
    /// Opens (or creates on first write) the store at path. Refuses a file others can read.
    static Result<SecretStore> open(const QString& path);

    QString value(const QString& key) const { return m_values.value(key); }
    bool contains(const QString& key) const { return m_values.contains(key); }
    Result<bool> set(const QString& key, const QString& secret);
    Result<bool> remove(const QString& key);
    QString path() const { return m_path; }

private:
    explicit SecretStore(QString path)
        : m_path(std::move(path))
    {}
    Result<bool> save() const;

    QString m_path;
    QHash<QString, QString> m_values;
};

} // namespace twinspect::telemetry
