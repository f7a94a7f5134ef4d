// SPDX-License-Identifier: Apache-2.0
#include "telemetry/telemetryhub.h"

#include "telemetry/httpsource.h"
#include "telemetry/mqttsource.h"
#include "telemetry/secretstore.h"
#include "telemetry/signedpayload.h"
#include "telemetry/tagstore.h"

#include <QDir>
#include <QFile>

#include <algorithm>
#include <iterator>
#include <utility>

namespace twinspect::telemetry {

TelemetryHub::TelemetryHub(QString dataDir, QObject* parent)
    : QObject(parent)
    , m_dataDir(std::move(dataDir))
    , m_store(new TagStore(this))
{}

TelemetryHub::~TelemetryHub()
{
    stopAll();
}

QString TelemetryHub::settingsPath() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("backends.json"));
}

QString TelemetryHub::secretsPath() const
{
    return QDir(m_dataDir).filePath(QStringLiteral("secrets.json"));
}

Result<bool> TelemetryHub::load()
{
    stopAll();
    m_backends.clear();
    if (QFile::exists(settingsPath())) {
        auto loaded = loadBackendSettings(settingsPath());
        if (!loaded)
            return loaded.error();
        m_backends = std::move(loaded).value();
    }
    for (const BackendSettings& settings : std::as_const(m_backends)) {
        if (settings.enabled)
            startSource(settings);
    }
    Q_EMIT backendsChanged();
    return true;
}

void TelemetryHub::stopAll()
{
    const QStringList ids = m_sources.keys();
    for (const QString& id : ids)
        stopSource(id);
}

std::optional<BackendSettings> TelemetryHub::backend(const QString& id) const
{
    for (const BackendSettings& b : m_backends) {
        if (b.id == id)
            return b;
    }
    return std::nullopt;
}

TelemetrySource* TelemetryHub::source(const QString& id) const
{
    return m_sources.value(id);
}

MqttSource* TelemetryHub::mqttSource(const QString& id) const
{
    return qobject_cast<MqttSource*>(m_sources.value(id));
}

bool TelemetryHub::hasSecret(const QString& id, QStringView what) const
{
    auto store = SecretStore::open(secretsPath());
    return store.ok() && store.value().contains(id + u'/' + what);
}

ConnectionSecrets TelemetryHub::secretsFor(const QString& id, const std::optional<QString>& password,
                                           const std::optional<QString>& keyPassphrase,
                                           const std::optional<QString>& token,
                                           const std::optional<QString>& clientSecret) const
{
    ConnectionSecrets secrets;
    auto store = SecretStore::open(secretsPath());
    if (store.ok()) {
        secrets.password = store.value().value(id + QStringLiteral("/password"));
        secrets.keyPassphrase = store.value().value(id + QStringLiteral("/key-passphrase"));
        secrets.token = store.value().value(id + QStringLiteral("/token"));
        secrets.clientSecret = store.value().value(id + QStringLiteral("/client-secret"));
    }
    if (password)
        secrets.password = *password;
    if (keyPassphrase)
        secrets.keyPassphrase = *keyPassphrase;
    if (token)
        secrets.token = *token;
    if (clientSecret)
        secrets.clientSecret = *clientSecret;
    return secrets;
}

void TelemetryHub::startSource(const BackendSettings& settings)
{
    std::shared_ptr<const TrustList> trust;
    if (!settings.signatures.trustFile.isEmpty()) {
        auto loaded = TrustList::load(settings.signatures.trustFile);
        // An unreadable trust list must not silently turn signing off: the source then has no
        // keys, and signed (or required) payloads are shown as untrusted.
        trust = loaded.ok() ? std::make_shared<const TrustList>(std::move(loaded).value())
                            : std::make_shared<const TrustList>();
    }
    TelemetrySource* source = nullptr;
    if (settings.kind == BackendSettings::Kind::Mqtt)
        source = new MqttSource(settings, secretsFor(settings.id), trust, this);
    else
        source = new HttpSource(settings, secretsFor(settings.id), trust, this);
    const QString id = settings.id;
    const qint64 period = settings.expectedPeriodMs;
    connect(source, &TelemetrySource::samplesReady, this,
            [this, id, period](const SampleBatch& batch) { m_store->ingest(batch, id, period); });
    connect(source, &TelemetrySource::presenceChanged, this, [this, id] { Q_EMIT sourceStateChanged(id); });
    connect(source, &TelemetrySource::problemsChanged, this, [this, id] { Q_EMIT sourceStateChanged(id); });
    connect(source, &TelemetrySource::securityEvent, this,
            [this, id](const SecurityEvent& event) { Q_EMIT securityEvent(id, event); });
    m_sources.insert(id, source);
    source->start();
}

void TelemetryHub::stopSource(const QString& id)
{
    TelemetrySource* source = m_sources.take(id);
    if (!source)
        return;
    source->stop();
    delete source;
}

Result<bool> TelemetryHub::saveBackend(const BackendSettings& settings, const std::optional<QString>& password,
                                       const std::optional<QString>& keyPassphrase)
{
    return saveBackend(settings, BackendSecrets{password, keyPassphrase, std::nullopt, std::nullopt});
}

Result<bool> TelemetryHub::saveBackend(const BackendSettings& settings, const BackendSecrets& secrets)
{
    QList<BackendSettings> updated = m_backends;
    const auto it =
        std::find_if(updated.begin(), updated.end(), [&](const BackendSettings& b) { return b.id == settings.id; });
    if (it != updated.end())
        *it = settings;
    else
        updated.append(settings);
    // Secrets first: a saved backend that cannot authenticate is worse than an unsaved edit.
    const std::pair<QStringView, const std::optional<QString>*> given[] = {
        {u"password", &secrets.password},
        {u"key-passphrase", &secrets.keyPassphrase},
        {u"token", &secrets.token},
        {u"client-secret", &secrets.clientSecret},
    };
    if (std::any_of(std::begin(given), std::end(given), [](const auto& g) { return g.second->has_value(); })) {
        auto store = SecretStore::open(secretsPath());
        if (!store)
            return store.error();
        for (const auto& [what, secret] : given) {
            if (!secret->has_value())
                continue;
            if (auto r = store.value().set(settings.secretKey(what), **secret); !r)
                return r.error();
        }
    }
    if (auto saved = saveBackendSettings(settingsPath(), updated); !saved)
        return saved.error();
    m_backends = updated;
    stopSource(settings.id);
    if (settings.enabled)
        startSource(settings);
    Q_EMIT backendsChanged();
    return true;
}

Result<bool> TelemetryHub::removeBackend(const QString& id)
{
    QList<BackendSettings> updated = m_backends;
    updated.removeIf([&](const BackendSettings& b) { return b.id == id; });
    if (auto saved = saveBackendSettings(settingsPath(), updated); !saved)
        return saved.error();
    m_backends = updated;
    stopSource(id);
    auto store = SecretStore::open(secretsPath());
    if (store.ok()) {
        store.value().remove(id + QStringLiteral("/password"));
        store.value().remove(id + QStringLiteral("/key-passphrase"));
        store.value().remove(id + QStringLiteral("/token"));
        store.value().remove(id + QStringLiteral("/client-secret"));
    }
    Q_EMIT backendsChanged();
    return true;
}

} // namespace twinspect::telemetry
