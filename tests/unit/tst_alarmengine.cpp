// SPDX-License-Identifier: Apache-2.0
// The alarm engine: ISA-18.2 states per alarm (raise, acknowledge, return to normal), deadband,
// on- and off-delays, HiHi over Hi, boolean and discrete alarms, shelving, suppression by data
// quality, operator errors and counts. Most transitions are written as small scripts (see run()).
#include "alarms/alarmengine.h"
#include "plant/plantloader.h"
#include "telemetry/tagstore.h"

#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <iterator>

using namespace twinspect::alarms;
using twinspect::telemetry::Quality;
using twinspect::telemetry::Value;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(twinspect::alarms::AlarmConfig)

namespace {

const QString kTag = QStringLiteral("T");
const QString kOperator = QStringLiteral("alice");

/// hihi 98 urgent, hi 95 high, lo 20 medium, lolo 10 low, deadband 1.
AlarmConfig analog(qint64 onDelayMs = 0, qint64 offDelayMs = 0)
{
    AlarmConfig c;
    c.tag = kTag;
    c.unit = QStringLiteral("degC");
    c.hiHi = AnalogLimit{98, Priority::Urgent};
    c.hi = AnalogLimit{95, Priority::High};
    c.lo = AnalogLimit{20, Priority::Medium};
    c.loLo = AnalogLimit{10, Priority::Low};
    c.deadband = 1.0;
    c.onDelayMs = onDelayMs;
    c.offDelayMs = offDelayMs;
    return c;
}

AlarmConfig boolean(bool alarmState)
{
    AlarmConfig c;
    c.tag = kTag;
    c.type = AlarmConfig::Type::Boolean;
    c.alarmState = alarmState;
    c.priority = Priority::High;
    return c;
}

AlarmConfig discrete(const QList<Value>& states)
{
    AlarmConfig c;
    c.tag = kTag;
    c.type = AlarmConfig::Type::Discrete;
    c.alarmStates = states;
    c.priority = Priority::Medium;
    return c;
}

/// An engine on a clock the test moves, with every signal recorded.
struct Harness
{
    qint64 now = 0;
    AlarmEngine engine{[this] { return now; }};
    QSignalSpy changes{&engine, &AlarmEngine::alarmsChanged};
    std::vector<AlarmTransition> transitions;

    Harness()
    {
        QObject::connect(&engine, &AlarmEngine::transition, &engine,
                         [this](const AlarmTransition& t) { transitions.push_back(t); });
    }

    void sample(const QString& tag, const Value& value, qint64 timeMs, Quality quality = Quality::Good)
    {
        now = timeMs;
        engine.update(tag, value, quality, timeMs);
    }

    AlarmStatus status(const QString& id) const { return engine.alarm(id).value_or(AlarmStatus{}); }

