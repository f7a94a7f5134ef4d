// SPDX-License-Identifier: Apache-2.0
// The tag store: latest value per tag, bounded history, staleness by expected period, and change
// notifications coalesced so that a flood of samples makes one signal per frame.
#include "telemetry/tagstore.h"

#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace twinspect::telemetry;

namespace {

Sample sample(const QString& tag, double value, qint64 timeMs, Quality quality = Quality::Good)
{
    Sample s;
    s.tag = tag;
    s.value = value;
    s.sourceTimeMs = timeMs;
    s.receiveTimeMs = timeMs;
    s.quality = quality;
    return s;
}

} // namespace

class TestTagStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void latestValueAndTimes()
    {
        TagStore store;
        store.ingest({sample(QStringLiteral("LIT01"), 1.5, 1000), sample(QStringLiteral("LIT01"), 2.5, 2000)},
                     QStringLiteral("demo"));
        const TagState* state = store.state(QStringLiteral("LIT01"));
        QVERIFY(state);
        QCOMPARE(std::get<double>(state->value), 2.5);
        QCOMPARE(state->sourceTimeMs, 2000);
        QCOMPARE(state->sourceId, QStringLiteral("demo"));
        QCOMPARE(state->updates, 2u);
        QVERIFY(!store.state(QStringLiteral("unknown")));
    }

    void lateSampleGoesToHistoryOnly()
    {
        TagStore store;
        store.ingest({sample(QStringLiteral("T"), 5.0, 2000), sample(QStringLiteral("T"), 4.0, 1000)}, {});
        QCOMPARE(std::get<double>(store.state(QStringLiteral("T"))->value), 5.0);
        QCOMPARE(store.history(QStringLiteral("T")).size(), 2u);
    }

    void untrustedReplacesGoodValue()
    {
        // An untrusted claim is newest information: showing the older good value would hide it.
        TagStore store;
        store.ingest({sample(QStringLiteral("T"), 5.0, 2000)}, {});
        store.ingest({sample(QStringLiteral("T"), 99.0, 1000, Quality::Untrusted)}, {});
        const TagState* state = store.state(QStringLiteral("T"));
        QCOMPARE(state->quality, Quality::Untrusted);
        QCOMPARE(store.effectiveQuality(*state), Quality::Untrusted);
    }

    void deathKeepsLastValueButMarksIt()
    {
        TagStore store;
        store.ingest({sample(QStringLiteral("T"), 5.0, 1000)}, {});
        Sample death;
        death.tag = QStringLiteral("T");
        death.receiveTimeMs = 2000;
        death.quality = Quality::Stale;
        store.ingest({death}, {});
        const TagState* state = store.state(QStringLiteral("T"));
        QCOMPARE(std::get<double>(state->value), 5.0);
        QCOMPARE(store.effectiveQuality(*state), Quality::Stale);
    }

    void historyIsBoundedAndOrdered()
    {
        TagStore::Limits limits;
        limits.historyPerTag = 10;
        TagStore store(limits);
        SampleBatch batch;
        for (int i = 0; i < 25; ++i)
            batch.push_back(sample(QStringLiteral("T"), i, 1000 + i));
        store.ingest(batch, {});
        const auto history = store.history(QStringLiteral("T"));
        QCOMPARE(history.size(), 10u);
        QCOMPARE(history.front().value, 15.0);
        QCOMPARE(history.back().value, 24.0);
        for (size_t i = 1; i < history.size(); ++i)
            QVERIFY(history[i].timeMs > history[i - 1].timeMs);
    }

    void nonNumericHistoryIsNaN()
    {
        TagStore store;
        Sample text;
        text.tag = QStringLiteral("MODE");
        text.value = QStringLiteral("AUTO");
        text.receiveTimeMs = 1;
        store.ingest({text}, {});
        QVERIFY(std::isnan(store.history(QStringLiteral("MODE")).front().value));
    }

    void tagLimitRefusesAndCounts()
    {
        TagStore::Limits limits;
        limits.maxTags = 3;
        TagStore store(limits);
        SampleBatch batch;
        for (int i = 0; i < 5; ++i)
            batch.push_back(sample(QStringLiteral("T%1").arg(i), i, 1000));
        store.ingest(batch, {});
        QCOMPARE(store.tagCount(), 3);
        QCOMPARE(store.refusedTags(), 2u);
    }

    void notificationsAreCoalesced()
    {
        TagStore store;
        QSignalSpy spy(&store, &TagStore::tagsChanged);
        for (int i = 0; i < 1000; ++i)
            store.ingest({sample(QStringLiteral("T%1").arg(i % 7), i, 1000 + i)}, {});
        QCOMPARE(spy.count(), 0); // nothing per sample
        QTRY_COMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toStringList().size(), 7); // each changed tag once
    }

    void theFirstChangeAfterQuietGoesOutAtOnce()
    {
        // An alarm-worthy value must not wait for the coalescing interval when nothing else is
        // happening; a second change within the interval still waits for it.
        TagStore::Limits limits;
        limits.notifyIntervalMs = 60'000;
        TagStore store(limits);
        QSignalSpy spy(&store, &TagStore::tagsChanged);
        store.ingest({sample(QStringLiteral("TIT01"), 1.0, 1000)}, {});
        QCOMPARE(spy.count(), 0); // not from inside ingest
        QTRY_COMPARE(spy.count(), 1);
        store.ingest({sample(QStringLiteral("TIT01"), 2.0, 2000)}, {});
        QTest::qWait(50);
        QCOMPARE(spy.count(), 1); // within the interval: held back
        store.flush();
        QCOMPARE(spy.count(), 2);
    }

    void stalenessFromExpectedPeriod()
    {
        qint64 now = 10'000;
        TagStore store;
        store.setClock([&] { return now; });
        store.setExpectedPeriod(QStringLiteral("FIT01"), 1000);
        Sample s = sample(QStringLiteral("FIT01"), 3.0, 10'000);
        store.ingest({s}, {});
        store.flush();
        QSignalSpy spy(&store, &TagStore::tagsChanged);
        const TagState* state = store.state(QStringLiteral("FIT01"));
        now = 12'000; // 2 periods: still within 2.5
        store.checkStaleness();
        store.flush();
        QCOMPARE(store.effectiveQuality(*state), Quality::Good);
        QCOMPARE(spy.count(), 0);
        now = 13'000; // 3 periods: stale, and consumers are told
        store.checkStaleness();
        store.flush();
        QCOMPARE(store.effectiveQuality(*state), Quality::Stale);
        QCOMPARE(spy.count(), 1);
        s.receiveTimeMs = now;
        store.ingest({s}, {}); // fresh again
        QCOMPARE(store.effectiveQuality(*state), Quality::Good);
    }

    void backendPeriodAppliesToNewTagsOnly()
    {
        TagStore store;
        store.setExpectedPeriod(QStringLiteral("OWN"), 500);
        store.ingest({sample(QStringLiteral("OWN"), 1, 1000), sample(QStringLiteral("NEW"), 1, 1000)}, {}, 2000);
        QCOMPARE(store.state(QStringLiteral("OWN"))->expectedPeriodMs, 500);
        QCOMPARE(store.state(QStringLiteral("NEW"))->expectedPeriodMs, 2000);
    }

    void badStaysBadWhenOld()
    {
        qint64 now = 0;
        TagStore store;
        store.setClock([&] { return now; });
        store.setExpectedPeriod(QStringLiteral("T"), 100);
        store.ingest({sample(QStringLiteral("T"), 1, 0, Quality::Bad)}, {});
        now = 10'000;
        QCOMPARE(store.effectiveQuality(*store.state(QStringLiteral("T"))), Quality::Bad);
    }
};

QTEST_GUILESS_MAIN(TestTagStore)
#include "tst_tagstore.moc"
