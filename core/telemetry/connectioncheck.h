// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QList>
#include <QString>

#include <atomic>

namespace twinspect::telemetry {

struct BackendSettings;

/// One certificate of a chain, for the "certificate details" view and for error messages.
struct CertificateInfo
{
    QString subject;
    QString issuer;
    QString notBefore; ///< ISO 8601, UTC
    QString notAfter;
    QString sha256;    ///< fingerprint, colon-separated hex
    QStringList names; ///< subjectAltName DNS and IP entries
};

/// What a connection attempt found out. code is stable ("tls.unknown-ca", "auth.bad-password", ...);
/// message is a sentence a person can act on: which certificate, which host, which check failed.
struct ConnectionVerdict
{
    bool ok = false;
    QString code;
    QString message;
    QList<CertificateInfo> serverChain; ///< as presented by the server (leaf first), even on failure
    QString protocol;                   ///< "TLSv1.3"
    QString cipher;
};

/// The inputs of a check that are not in the settings: secrets, fetched from the secret store.
struct ConnectionSecrets
{
    QString password;
    QString keyPassphrase;
    QString token;        ///< HTTPS/WSS: a static bearer token ("<id>/token")
    QString clientSecret; ///< HTTPS/WSS: the OAuth2 client secret ("<id>/client-secret")
};

/// Checks that an MQTT backend can be reached the way the workstation will connect: reads the client
/// certificate and key, opens TCP, performs the TLS handshake with the pinned CA, hostname check and
/// CRL, then sends an MQTT 3.1.1 CONNECT with the credentials and reads the CONNACK.
/// Paho reports every one of these failures as "MQTT error -1"; this check says which one it was.
/// Blocking, for a worker thread; returns within timeoutMs, earlier when cancel becomes true.
ConnectionVerdict checkMqttConnection(const BackendSettings& settings, const ConnectionSecrets& secrets, int timeoutMs,
                                      const std::atomic<bool>* cancel = nullptr);

/// Checks that an HTTPS or WSS backend's server can be reached the way the workstation will connect:
/// the same client certificate, TCP, TLS, CA, host name and CRL checks as checkMqttConnection, and no
/// protocol after TLS. Qt's own TLS has no CRL support, so HttpSource runs this before it connects.
/// Blocking, for a worker thread; returns within timeoutMs, earlier when cancel becomes true.
ConnectionVerdict checkHttpsConnection(const BackendSettings& settings, const ConnectionSecrets& secrets, int timeoutMs,
                                       const std::atomic<bool>* cancel = nullptr);

/// Reads the certificates of a PEM file (for the settings dialog).
QList<CertificateInfo> readCertificates(const QString& pemPath, QString* error);

} // namespace twinspect::telemetry
