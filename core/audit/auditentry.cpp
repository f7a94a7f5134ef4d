// SPDX-License-Identifier: Apache-2.0
#include "auditentry.h"

#include "plant/json.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTimeZone>

namespace twinspect::audit {

namespace {

constexpr char kPrefix[] = "{\"v\":1,\"seq\":";

void appendString(QByteArray& out, const QString& text)
{
    // Escape per UTF-16 unit, then encode the whole string at once so surrogate pairs (characters
    // outside the BMP) become one UTF-8 sequence.
    QString escaped;
    escaped.reserve(text.size() + 2);
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u == u'"' || u == u'\\') {
            escaped += QLatin1Char('\\');
            escaped += c;
        } else if (u < 0x20) {
            escaped += QStringLiteral("\\u%1").arg(int(u), 4, 16, QLatin1Char('0'));
        } else {
            escaped += c;
        }
    }
    out += '"';
    out += escaped.toUtf8();
    out += '"';
}

void appendField(QByteArray& out, const char* key, const QString& value)
{
    out += ",\"";
    out += key;
    out += "\":";
    appendString(out, value);
}

QString stringField(const json::Value& object, const char16_t* key)
{
    const json::Value* v = object.find(key);
    return v && v->isString() ? v->string : QString();
}

} // namespace

const QList<ActionInfo>& actionCatalogue()
{
    static const QList<ActionInfo> actions{
        {QStringLiteral("app.start"), QStringLiteral("the workstation started")},
        {QStringLiteral("app.stop"), QStringLiteral("the workstation stopped cleanly")},
        {QStringLiteral("plant.open"), QStringLiteral("a plant file was opened (target: path)")},
        {QStringLiteral("audit.enrol"), QStringLiteral("this log was created; details hold the enrolment key")},
        {QStringLiteral("audit.gap"), QStringLiteral("the log could not be written for a while; details say when and what was refused")},
        {QStringLiteral("audit.verify"), QStringLiteral("the log was verified; outcome is the verdict")},
        {QStringLiteral("audit.export"), QStringLiteral("the log was exported (target: file)")},
        {QStringLiteral("note"), QStringLiteral("a free note, e.g. from a maintenance script")},
        {QStringLiteral("session.login"), QStringLiteral("an operator logged in")},
        {QStringLiteral("session.login_failed"), QStringLiteral("a login failed")},
        {QStringLiteral("session.lockout"), QStringLiteral("an account was locked after failures")},
        {QStringLiteral("session.unlock"), QStringLiteral("an account was unlocked")},
        {QStringLiteral("session.lock"), QStringLiteral("the session was locked")},
        {QStringLiteral("session.logout"), QStringLiteral("an operator logged out")},
        {QStringLiteral("user.password_change"), QStringLiteral("a password was changed")},
        {QStringLiteral("user.role_change"), QStringLiteral("a role was changed")},
        {QStringLiteral("user.create"), QStringLiteral("an operator account was created (target: user)")},
        {QStringLiteral("user.disable"), QStringLiteral("an account was disabled (users are never deleted)")},
        {QStringLiteral("user.enable"), QStringLiteral("a disabled account was enabled again")},
        {QStringLiteral("user.password_reset"), QStringLiteral("an admin set a new initial password")},
        {QStringLiteral("esign"), QStringLiteral("an electronic signature was given")},
        {QStringLiteral("telemetry.connected"),
         QStringLiteral("a telemetry backend connected (target: backend; details: server certificate)")},
        {QStringLiteral("telemetry.connect_refused"),
         QStringLiteral("a backend connection was refused by a security check (reason: which check)")},
        {QStringLiteral("telemetry.connect_failed"), QStringLiteral("a backend could not be reached (network, timeout)")},
        {QStringLiteral("telemetry.untrusted"),
         QStringLiteral("telemetry failed end-to-end verification and is shown as untrusted (reason: which check)")},
        {QStringLiteral("backend.add"), QStringLiteral("a telemetry backend was added (target: backend id)")},
        {QStringLiteral("backend.change"), QStringLiteral("a telemetry backend's settings were changed")},
        {QStringLiteral("backend.remove"), QStringLiteral("a telemetry backend was removed")},
        {QStringLiteral("backend.test"), QStringLiteral("a backend connection was tested (reason: verdict code)")},
        {QStringLiteral("alarm.acknowledge"),
         QStringLiteral("an operator acknowledged an alarm (target: alarm id; details: tag, priority, state, value)")},
        {QStringLiteral("alarm.shelve"),
         QStringLiteral("an operator shelved an alarm (target: alarm id; details add the expiry; reason: why)")},
        {QStringLiteral("alarm.unshelve"), QStringLiteral("an operator ended an alarm's shelve early (target: alarm id)")},
        {QStringLiteral("alarm.configure"),
         QStringLiteral("an admin changed a tag's alarms over the plant file, or reverted them to it (target: tag id; "
                        "details: before, after)")},
    };
    return actions;
}