    int count(TransitionCause cause) const
    {
        return static_cast<int>(std::count_if(transitions.cbegin(), transitions.cend(),
                                              [cause](const AlarmTransition& t) { return t.cause == cause; }));
    }
};

Value parseValue(const QString& text)
{
    if (text == u"true" || text == u"false")
        return text == u"true";
    if (text == u"none")
        return std::monostate{};
    if (text.startsWith(QLatin1Char('\'')))
        return text.mid(1, text.size() - 2);
    return text.toDouble();
}

Quality parseQuality(const QString& text)
{
    for (const Quality q : {Quality::Good, Quality::Uncertain, Quality::Stale, Quality::Bad, Quality::Untrusted}) {
        if (twinspect::telemetry::qualityName(q) == text)
            return q;
    }
    qFatal("unknown quality in a test script");
    return Quality::Bad;
}

/// Checks an operator action's result against an optional "-> error.code" at the end of the step.
void expectResult(const twinspect::Result<bool>& result, const QStringList& words, const QString& step)
{
    const qsizetype arrow = words.indexOf(QStringLiteral("->"));
    if (arrow < 0) {
        QVERIFY2(result.ok(), qPrintable(step + QStringLiteral(": ") + (result ? QString() : result.error().message)));
        return;
    }
    QVERIFY2(!result.ok(), qPrintable(step + QStringLiteral(": expected an error")));
    QCOMPARE(result.error().code, words.at(arrow + 1));
    QVERIFY2(!result.error().message.isEmpty(), qPrintable(step));
}

/// Runs a script of steps separated by ';'. Alarm ids are written without the tag (HI for T:HI).
///   @T V [QUALITY]      a sample at time T (the clock moves to T too); V: a number, true, false,
///                       'TEXT' or none; QUALITY: good (default), uncertain, stale, bad, untrusted
///   tick T              the clock moves to T and the engine ticks
///   ack ID              acknowledge by alice; "ack ID -> code" expects that error
///   shelve ID UNTIL     shelve until the clock time UNTIL (same "-> code" form)
///   unshelve ID         (same "-> code" form)
///   ID=STATE            the state as stateName() gives it, or suppressed:WHY for "suppressed (WHY data)"
///   ID@=T               activated at T
///   changes=N           alarmsChanged was emitted N times since the script started
///   raised=N            N Raised transitions since the script started
void run(Harness& h, const QString& script)
{
    for (const QString& raw : script.split(QLatin1Char(';'))) {
        const QString step = raw.trimmed();
        const QStringList words = step.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (words.isEmpty())
            continue;
        const QString& op = words.first();
        const auto id = [&](int i) -> QString { return kTag + QLatin1Char(':') + words.at(i); };
        if (op.startsWith(QLatin1Char('@'))) {
            h.sample(kTag, parseValue(words.at(1)), op.mid(1).toLongLong(),
                     words.size() > 2 ? parseQuality(words.at(2)) : Quality::Good);
        } else if (op == u"tick") {
            h.now = words.at(1).toLongLong();
            h.engine.tick(h.now);
        } else if (op == u"ack") {
            expectResult(h.engine.acknowledge(id(1), kOperator, h.now), words, step);
        } else if (op == u"shelve") {
            expectResult(h.engine.shelve(id(1), words.at(2).toLongLong(), kOperator, QStringLiteral("test")), words,
                         step);
        } else if (op == u"unshelve") {
            expectResult(h.engine.unshelve(id(1), kOperator), words, step);
        } else if (op.startsWith(u"changes=")) {
            QCOMPARE(h.changes.count(), op.section(QLatin1Char('='), 1).toInt());
        } else if (op.startsWith(u"raised=")) {
            QCOMPARE(h.count(TransitionCause::Raised), op.section(QLatin1Char('='), 1).toInt());
        } else if (op.contains(u"@=")) {
            QCOMPARE(h.status(kTag + QLatin1Char(':') + op.section(u"@="_s, 0, 0)).activatedAtMs,
                     op.section(u"@="_s, 1).toLongLong());
        } else if (op.contains(QLatin1Char('='))) {
            const AlarmStatus s = h.status(kTag + QLatin1Char(':') + op.section(QLatin1Char('='), 0, 0));
            const QString expected = op.section(QLatin1Char('='), 1);
            if (expected.startsWith(u"suppressed:")) {
                QCOMPARE(s.state, AlarmState::Suppressed);
                QCOMPARE(s.stateText(),
                         QStringLiteral("suppressed (%1 data)").arg(expected.section(QLatin1Char(':'), 1)));
            } else {
                QVERIFY2(stateName(s.state) == expected,
                         qPrintable(QStringLiteral("%1: state is %2").arg(step, stateName(s.state))));
            }
        } else {
            QFAIL(qPrintable(QStringLiteral("unknown step: ") + step));
        }
        if (QTest::currentTestFailed()) {
            qWarning("failed at step: %s", qPrintable(step));
            return;
        }
    }
}

} // namespace

