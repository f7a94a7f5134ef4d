// SPDX-License-Identifier: Apache-2.0
#include "telemetry/signedpayload.h"

#include "crypto/ed25519.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtEndian>

namespace twinspect::telemetry {

namespace {

const char signingDomain[] = "TWINSPECT-TELEMETRY-SIG-1";
constexpr qsizetype maxEnvelopeBytes = 2 << 20;

void appendU32(QByteArray& out, quint32 value)
{
    char bytes[4];
    qToBigEndian(value, bytes);
    out.append(bytes, 4);
}

void appendU64(QByteArray& out, quint64 value)
{
    char bytes[8];
    qToBigEndian(value, bytes);
    out.append(bytes, 8);
}

void appendField(QByteArray& out, const QByteArray& field)
{
    appendU32(out, static_cast<quint32>(field.size()));
    out.append(field);
}

/// Base64 that refuses anything but the standard alphabet with padding.
std::optional<QByteArray> strictBase64(const QJsonValue& value)
{
    if (!value.isString())
        return std::nullopt;
    auto decoded = QByteArray::fromBase64Encoding(value.toString().toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return *decoded;
}

} // namespace

QByteArray canonicalSigningBytes(const QString& publisher, QStringView topic, quint64 sequence, qint64 sourceTimeMs,
                                 const QByteArray& payload)
{
    QByteArray out;
    out.reserve(64 + publisher.size() + topic.size() + payload.size());
    out.append(signingDomain, sizeof(signingDomain)); // includes the terminating zero byte
    appendField(out, publisher.toUtf8());
    appendField(out, topic.toUtf8());
    appendU64(out, sequence);
    appendU64(out, static_cast<quint64>(sourceTimeMs));
    appendField(out, payload);
    return out;
}

QByteArray signPayload(const crypto::Ed25519Key& key, const QString& publisher, QStringView topic, quint64 sequence,
                       qint64 sourceTimeMs, const QByteArray& payload)
{
    const QByteArray signature = key.sign(canonicalSigningBytes(publisher, topic, sequence, sourceTimeMs, payload));
    QJsonObject envelope;
    envelope.insert(QLatin1String("twinspect-signed"), 1);
    envelope.insert(QLatin1String("publisher"), publisher);
    envelope.insert(QLatin1String("seq"), QString::number(sequence));
    envelope.insert(QLatin1String("ts"), QString::number(sourceTimeMs));
    envelope.insert(QLatin1String("payload"), QString::fromLatin1(payload.toBase64()));
    envelope.insert(QLatin1String("sig"), QString::fromLatin1(signature.toBase64()));
    return QJsonDocument(envelope).toJson(QJsonDocument::Compact);
}

Result<SignedEnvelope> parseSignedEnvelope(const QByteArray& message)
{
    const auto fail = [](const QString& message) { return Error{QStringLiteral("signature.malformed"), message}; };
    if (message.size() > maxEnvelopeBytes)
        return fail(QStringLiteral("signed envelope larger than 2 MiB"));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(message, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return fail(QStringLiteral("not a signed envelope: the message is not a JSON object"));
    const QJsonObject object = document.object();
    if (object.value(QLatin1String("twinspect-signed")).toInt(0) != 1)
        return fail(QStringLiteral("not a signed envelope: \"twinspect-signed\": 1 is missing"));
    SignedEnvelope envelope;
    envelope.publisher = object.value(QLatin1String("publisher")).toString();
    if (envelope.publisher.isEmpty() || envelope.publisher.size() > 256)
        return fail(QStringLiteral("signed envelope: \"publisher\" must be 1 to 256 characters"));
    // Sequence and time are decimal strings: JSON numbers lose precision above 2^53.
    bool ok = false;
    envelope.sequence = object.value(QLatin1String("seq")).toString().toULongLong(&ok);
    if (!ok || envelope.sequence == 0)
        return fail(QStringLiteral("signed envelope: \"seq\" must be a positive decimal integer in a string"));
    envelope.sourceTimeMs = object.value(QLatin1String("ts")).toString().toLongLong(&ok);
    if (!ok || envelope.sourceTimeMs < 0)
        return fail(QStringLiteral("signed envelope: \"ts\" must be milliseconds since 1970 in a string"));
    const auto payload = strictBase64(object.value(QLatin1String("payload")));
    if (!payload)
        return fail(QStringLiteral("signed envelope: \"payload\" is not base64"));
    envelope.payload = *payload;
    const auto signature = strictBase64(object.value(QLatin1String("sig")));
    if (!signature || signature->size() != 64)
        return fail(QStringLiteral("signed envelope: \"sig\" is not a 64-byte base64 signature"));
    envelope.signature = *signature;
    return envelope;
}

TrustList::TrustList() = default;
TrustList::~TrustList() = default;
TrustList::TrustList(TrustList&&) noexcept = default;
TrustList& TrustList::operator=(TrustList&&) noexcept = default;

Result<TrustList> TrustList::load(const QString& path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("trust.unreadable"),
                     QStringLiteral("%1: cannot read the trusted publishers file: %2").arg(path, file.errorString())};
    return parse(file.read(1 << 20), path);
}

Result<TrustList> TrustList::parse(const QByteArray& text, const QString& fileName)
{
    const auto fail = [&](const QString& message) {
        return Error{QStringLiteral("trust.invalid"), fileName + QStringLiteral(": ") + message};
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not JSON (%1 at byte %2)").arg(parseError.errorString()).arg(parseError.offset));
    const QJsonObject root = document.object();
    if (root.value(QLatin1String("format")).toString() != u"twinspect-trusted-publishers")
        return fail(QStringLiteral("$.format: expected \"twinspect-trusted-publishers\""));
    if (root.value(QLatin1String("version")).toInt() != 1)
        return fail(QStringLiteral("$.version: only version 1 is known"));
    TrustList list;
    const QJsonArray publishers = root.value(QLatin1String("publishers")).toArray();
    for (qsizetype i = 0; i < publishers.size(); ++i) {
        const QString where = QStringLiteral("$.publishers[%1]").arg(i);
        const QJsonObject entry = publishers.at(i).toObject();
        const QString id = entry.value(QLatin1String("id")).toString();
        if (id.isEmpty())
            return fail(where + QStringLiteral(".id: expected the publisher id"));
        if (list.keyFor(id))
            return fail(where + QStringLiteral(".id: publisher \"%1\" is listed twice").arg(id));
        const QString keyText = entry.value(QLatin1String("publicKey")).toString();
        Result<crypto::Ed25519Key> key =
            keyText.startsWith(u"-----BEGIN")
                ? crypto::Ed25519Key::fromPem(keyText.toLatin1())
                : crypto::Ed25519Key::fromRawPublic(QByteArray::fromBase64(keyText.toLatin1()));
        if (!key)
            return fail(where + QStringLiteral(".publicKey: not an Ed25519 public key (%1)").arg(key.error().message));
        if (key.value().hasPrivate())
            return fail(where +
                        QStringLiteral(".publicKey: this is a private key; the trust list holds public keys only"));
        list.add(id, std::move(key).value());
    }
    return list;
}

void TrustList::add(const QString& publisher, crypto::Ed25519Key key)
{
    m_keys.insert(publisher, std::make_shared<const crypto::Ed25519Key>(std::move(key)));
}

const crypto::Ed25519Key* TrustList::keyFor(const QString& publisher) const
{
    const auto it = m_keys.constFind(publisher);
    return it == m_keys.constEnd() ? nullptr : it.value().get();
}

int TrustList::size() const
{
    return static_cast<int>(m_keys.size());
}

SignatureVerifier::SignatureVerifier(std::shared_ptr<const TrustList> trust, Options options)
    : m_trust(std::move(trust))
    , m_options(options)
{
    m_options.replayWindow = std::clamp(m_options.replayWindow, 1, 64);
}

bool SignatureVerifier::acceptSequence(Window& window, quint64 sequence)
{
    if (sequence > window.highest) {
        const quint64 shift = sequence - window.highest;
        window.seenBits = shift >= 64 ? 0 : window.seenBits << shift;
        window.seenBits |= 1;
        window.highest = sequence;
        return true;
    }
    const quint64 behind = window.highest - sequence;
    if (behind >= static_cast<quint64>(m_options.replayWindow))
        return false;
    const quint64 bit = quint64{1} << behind;
    if (window.seenBits & bit)
        return false;
    window.seenBits |= bit;
    return true;
}

SignatureVerifier::Verdict SignatureVerifier::verify(QStringView topic, const QByteArray& message, qint64 nowMs)
{
    Verdict verdict;
    Result<SignedEnvelope> parsed = parseSignedEnvelope(message);
    if (!parsed) {
        verdict.code = QStringLiteral("signature.missing");
        verdict.reason = QStringLiteral("message on %1 is not signed (%2)").arg(topic, parsed.error().message);
        return verdict;
    }
    const SignedEnvelope& envelope = parsed.value();
    verdict.envelopeParsed = true;
    verdict.publisher = envelope.publisher;
    verdict.payload = envelope.payload;
    const crypto::Ed25519Key* key = m_trust ? m_trust->keyFor(envelope.publisher) : nullptr;
    if (!key) {
        verdict.code = QStringLiteral("signature.unknown-publisher");
        verdict.reason =
            QStringLiteral("publisher \"%1\" on %2 is not in the trust list").arg(envelope.publisher, topic);
        return verdict;
    }
    const QByteArray signedBytes =
        canonicalSigningBytes(envelope.publisher, topic, envelope.sequence, envelope.sourceTimeMs, envelope.payload);
    if (!key->verify(signedBytes, envelope.signature)) {
        verdict.code = QStringLiteral("signature.bad");
        verdict.reason = QStringLiteral("signature of publisher \"%1\" on %2 does not verify (tampered, or moved "
                                        "from another topic)")
                             .arg(envelope.publisher, topic);
        return verdict;
    }
    // Only a verified message may move the replay window, or forgeries could push it forward.
    const qint64 skew = envelope.sourceTimeMs - nowMs;
    if (skew > m_options.maxSkewMs || -skew > m_options.maxSkewMs) {
        verdict.code = QStringLiteral("signature.out-of-window");
        verdict.reason = QStringLiteral("message %1 of publisher \"%2\" on %3 is %4 s %5 this workstation's clock "
                                        "(allowed: %6 s)")
                             .arg(envelope.sequence)
                             .arg(envelope.publisher, topic)
                             .arg(std::abs(skew) / 1000)
                             .arg(skew > 0 ? QStringLiteral("ahead of") : QStringLiteral("behind"))
                             .arg(m_options.maxSkewMs / 1000);
        return verdict;
    }
    if (!acceptSequence(m_windows[envelope.publisher], envelope.sequence)) {
        verdict.code = QStringLiteral("signature.replay");
        verdict.reason = QStringLiteral("message %1 of publisher \"%2\" on %3 was already received or is too old "
                                        "(replay)")
                             .arg(envelope.sequence)
                             .arg(envelope.publisher, topic);
        return verdict;
    }
    verdict.trusted = true;
    return verdict;
}

} // namespace twinspect::telemetry
