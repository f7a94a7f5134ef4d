// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"
#include "telemetry/backendsettings.h"
#include "telemetry/connectioncheck.h"
#include "telemetry/telemetrysource.h"

#include <QHash>
#include <QObject>

#include <memory>
#include <optional>

namespace twinspect::telemetry {

class MqttSource;
class TagStore;

/// The secrets saveBackend() stores with a backend. Each: nullopt keeps the stored one, an empty
/// string forgets it, anything else replaces it.
struct BackendSecrets
{
    std::optional<QString> password;      ///< "<id>/password"
    std::optional<QString> keyPassphrase; ///< "<id>/key-passphrase"
    std::optional<QString> token;         ///< "<id>/token": a static bearer token (HTTPS / WSS)
    std::optional<QString> clientSecret;  ///< "<id>/client-secret": the OAuth2 client secret (HTTPS / WSS)
};

/// The workstation's backends: reads backends.json and the secret store from the data folder,
/// runs one source per enabled backend, feeds the tag store, and applies changes made in the
/// Connections dock (saving them first, so nothing is lost). Lives in the GUI thread.
class TelemetryHub : public QObject
{
    Q_OBJECT
public:
    explicit TelemetryHub(QString dataDir, QObject* parent = nullptr);
    ~TelemetryHub() override;

    TagStore* tagStore() const { return m_store; }
    QString settingsPath() const;
    QString secretsPath() const;

    /// Reads the settings and starts every enabled backend. A missing file means no backends.
    Result<bool> load();
    void stopAll();

    const QList<BackendSettings>& backends() const { return m_backends; }
    std::optional<BackendSettings> backend(const QString& id) const;
    TelemetrySource* source(const QString& id) const;
    MqttSource* mqttSource(const QString& id) const;
    /// Whether a password / key passphrase / token is stored for the backend (never the value).
    bool hasSecret(const QString& id, QStringView what) const;

    /// Adds or replaces a backend, stores the secrets given (nullopt: keep the stored one; an
    /// empty string: forget it), saves, and restarts its source. Errors leave everything as it was.
    Result<bool> saveBackend(const BackendSettings& settings, const BackendSecrets& secrets);
    /// The same, keeping any stored token and client secret.
    Result<bool> saveBackend(const BackendSettings& settings, const std::optional<QString>& password,
                             const std::optional<QString>& keyPassphrase);
    Result<bool> removeBackend(const QString& id);
    /// The secrets a connection check of this backend needs (stored ones unless given).
    ConnectionSecrets secretsFor(const QString& id, const std::optional<QString>& password = std::nullopt,
                                 const std::optional<QString>& keyPassphrase = std::nullopt,
                                 const std::optional<QString>& token = std::nullopt,
                                 const std::optional<QString>& clientSecret = std::nullopt) const;

Q_SIGNALS:
    void backendsChanged();
    /// A backend's presence, problems or counters changed.
    void sourceStateChanged(const QString& id);
    void securityEvent(const QString& backendId, const twinspect::telemetry::SecurityEvent& event);

private:
    void startSource(const BackendSettings& settings);
    void stopSource(const QString& id);

    QString m_dataDir;
    TagStore* m_store;
    QList<BackendSettings> m_backends;
    QHash<QString, TelemetrySource*> m_sources;
};

} // namespace twinspect::telemetry
