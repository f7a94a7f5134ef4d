// SPDX-License-Identifier: Apache-2.0
#include "options.h"

#include "cli.h"
#include "telemetry/signedpayload.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QUrl>

#include <algorithm>
#include <unistd.h>

namespace twinspect::sim {

namespace {

/// A readable file, or an error naming the option.
Result<QString> readableFile(const QCommandLineParser& parser, const QCommandLineOption& option)
{
    const QString path = parser.value(option);
    const QFileInfo info(path);
    if (!info.isFile() || !info.isReadable())
        return usageError(QStringLiteral("--%1: cannot read %2").arg(option.names().constFirst(), path));
    // Paho is given the absolute path: a relative one would depend on its threads' working directory.
    return info.absoluteFilePath();
}

} // namespace

BrokerOptions::BrokerOptions(Qos qos)
    : m_qos(qos)
    , m_broker(QStringLiteral("broker"), QStringLiteral("The broker, mqtts://HOST:PORT (TLS only; default port 8883)."),
               QStringLiteral("URL"))
    , m_ca(QStringLiteral("ca"), QStringLiteral("CA certificate(s) (PEM) that the broker's certificate must chain to."),
           QStringLiteral("CA.crt"))
    , m_cert(QStringLiteral("cert"), QStringLiteral("Client certificate (PEM)."), QStringLiteral("CLIENT.crt"))
    , m_key(QStringLiteral("key"), QStringLiteral("Client private key (PEM)."), QStringLiteral("CLIENT.key"))
    , m_keyPassphraseFile(QStringLiteral("key-passphrase-file"),
                          QStringLiteral("File whose first line is the passphrase of an encrypted --key."),
                          QStringLiteral("FILE"))
    , m_username(QStringLiteral("username"), QStringLiteral("MQTT user name."), QStringLiteral("USER"))
    , m_passwordFile(QStringLiteral("password-file"), QStringLiteral("File whose first line is the MQTT password."),
                     QStringLiteral("FILE"))
    , m_qosOption(QStringLiteral("qos"), QStringLiteral("MQTT QoS of the messages, 0 or 1 (default 0)."),
                  QStringLiteral("0|1"), QStringLiteral("0"))
    , m_mqttVersion(QStringLiteral("mqtt-version"),
                    QStringLiteral("MQTT protocol version, 3.1.1 or 5 (default 3.1.1)."), QStringLiteral("VERSION"),
                    QStringLiteral("3.1.1"))
{}

void BrokerOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOptions({m_broker, m_ca, m_cert, m_key, m_keyPassphraseFile, m_username, m_passwordFile, m_mqttVersion});
    if (m_qos == Qos::Option)
        parser.addOption(m_qosOption);
}

Result<BrokerSettings> BrokerOptions::read(const QCommandLineParser& parser) const
{
    BrokerSettings s;
    if (!parser.isSet(m_broker))
        return usageError(QStringLiteral("--broker mqtts://HOST:PORT is required"));
    const QString brokerText = parser.value(m_broker);
    const QUrl url(brokerText, QUrl::StrictMode);
    if (!url.isValid() || url.scheme() != u"mqtts" || url.host().isEmpty() ||
        (!url.path().isEmpty() && url.path() != u"/") || url.hasQuery() || !url.userInfo().isEmpty())
        return usageError(
            QStringLiteral("--broker takes mqtts://HOST:PORT (TLS only, no user or path); got '%1'").arg(brokerText));
    s.host = url.host();
    const int port = url.port(8883);
    if (port < 1 || port > 65535)
        return usageError(QStringLiteral("--broker: port %1 is out of range").arg(port));
    s.port = static_cast<quint16>(port);

    if (!parser.isSet(m_ca))
        return usageError(QStringLiteral("--ca CA.crt is required: the broker's certificate is checked against it"));
    Result<QString> ca = readableFile(parser, m_ca);
    if (!ca)
        return ca.error();
    s.caFile = ca.value();
    if (parser.isSet(m_cert) != parser.isSet(m_key))
        return usageError(QStringLiteral("--cert and --key go together"));
    if (parser.isSet(m_cert)) {
        Result<QString> cert = readableFile(parser, m_cert);
        if (!cert)
            return cert.error();
        Result<QString> key = readableFile(parser, m_key);
        if (!key)
            return key.error();
        s.certFile = cert.value();
        s.keyFile = key.value();
        // Without a passphrase OpenSSL would prompt on the terminal from Paho's thread and hang a script.
        QFile keyFile(s.keyFile);
        if (!parser.isSet(m_keyPassphraseFile) && keyFile.open(QIODevice::ReadOnly) &&
            keyFile.read(1 << 20).contains("ENCRYPTED"))
            return usageError(QStringLiteral("--key: %1 is encrypted; give its passphrase with --key-passphrase-file")
                                  .arg(parser.value(m_key)));
    }
    if (parser.isSet(m_keyPassphraseFile)) {
        if (!parser.isSet(m_key))
            return usageError(QStringLiteral("--key-passphrase-file needs --key"));
        Result<QString> passphrase =
            readSecretFile(QStringLiteral("key-passphrase-file"), parser.value(m_keyPassphraseFile));
        if (!passphrase)
            return passphrase.error();
        s.keyPassphrase = passphrase.value();
    }
    if (parser.isSet(m_passwordFile)) {
        if (!parser.isSet(m_username))
            return usageError(QStringLiteral("--password-file needs --username"));
        Result<QString> password = readSecretFile(QStringLiteral("password-file"), parser.value(m_passwordFile));
        if (!password)
            return password.error();
        s.password = password.value();
    }
    s.username = parser.value(m_username);
    if (m_qos == Qos::Option) {
        const QString qos = parser.value(m_qosOption);
        if (qos != u"0" && qos != u"1")
            return usageError(QStringLiteral("--qos takes 0 or 1; got '%1'").arg(qos));
        s.qos = qos.toInt();
    }
    const QString version = parser.value(m_mqttVersion);
    if (version != u"3.1.1" && version != u"5")
        return usageError(QStringLiteral("--mqtt-version takes 3.1.1 or 5; got '%1'").arg(version));
    s.mqtt5 = version == u"5";
    return s;
}

