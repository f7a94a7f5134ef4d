// SPDX-License-Identifier: Apache-2.0
#include "plantsimulator.h"

#include "plant/plant.h"

#include <QHash>
#include <QPair>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

namespace twinspect::sim {

namespace {

// The fault cycle the alarm work relies on (docs/cli.md): change these only together with the docs.
constexpr double kFaultFirstS = 20.0;
constexpr double kFaultPeriodS = 60.0;
constexpr double kTripLengthS = 15.0;
constexpr double kOvershootLengthS = 10.0;
constexpr double kOvershootThreshold = 0.95; // fraction of the range
constexpr double kOvershootLevel = 0.97;
constexpr double kAfterOvershoot = 0.93; // just below the threshold, so the alarm clears when the fault ends
// Step times are step / rate in double: a tolerance keeps 35.0 from counting as 34.999... .
constexpr double kTimeEpsilon = 1e-9;

/// SplitMix64. Its output, unlike that of std::normal_distribution, is the same with every standard
/// library, so a seed means the same run everywhere.
class Rng
{
public:
    explicit Rng(quint64 seed)
        : m_state(seed)
    {}

    quint64 next()
    {
        quint64 z = (m_state += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Standard normal (Box-Muller).
    double gaussian()
    {
        if (m_hasSpare) {
            m_hasSpare = false;
            return m_spare;
        }
        double u1 = uniform();
        while (u1 <= 0.0)
            u1 = uniform();
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        m_spare = r * std::sin(2.0 * std::numbers::pi * u2);
        m_hasSpare = true;
        return r * std::cos(2.0 * std::numbers::pi * u2);
    }

private:
    quint64 m_state;
    double m_spare = 0.0;
    bool m_hasSpare = false;
};

quint64 fnv1a(const QByteArray& bytes)
{
    quint64 hash = 0xcbf29ce484222325ULL;
    for (const char c : bytes) {
        hash ^= static_cast<quint8>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

enum class Kind
{
    Level,
    Flow,
    Pressure,
    Temperature,
    State,
    PumpState,
    Command,
    Other
};

Kind kindOf(const QString& role)
{
    if (role == u"level")
        return Kind::Level;
    if (role == u"flow")
        return Kind::Flow;
    if (role == u"pressure")
        return Kind::Pressure;
    if (role == u"temperature")
        return Kind::Temperature;
    if (role == u"state")
        return Kind::State;
    if (role == u"command")
        return Kind::Command;
    return Kind::Other;
}

struct Channel
{
    QString tagId;
    QString unit;
    Kind kind = Kind::Other;
    int assetIndex = -1;
    double lo = 0.0;
    double hi = 100.0;
    bool boolean = false;
    Rng rng{0};

    double x = -1.0;     ///< the noise-free value, as a fraction of the range; < 0 until the first step
    double target = 0.5; ///< level target, temperature setpoint
    double nextChangeAt = 0.0;
    double nominal = 0.6; ///< flow operating point
    double amplitude = 0.3;
    double periodS = 300.0;
    double phase = 0.0;
    bool state = false;
    bool normalState = false;
    double constant = 0.0;
    int pump = -1; ///< flows and pressures: index into pumps
    int flow = -1; ///< pressures: the flow channel they follow
};

struct Pump
{
    int assetIndex = -1;
    int stateChannel = -1;
    double fraction = 1.0; ///< 1 running at full flow, 0 stopped; lags behind the state
    QStringList flows;
};

double lagFactor(double dt, double tauS)
{
    return 1.0 - std::exp(-dt / tauS);
}

/// Whether the fault with this length is active at run time t.
bool faultActive(double t, double lengthS)
{
    if (t + kTimeEpsilon < kFaultFirstS)
        return false;
    return std::fmod(t - kFaultFirstS + kTimeEpsilon, kFaultPeriodS) < lengthS;
}

} // namespace

struct PlantSimulator::Impl
{
    const Plant plant; // a copy: the simulator may outlive the caller's plant
    Options options;
    double dt = 0.5;
    std::vector<Channel> channels;
    std::vector<Pump> pumps;
    QHash<int, int> pumpByAsset;            // asset index -> pumps index
    QHash<int, int> stateByAsset;           // asset index -> its first state channel
    QHash<int, QList<int>> upstream;        // asset index -> assets piped into it
    QHash<int, QList<int>> neighbours;      // asset index -> assets piped to or from it
    QHash<int, QList<int>> flowsByAsset;    // asset index -> its flow channels
    QHash<QPair<int, int>, int> pumpByUnit; // (area, unit) -> findPump's answer past the asset itself
    std::vector<TagValue> values;
    QStringList notes;
    qint64 step = 0;
    int faultPump = -1;
    int faultTemperature = -1; // channel index
    bool tripWasActive = false;
    bool overshootWasActive = false;

    Impl(const Plant& p, const Options& o)
        : plant(p)
        , options(o)
        , dt(1.0 / o.rateHz)
    {}

    QList<int> unitAssets(int assetIndex) const
    {
        const Asset& asset = plant.assets.at(assetIndex);
        if (asset.areaIndex < 0 || asset.areaIndex >= plant.areas.size())
            return {assetIndex};
        const Area& area = plant.areas.at(asset.areaIndex);
        if (asset.unitIndex < 0 || asset.unitIndex >= area.units.size())
            return {assetIndex};
        return area.units.at(asset.unitIndex).assetIndexes;
    }

    int stateChannelOf(int assetIndex) const { return stateByAsset.value(assetIndex, -1); }

    int addPump(int assetIndex, int stateChannel)
    {
        if (const auto it = pumpByAsset.constFind(assetIndex); it != pumpByAsset.constEnd())
            return it.value();
        channels[stateChannel].kind = Kind::PumpState;
        pumps.push_back(Pump{assetIndex, stateChannel, 1.0, {}});
        const int index = static_cast<int>(pumps.size()) - 1;
        pumpByAsset.insert(assetIndex, index);
        return index;
    }

    /// The pump a flow at this asset follows: the asset's own state tag, a pump in the same unit,
    /// then the nearest pump upstream along the pipes, then the nearest one in any direction.
    int findPump(int assetIndex)
    {
        if (const int own = stateChannelOf(assetIndex); own >= 0)
            return addPump(assetIndex, own);
        const Asset& asset = plant.assets.at(assetIndex);
        // Everything past the asset itself depends on its unit only: one search per unit keeps
        // large generated plants linear.
        if (asset.areaIndex < 0 || asset.unitIndex < 0)
            return searchPump(unitAssets(assetIndex));
        const QPair<int, int> unitKey(asset.areaIndex, asset.unitIndex);
        if (const auto known = pumpByUnit.constFind(unitKey); known != pumpByUnit.constEnd())
            return known.value();
        const int found = searchPump(unitAssets(assetIndex));
        pumpByUnit.insert(unitKey, found);
        return found;
    }

    int searchPump(const QList<int>& unit) const
    {
        for (const int member : unit) {
            if (pumpByAsset.contains(member))
                return pumpByAsset.value(member);
        }
        for (const QHash<int, QList<int>>* graph : {&upstream, &neighbours}) {
            QList<int> frontier = unit;
            QSet<int> seen(unit.cbegin(), unit.cend());
            while (!frontier.isEmpty()) {
                QList<int> following;
                for (const int current : std::as_const(frontier)) {
                    for (const int next : graph->value(current)) {
                        if (seen.contains(next))
                            continue;
                        seen.insert(next);
                        if (pumpByAsset.contains(next))
                            return pumpByAsset.value(next);
                        following.append(next);
                    }
                }
                frontier = following;
            }
        }
        return -1;
    }

    void build()
    {
        for (int a = 0; a < plant.assets.size(); ++a) {
            for (const TagBinding& tag : plant.assets.at(a).tags) {
                Channel c;
                c.tagId = tag.tagId;
                c.unit = tag.unit;
                c.kind = kindOf(tag.role);
                c.assetIndex = a;
                const bool hasRange = tag.rangeMin && tag.rangeMax && *tag.rangeMin < *tag.rangeMax;
                c.lo = hasRange ? *tag.rangeMin : 0.0;
                c.hi = hasRange ? *tag.rangeMax : (c.kind == Kind::Pressure ? 10.0 : 100.0);
                c.boolean = c.kind == Kind::State || (c.kind == Kind::Command && tag.unit.isEmpty() && !hasRange);
                // One stream per tag: adding a tag to the plant leaves the other tags' values unchanged.
                c.rng = Rng((options.seed * 0x9E3779B97F4A7C15ULL) ^ fnv1a(tag.tagId.toUtf8()));
                initialise(c);
                if (c.kind == Kind::State && !stateByAsset.contains(a))
                    stateByAsset.insert(a, static_cast<int>(channels.size()));
                channels.push_back(std::move(c));
            }
        }
        for (const Pipe& pipe : plant.pipes) {
            const int from = plant.assetIndex(pipe.fromAssetId);
            const int to = plant.assetIndex(pipe.toAssetId);
            if (from < 0 || to < 0)
                continue;
            upstream[to].append(from);
            neighbours[to].append(from);
            neighbours[from].append(to);
        }
        for (int a = 0; a < plant.assets.size(); ++a) {
            if (plant.assets.at(a).type == u"pump") {
                if (const int state = stateChannelOf(a); state >= 0)
                    addPump(a, state);
            }
        }
        for (int i = 0; i < static_cast<int>(channels.size()); ++i) {
            if (channels[i].kind == Kind::Flow)
                flowsByAsset[channels[i].assetIndex].append(i);
        }
        for (Channel& c : channels) {
            if (c.kind != Kind::Flow)
                continue;
            c.pump = findPump(c.assetIndex);
            if (c.pump >= 0) {
                pumps[c.pump].flows.append(c.tagId);
                notes.append(QStringLiteral("flow %1 follows pump %2 (%3)")
                                 .arg(c.tagId, plant.assets.at(pumps[c.pump].assetIndex).id,
                                      channels[pumps[c.pump].stateChannel].tagId));
            } else {
                notes.append(QStringLiteral("flow %1 follows no pump: no state tag found near it").arg(c.tagId));
            }
        }
        for (int i = 0; i < static_cast<int>(channels.size()); ++i) {
            Channel& c = channels[i];
            if (c.kind != Kind::Pressure)
                continue;
            c.flow = flowNear(c.assetIndex);
            if (c.flow >= 0) {
                notes.append(QStringLiteral("pressure %1 follows flow %2").arg(c.tagId, channels[c.flow].tagId));
                continue;
            }
            c.pump = findPump(c.assetIndex);
            if (c.pump >= 0)
                notes.append(QStringLiteral("pressure %1 follows pump %2")
                                 .arg(c.tagId, plant.assets.at(pumps[c.pump].assetIndex).id));
        }
        if (options.faults)
            chooseFaults();
        values.reserve(channels.size());
        for (const Channel& c : channels)
            values.push_back(TagValue{c.tagId, {}});
    }

    /// A flow on this asset, else one in its unit.
    int flowNear(int assetIndex) const
    {
        const QList<int> candidates = flowsByAsset.value(assetIndex);
        if (!candidates.isEmpty())
            return candidates.constFirst();
        int best = -1;
        for (const int member : unitAssets(assetIndex)) {
            const QList<int> flows = flowsByAsset.value(member);
            if (!flows.isEmpty() && (best < 0 || flows.constFirst() < best))
                best = flows.constFirst();
        }
        return best;
    }

    void chooseFaults()
    {
        // The pump that matters most visibly: the first in the plant whose trip stops a flow.
        for (int i = 0; i < static_cast<int>(pumps.size()); ++i) {
            const bool better = faultPump < 0 || (pumps[i].flows.isEmpty() == pumps[faultPump].flows.isEmpty()
                                                      ? pumps[i].assetIndex < pumps[faultPump].assetIndex
                                                      : !pumps[i].flows.isEmpty());
            if (better)
                faultPump = i;
        }
        for (int i = 0; i < static_cast<int>(channels.size()) && faultTemperature < 0; ++i) {
            if (channels[i].kind == Kind::Temperature)
                faultTemperature = i;
        }
        const QString cycle =
            QStringLiteral("every %1 s of run time, first at %2 s").arg(kFaultPeriodS).arg(kFaultFirstS);
        if (faultPump >= 0) {
            const Pump& p = pumps[faultPump];
            notes.append(QStringLiteral("faults: pump %1 (%2) trips for %3 s %4")
                             .arg(plant.assets.at(p.assetIndex).id, channels[p.stateChannel].tagId)
                             .arg(kTripLengthS)
                             .arg(cycle));
        } else {
            notes.append(QStringLiteral("faults: no pump with a state tag in the plant: no pump trips"));
        }
        if (faultTemperature >= 0)
            notes.append(QStringLiteral("faults: temperature %1 overshoots for %2 s %3")
                             .arg(channels[faultTemperature].tagId)
                             .arg(kOvershootLengthS)
                             .arg(cycle));
        else
            notes.append(QStringLiteral("faults: no temperature tag in the plant: no overshoot"));
    }

    static void initialise(Channel& c)
    {
        Rng& r = c.rng;
        switch (c.kind) {
        case Kind::Level:
            c.x = r.uniform(0.35, 0.75);
            c.target = c.x;
            c.nextChangeAt = r.uniform(30.0, 120.0);
            break;
        case Kind::Temperature:
            c.x = r.uniform(0.35, 0.65);
            c.target = c.x;
            c.nextChangeAt = r.uniform(300.0, 900.0);
            break;
        case Kind::Flow:
            c.nominal = r.uniform(0.45, 0.7);
            c.periodS = r.uniform(90.0, 300.0);
            c.phase = r.uniform(0.0, 2.0 * std::numbers::pi);
            break;
        case Kind::State:
        case Kind::PumpState:
            c.normalState = false;
            c.state = false;
            break;
        case Kind::Command:
            c.constant = std::round((c.lo + (c.hi - c.lo) * r.uniform(0.3, 0.7)) * 10.0) / 10.0;
            break;
        case Kind::Pressure:
            break;
        case Kind::Other:
            c.amplitude = r.uniform(0.2, 0.35);
            c.periodS = r.uniform(120.0, 600.0);
            c.phase = r.uniform(0.0, 2.0 * std::numbers::pi);
            break;
        }
    }

    void updateFaults(double t, QStringList& events)
    {
        const QString at = QString::number(t, 'f', 1);
        const bool trip = faultPump >= 0 && faultActive(t, kTripLengthS);
        if (trip != tripWasActive) {
            const Pump& p = pumps[faultPump];
            const QString tag = channels[p.stateChannel].tagId;
            const QString asset = plant.assets.at(p.assetIndex).id;
            if (trip)
                events.append(
                    QStringLiteral("fault: %1 pump %2 trips: state false%3 at %4 s")
                        .arg(tag, asset,
                             p.flows.isEmpty()
                                 ? QString()
                                 : QStringLiteral(", flow %1 drops to ~0").arg(p.flows.join(QStringLiteral(", "))),
                             at));
            else
                events.append(QStringLiteral("fault: %1 pump %2 runs again at %3 s").arg(tag, asset, at));
            tripWasActive = trip;
        }
        const bool overshoot = faultTemperature >= 0 && faultActive(t, kOvershootLengthS);
        if (overshoot != overshootWasActive) {
            Channel& c = channels[faultTemperature];
            const double threshold = c.lo + kOvershootThreshold * (c.hi - c.lo);
            if (overshoot) {
                events.append(
                    QStringLiteral("fault: %1 temperature overshoots above 95 % of its range (> %2%3) at %4 s")
                        .arg(c.tagId, QString::number(threshold),
                             c.unit.isEmpty() ? QString() : QLatin1Char(' ') + c.unit, at));
            } else {
                events.append(
                    QStringLiteral("fault: %1 temperature back below 95 % of its range at %2 s").arg(c.tagId, at));
                c.x = kAfterOvershoot;
            }
            overshootWasActive = overshoot;
        }
    }

    /// The next noise-free fraction and the published fraction of one analogue channel.
    double analogue(Channel& c, double t, bool overshooting)
    {
        Rng& r = c.rng;
        switch (c.kind) {
        case Kind::Level: {
            if (t >= c.nextChangeAt) {
                c.target = r.uniform(0.3, 0.8);
                c.nextChangeAt = t + r.uniform(60.0, 240.0);
            }
            const double maxMove = 0.002 * dt; // 0.2 % of the range per second: a slow drift
            c.x += std::clamp(c.target - c.x, -maxMove, maxMove);
            return c.x + 0.002 * r.gaussian();
        }
        case Kind::Temperature: {
            if (t >= c.nextChangeAt) {
                c.target = r.uniform(0.35, 0.65);
                c.nextChangeAt = t + r.uniform(300.0, 900.0);
            }
            c.x += (c.target - c.x) * lagFactor(dt, 45.0);
            const double noise = r.gaussian();
            if (overshooting)
                return std::clamp(kOvershootLevel + 0.005 * noise, kOvershootThreshold + 0.005, 1.0);
            return c.x + 0.002 * noise;
        }
        case Kind::Flow: {
            const double p = c.pump >= 0 ? pumps[c.pump].fraction : 1.0;
            const double wander = 0.03 * std::sin(2.0 * std::numbers::pi * t / c.periodS + c.phase);
            c.x = (c.nominal + wander) * p;
            // Less noise when stopped: a tripped pump's flow reads about zero, not a jittering band.
            return c.x + (0.001 + 0.005 * p) * r.gaussian();
        }
        case Kind::Pressure: {
            const double driver = c.flow >= 0 ? channels[c.flow].x : c.pump >= 0 ? 0.6 * pumps[c.pump].fraction : 0.6;
            const double target = 0.1 + 0.8 * driver;
            c.x = c.x < 0.0 ? target : c.x + (target - c.x) * lagFactor(dt, 1.5);
            return c.x + 0.004 * r.gaussian();
        }
        case Kind::Other:
            return 0.5 + c.amplitude * std::sin(2.0 * std::numbers::pi * t / c.periodS + c.phase) +
                   0.004 * r.gaussian();
        case Kind::State:
        case Kind::PumpState:
        case Kind::Command:
            break;
        }
        return 0.5;
    }

    telemetry::Value number(const Channel& c, double fraction) const
    {
        const double value = c.lo + (c.hi - c.lo) * std::clamp(fraction, 0.0, 1.0);
        // Three decimals: plenty for a display, and short JSON.
        return std::clamp(std::round(value * 1000.0) / 1000.0, c.lo, c.hi);
    }

    void advance(QStringList& events)
    {
        const double t = static_cast<double>(step) / options.rateHz;
        if (options.faults)
            updateFaults(t, events);
        for (int i = 0; i < static_cast<int>(pumps.size()); ++i) {
            Pump& p = pumps[i];
            const bool running = !(i == faultPump && tripWasActive);
            channels[p.stateChannel].state = running;
            // A trip stops the flow within a few seconds; a start ramps up a little slower.
            const double target = running ? 1.0 : 0.0;
            p.fraction += (target - p.fraction) * lagFactor(dt, running ? 2.0 : 0.7);
        }
        // Pressures follow this step's flows: every other channel first.
        for (const bool pressures : {false, true}) {
            for (size_t i = 0; i < channels.size(); ++i) {
                Channel& c = channels[i];
                if ((c.kind == Kind::Pressure) != pressures)
                    continue;
                switch (c.kind) {
                case Kind::State:
                    // Rare changes: about once an hour, back after about half a minute.
                    if (c.state == c.normalState ? c.rng.uniform() < dt / 3600.0 : c.rng.uniform() < dt / 30.0)
                        c.state = !c.state;
                    values[i].value = c.state;
                    break;
                case Kind::PumpState:
                    values[i].value = c.state;
                    break;
                case Kind::Command:
                    values[i].value = c.boolean ? telemetry::Value{true} : telemetry::Value{c.constant};
                    break;
                default:
                    values[i].value =
                        number(c, analogue(c, t,
                                           c.kind == Kind::Temperature && static_cast<int>(i) == faultTemperature &&
                                               overshootWasActive));
                    break;
                }
            }
        }
        ++step;
    }
};

PlantSimulator::PlantSimulator(const Plant& plant, const Options& options)
    : d(std::make_unique<Impl>(plant, options))
{
    d->build();
}

PlantSimulator::~PlantSimulator() = default;

int PlantSimulator::tagCount() const
{
    return static_cast<int>(d->channels.size());
}

QStringList PlantSimulator::tagIds() const
{
    QStringList ids;
    for (const Channel& c : d->channels)
        ids.append(c.tagId);
    return ids;
}

QStringList PlantSimulator::describe() const
{
    return d->notes;
}

const std::vector<PlantSimulator::TagValue>& PlantSimulator::step(QStringList& events)
{
    d->advance(events);
    return d->values;
}

qint64 PlantSimulator::stepIndex() const
{
    return d->step;
}

} // namespace twinspect::sim