class TestAlarmEngine : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void transitions_data()
    {
        QTest::addColumn<AlarmConfig>("config");
        QTest::addColumn<QString>("script");

        // ISA-18.2 states.
        QTest::newRow("starts suppressed until data arrives") << analog() << u"HI=suppressed:no; @0 50; HI=normal"_s;
        QTest::newRow("raise") << analog() << u"@0 50; HI=normal; @1000 96; HI=unack-active; HI@=1000"_s;
        QTest::newRow("the limit itself does not raise") << analog() << u"@0 95; HI=normal; @10 20; LO=normal"_s;
        QTest::newRow("ack while active") << analog() << u"@0 96; ack HI; HI=ack-active"_s;
        QTest::newRow("RTN unacknowledged") << analog() << u"@0 96; @1000 90; HI=unack-rtn"_s;
        QTest::newRow("ack after RTN") << analog() << u"@0 96; @1000 90; HI=unack-rtn; ack HI; HI=normal"_s;
        QTest::newRow("RTN after ack") << analog() << u"@0 96; ack HI; @1000 90; HI=normal"_s;
        QTest::newRow("re-raise during UnackRtn")
            << analog() << u"@0 96; @1000 90; HI=unack-rtn; @2000 97; HI=unack-active; HI@=2000; raised=2"_s;
        QTest::newRow("lo raise and RTN") << analog() << u"@0 50; @10 19; LO=unack-active; @20 22; LO=unack-rtn"_s;
        QTest::newRow("late sample is ignored") << analog() << u"@1000 96; @500 50; HI=unack-active"_s;

        // Deadband: values oscillating around a limit do not chatter.
        QTest::newRow("deadband: hi oscillation does not chatter")
            << analog()
            << u"@0 96; @500 94.5; @1000 95.5; @1500 94.1; @2000 96; HI=unack-active; changes=1; raised=1; "
               "@2500 93.9; HI=unack-rtn; changes=2"_s;
        QTest::newRow("deadband: hi clears strictly below limit - deadband")
            << analog() << u"@0 96; @10 94; HI=unack-active"_s;
        QTest::newRow("deadband: lo clears only above lo + deadband")
            << analog() << u"@0 19; @10 20.5; @20 19.5; @30 21; LO=unack-active; @40 21.1; LO=unack-rtn; raised=1"_s;

        // On-delay: the condition must hold continuously.
        QTest::newRow("on-delay: a short excursion never raises")
            << analog(2000)
            << u"@0 50; @500 96; @1000 96; @1500 94; @2000 96; tick 3000; @3500 50; tick 10000; HI=normal; raised=0"_s;
        QTest::newRow("on-delay: tick raises when the delay has passed")
            << analog(2000) << u"@0 96; tick 1999; HI=normal; tick 2000; HI=unack-active; HI@=2000"_s;
        QTest::newRow("on-delay: a sample completes it, dated when it ran out")
            << analog(2000) << u"@0 96; @1000 96; HI=normal; @2500 96; HI=unack-active; HI@=2000"_s;
        QTest::newRow("on-delay: returns are immediate without off-delay")
            << analog(2000) << u"@0 96; tick 2000; @2100 50; HI=unack-rtn"_s;

        // Off-delay: the return must hold continuously.
        QTest::newRow("off-delay: RTN after the delay")
            << analog(0, 3000)
            << u"@0 96; @1000 90; HI=unack-active; tick 3999; HI=unack-active; tick 4000; HI=unack-rtn"_s;
        QTest::newRow("off-delay: a new excursion restarts it")
            << analog(0, 3000)
            << u"@0 96; @1000 90; @2000 96; @3000 90; tick 5000; HI=unack-active; tick 6000; HI=unack-rtn; raised=1"_s;

        // HiHi is its own alarm over Hi.
        QTest::newRow("hihi and hi together")
            << analog()
            << u"@0 99; HIHI=unack-active; HI=unack-active; @1000 96; HIHI=unack-rtn; HI=unack-active; "
               "ack HIHI; HIHI=normal; HI=unack-active"_s;
        QTest::newRow("lolo and lo together") << analog() << u"@0 5; LOLO=unack-active; LO=unack-active; HI=normal"_s;

        // Boolean and discrete.
        QTest::newRow("boolean: high-level switch true")
            << boolean(true)
            << u"@0 false; STATE=normal; @500 true; STATE=unack-active; @1000 false; STATE=unack-rtn"_s;
        QTest::newRow("boolean: pump stopped (false)")
            << boolean(false)
            << u"@0 true; STATE=normal; @500 false; STATE=unack-active; ack STATE; @900 true; STATE=normal"_s;
        QTest::newRow("boolean: a number reads as 0/1")
            << boolean(true) << u"@0 0; STATE=normal; @10 1; STATE=unack-active"_s;
        QTest::newRow("boolean: text is bad data") << boolean(true) << u"@0 'on'; STATE=suppressed:bad"_s;
        QTest::newRow("discrete: text states")
            << discrete({u"TRIP"_s, u"FAULT"_s})
            << u"@0 'RUN'; STATE=normal; @500 'TRIP'; STATE=unack-active; @1000 'FAULT'; STATE=unack-active; "
               "raised=1; @1500 'RUN'; STATE=unack-rtn"_s;
        QTest::newRow("discrete: number states")
            << discrete({3.0}) << u"@0 2; STATE=normal; @10 3; STATE=unack-active"_s;
        QTest::newRow("discrete: on-delay") << [] {
            AlarmConfig c = discrete({u"TRIP"_s});
            c.onDelayMs = 1000;
            return c;
        }() << u"@0 'TRIP'; @500 'RUN'; @600 'TRIP'; tick 1599; STATE=normal; tick 1600; STATE=unack-active"_s;

        // Shelving.
        QTest::newRow("shelve: expiry re-raises a standing condition")
            << analog()
            << u"@0 96; shelve HI 5000; HI=shelved; tick 4999; HI=shelved; "
               "tick 5000; HI=unack-active; HI@=5000; raised=2"_s;
        QTest::newRow("shelve: expiry after the return is normal")
            << analog() << u"@0 96; shelve HI 5000; @1000 90; HI=shelved; tick 5000; HI=normal"_s;
        QTest::newRow("shelve: a shelved alarm does not raise; unshelve re-evaluates")
            << analog() << u"@0 50; shelve HI 5000; @1000 96; HI=shelved; raised=0; unshelve HI; HI=unack-active"_s;
        QTest::newRow("shelve: delays keep running while shelved")
            << analog(2000) << u"@0 50; shelve HI 9000; @1000 96; tick 3000; unshelve HI; HI=unack-active; HI@=3000"_s;
        QTest::newRow("shelve: again changes the expiry")
            << analog()
            << u"@0 96; shelve HI 5000; shelve HI 8000; tick 6000; HI=shelved; tick 8000; HI=unack-active"_s;
        QTest::newRow("shelve: expiry in the past is refused")
            << analog() << u"@1000 50; shelve HI 1000 -> alarm.shelve-time"_s;
        QTest::newRow("shelve: unknown alarm") << analog() << u"@0 50; shelve XX 9000 -> alarm.unknown"_s;
        QTest::newRow("unshelve: not shelved") << analog() << u"@0 50; unshelve HI -> alarm.not-shelved"_s;
        QTest::newRow("shelve: expiry under bad data shows suppressed")
            << analog()
            << u"@0 96; shelve HI 5000; @1000 96 bad; tick 5000; HI=suppressed:bad; @6000 96; HI=unack-active"_s;

        // Suppression by quality: neither raised nor cleared, never shown as normal.
        QTest::newRow("bad: no raise") << analog()
                                       << u"@0 50; @1000 96 bad; HI=suppressed:bad; @2000 50; HI=normal; raised=0"_s;
        QTest::newRow("bad: no clear, resumes active")
            << analog() << u"@0 96; @1000 50 bad; HI=suppressed:bad; @2000 96; HI=unack-active; HI@=0; raised=1"_s;
        QTest::newRow("stale: no clear; RTN when good data says so")
            << analog() << u"@0 96; @1000 50 stale; HI=suppressed:stale; @2000 50; HI=unack-rtn"_s;
        QTest::newRow("untrusted: no raise")
            << analog() << u"@0 50; @1000 99 untrusted; HIHI=suppressed:untrusted; HI=suppressed:untrusted; raised=0"_s;
        QTest::newRow("untrusted while normal is not normal")
            << analog() << u"@0 50; HI=normal; @10 50 untrusted; HI=suppressed:untrusted; LO=suppressed:untrusted"_s;
        QTest::newRow("acked stays acked through suppression")
            << analog() << u"@0 96; ack HI; @10 96 stale; HI=suppressed:stale; @20 96; HI=ack-active"_s;
        QTest::newRow("uncertain evaluates") << analog() << u"@0 96 uncertain; HI=unack-active"_s;
        QTest::newRow("no value is bad data") << analog() << u"@0 none; HI=suppressed:bad; @10 96; HI=unack-active"_s;
        QTest::newRow("text on an analog tag is bad data") << analog() << u"@0 'abc'; HI=suppressed:bad"_s;
        QTest::newRow("suppression restarts an on-delay")
            << analog(2000) << u"@0 96; @1000 96 bad; @1500 96; tick 3000; HI=normal; tick 3500; HI=unack-active"_s;
        QTest::newRow("suppression restarts an off-delay")
            << analog(0, 2000)
            << u"@0 96; @500 50; @1000 50 bad; @1500 50; tick 3000; HI=unack-active; tick 3500; HI=unack-rtn"_s;

        // Acknowledge errors.
        QTest::newRow("ack: normal") << analog() << u"@0 50; ack HI -> alarm.not-active"_s;
        QTest::newRow("ack: twice") << analog() << u"@0 96; ack HI; ack HI -> alarm.acknowledged"_s;
        QTest::newRow("ack: suppressed") << analog() << u"@0 96; @10 96 bad; ack HI -> alarm.suppressed"_s;
        QTest::newRow("ack: shelved") << analog() << u"@0 96; shelve HI 9000; ack HI -> alarm.shelved"_s;
        QTest::newRow("ack: unknown alarm") << analog() << u"@0 96; ack XX -> alarm.unknown"_s;
        QTest::newRow("ack: a different limit")
            << analog() << u"@0 96; ack HIHI -> alarm.not-active; HI=unack-active"_s;
    }

    void transitions()
    {
        QFETCH(AlarmConfig, config);
        QFETCH(QString, script);
        Harness h;
        QVERIFY(h.engine.configure({config}));
        h.changes.clear(); // configure announces the new alarms
        run(h, script);
    }

    void transitionsCarryWhoWhatAndWhy()
    {
        Harness h;
        QVERIFY(h.engine.configure({analog()}));
        h.sample(kTag, 96.3, 1000);
        QVERIFY(h.engine.acknowledge(u"T:HI"_s, kOperator, 1500));
        h.now = 2000;
        QVERIFY(h.engine.shelve(u"T:HI"_s, 60'000, u"bob"_s, u"transmitter being replaced"_s));

        std::vector<AlarmTransition> hi;
        std::copy_if(h.transitions.cbegin(), h.transitions.cend(), std::back_inserter(hi),
                     [](const AlarmTransition& t) { return t.alarmId == u"T:HI"_s; });
        QCOMPARE(hi.size(), 4u); // resumed (first data), raised, acknowledged, shelved
        QCOMPARE(hi[0].cause, TransitionCause::Resumed);
        QCOMPARE(hi[0].from, AlarmState::Suppressed);
        const AlarmTransition& raised = hi[1];
        QCOMPARE(raised.cause, TransitionCause::Raised);
        QCOMPARE(raised.from, AlarmState::Normal);
        QCOMPARE(raised.to, AlarmState::UnackActive);
        QCOMPARE(raised.priority, Priority::High);
        QCOMPARE(raised.reason, u"T HI 96.3 degC > 95"_s);
        QCOMPARE(raised.timeMs, 1000);
        QVERIFY(raised.by.isEmpty());
        const AlarmTransition& ack = hi[2];
        QCOMPARE(ack.cause, TransitionCause::Acknowledged);
        QCOMPARE(ack.from, AlarmState::UnackActive);
        QCOMPARE(ack.to, AlarmState::AckActive);
        QCOMPARE(ack.by, kOperator);
        QCOMPARE(ack.timeMs, 1500);
        const AlarmTransition& shelved = hi[3];
        QCOMPARE(shelved.cause, TransitionCause::Shelved);
        QCOMPARE(shelved.from, AlarmState::AckActive);
        QCOMPARE(shelved.to, AlarmState::Shelved);
        QCOMPARE(shelved.by, u"bob"_s);
        QVERIFY2(shelved.reason.contains(u"transmitter being replaced"_s), qPrintable(shelved.reason));
        QVERIFY2(shelved.reason.contains(u"1970-01-01T00:01:00"_s), qPrintable(shelved.reason));

        const AlarmStatus s = h.status(u"T:HI"_s);
        QCOMPARE(s.shelvedBy, u"bob"_s);
        QCOMPARE(s.shelvedUntilMs, 60'000);
        QCOMPARE(s.shelveReason, u"transmitter being replaced"_s);
        QCOMPARE(std::get<double>(s.activationValue), 96.3);
        QCOMPARE(s.activatedAtMs, 1000);
        QCOMPARE(s.acknowledgedBy, kOperator);
        QCOMPARE(s.acknowledgedAtMs, 1500);
    }

    void statusHasTimesAndMessages()
    {
        Harness h;
        AlarmConfig config = analog();
        config.tag = u"DM-TIT01"_s;
        QVERIFY(h.engine.configure({config}));
        QCOMPARE(h.status(u"DM-TIT01:HI"_s).message, u"DM-TIT01 HI > 95 degC"_s); // before any activation
        h.sample(u"DM-TIT01"_s, 96.3, 1000);
        h.sample(u"DM-TIT01"_s, 80.0, 4000);
        const AlarmStatus s = h.status(u"DM-TIT01:HI"_s);
        QCOMPARE(s.id, u"DM-TIT01:HI"_s);
        QCOMPARE(s.tag, u"DM-TIT01"_s);
        QCOMPARE(s.kind, AlarmKind::Hi);
        QCOMPARE(s.state, AlarmState::UnackRtn);
        QCOMPARE(s.stateText(), u"returned to normal, unacknowledged"_s);
        QCOMPARE(s.message, u"DM-TIT01 HI 96.3 degC > 95"_s);
        QCOMPARE(s.activatedAtMs, 1000);
        QCOMPARE(s.returnedAtMs, 4000);
        QCOMPARE(std::get<double>(s.lastValue), 80.0);

        AlarmConfig flow;
        flow.tag = u"DM-FT01"_s;
        flow.unit = u"l/min"_s;
        flow.lo = AnalogLimit{40, Priority::High};
        QVERIFY(h.engine.configure({flow}));
        h.sample(u"DM-FT01"_s, 2.5, 5000);
        QCOMPARE(h.status(u"DM-FT01:LO"_s).message, u"DM-FT01 LO 2.5 l/min < 40"_s);
        QCOMPARE(h.engine.alarmIds(u"DM-FT01"_s), QStringList{u"DM-FT01:LO"_s});
    }

    void countsPerPriority()
    {
        Harness h;
        AlarmConfig temperature = analog();
        AlarmConfig pump = boolean(false);
        pump.tag = u"PUMP"_s;
        AlarmConfig level = analog();
        level.tag = u"LEVEL"_s;
        QVERIFY(h.engine.configure({temperature, pump, level}));
        QCOMPARE(h.engine.counts().suppressed(), 9); // no data yet for any of the 4 + 1 + 4 alarms
        h.sample(kTag, 99.0, 1000);                  // HIHI (urgent) and HI (high)
        h.sample(u"PUMP"_s, false, 1000);            // STATE (high)
        h.sample(u"LEVEL"_s, 5.0, 1000);             // LOLO (low), LO (medium)
        QVERIFY(h.engine.acknowledge(u"T:HI"_s, kOperator, 1100));
        h.sample(u"LEVEL"_s, 50.0, 2000); // both return, unacknowledged
        QVERIFY(h.engine.acknowledge(u"LEVEL:LO"_s, kOperator, 2100));

        const AlarmCounts c = h.engine.counts();
        QCOMPARE(c[Priority::Urgent].unackActive, 1);
        QCOMPARE(c[Priority::High].unackActive, 1); // the pump
        QCOMPARE(c[Priority::High].ackActive, 1);   // T:HI
        QCOMPARE(c[Priority::High].active(), 2);
        QCOMPARE(c[Priority::Medium].active(), 0); // LEVEL:LO returned and acknowledged
        QCOMPARE(c[Priority::Low].unackRtn, 1);    // LEVEL:LOLO
        QCOMPARE(c.active(), 3);
        QCOMPARE(c.unacknowledged(), 3);
        QCOMPARE(c.suppressed(), 0);

        QVERIFY(h.engine.shelve(u"T:HIHI"_s, 10'000, kOperator, u"test"_s));
        h.sample(u"PUMP"_s, false, 3000, Quality::Stale);
        const AlarmCounts after = h.engine.counts();
        QCOMPARE(after[Priority::Urgent].shelved, 1);
        QCOMPARE(after[Priority::High].suppressed, 1);
        QCOMPARE(after.active(), 1); // shelved and suppressed alarms are not active
        QCOMPARE(after.shelved(), 1);
        QCOMPARE(after.suppressed(), 1);
    }

    void noSignalStormWhileAValueMoves()
    {
        Harness h;
        QVERIFY(h.engine.configure({analog()}));
        h.changes.clear();
        for (int i = 0; i < 1000; ++i)
            h.sample(kTag, 96.0 + (i % 10) * 0.1, i * 10); // in alarm all the time, value changing
        h.engine.tick(20'000);
        QCOMPARE(h.changes.count(), 1); // one call: resumed (first data) and raised together
        QCOMPARE(h.changes.at(0).at(0).toStringList(), (QStringList{u"T:HIHI"_s, u"T:HI"_s, u"T:LO"_s, u"T:LOLO"_s}));
        QCOMPARE(h.count(TransitionCause::Raised), 1);
    }

    void tickJudgesDelaysOnTheSourceClock()
    {
        // GIVEN a publisher whose clock is 10 s behind the workstation's
        Harness h;
        QVERIFY(h.engine.configure({analog(2000)}));
        h.now = 10'000;
        h.engine.update(kTag, 96.0, Quality::Good, 1); // measured at 1 ms by the source's clock
        // WHEN ticks come by the workstation's clock
        h.engine.tick(11'999);
        // THEN only the time passed since the sample arrived counts: 1999 ms < 2000 ms
        QCOMPARE(h.status(u"T:HI"_s).state, AlarmState::Normal);
        h.engine.tick(12'000);
        QCOMPARE(h.status(u"T:HI"_s).state, AlarmState::UnackActive);
        QCOMPARE(h.status(u"T:HI"_s).activatedAtMs, 2001); // dated on the source's clock
    }

    void suppressedFromTheTagStoreWhenStale()
    {
        qint64 now = 10'000;
        twinspect::telemetry::TagStore store;
        store.setClock([&] { return now; });
        store.setExpectedPeriod(kTag, 1000);
        AlarmEngine engine([&] { return now; });
        QVERIFY(engine.configure({analog()}));
        engine.follow(&store);

        twinspect::telemetry::Sample s;
        s.tag = kTag;
        s.value = 96.0;
        s.sourceTimeMs = s.receiveTimeMs = now;
        store.ingest({s}, {});
        store.flush();
        QCOMPARE(engine.alarm(u"T:HI"_s)->state, AlarmState::UnackActive);

        now = 13'000; // 3 periods without a sample: stale
        store.checkStaleness();
        store.flush();
        QCOMPARE(engine.alarm(u"T:HI"_s)->state, AlarmState::Suppressed);
        QCOMPARE(engine.alarm(u"T:HI"_s)->stateText(), u"suppressed (stale data)"_s);
        QCOMPARE(engine.alarm(u"T:HI"_s)->latched, AlarmState::UnackActive);

        s.value = 50.0;
        s.sourceTimeMs = s.receiveTimeMs = now;
        store.ingest({s}, {});
        store.flush();
        QCOMPARE(engine.alarm(u"T:HI"_s)->state, AlarmState::UnackRtn);
    }

    void tickTimerDrivesExpiry()
    {
        qint64 now = 0;
        AlarmEngine engine([&] { return now; });
        QVERIFY(engine.configure({analog()}));
        engine.update(kTag, 96.0, Quality::Good, 1);
        QVERIFY(engine.shelve(u"T:HI"_s, 100, kOperator, u"test"_s));
        QSignalSpy spy(&engine, &AlarmEngine::alarmsChanged);
        engine.setTickInterval(5);
        now = 100;
        QTRY_COMPARE(engine.alarm(u"T:HI"_s)->state, AlarmState::UnackActive);
        engine.setTickInterval(0);
        QCOMPARE(spy.count(), 1);
    }

    void reconfigureKeepsStateOfKeptAlarms()
    {
        Harness h;
        QVERIFY(h.engine.configure({analog()}));
        h.sample(kTag, 99.0, 1000);
        AlarmConfig fewer = analog();
        fewer.hiHi.reset();
        fewer.hi = AnalogLimit{90, Priority::Urgent};
        h.changes.clear();
        QVERIFY(h.engine.configure({fewer}));
        QCOMPARE(h.changes.count(), 1);
        QVERIFY(h.changes.at(0).at(0).toStringList().contains(u"T:HIHI"_s)); // removed: listed once more
        QVERIFY(!h.engine.alarm(u"T:HIHI"_s));
        const AlarmStatus hi = h.status(u"T:HI"_s);
        QCOMPARE(hi.state, AlarmState::UnackActive);
        QCOMPARE(hi.priority, Priority::Urgent);
        QCOMPARE(h.engine.alarms().size(), 3);

        // A change of form (boolean to discrete) keeps the id but not the state.
        QVERIFY(h.engine.configure({boolean(true)}));
        h.sample(kTag, true, 2000);
        QCOMPARE(h.status(u"T:STATE"_s).state, AlarmState::UnackActive);
        QVERIFY(h.engine.configure({discrete({u"TRIP"_s})}));
        QCOMPARE(h.status(u"T:STATE"_s).kind, AlarmKind::Discrete);
        QCOMPARE(h.status(u"T:STATE"_s).state, AlarmState::Suppressed);
    }

    void configureRefusesBadConfigurations_data()
    {
        QTest::addColumn<QList<AlarmConfig>>("configs");
        QTest::addColumn<QString>("message");
        AlarmConfig inverted = analog();
        inverted.lo = AnalogLimit{96, Priority::Low};
        AlarmConfig negative = analog();
        negative.deadband = -1;
        AlarmConfig noLimit;
        noLimit.tag = kTag;
        AlarmConfig noStates = discrete({});
        AlarmConfig noTag = analog();
        noTag.tag.clear();
        AlarmConfig delay = boolean(true);
        delay.offDelayMs = -5;
        QTest::newRow("lo above hi") << QList<AlarmConfig>{inverted}
                                     << u"HI limit (95) must be above the LO limit (96)"_s;
        QTest::newRow("negative deadband") << QList<AlarmConfig>{negative} << u"deadband"_s;
        QTest::newRow("no limit") << QList<AlarmConfig>{noLimit} << u"at least one of the limits"_s;
        QTest::newRow("no discrete states") << QList<AlarmConfig>{noStates} << u"at least one alarm state"_s;
        QTest::newRow("no tag") << QList<AlarmConfig>{noTag} << u"no tag"_s;
        QTest::newRow("negative delay") << QList<AlarmConfig>{delay} << u"must not be negative"_s;
        QTest::newRow("tag twice") << QList<AlarmConfig>{analog(), boolean(true)} << u"configured twice"_s;
    }

    void configureRefusesBadConfigurations()
    {
        QFETCH(QList<AlarmConfig>, configs);
        QFETCH(QString, message);
        Harness h;
        QVERIFY(h.engine.configure({boolean(true)}));
        const twinspect::Result<bool> result = h.engine.configure(configs);
        QVERIFY(!result);
        QCOMPARE(result.error().code, u"alarm.config"_s);
        QVERIFY2(result.error().message.contains(message), qPrintable(result.error().message));
        QCOMPARE(h.engine.alarmIds(kTag), QStringList{u"T:STATE"_s}); // the old configuration stays
    }

    void operatorIsRequired()
    {
        Harness h;
        QVERIFY(h.engine.configure({analog()}));
        h.sample(kTag, 96.0, 1000);
        QCOMPARE(h.engine.acknowledge(u"T:HI"_s, u" "_s, 1000).error().code, u"alarm.operator"_s);
        QCOMPARE(h.engine.shelve(u"T:HI"_s, 9000, {}, u"why"_s).error().code, u"alarm.operator"_s);
        QCOMPARE(h.engine.shelve(u"T:HI"_s, 9000, kOperator, {}).error().code, u"alarm.reason"_s);
        QCOMPARE(h.status(u"T:HI"_s).state, AlarmState::UnackActive);
    }

    void configurationFromThePlantFile()
    {
        const QString path = QStringLiteral(TWINSPECT_SOURCE_DIR "/resources/plants/demo-boiler.plant.json");
        const twinspect::PlantLoadResult loaded = twinspect::PlantLoader::loadFile(path);
        QVERIFY2(loaded.ok(), qPrintable(loaded.report()));
        Harness h;
        QVERIFY(h.engine.configure(alarmConfigs(*loaded.plant)));
        const QStringList expected{u"DM-TWIT-03:HIHI"_s, u"DM-TWIT-03:HI"_s,  u"DM-LIT01:HI"_s,     u"DM-LIT01:LO"_s,
                                   u"DM-FT01:LO"_s,      u"DM-LSH01:STATE"_s, u"DM-PP01A-R:STATE"_s};
        for (const QString& id : expected)
            QVERIFY2(h.engine.alarm(id), qPrintable(id));

        // twinspect-sim's fault cycle (docs/cli.md): the temperature overshoots above 95 % of 0..100,
        // the pump trips and its flow drops to about 0.
        h.sample(u"DM-TWIT-03"_s, 50.0, 0);
        h.sample(u"DM-FT01"_s, 120.0, 0);
        h.sample(u"DM-PP01A-R"_s, true, 0);
        for (qint64 t = 20'000; t <= 30'000; t += 500) {
            h.sample(u"DM-TWIT-03"_s, 96.5, t);
            h.sample(u"DM-FT01"_s, 0.4, t);
            h.sample(u"DM-PP01A-R"_s, false, t);
        }
        QCOMPARE(h.status(u"DM-TWIT-03:HI"_s).state, AlarmState::UnackActive);
        QCOMPARE(h.status(u"DM-TWIT-03:HI"_s).priority, Priority::High);
        QCOMPARE(h.status(u"DM-TWIT-03:HIHI"_s).state, AlarmState::Normal);
        QCOMPARE(h.status(u"DM-FT01:LO"_s).state, AlarmState::UnackActive);
        QCOMPARE(h.status(u"DM-PP01A-R:STATE"_s).state, AlarmState::UnackActive);
        // After the fault the simulator sets the temperature to 93 % and restarts the pump.
        for (qint64 t = 30'500; t <= 45'000; t += 500) {
            h.sample(u"DM-TWIT-03"_s, 93.0, t);
            h.sample(u"DM-FT01"_s, 120.0, t);
            h.sample(u"DM-PP01A-R"_s, true, t);
        }
        QCOMPARE(h.status(u"DM-TWIT-03:HI"_s).state, AlarmState::UnackRtn);
        QCOMPARE(h.status(u"DM-FT01:LO"_s).state, AlarmState::UnackRtn);
        QCOMPARE(h.status(u"DM-PP01A-R:STATE"_s).state, AlarmState::UnackRtn);
    }
};

QTEST_GUILESS_MAIN(TestAlarmEngine)
#include "tst_alarmengine.moc"