Signer::Signer(crypto::Ed25519Key key, QString publisher)
    : m_key(std::move(key))
    , m_publisher(std::move(publisher))
{}

QByteArray Signer::wrap(QStringView topic, qint64 sourceTimeMs, const QByteArray& payload)
{
    m_sequence = std::max(m_sequence + 1, static_cast<quint64>(nowMs()));
    return telemetry::signPayload(m_key, m_publisher, topic, m_sequence, sourceTimeMs, payload);
}

SigningOptions::SigningOptions()
    : m_signKey(QStringLiteral("sign-key"),
                QStringLiteral("Sign every message with this Ed25519 private key (PEM, from 'keygen')."),
                QStringLiteral("PRIVATE.pem"))
    , m_publisher(QStringLiteral("publisher"), QStringLiteral("Publisher id in the signed envelope (with --sign-key)."),
                  QStringLiteral("ID"))
{}

void SigningOptions::addTo(QCommandLineParser& parser) const
{
    parser.addOptions({m_signKey, m_publisher});
}

Result<std::unique_ptr<Signer>> SigningOptions::read(const QCommandLineParser& parser) const
{
    if (parser.isSet(m_signKey) != parser.isSet(m_publisher))
        return usageError(QStringLiteral("--sign-key and --publisher go together"));
    if (!parser.isSet(m_signKey))
        return std::unique_ptr<Signer>();
    const QString publisher = parser.value(m_publisher);
    if (publisher.isEmpty() || publisher.size() > 256)
        return usageError(QStringLiteral("--publisher takes an id of 1 to 256 characters"));
    QFile file(parser.value(m_signKey));
    if (!file.open(QIODevice::ReadOnly))
        return usageError(
            QStringLiteral("--sign-key: cannot read %1: %2").arg(parser.value(m_signKey), file.errorString()));
    Result<crypto::Ed25519Key> key = crypto::Ed25519Key::fromPem(file.read(64 * 1024));
    if (!key || !key.value().hasPrivate())
        return usageError(
            QStringLiteral("--sign-key: %1 is not an Ed25519 private key (PEM)%2")
                .arg(parser.value(m_signKey), key ? QString() : QStringLiteral(": ") + key.error().message));
    return std::make_unique<Signer>(std::move(key).value(), publisher);
}

Result<QString> topicPrefixOption(const QCommandLineParser& parser, const QCommandLineOption& option,
                                  const QString& fallback)
{
    QString prefix = parser.isSet(option) ? parser.value(option) : fallback;
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    if (prefix.isEmpty() || prefix.contains(QLatin1Char('+')) || prefix.contains(QLatin1Char('#')) ||
        prefix.contains(QChar(0)))
        return usageError(
            QStringLiteral("--topic-prefix takes a topic without wildcards, e.g. plant/demo-boiler; got '%1'")
                .arg(parser.value(option)));
    return prefix;
}

QString clientId(const QString& role)
{
    return QStringLiteral("twinspect-sim-%1-%2").arg(role).arg(::getpid());
}

} // namespace twinspect::sim
