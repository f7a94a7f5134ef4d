// SPDX-License-Identifier: Apache-2.0
// Real models from Debian's assimp-testmodels (installed by the test command): good ones must
// pass with their bounds, deliberately broken ones must be named and explained.
#include "plant/meshprobe.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using twinspect::MeshInfo;

namespace {
const QString kModels = QStringLiteral("/usr/share/assimp/models");

QString model(const char* relative)
{
    return QDir(kModels).filePath(QString::fromLatin1(relative));
}
} // namespace

class TestMeshProbe : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!QFileInfo::exists(model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb")))
            QFAIL("assimp-testmodels is not installed; run the README's test command (it installs it)");
    }

    void goodModelsPass_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<float>("minimumSpan");
        QTest::newRow("glb engine") << model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb") << 100.0f;
        QTest::newRow("gltf + bin") << model("glTF2/BoxTextured-glTF/BoxTextured.gltf") << 0.9f;
        QTest::newRow("gltf embedded") << model("glTF2/BoxTextured-glTF-Embedded/BoxTextured.gltf") << 0.9f;
        QTest::newRow("obj box") << model("OBJ/box.obj") << 0.9f;
        QTest::newRow("obj wuson") << model("OBJ/WusonOBJ.obj") << 0.5f;
        QTest::newRow("stl binary") << model("STL/Spider_binary.stl") << 1.0f;
        QTest::newRow("stl ascii") << model("STL/Spider_ascii.stl") << 1.0f;
    }

    void goodModelsPass()
    {
        QFETCH(QString, path);
        QFETCH(float, minimumSpan);
        const auto format = twinspect::meshFormatForPath(path);
        QVERIFY(format);
        const twinspect::MeshProbe probe = twinspect::probeMeshFile(path, *format, QString());
        QVERIFY2(probe.ok(), qPrintable(probe.error));
        QVERIFY(probe.boundsKnown);
        const double span = std::max({probe.boundsMax.x - probe.boundsMin.x, probe.boundsMax.y - probe.boundsMin.y,
                                      probe.boundsMax.z - probe.boundsMin.z});
        QVERIFY2(span >= minimumSpan, qPrintable(QString::number(span)));
    }

    void brokenModelsAreExplained_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing bin") << model("glTF2/MissingBin/BoxTextured.gltf") << QStringLiteral("is missing");
        QTest::newRow("index out of range") << model("glTF2/IndexOutOfRange/IndexOutOfRange.gltf")
                                            << QStringLiteral("points past the");
        QTest::newRow("all indices out of range") << model("glTF2/IndexOutOfRange/AllIndicesOutOfRange.gltf")
                                                  << QStringLiteral("points past the");
        QTest::newRow("recursive nodes") << model("glTF2/RecursiveNodes/RecursiveNodes.gltf")
                                         << QStringLiteral("its own ancestor");
        QTest::newRow("scene that is not there") << model("glTF2/TestNoRootNode/NoScene.gltf") << QStringLiteral("scene = 0 points past");
        QTest::newRow("bad array") << model("glTF2/wrongTypes/badArray.gltf") << QString();
        QTest::newRow("bad number") << model("glTF2/wrongTypes/badNumber.gltf") << QString();
        QTest::newRow("bad string") << model("glTF2/wrongTypes/badString.gltf") << QString();
        QTest::newRow("bad uint") << model("glTF2/wrongTypes/badUint.gltf") << QString();
        QTest::newRow("bad object") << model("glTF2/wrongTypes/badObject.gltf") << QString();
        QTest::newRow("obj point cloud") << model("OBJ/point_cloud.obj") << QStringLiteral("no faces");
        QTest::newRow("missing file") << model("glTF2/nothing-here.gltf") << QStringLiteral("does not exist");
    }

    void brokenModelsAreExplained()
    {
        QFETCH(QString, path);
        QFETCH(QString, message);
        const auto format = twinspect::meshFormatForPath(path);
        QVERIFY(format);
        const twinspect::MeshProbe probe = twinspect::probeMeshFile(path, *format, QString());
        QVERIFY2(!probe.ok(), "a broken model must not pass");
        if (!message.isEmpty())
            QVERIFY2(probe.error.contains(message), qPrintable(probe.error));
    }

    void namedNodeMustExist()
    {
        const QString path = model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
        const twinspect::MeshProbe missing = twinspect::probeMeshFile(path, MeshInfo::Format::Glb, QStringLiteral("nope"));
        QVERIFY(missing.error.contains(QStringLiteral("no mesh named 'nope'")));
        const twinspect::MeshProbe obj =
            twinspect::probeMeshFile(model("OBJ/cube_usemtl.obj"), MeshInfo::Format::Obj, QStringLiteral("nope"));
        QVERIFY2(obj.error.contains(QStringLiteral("no object or group named 'nope'")), qPrintable(obj.error));
    }

    void glbUnpacksToGltfThatProbesTheSame()
    {
        QTemporaryDir cache;
        const QString glb = model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
        const auto unpacked = twinspect::unpackGlb(glb, cache.path());
        QVERIFY2(unpacked.ok(), qPrintable(unpacked.ok() ? QString() : unpacked.error().message));
        const twinspect::MeshProbe fromGlb = twinspect::probeMeshFile(glb, MeshInfo::Format::Glb, QString());
        const twinspect::MeshProbe fromGltf =
            twinspect::probeMeshFile(unpacked.value(), MeshInfo::Format::Gltf, QString());
        QVERIFY2(fromGltf.ok(), qPrintable(fromGltf.error));
        QCOMPARE(fromGltf.boundsMin, fromGlb.boundsMin);
        QCOMPARE(fromGltf.boundsMax, fromGlb.boundsMax);
    }

    void truncatedGlbIsAnErrorNotACrash()
    {
        QFile file(model("glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        for (const qsizetype cut : {qsizetype(0), qsizetype(11), qsizetype(20), bytes.size() / 2, bytes.size() - 1}) {
            const twinspect::MeshProbe probe = twinspect::probeGltfBytes(bytes.left(cut), true, QString(), QString());
            QVERIFY2(!probe.ok(), qPrintable(QStringLiteral("cut at %1 passed").arg(cut)));
        }
    }
};

QTEST_GUILESS_MAIN(TestMeshProbe)
#include "tst_meshprobe.moc"
