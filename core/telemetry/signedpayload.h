// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <memory>

namespace twinspect::crypto {
class Ed25519Key;
}

namespace twinspect::telemetry {

/// End-to-end signed telemetry (docs/telemetry-format.md, "Signed payloads"). TLS protects each hop
/// only; a publisher that signs its payloads lets the workstation prove that a value came from it,
/// on this topic, once, and recently, whatever brokers sit in between.
struct SignedEnvelope
{
    QString publisher;
    quint64 sequence = 0;
    qint64 sourceTimeMs = 0;
    QByteArray payload;   ///< the inner payload (JSON or Sparkplug bytes), as signed
    QByteArray signature; ///< 64 bytes Ed25519
};

/// The exact bytes that are signed: a domain label, then publisher, topic, sequence, time and
/// payload, each length-prefixed or fixed-width so that no two different messages share an encoding.
QByteArray canonicalSigningBytes(const QString& publisher, QStringView topic, quint64 sequence, qint64 sourceTimeMs,
                                 const QByteArray& payload);

/// Builds the JSON envelope a publisher sends (used by twinspect-sim and the tests).
QByteArray signPayload(const crypto::Ed25519Key& key, const QString& publisher, QStringView topic, quint64 sequence,
                       qint64 sourceTimeMs, const QByteArray& payload);

/// Parses the envelope's structure (not its signature).
Result<SignedEnvelope> parseSignedEnvelope(const QByteArray& message);

/// The publishers whose keys the workstation trusts, from a trust file.
class TrustList
{
public:
    TrustList();
    ~TrustList();
    TrustList(TrustList&&) noexcept;
    TrustList& operator=(TrustList&&) noexcept;

    /// Reads {"format": "twinspect-trusted-publishers", "version": 1, "publishers": [{"id", "publicKey"}]}
    /// (publicKey: 32 raw bytes in base64, or an SPKI PEM). Errors name the file, line and field.
    static Result<TrustList> load(const QString& path);
    static Result<TrustList> parse(const QByteArray& text, const QString& fileName);

    void add(const QString& publisher, crypto::Ed25519Key key);
    const crypto::Ed25519Key* keyFor(const QString& publisher) const;
    int size() const;

private:
    QHash<QString, std::shared_ptr<const crypto::Ed25519Key>> m_keys;
};

/// Checks signatures and refuses replays, for one stream of messages (one backend).
/// Not thread-safe: a backend uses it from its one receiving thread.
class SignatureVerifier
{
public:
    struct Options
    {
        qint64 maxSkewMs = 5 * 60 * 1000; ///< source time may be this far from now, either way
        int replayWindow = 64;            ///< out-of-order sequences accepted this far below the highest
    };
    struct Verdict
    {
        bool trusted = false;
        QString code;       ///< "" when trusted; else signature.bad, signature.unknown-publisher, ...
        QString reason;     ///< a sentence for the problems list and the audit log
        QString publisher;  ///< as claimed (may be unknown)
        QByteArray payload; ///< the inner payload, when the envelope could be parsed (even if untrusted)
        bool envelopeParsed = false;
    };

    SignatureVerifier(std::shared_ptr<const TrustList> trust, Options options);
    Verdict verify(QStringView topic, const QByteArray& message, qint64 nowMs);

private:
    struct Window
    {
        quint64 highest = 0;
        quint64 seenBits = 0; ///< bit i: highest - i was seen
    };
    bool acceptSequence(Window& window, quint64 sequence);

    std::shared_ptr<const TrustList> m_trust;
    Options m_options;
    QHash<QString, Window> m_windows;
};

} // namespace twinspect::telemetry
