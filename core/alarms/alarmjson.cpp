// SPDX-License-Identifier: Apache-2.0
#include "alarms/alarmjson.h"

#include "plant/json.h"

#include <QJsonArray>

#include <cmath>
#include <initializer_list>

namespace twinspect::alarms {

namespace {

using Type = json::Value::Type;
constexpr double kMaxAlarmDelayMs = 24.0 * 3600 * 1000;

/// Walks one alarm object. Paths are built as text here: an alarm object is small, and the
/// callers prefix them with where the object stands in their own file.
class Reader
{
public:
    Reader(QString tag, QString unit, std::optional<double> rangeMin, std::optional<double> rangeMax)
        : m_tag(std::move(tag))
        , m_unit(std::move(unit))
        , m_rangeMin(rangeMin)
        , m_rangeMax(rangeMax)
    {}

    AlarmJsonResult run(const json::Value& v)
    {
        const bool analog = v.find(u"lolo") || v.find(u"lo") || v.find(u"hi") || v.find(u"hihi");
        const bool boolean = v.find(u"state") != nullptr;
        const bool discrete = v.find(u"states") != nullptr;
        const int forms = static_cast<int>(analog) + static_cast<int>(boolean) + static_cast<int>(discrete);
        if (forms != 1) {
            error(v, {},
                  forms == 0 ? QStringLiteral("give limits (\"lolo\", \"lo\", \"hi\", \"hihi\"), a \"state\" "
                                              "(boolean) or \"states\" (discrete)")
                             : QStringLiteral("give only one of limits (\"lolo\", \"lo\", \"hi\", \"hihi\"), "
                                              "\"state\" or \"states\""));
            return std::move(m_result);
        }
        AlarmConfig config;
        config.tag = m_tag;
        config.unit = m_unit;
        if (analog) {
            warnUnknown(v, {}, {u"lolo", u"lo", u"hi", u"hihi", u"deadband", u"onDelayMs", u"offDelayMs"});
            config.type = AlarmConfig::Type::Analog;
            readLimits(v, config);
            if (const json::Value* deadband = member(v, u"deadband", {}, Type::Number, false)) {
                if (deadband->number < 0.0)
                    error(*deadband, QStringLiteral(".deadband"),
                          QStringLiteral("must be 0 or more (in the tag's unit), got %1").arg(deadband->number));
                else
                    config.deadband = deadband->number;
            }
        } else if (boolean) {
            warnUnknown(v, {}, {u"state", u"priority", u"onDelayMs", u"offDelayMs"});
            config.type = AlarmConfig::Type::Boolean;
            if (const json::Value* state = member(v, u"state", {}, Type::Bool, true))
                config.alarmState = state->boolean;
            config.priority = priority(v, {}).value_or(config.priority);
        } else {
            warnUnknown(v, {}, {u"states", u"priority", u"onDelayMs", u"offDelayMs"});
            config.type = AlarmConfig::Type::Discrete;
            readStates(v, config);
            config.priority = priority(v, {}).value_or(config.priority);
        }
        config.onDelayMs = delay(v, u"onDelayMs");
        config.offDelayMs = delay(v, u"offDelayMs");
        if (!m_failed)
            m_result.config = std::move(config);
        return std::move(m_result);
    }

private:
    void report(bool isError, const json::Value& at, const QString& path, const QString& message)
    {
        m_failed |= isError;
        m_result.issues.append(AlarmJsonIssue{isError, at.line, at.column, path, message});
    }
    void error(const json::Value& at, const QString& path, const QString& message) { report(true, at, path, message); }

    void warnUnknown(const json::Value& object, const QString& path, std::initializer_list<QStringView> known)
    {
        for (const json::Member& m : object.object) {
            if (std::find(known.begin(), known.end(), QStringView(m.key)) == known.end())
                report(false, m.value, path + u'.' + m.key,
                       QStringLiteral("unknown field \"%1\" is ignored").arg(m.key));
        }
    }

    const json::Value* member(const json::Value& object, QStringView key, const QString& path, Type type, bool required)
    {
        const json::Value* v = object.find(key);
        if (!v) {
            if (required)
                error(object, path + u'.' + key,
                      QStringLiteral("required field \"%1\" is missing").arg(key.toString()));
            return nullptr;
        }
        if (v->type != type) {
            error(*v, path + u'.' + key,
                  QStringLiteral("expected %1, got %2").arg(json::typeName(type), json::typeName(v->type)));
            return nullptr;
        }
        return v;
    }

    void readLimits(const json::Value& v, AlarmConfig& config)
    {
        struct Limit
        {
            QStringView key;
            std::optional<AnalogLimit>* target;
        };
        // Lowest first: each limit given must be above the one before it.
        const Limit limits[] = {
            {u"lolo", &config.loLo}, {u"lo", &config.lo}, {u"hi", &config.hi}, {u"hihi", &config.hiHi}};
        const Limit* below = nullptr;
        for (const Limit& l : limits) {
            const json::Value* object = member(v, l.key, {}, Type::Object, false);
            if (!object)
                continue;
            const QString limitPath = u'.' + l.key.toString();
            warnUnknown(*object, limitPath, {u"limit", u"priority"});
            const json::Value* limit = member(*object, u"limit", limitPath, Type::Number, true);
            const std::optional<Priority> p = priority(*object, limitPath);
            if (!limit || !p)
                continue;
            if (below && !((*below->target)->limit < limit->number)) {
                error(*limit, limitPath + QStringLiteral(".limit"),
                      QStringLiteral("must be above the %1 limit (%2), got %3: limits go lolo < lo < hi < hihi")
                          .arg(below->key.toString())
                          .arg((*below->target)->limit)
                          .arg(limit->number));
                continue;
            }
            if (m_rangeMin && m_rangeMax && (limit->number < *m_rangeMin || limit->number > *m_rangeMax))
                report(false, *limit, limitPath + QStringLiteral(".limit"),
                       QStringLiteral("%1 is outside the tag's range [%2, %3]: only a value out of range can reach it")
                           .arg(limit->number)
                           .arg(*m_rangeMin)
                           .arg(*m_rangeMax));
            *l.target = AnalogLimit{limit->number, *p};
            below = &l;
        }
    }

