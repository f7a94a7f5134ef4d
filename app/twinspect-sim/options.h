// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"
#include "crypto/ed25519.h"
#include "mqttpublisher.h"

#include <QCommandLineOption>
#include <QString>

#include <memory>

class QCommandLineParser;

namespace twinspect::sim {

/// --broker, --ca, --cert, --key, --key-passphrase-file, --username, --password-file, --mqtt-version
/// and (for publish and replay) --qos.
class BrokerOptions
{
public:
    enum class Qos
    {
        Option,
        AlwaysZero
    };
    explicit BrokerOptions(Qos qos);
    void addTo(QCommandLineParser& parser) const;
    /// Checks the values and reads the secret files. Errors (code "usage") name the option.
    Result<BrokerSettings> read(const QCommandLineParser& parser) const;

private:
    Qos m_qos;
    QCommandLineOption m_broker;
    QCommandLineOption m_ca;
    QCommandLineOption m_cert;
    QCommandLineOption m_key;
    QCommandLineOption m_keyPassphraseFile;
    QCommandLineOption m_username;
    QCommandLineOption m_passwordFile;
    QCommandLineOption m_qosOption;
    QCommandLineOption m_mqttVersion;
};

/// Wraps payloads in signed envelopes (telemetry/signedpayload.h) with a strictly increasing
/// sequence. The sequence is max(previous + 1, wall clock in ms): it starts at the current time,
/// so a restarted simulator never reuses a sequence the workstation's replay window still holds.
class Signer
{
public:
    Signer(crypto::Ed25519Key key, QString publisher);
    QByteArray wrap(QStringView topic, qint64 sourceTimeMs, const QByteArray& payload);
    const QString& publisher() const { return m_publisher; }

private:
    crypto::Ed25519Key m_key;
    QString m_publisher;
    quint64 m_sequence = 0;
};

/// --sign-key and --publisher (both or neither).
class SigningOptions
{
public:
    SigningOptions();
    void addTo(QCommandLineParser& parser) const;
    /// A signer, or null when signing is off. Errors (code "usage") name the option.
    Result<std::unique_ptr<Signer>> read(const QCommandLineParser& parser) const;

private:
    QCommandLineOption m_signKey;
    QCommandLineOption m_publisher;
};

/// --topic-prefix: a topic without wildcards; trailing slashes are dropped. fallback when not given.
Result<QString> topicPrefixOption(const QCommandLineParser& parser, const QCommandLineOption& option,
                                  const QString& fallback);

/// twinspect-sim-ROLE-PID: unique per process, so two simulators never take over each other's session.
QString clientId(const QString& role);

} // namespace twinspect::sim
