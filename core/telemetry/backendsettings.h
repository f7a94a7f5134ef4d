// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"

#include <QList>
#include <QString>
#include <QUrl>

namespace twinspect::telemetry {

enum class PayloadFormat : quint8
{
    Json,
    Sparkplug
};

/// Which topics to take and how their messages become tags.
struct Subscription
{
    QString filter; ///< MQTT topic filter ("plant/boiler/+")
    PayloadFormat format = PayloadFormat::Json;
    QString tagTemplate; ///< "{1}": the first wildcard; "{topic}"; empty: the payload names the tag
    int qos = 0;
};

struct TlsSettings
{
    QString caFile;              ///< PEM CA(s) to verify the server with (pinned; the system store is not used)
    bool useSystemStore = false; ///< trust the operating system's CAs instead (only when asked)
    QString certFile;            ///< client certificate (PEM)
    QString keyFile;             ///< its private key (PEM, may be encrypted); referenced, never copied
    QString crlFile;             ///< revocation list checked against the server's chain
    bool verifyHostname = true;
};

struct SignatureSettings
{
    bool required = false; ///< every payload must be signed by a trusted publisher
    QString trustFile;     ///< the trusted publishers (docs/telemetry-format.md)
    qint64 maxSkewMs = 5 * 60 * 1000;
    int replayWindow = 64;
};

/// One backend, as stored in backends.json (docs/backends.md). Secrets are not here: the password,
/// key passphrase and tokens live in the secret store under "<id>/password" etc.
struct BackendSettings
{
    enum class Kind : quint8
    {
        Mqtt,
        Https,
        Wss
    };
    enum class MqttVersion : quint8
    {
        V311,
        V5
    };

    QString id;
    QString name;
    Kind kind = Kind::Mqtt;
    bool enabled = true;
    QUrl url; ///< mqtts://host:port, https://…, wss://…
    MqttVersion mqttVersion = MqttVersion::V311;
    QString clientId;
    QString username;
    TlsSettings tls;
    int connectTimeoutMs = 10'000;
    int reconnectMinMs = 500;
    int reconnectMaxMs = 30'000;
    int keepAliveSeconds = 30;
    int queueLimit = 100'000;    ///< samples waiting for the GUI; beyond it the oldest are dropped
    qint64 expectedPeriodMs = 0; ///< how often each tag should update; 0: no staleness by age
    QList<Subscription> subscriptions;
    SignatureSettings signatures;
    // HTTPS / WSS
    int pollIntervalMs = 1000;
    QString tokenUrl;      ///< OAuth2 client-credentials token endpoint; empty: a static bearer token
    QString oauthClientId; ///< the client secret is in the secret store

    QString host() const { return url.host(); }
    int port() const;
    QString secretKey(QStringView what) const { return id + u'/' + what; }
};

QString kindName(BackendSettings::Kind kind);
QString formatName(PayloadFormat format);

/// Reads backends.json. Errors name the file, line and field; relative paths inside it are resolved
/// against the file's folder.
Result<QList<BackendSettings>> loadBackendSettings(const QString& path);
Result<QList<BackendSettings>> parseBackendSettings(const QByteArray& text, const QString& fileName,
                                                    const QString& baseDir);
/// Checks one backend's settings for things that make it unusable (a plain-TCP URL, no CA).
QString validateBackend(const BackendSettings& backend);
QByteArray serializeBackendSettings(const QList<BackendSettings>& backends);
/// Writes atomically (a half-written file would lose every backend).
Result<bool> saveBackendSettings(const QString& path, const QList<BackendSettings>& backends);

} // namespace twinspect::telemetry
