// SPDX-License-Identifier: Apache-2.0
// The backend an admin would configure for the test broker: mutual TLS with the CRL, JSON payloads
// under one topic prefix mapped to tags by the last level, signatures required.
#pragma once

#include "mosquittobroker.h"
#include "telemetry/backendsettings.h"

#include <QUrl>

namespace twinspect::testing {

inline telemetry::BackendSettings mutualTlsBackend(const MosquittoBroker& broker, const QString& topicPrefix,
                                                   const QString& trustFile)
{
    telemetry::BackendSettings b;
    b.id = QStringLiteral("plant-broker");
    b.name = QStringLiteral("Plant broker");
    b.url = QUrl(QStringLiteral("mqtts://localhost:%1").arg(broker.port(MosquittoBroker::Listener::Mtls)));
    b.tls.caFile = broker.pkiPath(QStringLiteral("ca.crt"));
    b.tls.certFile = broker.pkiPath(QStringLiteral("client.crt"));
    b.tls.keyFile = broker.pkiPath(QStringLiteral("client.key"));
    b.tls.crlFile = broker.pkiPath(QStringLiteral("crl.pem"));
    b.subscriptions.append(
        {topicPrefix + QStringLiteral("/+"), telemetry::PayloadFormat::Json, QStringLiteral("{1}"), 0});
    b.signatures.trustFile = trustFile;
    b.signatures.required = true;
    return b;
}

} // namespace twinspect::testing
