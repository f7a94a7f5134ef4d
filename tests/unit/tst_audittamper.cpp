// SPDX-License-Identifier: Apache-2.0
// The tamper suite: each attack on a real log of 1,100 entries and more than 10 checkpoints must
// be detected and named, with the first bad entry; a clean log must verify.
#include "audit/auditentry.h"
#include "audit/auditlog.h"
#include "audit/auditverifier.h"
#include "audit/checkpoint.h"
#include "audit/keystore.h"
#include "audit/merkle.h"
#include "auditfixture.h"

#include <QTemporaryDir>
#include <QTest>

using namespace twinspect::audit;
using twinspect::test::Attacker;
using Kind = VerifyProblem::Kind;

namespace {
constexpr int kEntries = 1100;
}

class TestAuditTamper : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_master;
    QString m_oldCopy;
    QByteArray m_anchor;
    QByteArray m_enrolmentPem;
    int m_case = 0;

    QString freshCopy()
    {
        const QString path = m_dir.filePath(QStringLiteral("case%1.db").arg(++m_case));
        Q_ASSERT(twinspect::test::copyLog(m_master, path));
        return path;
    }

    VerifyReport verify(const QString& path, bool withAnchor = false)
    {
        VerifyOptions options;
        options.trustedKeyPem = m_enrolmentPem;
        if (withAnchor)
            options.anchorText = m_anchor;
        return verifyDatabase(path, options);
    }

    /// Rewrites the stored chain hashes from `from` on, as an attacker covering an edit would.
    static void recomputeChain(Attacker& attacker, quint64 from)
    {
        twinspect::crypto::Sha256 sha;
        twinspect::crypto::Digest head =
            from == 0 ? genesisHash(attacker.value(QStringLiteral("SELECT value FROM meta WHERE key='enrolment'")).toByteArray())
                      : *twinspect::crypto::digestFromBytes(
                            attacker.value(QStringLiteral("SELECT chain FROM entries WHERE seq=?"), {qint64(from - 1)}).toByteArray());
        const qint64 count = attacker.value(QStringLiteral("SELECT COUNT(*) FROM entries")).toLongLong();
        for (qint64 seq = qint64(from); seq < count; ++seq) {
            const QByteArray body = attacker.value(QStringLiteral("SELECT body FROM entries WHERE seq=?"), {seq}).toByteArray();
            head = chainHash(sha, quint64(seq), head, twinspect::crypto::Sha256::hash(body));
            attacker.exec(QStringLiteral("UPDATE entries SET chain=? WHERE seq=?"), {twinspect::crypto::toBytes(head), seq});
        }
    }

    static void expect(const VerifyReport& report, Kind kind, std::optional<quint64> seq)
    {
        QVERIFY2(report.problem.has_value(), qPrintable(QStringLiteral("not detected:\n") + report.summary()));
        QVERIFY2(report.problem->kind == kind,
                 qPrintable(QStringLiteral("expected %1, got:\n%2").arg(kindName(kind), report.summary())));
        if (seq)
            QVERIFY2(report.problem->seq == seq, qPrintable(QStringLiteral("expected entry %1, got:\n%2").arg(*seq).arg(report.summary())));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_master = m_dir.filePath(QStringLiteral("master.db"));
        m_oldCopy = m_dir.filePath(QStringLiteral("old.db"));
        // Two sessions, like two days at the workstation; a copy is kept in between.
        QVERIFY(twinspect::test::buildLog(m_master, 600, 6));
        QVERIFY(twinspect::test::copyLog(m_master, m_oldCopy));
        {
            AuditLog::Options options;
            options.databasePath = m_master;
            AuditLog log(options);
            QVERIFY(log.waitOpened(10000));
            QVERIFY2(log.isWritable(), qPrintable(log.problem()));
            for (int round = 0; round < 5; ++round) {
                for (int i = 0; i < 100; ++i)
                    QVERIFY(log.append(twinspect::test::noteEvent(600 + round * 100 + i)));
                QVERIFY(log.waitSealed(10000));
            }
        }
        QFile pem(m_master + QStringLiteral(".enrolment.pem"));
        QVERIFY(pem.open(QIODevice::ReadOnly));
        m_enrolmentPem = pem.readAll();
        Attacker reader(m_master, false);
        const qint64 last = reader.value(QStringLiteral("SELECT MAX(epoch) FROM checkpoints")).toLongLong();
        m_anchor = SignedCheckpoint{reader.value(QStringLiteral("SELECT body FROM checkpoints WHERE epoch=?"), {last}).toByteArray(),
                                    reader.value(QStringLiteral("SELECT signature FROM checkpoints WHERE epoch=?"), {last}).toByteArray()}
                       .toText();
    }

    void aCleanLogVerifies()
    {
        const VerifyReport report = verify(m_master, true);
        QVERIFY2(report.intact(), qPrintable(report.summary()));
        QVERIFY(report.entries >= quint64(kEntries));
        QVERIFY2(report.checkpoints >= 10, qPrintable(QString::number(report.checkpoints)));
        QCOMPARE(report.unsealedTail, quint64(0));
        QVERIFY(report.anchorChecked);
    }

    void editAnEntry()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("UPDATE entries SET body=replace(body, 'routine check', 'routine CHECK') WHERE seq=500")));
        }
        expect(verify(path), Kind::Modified, 500);
    }

    void editAndRecomputeTheChain()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("UPDATE entries SET body=replace(body, 'routine', 'skipped') WHERE seq=500")));
            recomputeChain(a, 500);
        }
        const VerifyReport report = verify(path);
        expect(report, Kind::Modified, std::nullopt);
        // Sealing is per checkpoint: the report names the sealed range that holds the change.
        QVERIFY2(report.problem->seq && *report.problem->seq <= 500 && *report.problem->seq > 300, qPrintable(report.summary()));
        QVERIFY(report.problem->epoch.has_value());
    }

    void editAnIndexedFieldAndRecomputeTheChain()
    {
        // The operator is also a query column: the bytes no longer agree with it, which names
        // the entry exactly even though the chain was recomputed.
        const QString path = freshCopy();
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("UPDATE entries SET body=replace(body, 'operator', 'intruder') WHERE seq=500")));
            recomputeChain(a, 500);
        }
        expect(verify(path), Kind::Modified, 500);
    }

    void changeAQueryColumnToHideAnEntry()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("UPDATE entries SET action='app.start' WHERE seq=700")));
        }
        const VerifyReport report = verify(path);
        expect(report, Kind::Modified, 700);
        QVERIFY(report.problem->message.contains(QStringLiteral("query columns")));
    }

    void deleteAnEntry()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("DELETE FROM entries WHERE seq=500")));
        }
        expect(verify(path), Kind::Deleted, 500);
    }

    void deleteAndRenumber()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("DELETE FROM entries WHERE seq=500")));
            const qint64 count = a.value(QStringLiteral("SELECT MAX(seq) FROM entries")).toLongLong();
            for (qint64 seq = 501; seq <= count; ++seq)
                QVERIFY(a.exec(QStringLiteral("UPDATE entries SET seq=? WHERE seq=?"), {seq - 1, seq}));
            recomputeChain(a, 500);
        }
        expect(verify(path), Kind::Deleted, 500);
    }

    void insertAForgedEntry()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            const qint64 max = a.value(QStringLiteral("SELECT MAX(seq) FROM entries")).toLongLong();
            for (qint64 seq = max; seq >= 500; --seq)
                QVERIFY(a.exec(QStringLiteral("UPDATE entries SET seq=? WHERE seq=?"), {seq + 1, seq}));
            AuditEvent forged = twinspect::test::noteEvent(4242);
            forged.reason = QStringLiteral("nothing to see here");
            const QByteArray body = canonicalEntry(500, 1764120000000, QStringLiteral("twinspect/test"), forged);
            // A careful forger also fills the query columns to match.
            const QueryFields f = *queryFields(body);
            QVERIFY(a.exec(QStringLiteral("INSERT INTO entries VALUES (500, ?, x'00', ?, ?, ?, ?, ?, ?)"),
                           {body, f.timeMs, f.operatorName, f.role, f.action, f.target, f.outcome}));
            recomputeChain(a, 500);
        }
        expect(verify(path), Kind::Inserted, 500);
    }

    void swapTwoEntries()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            const QByteArray b400 = a.value(QStringLiteral("SELECT body FROM entries WHERE seq=400")).toByteArray();
            const QByteArray b600 = a.value(QStringLiteral("SELECT body FROM entries WHERE seq=600")).toByteArray();
            QVERIFY(a.exec(QStringLiteral("UPDATE entries SET body=? WHERE seq=400"), {b600}));
            QVERIFY(a.exec(QStringLiteral("UPDATE entries SET body=? WHERE seq=600"), {b400}));
            recomputeChain(a, 400);
        }
        expect(verify(path), Kind::Reordered, 400);
    }

    void deleteACheckpoint()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("DELETE FROM checkpoints WHERE epoch=5")));
        }
        const VerifyReport report = verify(path);
        expect(report, Kind::CheckpointMissing, std::nullopt);
        QCOMPARE(report.problem->epoch, std::optional<quint64>(5));
    }

    void cutTheTail()
    {
        const QString path = freshCopy();
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("DELETE FROM entries WHERE seq >= 900")));
            QVERIFY(a.exec(QStringLiteral("DELETE FROM checkpoints WHERE size > 900")));
        }
        // Locally consistent: only an anchor kept elsewhere can tell.
        QVERIFY2(verify(path).intact(), "without an anchor a clean cut is not detectable; the report says so");
        QVERIFY(verify(path).summary().contains(QStringLiteral("cannot be detected without one")));
        expect(verify(path, true), Kind::Truncated, std::nullopt);
    }

    void restoreAnOlderCopy()
    {
        QVERIFY2(verify(m_oldCopy).intact(), "the old copy is a genuine earlier state");
        const VerifyReport report = verify(m_oldCopy, true);
        expect(report, Kind::Truncated, std::nullopt);
        QVERIFY(report.summary().contains(QStringLiteral("older copy")));
    }

    void stealTheCurrentKeyAndResignEverything()
    {
        const QString path = freshCopy();
        const twinspect::Result<EpochKey> stolen = KeyStore(path + QStringLiteral(".key")).load();
        QVERIFY(stolen.ok());
        {
            Attacker a(path);
            QVERIFY(a.exec(QStringLiteral("UPDATE entries SET body=replace(body, 'routine', 'ROUTINE') WHERE seq=300")));
            recomputeChain(a, 0);
            // New checkpoints at the same sizes, correct roots, all signed with the stolen key.
            QList<std::pair<qint64, qint64>> sizes;
            QSqlQuery q(QSqlDatabase::database(QStringLiteral("attacker-") + path));
            q.exec(QStringLiteral("SELECT epoch, size FROM checkpoints ORDER BY epoch"));
            while (q.next())
                sizes.append({q.value(0).toLongLong(), q.value(1).toLongLong()});
            QVERIFY(a.exec(QStringLiteral("DELETE FROM checkpoints")));
            twinspect::crypto::Sha256 sha;
            for (const auto& [epoch, size] : sizes) {
                CompactRange tree;
                for (qint64 seq = 0; seq < size; ++seq)
                    tree.append(sha, leafHash(sha, a.value(QStringLiteral("SELECT body FROM entries WHERE seq=?"), {seq}).toByteArray()));
                Checkpoint cp;
                cp.origin = QStringLiteral("twinspect/test");
                cp.size = quint64(size);
                cp.root = tree.root(sha);
                cp.chainHead = size == 0 ? genesisHash(a.value(QStringLiteral("SELECT value FROM meta WHERE key='enrolment'")).toByteArray())
                                         : *twinspect::crypto::digestFromBytes(
                                               a.value(QStringLiteral("SELECT chain FROM entries WHERE seq=?"), {size - 1}).toByteArray());
                cp.epoch = quint64(epoch);
                cp.time = QStringLiteral("2026-11-26T00:00:00.000Z");
                cp.nextKey = stolen.value().key.rawPublic();
                const QByteArray body = cp.body();
                QVERIFY(a.exec(QStringLiteral("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?)"),
                               {epoch, size, body, stolen.value().key.sign(body), QVariant(tree.serialise())}));
            }
        }
        const VerifyReport report = verify(path);
        expect(report, Kind::WrongEpochKey, std::nullopt);
        QCOMPARE(report.problem->epoch, std::optional<quint64>(0));
    }

    void replaceTheEnrolmentKey()
    {
        // Re-enrolling under a new key is what a full rewrite needs; the auditors' key catches it.
        const QString path = freshCopy();
        {
            Attacker a(path);
            const QByteArray record = a.value(QStringLiteral("SELECT value FROM meta WHERE key='enrolment'")).toByteArray();
            QByteArray forged = record;
            const qsizetype at = forged.indexOf("\nkey ");
            forged = forged.left(at) + "\nkey " + twinspect::crypto::Ed25519Key::generate().rawPublic().toBase64() + "\n";
            QVERIFY(a.exec(QStringLiteral("UPDATE meta SET value=? WHERE key='enrolment'"), {forged}));
        }
        expect(verify(path), Kind::WrongEpochKey, std::nullopt);
    }

    void theLogStaysAppendOnlyForSql()
    {
        // Without dropping the triggers, SQL cannot change or remove anything.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("plain"));
        db.setDatabaseName(freshCopy());
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(!q.exec(QStringLiteral("UPDATE entries SET body='x' WHERE seq=1")));
        QVERIFY(q.lastError().text().contains(QStringLiteral("append-only")));
        QVERIFY(!q.exec(QStringLiteral("DELETE FROM checkpoints")));
        QVERIFY(!q.exec(QStringLiteral("DELETE FROM meta")));
        db.close();
    }
};

QTEST_GUILESS_MAIN(TestAuditTamper)
#include "tst_audittamper.moc"