bool isKnownAction(const QString& action)
{
    for (const ActionInfo& info : actionCatalogue()) {
        if (info.name == action)
            return true;
    }
    return false;
}

QString isoTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODateWithMs);
}

QByteArray canonicalEntry(quint64 seq, qint64 timeMs, const QString& origin, const AuditEvent& e)
{
    QByteArray out;
    out.reserve(320);
    out += kPrefix;
    out += QByteArray::number(seq);
    appendField(out, "time", isoTime(timeMs));
    appendField(out, "origin", origin);
    appendField(out, "operator", e.operatorName);
    appendField(out, "role", e.role);
    appendField(out, "session", e.session);
    appendField(out, "action", e.action);
    appendField(out, "target", e.target);
    appendField(out, "outcome", e.outcome);
    appendField(out, "reason", e.reason);
    // QJsonDocument writes object keys sorted; written once, then only ever hashed as stored.
    out += ",\"details\":" + QJsonDocument(e.details).toJson(QJsonDocument::Compact);
    out += ",\"esig\":";
    if (e.esignature) {
        out += "{\"name\":";
        appendString(out, e.esignature->printedName);
        appendField(out, "at", e.esignature->signedAt);
        appendField(out, "meaning", e.esignature->meaning);
        appendField(out, "hash", e.esignature->signedHashHex);
        out += '}';
    } else {
        out += "null";
    }
    out += '}';
    return out;
}

namespace {

/// Reads the JSON string value that follows `key` (as `,"key":"`) at or after `from`.
std::optional<QString> stringAfter(const QByteArray& bytes, const char* key, qsizetype& from)
{
    const QByteArray marker = QByteArray(",\"") + key + "\":\"";
    const qsizetype at = bytes.indexOf(marker, from);
    if (at < 0)
        return std::nullopt;
    qsizetype i = at + marker.size();
    QByteArray raw;
    while (i < bytes.size() && bytes.at(i) != '"') {
        if (bytes.at(i) == '\\') {
            if (i + 1 >= bytes.size())
                return std::nullopt;
            const char e = bytes.at(i + 1);
            if (e == 'u') {
                if (i + 5 >= bytes.size())
                    return std::nullopt;
                bool ok = false;
                const ushort unit = bytes.mid(i + 2, 4).toUShort(&ok, 16);
                if (!ok)
                    return std::nullopt;
                raw += QString(QChar(unit)).toUtf8();
                i += 6;
                continue;
            }
            raw += e; // only \" and \\ besides \u are written
            i += 2;
            continue;
        }
        raw += bytes.at(i++);
    }
    if (i >= bytes.size())
        return std::nullopt;
    from = i;
    return QString::fromUtf8(raw);
}

/// Milliseconds since the epoch for exactly "YYYY-MM-DDTHH:MM:SS.mmmZ" (days from civil, no tz).
std::optional<qint64> parseIsoMs(const QString& t)
{
    if (t.size() != 24 || t.at(4) != QLatin1Char('-') || t.at(10) != QLatin1Char('T') || t.at(23) != QLatin1Char('Z'))
        return std::nullopt;
    const auto num = [&](int pos, int len) { return t.mid(pos, len).toInt(); };
    qint64 y = num(0, 4);
    const int m = num(5, 2);
    const int d = num(8, 2);
    y -= m <= 2 ? 1 : 0;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const qint64 yoe = y - era * 400;
    const qint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const qint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const qint64 days = era * 146097 + doe - 719468;
    return ((days * 24 + num(11, 2)) * 60 + num(14, 2)) * 60000 + num(17, 2) * 1000 + num(20, 3);
}

} // namespace

