// SPDX-License-Identifier: Apache-2.0
// The audit log's building blocks against their specifications: RFC 9162 Merkle trees and
// inclusion proofs, the checkpoint text format, canonical entry bytes.
#include "audit/auditentry.h"
#include "audit/checkpoint.h"
#include "audit/merkle.h"
#include "crypto/ed25519.h"

#include <QTest>

using namespace twinspect::audit;
using twinspect::crypto::Digest;
using twinspect::crypto::Sha256;

namespace {

/// MTH straight from RFC 9162 §2.1.1, recursive, as the reference.
Digest referenceRoot(Sha256& sha, const std::vector<Digest>& leaves, size_t begin, size_t end)
{
    const size_t n = end - begin;
    if (n == 0)
        return emptyTreeRoot();
    if (n == 1)
        return leaves[begin];
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return nodeHash(sha, referenceRoot(sha, leaves, begin, begin + k), referenceRoot(sha, leaves, begin + k, end));
}

std::vector<Digest> leavesFor(size_t n)
{
    Sha256 sha;
    std::vector<Digest> leaves;
    for (size_t i = 0; i < n; ++i)
        leaves.push_back(leafHash(sha, QByteArray::number(qulonglong(i))));
    return leaves;
}

} // namespace

class TestAuditFormat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void compactRangeMatchesTheRfcDefinition()
    {
        Sha256 sha;
        const std::vector<Digest> leaves = leavesFor(70);
        CompactRange range;
        QCOMPARE(range.root(sha), emptyTreeRoot());
        for (size_t n = 1; n <= leaves.size(); ++n) {
            range.append(sha, leaves[n - 1]);
            QCOMPARE(range.root(sha), referenceRoot(sha, leaves, 0, n));
            QCOMPARE(MerkleTree(std::vector<Digest>(leaves.begin(), leaves.begin() + long(n))).root(),
                     referenceRoot(sha, leaves, 0, n));
        }
        // A restart resumes from the stored edge.
        CompactRange restored;
        QVERIFY(restored.restore(range.size(), range.serialise()));
        QCOMPARE(restored.root(sha), range.root(sha));
        QVERIFY(!restored.restore(range.size() + 1, range.serialise()));
    }

    void emptyTreeRootIsTheRfcValue()
    {
        QCOMPARE(twinspect::crypto::toBytes(emptyTreeRoot()).toHex(),
                 QByteArray("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    }

    void inclusionProofsVerifyAndRejectTheWrongLeaf()
    {
        Sha256 sha;
        for (const size_t n : {size_t(1), size_t(2), size_t(3), size_t(7), size_t(8), size_t(13), size_t(64), size_t(100)}) {
            const std::vector<Digest> leaves = leavesFor(n);
            const MerkleTree tree(leaves);
            for (quint64 i = 0; i < n; ++i) {
                const std::vector<Digest> proof = tree.inclusionProof(i);
                QVERIFY2(verifyInclusion(leaves[i], i, n, proof, tree.root()), qPrintable(QStringLiteral("n=%1 i=%2").arg(n).arg(i)));
                if (n > 1)
                    QVERIFY(!verifyInclusion(leaves[(i + 1) % n], i, n, proof, tree.root()));
            }
        }
    }

    void checkpointBodyRoundTripsAndRejectsVariants()
    {
        const auto key = twinspect::crypto::Ed25519Key::generate();
        Checkpoint cp;
        cp.origin = QStringLiteral("twinspect/test");
        cp.size = 1234;
        cp.root = Sha256::hash("root");
        cp.chainHead = Sha256::hash("chain");
        cp.epoch = 17;
        cp.time = QStringLiteral("2026-11-26T01:00:00.000Z");
        cp.nextKey = key.rawPublic();
        const QByteArray body = cp.body();
        const auto parsed = Checkpoint::parseBody(body);
        QVERIFY(parsed.ok());
        QCOMPARE(parsed.value().body(), body);
        QCOMPARE(parsed.value().epoch, quint64(17));
        for (const QByteArray& bad : {QByteArray(body).replace("size 1234", "size 01234"),
                                      QByteArray(body).replace("epoch 17", "epoch -1"), body.left(body.size() - 1),
                                      QByteArray(body).replace("twinspect-audit-checkpoint v1", "other v1"),
                                      QByteArray(body).replace("\nroot ", "\nroot x"), QByteArray(body + "extra\n")}) {
            QVERIFY2(!Checkpoint::parseBody(bad).ok(), bad.constData());
        }
        const SignedCheckpoint signedCp{body, key.sign(body)};
        const auto text = SignedCheckpoint::parseText(signedCp.toText());
        QVERIFY(text.ok());
        QCOMPARE(text.value().body, body);
        QVERIFY(key.verify(text.value().body, text.value().signature));
    }

    void entryBytesAreCanonicalAndClaimTheirSeq()
    {
        AuditEvent e;
        e.operatorName = QStringLiteral("ana\"lyst");
        e.role = QStringLiteral("auditor");
        e.action = QStringLiteral("note");
        e.target = QStringLiteral("TK01");
        e.reason = QStringLiteral("line\nbreak");
        e.details = QJsonObject{{QStringLiteral("b"), 2}, {QStringLiteral("a"), QStringLiteral("x")}};
        const QByteArray bytes = canonicalEntry(42, 1764120000123, QStringLiteral("ws"), e);
        // Plain literals, not raw strings: moc cannot read raw strings holding escaped quotes.
        const QByteArray expected = "{\"v\":1,\"seq\":42,\"time\":\"2025-11-26T01:20:00.123Z\",\"origin\":\"ws\","
                                    "\"operator\":\"ana\\\"lyst\",\"role\":\"auditor\",\"session\":\"\",\"action\":\"note\","
                                    "\"target\":\"TK01\",\"outcome\":\"success\",\"reason\":\"line\\u000abreak\","
                                    "\"details\":{\"a\":\"x\",\"b\":2},\"esig\":null}";
        QCOMPARE(bytes, expected);
        QCOMPARE(embeddedSeq(bytes), std::optional<quint64>(42));
        QVERIFY(!embeddedSeq(QByteArray("{\"v\":1,\"seq\":x}")));
        const auto record = parseEntry(bytes);
        QVERIFY(record.ok());
        QCOMPARE(record.value().event.operatorName, e.operatorName);
        QCOMPARE(record.value().event.reason, e.reason);
        QCOMPARE(record.value().event.details, e.details);
        QCOMPARE(record.value().timeMs, qint64(1764120000123));
    }

    void actionCatalogueIsClosed()
    {
        QVERIFY(isKnownAction(QStringLiteral("note")));
        QVERIFY(isKnownAction(QStringLiteral("audit.gap")));
        QVERIFY(!isKnownAction(QStringLiteral("anything")));
    }
};

QTEST_GUILESS_MAIN(TestAuditFormat)
#include "tst_auditformat.moc"
