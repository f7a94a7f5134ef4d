// SPDX-License-Identifier: Apache-2.0
#include "telemetry/messagepipeline.h"

#include "telemetry/jsonpayload.h"
#include "telemetry/signedpayload.h"
#include "telemetry/sparkplug/sparkplug.h"

namespace twinspect::telemetry {

MessagePipeline::MessagePipeline(const BackendSettings& settings, std::shared_ptr<const TrustList> trust)
    : m_subscriptions(settings.subscriptions)
    , m_backendId(settings.id)
    , m_signaturesRequired(settings.signatures.required)
{
    if (trust) {
        m_verifier = std::make_unique<SignatureVerifier>(
            std::move(trust),
            SignatureVerifier::Options{settings.signatures.maxSkewMs, settings.signatures.replayWindow});
    }
    for (const Subscription& s : m_subscriptions) {
        if (s.format == PayloadFormat::Sparkplug && !m_sparkplug) {
            sparkplug::Session::Options options;
            m_sparkplug = std::make_unique<sparkplug::Session>(options);
        }
    }
}

MessagePipeline::~MessagePipeline() = default;

const Subscription* MessagePipeline::subscriptionFor(const QString& topic, QStringList* captures) const
{
    for (const Subscription& s : m_subscriptions) {
        if (topicMatches(s.filter, topic, captures))
            return &s;
    }
    return nullptr;
}

MessagePipeline::Outcome MessagePipeline::handle(const QString& topic, const QByteArray& message, qint64 receiveTimeMs)
{
    Outcome outcome;
    QStringList captures;
    const Subscription* subscription = subscriptionFor(topic, &captures);
    if (!subscription) {
        // The broker sent what we did not ask for (overlapping subscriptions of another client id,
        // or a misbehaving broker): it is not telemetry of ours.
        outcome.decodeFailed = true;
        outcome.problems.append(
            {Problem::Severity::Warning, QStringLiteral("payload.unexpected-topic"),
             QStringLiteral("message on %1 matches no subscription of backend \"%2\"").arg(topic, m_backendId),
             receiveTimeMs});
        return outcome;
    }

    // End-to-end signature. Without a verifier, an envelope cannot be opened as trusted; with one,
    // a plain message is accepted as transport-authenticated unless signatures are required.
    QByteArray payload = message;
    bool untrusted = false;
    bool signedOk = false;
    QString untrustedReason;
    const bool looksSigned = message.contains("\"twinspect-signed\"");
    if (m_verifier && (looksSigned || m_signaturesRequired)) {
        SignatureVerifier::Verdict verdict = m_verifier->verify(topic, message, receiveTimeMs);
        if (verdict.envelopeParsed)
            payload = std::move(verdict.payload);
        signedOk = verdict.trusted;
        if (!verdict.trusted) {
            untrusted = true;
            untrustedReason = verdict.reason;
            outcome.securityEvents.append(
                {QStringLiteral("telemetry.untrusted"), verdict.publisher.isEmpty() ? topic : verdict.publisher,
                 verdict.code,
                 QStringLiteral("backend \"%1\": %2 (%3)").arg(m_backendId, verdict.reason, verdict.code)});
        }
    } else if (m_signaturesRequired || looksSigned) {
        // Required (or offered) but no trust list to check against: fail closed.
        if (looksSigned) {
            if (Result<SignedEnvelope> envelope = parseSignedEnvelope(message))
                payload = envelope.value().payload;
        }
        untrusted = true;
        untrustedReason = QStringLiteral("no trusted publishers are configured for backend \"%1\"").arg(m_backendId);
        outcome.securityEvents.append(
            {QStringLiteral("telemetry.untrusted"), topic, QStringLiteral("signature.no-trust-list"), untrustedReason});
    }

    const QString topicTag = expandTagTemplate(subscription->tagTemplate, topic, captures);
    if (subscription->format == PayloadFormat::Json) {
        DecodeResult decoded = decodeJsonPayload(payload, topicTag, receiveTimeMs);
        if (!decoded.ok()) {
            outcome.decodeFailed = true;
            outcome.problems.append({Problem::Severity::Warning, QStringLiteral("payload.invalid"),
                                     QStringLiteral("message on %1 was dropped: %2").arg(topic, decoded.error),
                                     receiveTimeMs});
            return outcome;
        }
        outcome.samples = std::move(decoded.samples);
    } else if (m_sparkplug && untrusted) {
        // Sparkplug messages change session state (births, aliases, bdSeq, deaths): a forged
        // NDEATH could mark a live node stale. Untrusted ones are refused before the session.
        outcome.decodeFailed = true;
        outcome.problems.append({Problem::Severity::Warning, QStringLiteral("signature"),
                                 QStringLiteral("Sparkplug message on %1 ignored: %2").arg(topic, untrustedReason),
                                 receiveTimeMs});
        return outcome;
    } else if (m_sparkplug) {
        sparkplug::Outcome decoded = m_sparkplug->handle(topic, payload, receiveTimeMs);
        outcome.samples = std::move(decoded.samples);
        for (const sparkplug::Problem& p : decoded.problems) {
            const auto severity = p.severity == sparkplug::Problem::Severity::Error     ? Problem::Severity::Error
                                  : p.severity == sparkplug::Problem::Severity::Warning ? Problem::Severity::Warning
                                                                                        : Problem::Severity::Info;
            if (severity == Problem::Severity::Error)
                outcome.decodeFailed = true;
            outcome.problems.append({severity, QStringLiteral("sparkplug"), p.message, receiveTimeMs});
        }
        // A rebirth request is only sent for trusted traffic: an attacker's garbage must not make
        // us flood the edge nodes with commands.
        if (decoded.rebirth && !untrusted)
            outcome.reply = std::make_pair(decoded.rebirth->topic, decoded.rebirth->payload);
    }
    for (Sample& sample : outcome.samples) {
        if (untrusted) {
            sample.quality = Quality::Untrusted;
            ++outcome.untrustedSamples;
        } else if (signedOk) {
            sample.authenticity = Authenticity::Signed;
        }
    }
    if (untrusted && outcome.samples.empty() && !outcome.decodeFailed)
        outcome.problems.append(
            {Problem::Severity::Warning, QStringLiteral("signature"), untrustedReason, receiveTimeMs});
    return outcome;
}

} // namespace twinspect::telemetry
