// SPDX-License-Identifier: Apache-2.0
// End-to-end signed telemetry: envelopes, the trust list, and the verifier's refusal of unknown
// publishers, tampering, topic moves, replays and out-of-window times. Real Ed25519 (OpenSSL).
#include "crypto/ed25519.h"
#include "telemetry/signedpayload.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QDateTime>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace twinspect;
using namespace twinspect::telemetry;

namespace {

constexpr qint64 now = 1'764'100'000'000;
const QString topic = QStringLiteral("plant/demo/LIT01");

std::shared_ptr<TrustList> trustWith(const QString& id, const crypto::Ed25519Key& key)
{
    auto list = std::make_shared<TrustList>();
    list->add(id, crypto::Ed25519Key::fromRawPublic(key.rawPublic()).value());
    return list;
}

} // namespace

class TestSignedPayload : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void canonicalBytesAreUnambiguous()
    {
        // Moving a byte between publisher and topic must change the signed bytes.
        const QByteArray a = canonicalSigningBytes(QStringLiteral("ab"), u"c", 1, 2, "x");
        const QByteArray b = canonicalSigningBytes(QStringLiteral("a"), u"bc", 1, 2, "x");
        QVERIFY(a != b);
        QVERIFY(a.startsWith(QByteArray("TWINSPECT-TELEMETRY-SIG-1", 26)));
    }

    void canonicalBytesTestVector()
    {
        // The vector in docs/telemetry-format.md: gateway implementers compare against it.
        const QByteArray bytes = canonicalSigningBytes(QStringLiteral("gw-1"), u"t/a", 7, 1000, "{\"v\":1}");
        QCOMPARE(bytes.toHex(), QByteArray("5457494e53504543542d54454c454d455452592d5349472d3100000000"
                                           "0467772d3100000003742f61000000000000000700000000000003e800000007"
                                           "7b2276223a317d"));
    }

    void goodSignatureIsTrusted()
    {
        const auto key = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {});
        const QByteArray message = signPayload(key, QStringLiteral("gw-1"), topic, 1, now, "{\"v\":1}");
        const auto verdict = verifier.verify(topic, message, now + 50);
        QVERIFY2(verdict.trusted, qPrintable(verdict.reason));
        QCOMPARE(verdict.payload, QByteArray("{\"v\":1}"));
        QCOMPARE(verdict.publisher, QStringLiteral("gw-1"));
    }

    void unknownPublisher()
    {
        const auto key = crypto::Ed25519Key::generate();
        const auto stranger = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {});
        const auto verdict =
            verifier.verify(topic, signPayload(stranger, QStringLiteral("gw-9"), topic, 1, now, "{}"), now);
        QVERIFY(!verdict.trusted);
        QCOMPARE(verdict.code, QStringLiteral("signature.unknown-publisher"));
        QVERIFY(verdict.reason.contains(u"gw-9"));
    }

    void keyOfAnotherPublisher()
    {
        // A trusted id with someone else's key is a bad signature, not a trusted one.
        const auto key = crypto::Ed25519Key::generate();
        const auto impostor = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {});
        const auto verdict =
            verifier.verify(topic, signPayload(impostor, QStringLiteral("gw-1"), topic, 1, now, "{}"), now);
        QCOMPARE(verdict.code, QStringLiteral("signature.bad"));
    }

    void tamperedPayload()
    {
        const auto key = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {});
        QJsonObject envelope =
            QJsonDocument::fromJson(signPayload(key, QStringLiteral("gw-1"), topic, 1, now, "{\"v\":1}")).object();
        envelope.insert(QStringLiteral("payload"), QString::fromLatin1(QByteArray("{\"v\":9}").toBase64()));
        const auto verdict = verifier.verify(topic, QJsonDocument(envelope).toJson(), now);
        QVERIFY(!verdict.trusted);
        QCOMPARE(verdict.code, QStringLiteral("signature.bad"));
        QCOMPARE(verdict.payload, QByteArray("{\"v\":9}")); // still readable, to be shown as untrusted
    }

    void movedToAnotherTopic()
    {
        const auto key = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {});
        const QByteArray message = signPayload(key, QStringLiteral("gw-1"), topic, 1, now, "{\"v\":1}");
        QCOMPARE(verifier.verify(u"plant/demo/LIT02", message, now).code, QStringLiteral("signature.bad"));
    }

    void replayIsRefused()
    {
        const auto key = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {});
        const QByteArray first = signPayload(key, QStringLiteral("gw-1"), topic, 10, now, "{\"v\":1}");
        QVERIFY(verifier.verify(topic, first, now).trusted);
        const auto again = verifier.verify(topic, first, now);
        QVERIFY(!again.trusted);
        QCOMPARE(again.code, QStringLiteral("signature.replay"));
    }

    void outOfOrderWithinWindowIsAccepted()
    {
        const auto key = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {now, 8});
        QVERIFY(verifier.verify(topic, signPayload(key, QStringLiteral("gw-1"), topic, 20, now, "{}"), now).trusted);
        QVERIFY(verifier.verify(topic, signPayload(key, QStringLiteral("gw-1"), topic, 15, now, "{}"), now).trusted);
        QCOMPARE(verifier.verify(topic, signPayload(key, QStringLiteral("gw-1"), topic, 15, now, "{}"), now).code,
                 QStringLiteral("signature.replay"));
        QCOMPARE(verifier.verify(topic, signPayload(key, QStringLiteral("gw-1"), topic, 12, now, "{}"), now).code,
                 QStringLiteral("signature.replay")); // 8 behind the highest: outside the window
        QVERIFY(verifier.verify(topic, signPayload(key, QStringLiteral("gw-1"), topic, 200, now, "{}"), now).trusted);
    }

    void forgeryDoesNotMoveTheWindow()
    {
        const auto key = crypto::Ed25519Key::generate();
        const auto impostor = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {});
        verifier.verify(topic, signPayload(impostor, QStringLiteral("gw-1"), topic, 1'000'000, now, "{}"), now);
        QVERIFY(verifier.verify(topic, signPayload(key, QStringLiteral("gw-1"), topic, 5, now, "{}"), now).trusted);
    }

    void outOfTimeWindow()
    {
        const auto key = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {60'000, 64});
        const auto old =
            verifier.verify(topic, signPayload(key, QStringLiteral("gw-1"), topic, 1, now - 120'000, "{}"), now);
        QCOMPARE(old.code, QStringLiteral("signature.out-of-window"));
        QVERIFY(old.reason.contains(u"behind"));
    }

    void notAnEnvelope()
    {
        const auto key = crypto::Ed25519Key::generate();
        SignatureVerifier verifier(trustWith(QStringLiteral("gw-1"), key), {});
        QCOMPARE(verifier.verify(topic, "{\"v\":1}", now).code, QStringLiteral("signature.missing"));
        QCOMPARE(verifier.verify(topic, "garbage", now).code, QStringLiteral("signature.missing"));
    }

    void independentSignerInterop()
    {
        // The vendors' example in docs/telemetry-format.md, run with Python's cryptography
        // package: what it signs, we verify. A raw 32-byte seed gives the same key on both sides.
        const QByteArray seed = QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        QProcess python;
        python.start(QStringLiteral("python3"), {QStringLiteral(TWINSPECT_SOURCE_DIR "/tests/unit/sign_envelope.py"),
                                                 QString::fromLatin1(seed.toHex()), QStringLiteral("gw-py"), topic,
                                                 QStringLiteral("3"), QStringLiteral("{\"v\":7.25}")});
        QVERIFY(python.waitForFinished(20'000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const QByteArray message = python.readAllStandardOutput();
        // RFC 8032 test 1: this seed's public key.
        const QByteArray publicKey = QByteArray::fromHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        auto trust = std::make_shared<TrustList>();
        trust->add(QStringLiteral("gw-py"), crypto::Ed25519Key::fromRawPublic(publicKey).value());
        SignatureVerifier verifier(trust, {});
        const auto verdict = verifier.verify(topic, message, QDateTime::currentMSecsSinceEpoch());
        QVERIFY2(verdict.trusted, qPrintable(verdict.reason + QStringLiteral(" / ") + QString::fromUtf8(message)));
        QCOMPARE(verdict.payload, QByteArray("{\"v\":7.25}"));
    }

    void trustFileParsing()
    {
        const auto key = crypto::Ed25519Key::generate();
        const QByteArray good = "{\"format\":\"twinspect-trusted-publishers\",\"version\":1,\"publishers\":["
                                "{\"id\":\"gw-1\",\"publicKey\":\"" +
                                key.rawPublic().toBase64() + "\"}]}";
        auto list = TrustList::parse(good, QStringLiteral("trust.json"));
        QVERIFY2(list.ok(), list.ok() ? "" : qPrintable(list.error().message));
        QVERIFY(list.value().keyFor(QStringLiteral("gw-1")));

        const QByteArray privateKey = "{\"format\":\"twinspect-trusted-publishers\",\"version\":1,\"publishers\":["
                                      "{\"id\":\"gw-1\",\"publicKey\":\"" +
                                      key.privatePem().replace('\n', "\\n") + "\"}]}";
        auto refused = TrustList::parse(privateKey, QStringLiteral("trust.json"));
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(u"private key"), qPrintable(refused.error().message));

        auto duplicate = TrustList::parse("{\"format\":\"twinspect-trusted-publishers\",\"version\":1,\"publishers\":["
                                          "{\"id\":\"a\",\"publicKey\":\"" +
                                              key.rawPublic().toBase64() +
                                              "\"},"
                                              "{\"id\":\"a\",\"publicKey\":\"" +
                                              key.rawPublic().toBase64() + "\"}]}",
                                          QStringLiteral("trust.json"));
        QVERIFY(!duplicate.ok());
        QVERIFY(duplicate.error().message.contains(u"trust.json: $.publishers[1].id"));
    }
};

QTEST_GUILESS_MAIN(TestSignedPayload)
#include "tst_signedpayload.moc"
