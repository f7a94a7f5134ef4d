// SPDX-License-Identifier: Apache-2.0
#include "plantgenerator.h"

#include <QRandomGenerator>

#include <algorithm>
#include <cmath>

namespace twinspect {

namespace {

struct Archetype
{
    const char* type;
    const char* prefix;
    const char* geometry; ///< JSON fragment
    const char* role;
    const char* unit;
    double rangeMax;
};

constexpr Archetype kArchetypes[] = {
    {"tank", "TK", R"("primitive": "cylinder", "radius": 1.2, "height": 3.0)", "level", "%", 100},
    {"pump", "PP", R"("primitive": "box", "size": [1.2, 0.9, 0.8])", "flow", "m3/h", 60},
    {"valve", "FCV", R"("primitive": "sphere", "radius": 0.45)", "position", "%", 100},
    {"sensor", "PIT", R"("primitive": "cylinder", "radius": 0.15, "height": 0.8)", "pressure", "bar", 16},
    {"heat-exchanger", "HEX", R"("primitive": "cylinder", "radius": 0.6, "height": 2.6)", "temperature", "degC", 150},
    {"motor", "M", R"("primitive": "box", "size": [0.9, 0.9, 1.3])", "speed", "rpm", 3000},
};

QByteArray number(double v)
{
    return QByteArray::number(v, 'f', 3);
}

} // namespace

QByteArray generatePlantJson(const PlantGeneratorOptions& options)
{
    const int count = std::max(0, options.assetCount);
    const int perUnit = std::max(1, options.assetsPerUnit);
    const int unitsPerArea = std::max(1, options.unitsPerArea);
    const int unitCount = (count + perUnit - 1) / perUnit;
    const int areaCount = std::max(1, (unitCount + unitsPerArea - 1) / unitsPerArea);
    const int gridSide = std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count)))));
    QRandomGenerator random(options.seed);

    QByteArray out;
    out.reserve(static_cast<qsizetype>(count) * 420 + 512);
    out += "{\n  \"format\": \"twinspect-plant\",\n  \"version\": 1,\n  \"site\": {\n";
    out += "    \"id\": \"synthetic\",\n    \"name\": \"Synthetic plant (" + QByteArray::number(count) +
           " assets, seed " + QByteArray::number(options.seed) + ")\",\n    \"areas\": [";
    QByteArray pipes;
    int pipeCount = 0;
    int asset = 0;
    for (int area = 0; area < areaCount; ++area) {
        out += area ? ",\n" : "\n";
        out += "      {\"id\": \"A" + QByteArray::number(area) + "\", \"name\": \"Area " + QByteArray::number(area + 1) +
               "\", \"units\": [";
        for (int u = 0; u < unitsPerArea; ++u) {
            const int unit = area * unitsPerArea + u;
            if (unit >= unitCount && !(unitCount == 0 && u == 0))
                break;
            out += u ? ",\n" : "\n";
            out += "        {\"id\": \"A" + QByteArray::number(area) + "-U" + QByteArray::number(u) +
                   "\", \"name\": \"Unit " + QByteArray::number(u + 1) + "\", \"assets\": [";
            const int end = std::min(count, (unit + 1) * perUnit);
            QByteArray previousId;
            for (int k = 0; asset < end; ++asset, ++k) {
                const Archetype& a = kArchetypes[random.bounded(static_cast<int>(std::size(kArchetypes)))];
                const QByteArray id = QByteArray(a.prefix) + QByteArray::number(asset);
                const double x = (asset % gridSide) * options.spacing;
                const double z = (asset / gridSide) * options.spacing;
                const double yaw = random.bounded(4) * 90.0;
                out += k ? ",\n" : "\n";
                out += "          {\"id\": \"" + id + "\", \"name\": \"" + a.type + " " + QByteArray::number(asset) +
                       "\", \"type\": \"" + a.type + "\", \"transform\": {\"position\": [" + number(x) + ", 0, " +
                       number(z) + "], \"rotation\": [0, " + number(yaw) + ", 0]}, \"geometry\": {" + a.geometry +
                       "}, \"tags\": [{\"id\": \"" + id + "-PV\", \"role\": \"" + a.role + "\", \"unit\": \"" + a.unit +
                       "\", \"range\": [0, " + number(a.rangeMax) + "]}], \"metadata\": {\"serial\": \"SN-" +
                       QByteArray::number(random.bounded(1000000)) + "\"}}";
                if (k > 0 && random.generateDouble() < options.pipeFraction) {
                    pipes += pipeCount ? ",\n" : "\n";
                    pipes += "    {\"id\": \"PIPE" + QByteArray::number(pipeCount++) + "\", \"from\": \"" + previousId +
                             "\", \"to\": \"" + id + "\", \"diameter\": 0.12}";
                }
                previousId = id;
            }
            out += "]}";
        }
        out += "]}";
    }
    out += "\n    ]\n  },\n  \"pipes\": [" + pipes + "\n  ]\n}\n";
    return out;
}

} // namespace twinspect
