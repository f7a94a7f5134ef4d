// SPDX-License-Identifier: Apache-2.0
#include "telemetry/backendsettings.h"

#include "plant/json.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace twinspect::telemetry {

namespace {

using json::Value;

constexpr int formatVersion = 1;

/// Walks one backends file, collecting the first error with its position.
class Reader
{
public:
    Reader(QString fileName, QString baseDir)
        : m_fileName(std::move(fileName))
        , m_baseDir(std::move(baseDir))
    {}

    bool failed() const { return !m_error.isEmpty(); }
    Error error() const { return {QStringLiteral("backends.invalid"), m_error}; }

    void fail(const Value& at, const QString& path, const QString& message)
    {
        if (m_error.isEmpty())
            m_error = QStringLiteral("%1:%2:%3: error: %4: %5")
                          .arg(m_fileName)
                          .arg(at.line)
                          .arg(at.column)
                          .arg(path, message);
    }

    QString string(const Value& object, QStringView key, const QString& path, const QString& fallback = {})
    {
        const Value* v = object.find(key);
        if (!v)
            return fallback;
        if (!v->isString()) {
            fail(*v, path + u'.' + key, QStringLiteral("expected a string, found %1").arg(json::typeName(v->type)));
            return fallback;
        }
        return v->string;
    }

    QString filePath(const Value& object, QStringView key, const QString& path)
    {
        const QString text = string(object, key, path);
        if (text.isEmpty())
            return {};
        return QDir::cleanPath(QDir(m_baseDir).absoluteFilePath(text));
    }

    bool boolean(const Value& object, QStringView key, const QString& path, bool fallback)
    {
        const Value* v = object.find(key);
        if (!v)
            return fallback;
        if (!v->isBool()) {
            fail(*v, path + u'.' + key, QStringLiteral("expected true or false"));
            return fallback;
        }
        return v->boolean;
    }

    qint64 integer(const Value& object, QStringView key, const QString& path, qint64 fallback, qint64 min, qint64 max)
    {
        const Value* v = object.find(key);
        if (!v)
            return fallback;
        if (!v->isNumber() || v->number != std::floor(v->number) || v->number < static_cast<double>(min) ||
            v->number > static_cast<double>(max)) {
            fail(*v, path + u'.' + key, QStringLiteral("expected a whole number from %1 to %2").arg(min).arg(max));
            return fallback;
        }
        return static_cast<qint64>(v->number);
    }

    void unknownKeys(const Value& object, const QString& path, std::initializer_list<QStringView> known)
    {
        for (const json::Member& member : object.object) {
            if (std::find(known.begin(), known.end(), QStringView(member.key)) == known.end())
                fail(member.value, path + u'.' + member.key, QStringLiteral("unknown setting (misspelt?)"));
        }
    }