    void readStates(const json::Value& v, AlarmConfig& config)
    {
        const json::Value* states = member(v, u"states", {}, Type::Array, true);
        if (!states)
            return;
        if (states->array.empty())
            error(*states, QStringLiteral(".states"), QStringLiteral("give at least one alarm state"));
        for (size_t i = 0; i < states->array.size(); ++i) {
            const json::Value& state = states->array[i];
            if (state.isString())
                config.alarmStates.append(state.string);
            else if (state.isNumber())
                config.alarmStates.append(state.number);
            else
                error(state, QStringLiteral(".states[%1]").arg(i),
                      QStringLiteral("expected a string or a number, got %1").arg(json::typeName(state.type)));
        }
    }

    std::optional<Priority> priority(const json::Value& v, const QString& path)
    {
        const json::Value* name = member(v, u"priority", path, Type::String, true);
        if (!name)
            return std::nullopt;
        const std::optional<Priority> p = priorityFromName(name->string.toLower());
        if (!p)
            error(*name, path + QStringLiteral(".priority"),
                  QStringLiteral("unknown priority \"%1\"; use low, medium, high or urgent").arg(name->string));
        return p;
    }

    qint64 delay(const json::Value& v, QStringView key)
    {
        const json::Value* ms = member(v, key, {}, Type::Number, false);
        if (!ms)
            return 0;
        if (ms->number < 0 || ms->number != std::floor(ms->number) || ms->number > kMaxAlarmDelayMs) {
            error(*ms, u'.' + key.toString(),
                  QStringLiteral("must be a whole number of milliseconds from 0 to %1 (a day), got %2")
                      .arg(static_cast<qint64>(kMaxAlarmDelayMs))
                      .arg(QString::number(ms->number, 'g', 15)));
            return 0;
        }
        return static_cast<qint64>(ms->number);
    }

    QString m_tag;
    QString m_unit;
    std::optional<double> m_rangeMin;
    std::optional<double> m_rangeMax;
    AlarmJsonResult m_result;
    bool m_failed = false;
};

QJsonObject limitJson(const AnalogLimit& limit)
{
    QJsonObject o;
    o.insert(QLatin1String("limit"), limit.limit);
    o.insert(QLatin1String("priority"), priorityName(limit.priority));
    return o;
}

bool sameLimit(const std::optional<AnalogLimit>& a, const std::optional<AnalogLimit>& b)
{
    if (a.has_value() != b.has_value())
        return false;
    return !a || (a->limit == b->limit && a->priority == b->priority);
}

} // namespace

AlarmJsonResult readAlarmConfig(const json::Value& object, const QString& tag, const QString& unit,
                                std::optional<double> rangeMin, std::optional<double> rangeMax)
{
    return Reader(tag, unit, rangeMin, rangeMax).run(object);
}

QJsonObject alarmConfigToJson(const AlarmConfig& config)
{
    QJsonObject o;
    switch (config.type) {
    case AlarmConfig::Type::Analog:
        for (const auto& [key, limit] : {std::pair{"lolo", &config.loLo}, std::pair{"lo", &config.lo},
                                         std::pair{"hi", &config.hi}, std::pair{"hihi", &config.hiHi}}) {
            if (*limit)
                o.insert(QLatin1String(key), limitJson(**limit));
        }
        o.insert(QLatin1String("deadband"), config.deadband);
        break;
    case AlarmConfig::Type::Boolean:
        o.insert(QLatin1String("state"), config.alarmState);
        o.insert(QLatin1String("priority"), priorityName(config.priority));
        break;
    case AlarmConfig::Type::Discrete: {
        QJsonArray states;
        for (const telemetry::Value& state : config.alarmStates) {
            if (const auto* text = std::get_if<QString>(&state))
                states.append(*text);
            else if (const auto* number = std::get_if<double>(&state))
                states.append(*number);
        }
        o.insert(QLatin1String("states"), states);
        o.insert(QLatin1String("priority"), priorityName(config.priority));
        break;
    }
    }
    o.insert(QLatin1String("onDelayMs"), static_cast<double>(config.onDelayMs));
    o.insert(QLatin1String("offDelayMs"), static_cast<double>(config.offDelayMs));
    return o;
}

bool sameAlarms(const AlarmConfig& a, const AlarmConfig& b)
{
    if (a.type != b.type || a.onDelayMs != b.onDelayMs || a.offDelayMs != b.offDelayMs)
        return false;
    switch (a.type) {
    case AlarmConfig::Type::Analog:
        return sameLimit(a.loLo, b.loLo) && sameLimit(a.lo, b.lo) && sameLimit(a.hi, b.hi) &&
               sameLimit(a.hiHi, b.hiHi) && a.deadband == b.deadband;
    case AlarmConfig::Type::Boolean:
        return a.alarmState == b.alarmState && a.priority == b.priority;
    case AlarmConfig::Type::Discrete:
        return a.alarmStates == b.alarmStates && a.priority == b.priority;
    }
    return false;
}

} // namespace twinspect::alarms
