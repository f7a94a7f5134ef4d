// SPDX-License-Identifier: Apache-2.0
#include "labelplacement.h"

#include <QRandomGenerator>
#include <QTest>

using twinspect::scenes::placeLabels;

class TestLabelPlacement : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void keepsTheFirstOfOverlappingLabels()
    {
        const QList<QRectF> rects{QRectF(0, 0, 100, 20), QRectF(50, 10, 100, 20), QRectF(200, 0, 100, 20),
                                  QRectF(120, 0, 70, 20)};
        QCOMPARE(placeLabels(rects, 10), QList<int>({0, 2, 3}));
        // Priority is the order: the second now wins where they clash.
        const QList<QRectF> swapped{rects.at(1), rects.at(0), rects.at(2), rects.at(3)};
        QCOMPARE(placeLabels(swapped, 10), QList<int>({0, 2}));
    }

    void marginKeepsLabelsApart()
    {
        const QList<QRectF> touching{QRectF(0, 0, 100, 20), QRectF(101, 0, 100, 20)};
        QCOMPARE(placeLabels(touching, 10, 0).size(), 2);
        QCOMPARE(placeLabels(touching, 10, 2).size(), 1);
    }

    void stopsAtTheLimitAndSkipsEmptyRects()
    {
        QList<QRectF> rects;
        for (int i = 0; i < 20; ++i)
            rects.append(QRectF(i * 200, 0, 100, 20));
        rects.insert(1, QRectF());
        QCOMPARE(placeLabels(rects, 5), QList<int>({0, 2, 3, 4, 5}));
    }

    void tenThousandCandidatesNeverOverlap()
    {
        // 10,000 assets projected onto a 1920 x 1080 view: a readable set, none touching.
        QRandomGenerator random(42);
        QList<QRectF> rects;
        for (int i = 0; i < 10'000; ++i)
            rects.append(QRectF(random.bounded(1920), random.bounded(1080), 90 + random.bounded(40), 18));
        const QList<int> kept = placeLabels(rects, 400);
        QVERIFY2(kept.size() > 100 && kept.size() <= 400, qPrintable(QString::number(kept.size())));
        QCOMPARE(kept.first(), 0); // the most important is always shown
        for (qsizetype a = 0; a < kept.size(); ++a) {
            for (qsizetype b = a + 1; b < kept.size(); ++b)
                QVERIFY(!rects.at(kept.at(a)).intersects(rects.at(kept.at(b))));
        }
        // Kept labels cover a good share of the screen: no large empty holes left by the greedy pass.
        qreal area = 0;
        for (const int i : kept)
            area += rects.at(i).width() * rects.at(i).height();
        QVERIFY(area > 1920.0 * 1080.0 * 0.25);
    }
};

QTEST_APPLESS_MAIN(TestLabelPlacement)
#include "tst_labelplacement.moc"