    BackendSettings backend(const Value& object, const QString& path);

private:
    QString m_fileName;
    QString m_baseDir;
    QString m_error;
};

BackendSettings Reader::backend(const Value& object, const QString& path)
{
    BackendSettings b;
    if (!object.isObject()) {
        fail(object, path, QStringLiteral("expected an object"));
        return b;
    }
    unknownKeys(object, path,
                {u"id",
                 u"name",
                 u"kind",
                 u"enabled",
                 u"url",
                 u"mqttVersion",
                 u"clientId",
                 u"username",
                 u"tls",
                 u"connectTimeoutMs",
                 u"reconnectMinMs",
                 u"reconnectMaxMs",
                 u"keepAliveSeconds",
                 u"queueLimit",
                 u"expectedPeriodMs",
                 u"subscriptions",
                 u"signatures",
                 u"pollIntervalMs",
                 u"tokenUrl",
                 u"oauthClientId"});
    b.id = string(object, u"id", path);
    if (b.id.isEmpty() || b.id.contains(u'/'))
        fail(object, path + QStringLiteral(".id"), QStringLiteral("every backend needs an id without \"/\""));
    b.name = string(object, u"name", path, b.id);
    const QString kind = string(object, u"kind", path, QStringLiteral("mqtt"));
    if (kind == u"mqtt")
        b.kind = BackendSettings::Kind::Mqtt;
    else if (kind == u"https")
        b.kind = BackendSettings::Kind::Https;
    else if (kind == u"wss")
        b.kind = BackendSettings::Kind::Wss;
    else if (const Value* v = object.find(u"kind"))
        fail(*v, path + QStringLiteral(".kind"), QStringLiteral("expected \"mqtt\", \"https\" or \"wss\""));
    b.enabled = boolean(object, u"enabled", path, true);
    b.url = QUrl(string(object, u"url", path), QUrl::StrictMode);
    if (const Value* v = object.find(u"url"); !v || !b.url.isValid() || b.url.host().isEmpty())
        fail(v ? *v : object, path + QStringLiteral(".url"),
             QStringLiteral("expected a URL such as mqtts://broker.example:8883"));
    const QString version = string(object, u"mqttVersion", path, QStringLiteral("3.1.1"));
    if (version == u"5")
        b.mqttVersion = BackendSettings::MqttVersion::V5;
    else if (version != u"3.1.1")
        fail(*object.find(u"mqttVersion"), path + QStringLiteral(".mqttVersion"),
             QStringLiteral("expected \"3.1.1\" or \"5\""));
    b.clientId = string(object, u"clientId", path);
    b.username = string(object, u"username", path);
    b.connectTimeoutMs = static_cast<int>(integer(object, u"connectTimeoutMs", path, b.connectTimeoutMs, 100, 600'000));
    b.reconnectMinMs = static_cast<int>(integer(object, u"reconnectMinMs", path, b.reconnectMinMs, 10, 600'000));
    b.reconnectMaxMs =
        static_cast<int>(integer(object, u"reconnectMaxMs", path, b.reconnectMaxMs, b.reconnectMinMs, 3'600'000));
    b.keepAliveSeconds = static_cast<int>(integer(object, u"keepAliveSeconds", path, b.keepAliveSeconds, 5, 3600));
    b.queueLimit = static_cast<int>(integer(object, u"queueLimit", path, b.queueLimit, 100, 10'000'000));
    b.expectedPeriodMs = integer(object, u"expectedPeriodMs", path, 0, 0, 86'400'000);
    b.pollIntervalMs = static_cast<int>(integer(object, u"pollIntervalMs", path, b.pollIntervalMs, 50, 3'600'000));
    b.tokenUrl = string(object, u"tokenUrl", path);
    b.oauthClientId = string(object, u"oauthClientId", path);

    if (const Value* tls = object.find(u"tls")) {
        const QString tlsPath = path + QStringLiteral(".tls");
        if (!tls->isObject()) {
            fail(*tls, tlsPath, QStringLiteral("expected an object"));
        } else {
            unknownKeys(*tls, tlsPath,
                        {u"caFile", u"useSystemStore", u"certFile", u"keyFile", u"crlFile", u"verifyHostname"});
            b.tls.caFile = filePath(*tls, u"caFile", tlsPath);
            b.tls.useSystemStore = boolean(*tls, u"useSystemStore", tlsPath, false);
            b.tls.certFile = filePath(*tls, u"certFile", tlsPath);
            b.tls.keyFile = filePath(*tls, u"keyFile", tlsPath);
            b.tls.crlFile = filePath(*tls, u"crlFile", tlsPath);
            b.tls.verifyHostname = boolean(*tls, u"verifyHostname", tlsPath, true);
        }
    }
    if (const Value* subs = object.find(u"subscriptions")) {
        if (!subs->isArray())
            fail(*subs, path + QStringLiteral(".subscriptions"), QStringLiteral("expected an array"));
        for (size_t i = 0; i < subs->array.size(); ++i) {
            const Value& s = subs->array[i];
            const QString subPath = path + QStringLiteral(".subscriptions[%1]").arg(i);
            if (!s.isObject()) {
                fail(s, subPath, QStringLiteral("expected an object"));
                continue;
            }
            unknownKeys(s, subPath, {u"topic", u"format", u"tag", u"qos"});
            Subscription sub;
            sub.filter = string(s, u"topic", subPath);
            if (sub.filter.isEmpty())
                fail(s, subPath + QStringLiteral(".topic"), QStringLiteral("expected a topic filter"));
            const QString format = string(s, u"format", subPath, QStringLiteral("json"));
            if (format == u"sparkplug")
                sub.format = PayloadFormat::Sparkplug;
            else if (format != u"json")
                fail(*s.find(u"format"), subPath + QStringLiteral(".format"),
                     QStringLiteral("expected \"json\" or \"sparkplug\""));
            sub.tagTemplate = string(s, u"tag", subPath);
            sub.qos = static_cast<int>(integer(s, u"qos", subPath, 0, 0, 1));
            b.subscriptions.append(sub);
        }
    }
    if (const Value* sig = object.find(u"signatures")) {
        const QString sigPath = path + QStringLiteral(".signatures");
        if (!sig->isObject()) {
            fail(*sig, sigPath, QStringLiteral("expected an object"));
        } else {
            unknownKeys(*sig, sigPath, {u"required", u"trustFile", u"maxSkewMs", u"replayWindow"});
            b.signatures.required = boolean(*sig, u"required", sigPath, false);
            b.signatures.trustFile = filePath(*sig, u"trustFile", sigPath);
            b.signatures.maxSkewMs = integer(*sig, u"maxSkewMs", sigPath, b.signatures.maxSkewMs, 1000, 86'400'000);
            b.signatures.replayWindow = static_cast<int>(integer(*sig, u"replayWindow", sigPath, 64, 1, 64));
            if (b.signatures.required && b.signatures.trustFile.isEmpty())
                fail(*sig, sigPath + QStringLiteral(".trustFile"),
                     QStringLiteral("required signatures need a trust file"));
        }
    }
    return b;
}

} // namespace

int BackendSettings::port() const
{
    const QString scheme = url.scheme();
    const int fallback = scheme == u"https" || scheme == u"wss" ? 443 : 8883;
    return url.port(fallback);
}

QString kindName(BackendSettings::Kind kind)
{
    switch (kind) {
    case BackendSettings::Kind::Mqtt:
        return QStringLiteral("mqtt");
    case BackendSettings::Kind::Https:
        return QStringLiteral("https");
    case BackendSettings::Kind::Wss:
        return QStringLiteral("wss");
    }
    return QStringLiteral("mqtt");
}

QString formatName(PayloadFormat format)
{
    return format == PayloadFormat::Sparkplug ? QStringLiteral("sparkplug") : QStringLiteral("json");
}

Result<QList<BackendSettings>> loadBackendSettings(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("backends.unreadable"),
                     QStringLiteral("%1: cannot read the backend settings: %2").arg(path, file.errorString())};
    return parseBackendSettings(file.read(4 << 20), path, QFileInfo(path).absolutePath());
}

Result<QList<BackendSettings>> parseBackendSettings(const QByteArray& text, const QString& fileName,
                                                    const QString& baseDir)
{
    const json::ParseResult parsed = json::parse(text);
    if (!parsed.ok)
        return Error{QStringLiteral("backends.invalid"), QStringLiteral("%1:%2:%3: error: %4")
                                                             .arg(fileName)
                                                             .arg(parsed.error.line)
                                                             .arg(parsed.error.column)
                                                             .arg(parsed.error.message)};
    Reader reader(fileName, baseDir);
    const Value& root = parsed.root;
    if (!root.isObject())
        reader.fail(root, QStringLiteral("$"), QStringLiteral("expected an object"));
    else if (reader.string(root, u"format", QStringLiteral("$")) != u"twinspect-backends")
        reader.fail(root, QStringLiteral("$.format"), QStringLiteral("expected \"twinspect-backends\""));
    else if (reader.integer(root, u"version", QStringLiteral("$"), 0, 0, 1000) != formatVersion)
        reader.fail(root, QStringLiteral("$.version"), QStringLiteral("only version 1 is known"));
    QList<BackendSettings> backends;
    if (reader.failed())
        return reader.error();
    reader.unknownKeys(root, QStringLiteral("$"), {u"format", u"version", u"backends"});
    if (const Value* list = root.find(u"backends")) {
        if (!list->isArray())
            reader.fail(*list, QStringLiteral("$.backends"), QStringLiteral("expected an array"));
        for (size_t i = 0; i < list->array.size(); ++i) {
            const QString path = QStringLiteral("$.backends[%1]").arg(i);
            BackendSettings backend = reader.backend(list->array[i], path);
            for (const BackendSettings& other : std::as_const(backends)) {
                if (!backend.id.isEmpty() && other.id == backend.id)
                    reader.fail(list->array[i], path + QStringLiteral(".id"),
                                QStringLiteral("backend id \"%1\" is used twice").arg(backend.id));
            }
            backends.append(std::move(backend));
        }
    }
    if (reader.failed())
        return reader.error();
    return backends;
}

QString validateBackend(const BackendSettings& b)
{
    const QString scheme = b.url.scheme();
    if (b.kind == BackendSettings::Kind::Mqtt && scheme != u"mqtts" && scheme != u"ssl")
        return QStringLiteral("backend \"%1\": %2 is not a TLS URL; telemetry must arrive encrypted and authenticated "
                              "(use mqtts://host:port)")
            .arg(b.id, b.url.toDisplayString());
    if (b.kind == BackendSettings::Kind::Https && scheme != u"https")
        return QStringLiteral("backend \"%1\": %2 is not an https URL").arg(b.id, b.url.toDisplayString());
    if (b.kind == BackendSettings::Kind::Wss && scheme != u"wss")
        return QStringLiteral("backend \"%1\": %2 is not a wss URL").arg(b.id, b.url.toDisplayString());
    if (b.tls.caFile.isEmpty() && !b.tls.useSystemStore)
        return QStringLiteral(
                   "backend \"%1\": no CA file: set tls.caFile to the CA that signed the server's certificate "
                   "(or tls.useSystemStore to trust the system's CAs)")
            .arg(b.id);
    if (b.tls.certFile.isEmpty() != b.tls.keyFile.isEmpty())
        return QStringLiteral("backend \"%1\": a client certificate needs both tls.certFile and tls.keyFile").arg(b.id);
    if (b.kind == BackendSettings::Kind::Mqtt && b.subscriptions.isEmpty())
        return QStringLiteral("backend \"%1\": no subscriptions: nothing would arrive").arg(b.id);
    return {};
}

QByteArray serializeBackendSettings(const QList<BackendSettings>& backends)
{
    QJsonArray list;
    for (const BackendSettings& b : backends) {
        QJsonObject o;
        o.insert(QLatin1String("id"), b.id);
        o.insert(QLatin1String("name"), b.name);
        o.insert(QLatin1String("kind"), kindName(b.kind));
        o.insert(QLatin1String("enabled"), b.enabled);
        o.insert(QLatin1String("url"), b.url.toString());
        if (b.kind == BackendSettings::Kind::Mqtt)
            o.insert(QLatin1String("mqttVersion"),
                     b.mqttVersion == BackendSettings::MqttVersion::V5 ? QStringLiteral("5") : QStringLiteral("3.1.1"));
        if (!b.clientId.isEmpty())
            o.insert(QLatin1String("clientId"), b.clientId);
        if (!b.username.isEmpty())
            o.insert(QLatin1String("username"), b.username);
        QJsonObject tls;
        const auto putPath = [&](QJsonObject& target, const char* key, const QString& value) {
            if (!value.isEmpty())
                target.insert(QLatin1String(key), value);
        };
        putPath(tls, "caFile", b.tls.caFile);
        putPath(tls, "certFile", b.tls.certFile);
        putPath(tls, "keyFile", b.tls.keyFile);
        putPath(tls, "crlFile", b.tls.crlFile);
        if (b.tls.useSystemStore)
            tls.insert(QLatin1String("useSystemStore"), true);
        if (!b.tls.verifyHostname)
            tls.insert(QLatin1String("verifyHostname"), false);
        o.insert(QLatin1String("tls"), tls);
        o.insert(QLatin1String("connectTimeoutMs"), b.connectTimeoutMs);
        o.insert(QLatin1String("reconnectMinMs"), b.reconnectMinMs);
        o.insert(QLatin1String("reconnectMaxMs"), b.reconnectMaxMs);
        o.insert(QLatin1String("keepAliveSeconds"), b.keepAliveSeconds);
        o.insert(QLatin1String("queueLimit"), b.queueLimit);
        if (b.expectedPeriodMs > 0)
            o.insert(QLatin1String("expectedPeriodMs"), static_cast<double>(b.expectedPeriodMs));
        QJsonArray subs;
        for (const Subscription& s : b.subscriptions) {
            QJsonObject so;
            so.insert(QLatin1String("topic"), s.filter);
            so.insert(QLatin1String("format"), formatName(s.format));
            if (!s.tagTemplate.isEmpty())
                so.insert(QLatin1String("tag"), s.tagTemplate);
            so.insert(QLatin1String("qos"), s.qos);
            subs.append(so);
        }
        if (!subs.isEmpty())
            o.insert(QLatin1String("subscriptions"), subs);
        if (b.signatures.required || !b.signatures.trustFile.isEmpty()) {
            QJsonObject sig;
            sig.insert(QLatin1String("required"), b.signatures.required);
            putPath(sig, "trustFile", b.signatures.trustFile);
            sig.insert(QLatin1String("maxSkewMs"), static_cast<double>(b.signatures.maxSkewMs));
            sig.insert(QLatin1String("replayWindow"), b.signatures.replayWindow);
            o.insert(QLatin1String("signatures"), sig);
        }
        if (b.kind != BackendSettings::Kind::Mqtt) {
            o.insert(QLatin1String("pollIntervalMs"), b.pollIntervalMs);
            if (!b.tokenUrl.isEmpty())
                o.insert(QLatin1String("tokenUrl"), b.tokenUrl);
            if (!b.oauthClientId.isEmpty())
                o.insert(QLatin1String("oauthClientId"), b.oauthClientId);
        }
        list.append(o);
    }
    QJsonObject root;
    root.insert(QLatin1String("format"), QStringLiteral("twinspect-backends"));
    root.insert(QLatin1String("version"), formatVersion);
    root.insert(QLatin1String("backends"), list);
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Result<bool> saveBackendSettings(const QString& path, const QList<BackendSettings>& backends)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(serializeBackendSettings(backends)) < 0 || !file.commit())
        return Error{QStringLiteral("backends.unwritable"),
                     QStringLiteral("%1: cannot save the backend settings: %2").arg(path, file.errorString())};
    return true;
}

} // namespace twinspect::telemetry