std::optional<qint64> entryTimeMs(const QByteArray& bytes)
{
    // Straight from the bytes, without allocating: this runs once per entry when verifying.
    const qsizetype at = bytes.indexOf(",\"time\":\"");
    if (at < 0 || at + 9 + 24 > bytes.size())
        return std::nullopt;
    const char* t = bytes.constData() + at + 9;
    if (t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' || t[23] != 'Z')
        return std::nullopt;
    const auto num = [t](int pos, int len) -> int {
        int v = 0;
        for (int i = 0; i < len; ++i) {
            const char c = t[pos + i];
            if (c < '0' || c > '9')
                return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    };
    const int fields[] = {num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2), num(20, 3)};
    for (const int f : fields) {
        if (f < 0)
            return std::nullopt;
    }
    qint64 y = fields[0];
    const int m = fields[1];
    y -= m <= 2 ? 1 : 0;
    const qint64 era = (y >= 0 ? y : y - 399) / 400;
    const qint64 yoe = y - era * 400;
    const qint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + fields[2] - 1;
    const qint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const qint64 days = era * 146097 + doe - 719468;
    return ((days * 24 + fields[3]) * 60 + fields[4]) * 60000 + fields[5] * 1000 + fields[6];
}

std::optional<QueryFields> queryFields(const QByteArray& bytes)
{
    qsizetype at = 0;
    QueryFields f;
    const std::optional<QString> time = stringAfter(bytes, "time", at);
    const std::optional<qint64> ms = time ? parseIsoMs(*time) : std::nullopt;
    if (!ms)
        return std::nullopt;
    f.timeMs = *ms;
    QString skipped;
    for (const auto& [key, field] : {std::pair{"origin", &skipped}, std::pair{"operator", &f.operatorName},
                                     std::pair{"role", &f.role}, std::pair{"session", &skipped},
                                     std::pair{"action", &f.action}, std::pair{"target", &f.target},
                                     std::pair{"outcome", &f.outcome}}) {
        const std::optional<QString> value = stringAfter(bytes, key, at);
        if (!value)
            return std::nullopt;
        *field = *value;
    }
    return f;
}

std::optional<quint64> embeddedSeq(const QByteArray& bytes)
{
    constexpr qsizetype prefixLength = sizeof(kPrefix) - 1;
    if (!bytes.startsWith(kPrefix))
        return std::nullopt;
    quint64 seq = 0;
    qsizetype i = prefixLength;
    for (; i < bytes.size() && i < prefixLength + 20; ++i) {
        const char c = bytes.at(i);
        if (c < '0' || c > '9')
            break;
        seq = seq * 10 + static_cast<quint64>(c - '0');
    }
    if (i == prefixLength || i >= bytes.size() || bytes.at(i) != ',')
        return std::nullopt;
    return seq;
}

Result<AuditRecord> parseEntry(const QByteArray& bytes)
{
    const json::ParseResult parsed = json::parse(bytes, 32);
    if (!parsed.ok || !parsed.root.isObject())
        return Error{QStringLiteral("entry.json"), QStringLiteral("the entry is not a JSON object")};
    const json::Value& root = parsed.root;
    const std::optional<quint64> seq = embeddedSeq(bytes);
    if (!seq)
        return Error{QStringLiteral("entry.prefix"), QStringLiteral("the entry does not start with its version and seq")};
    AuditRecord record;
    record.seq = *seq;
    record.bytes = bytes;
    record.time = stringField(root, u"time");
    const QDateTime time = QDateTime::fromString(record.time, Qt::ISODateWithMs);
    if (!time.isValid())
        return Error{QStringLiteral("entry.time"), QStringLiteral("the entry has no valid time")};
    record.timeMs = time.toMSecsSinceEpoch();
    record.origin = stringField(root, u"origin");
    AuditEvent& e = record.event;
    e.operatorName = stringField(root, u"operator");
    e.role = stringField(root, u"role");
    e.session = stringField(root, u"session");
    e.action = stringField(root, u"action");
    e.target = stringField(root, u"target");
    e.outcome = stringField(root, u"outcome");
    e.reason = stringField(root, u"reason");
    const qsizetype detailsAt = bytes.indexOf(",\"details\":");
    const qsizetype esigAt = bytes.lastIndexOf(",\"esig\":");
    if (detailsAt > 0 && esigAt > detailsAt)
        e.details = QJsonDocument::fromJson(bytes.mid(detailsAt + 11, esigAt - detailsAt - 11)).object();
    if (const json::Value* esig = root.find(u"esig"); esig && esig->isObject()) {
        e.esignature = ESignature{stringField(*esig, u"name"), stringField(*esig, u"at"), stringField(*esig, u"meaning"),
                                  stringField(*esig, u"hash")};
    }
    return record;
}

} // namespace twinspect::audit
