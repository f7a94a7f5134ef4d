// SPDX-License-Identifier: Apache-2.0
#include "json.h"

#include <charconv>
#include <cmath>
#include <string>

namespace twinspect::json {

const Value* Value::find(QStringView key) const
{
    for (const Member& member : object) {
        if (member.key == key)
            return &member.value;
    }
    return nullptr;
}

QString typeName(Value::Type type)
{
    switch (type) {
    case Value::Type::Null:
        return QStringLiteral("null");
    case Value::Type::Bool:
        return QStringLiteral("a boolean");
    case Value::Type::Number:
        return QStringLiteral("a number");
    case Value::Type::String:
        return QStringLiteral("a string");
    case Value::Type::Array:
        return QStringLiteral("an array");
    case Value::Type::Object:
        return QStringLiteral("an object");
    }
    return QStringLiteral("unknown");
}

namespace {

class Parser
{
public:
    Parser(const QByteArray& text, int maxDepth)
        : m_pos(text.constData())
        , m_end(text.constData() + text.size())
        , m_lineStart(text.constData())
        , m_maxDepth(maxDepth)
    {
    }

    ParseResult run()
    {
        ParseResult result;
        skipByteOrderMark();
        skipWhitespace();
        if (!parseValue(result.root, 0)) {
            result.error = m_error;
            return result;
        }
        skipWhitespace();
        if (m_pos != m_end) {
            fail(QStringLiteral("unexpected text after the JSON document"));
            result.error = m_error;
            return result;
        }
        result.ok = true;
        return result;
    }

private:
    int column() const { return static_cast<int>(m_pos - m_lineStart) + 1; }

    bool fail(const QString& message)
    {
        if (m_error.message.isEmpty())
            m_error = ParseError{m_line, column(), message};
        return false;
    }

    void skipByteOrderMark()
    {
        if (m_end - m_pos >= 3 && static_cast<unsigned char>(m_pos[0]) == 0xEF &&
            static_cast<unsigned char>(m_pos[1]) == 0xBB && static_cast<unsigned char>(m_pos[2]) == 0xBF) {
            m_pos += 3;
            m_lineStart = m_pos;
        }
    }

    void skipWhitespace()
    {
        while (m_pos != m_end) {
            const char c = *m_pos;
            if (c == '\n') {
                ++m_line;
                ++m_pos;
                m_lineStart = m_pos;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                ++m_pos;
            } else {
                return;
            }
        }
    }

    bool consumeLiteral(const char* literal)
    {
        const char* p = m_pos;
        for (; *literal != '\0'; ++literal, ++p) {
            if (p == m_end || *p != *literal)
                return false;
        }
        m_pos = p;
        return true;
    }

    bool parseValue(Value& out, int depth)
    {
        if (depth > m_maxDepth)
            return fail(QStringLiteral("nesting deeper than %1 levels").arg(m_maxDepth));
        out.line = m_line;
        out.column = column();
        if (m_pos == m_end)
            return fail(QStringLiteral("unexpected end of file, expected a value"));
        switch (*m_pos) {
        case '{':
            return parseObject(out, depth);
        case '[':
            return parseArray(out, depth);
        case '"':
            out.type = Value::Type::String;
            return parseString(out.string);
        case 't':
            out.type = Value::Type::Bool;
            out.boolean = true;
            return consumeLiteral("true") || fail(QStringLiteral("invalid literal, expected true"));
        case 'f':
            out.type = Value::Type::Bool;
            return consumeLiteral("false") || fail(QStringLiteral("invalid literal, expected false"));
        case 'n':
            out.type = Value::Type::Null;
            return consumeLiteral("null") || fail(QStringLiteral("invalid literal, expected null"));
        default:
            if (*m_pos == '-' || (*m_pos >= '0' && *m_pos <= '9')) {
                out.type = Value::Type::Number;
                return parseNumber(out.number);
            }
            return fail(QStringLiteral("unexpected character '%1', expected a value").arg(QChar::fromLatin1(*m_pos)));
        }
    }

    bool parseObject(Value& out, int depth)
    {
        out.type = Value::Type::Object;
        ++m_pos; // '{'
        skipWhitespace();
        if (m_pos != m_end && *m_pos == '}') {
            ++m_pos;
            return true;
        }
        while (true) {
            skipWhitespace();
            if (m_pos == m_end || *m_pos != '"')
                return fail(QStringLiteral("expected a quoted member name"));
            Member member;
            const int keyLine = m_line;
            const int keyColumn = column();
            if (!parseString(member.key))
                return false;
            for (const Member& existing : out.object) {
                if (existing.key == member.key) {
                    m_line = keyLine;
                    m_pos = m_lineStart + (keyColumn - 1);
                    return fail(QStringLiteral("duplicate member name \"%1\"").arg(member.key));
                }
            }
            skipWhitespace();
            if (m_pos == m_end || *m_pos != ':')
                return fail(QStringLiteral("expected ':' after member name"));
            ++m_pos;
            skipWhitespace();
            if (!parseValue(member.value, depth + 1))
                return false;
            out.object.push_back(std::move(member));
            skipWhitespace();
            if (m_pos == m_end)
                return fail(QStringLiteral("unexpected end of file inside an object"));
            if (*m_pos == ',') {
                ++m_pos;
                continue;
            }
            if (*m_pos == '}') {
                ++m_pos;
                return true;
            }
            return fail(QStringLiteral("expected ',' or '}' in an object"));
        }
    }

    bool parseArray(Value& out, int depth)
    {
        out.type = Value::Type::Array;
        ++m_pos; // '['
        skipWhitespace();
        if (m_pos != m_end && *m_pos == ']') {
            ++m_pos;
            return true;
        }
        while (true) {
            skipWhitespace();
            Value element;
            if (!parseValue(element, depth + 1))
                return false;
            out.array.push_back(std::move(element));
            skipWhitespace();
            if (m_pos == m_end)
                return fail(QStringLiteral("unexpected end of file inside an array"));
            if (*m_pos == ',') {
                ++m_pos;
                continue;
            }
            if (*m_pos == ']') {
                ++m_pos;
                return true;
            }
            return fail(QStringLiteral("expected ',' or ']' in an array"));
        }
    }

    static int hexDigit(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    bool parseHex4(char16_t& out)
    {
        if (m_end - m_pos < 4)
            return fail(QStringLiteral("truncated \\u escape"));
        unsigned value = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hexDigit(m_pos[i]);
            if (digit < 0)
                return fail(QStringLiteral("invalid \\u escape"));
            value = value * 16 + static_cast<unsigned>(digit);
        }
        m_pos += 4;
        out = static_cast<char16_t>(value);
        return true;
    }

    bool parseString(QString& out)
    {
        ++m_pos; // opening quote
        const char* runStart = m_pos;
        // Fast path: no escapes, decode the whole run at once.
        while (m_pos != m_end && *m_pos != '"' && *m_pos != '\\') {
            if (static_cast<unsigned char>(*m_pos) < 0x20)
                return fail(QStringLiteral("control character inside a string"));
            ++m_pos;
        }
        if (m_pos == m_end)
            return fail(QStringLiteral("unterminated string"));
        if (*m_pos == '"') {
            out = QString::fromUtf8(runStart, m_pos - runStart);
            ++m_pos;
            return true;
        }
        std::string bytes(runStart, static_cast<size_t>(m_pos - runStart));
        QString decoded;
        while (true) {
            if (m_pos == m_end)
                return fail(QStringLiteral("unterminated string"));
            const char c = *m_pos;
            if (c == '"') {
                ++m_pos;
                break;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return fail(QStringLiteral("control character inside a string"));
            if (c != '\\') {
                bytes.push_back(c);
                ++m_pos;
                continue;
            }
            ++m_pos;
            if (m_pos == m_end)
                return fail(QStringLiteral("unterminated escape"));
            const char escape = *m_pos++;
            switch (escape) {
            case '"':
            case '\\':
            case '/':
                bytes.push_back(escape);
                break;
            case 'b':
                bytes.push_back('\b');
                break;
            case 'f':
                bytes.push_back('\f');
                break;
            case 'n':
                bytes.push_back('\n');
                break;
            case 'r':
                bytes.push_back('\r');
                break;
            case 't':
                bytes.push_back('\t');
                break;
            case 'u': {
                char16_t unit = 0;
                if (!parseHex4(unit))
                    return false;
                QString piece;
                if (QChar::isHighSurrogate(unit)) {
                    char16_t low = 0;
                    if (m_end - m_pos < 2 || m_pos[0] != '\\' || m_pos[1] != 'u')
                        return fail(QStringLiteral("unpaired surrogate in \\u escape"));
                    m_pos += 2;
                    if (!parseHex4(low))
                        return false;
                    if (!QChar::isLowSurrogate(low))
                        return fail(QStringLiteral("unpaired surrogate in \\u escape"));
                    const char16_t pair[2] = {unit, low};
                    piece = QString(reinterpret_cast<const QChar*>(pair), 2);
                } else if (QChar::isLowSurrogate(unit)) {
                    return fail(QStringLiteral("unpaired surrogate in \\u escape"));
                } else {
                    piece = QString(QChar(unit));
                }
                bytes += piece.toStdString();
                break;
            }
            default:
                return fail(QStringLiteral("invalid escape '\\%1'").arg(QChar::fromLatin1(escape)));
            }
        }
        decoded = QString::fromStdString(bytes);
        out = std::move(decoded);
        return true;
    }

    bool parseNumber(double& out)
    {
        const char* start = m_pos;
        if (*m_pos == '-')
            ++m_pos;
        if (m_pos == m_end)
            return fail(QStringLiteral("invalid number"));
        if (*m_pos == '0') {
            ++m_pos;
        } else if (*m_pos >= '1' && *m_pos <= '9') {
            while (m_pos != m_end && *m_pos >= '0' && *m_pos <= '9')
                ++m_pos;
        } else {
            return fail(QStringLiteral("invalid number"));
        }
        if (m_pos != m_end && *m_pos == '.') {
            ++m_pos;
            if (m_pos == m_end || *m_pos < '0' || *m_pos > '9')
                return fail(QStringLiteral("invalid number: digits expected after '.'"));
            while (m_pos != m_end && *m_pos >= '0' && *m_pos <= '9')
                ++m_pos;
        }
        if (m_pos != m_end && (*m_pos == 'e' || *m_pos == 'E')) {
            ++m_pos;
            if (m_pos != m_end && (*m_pos == '+' || *m_pos == '-'))
                ++m_pos;
            if (m_pos == m_end || *m_pos < '0' || *m_pos > '9')
                return fail(QStringLiteral("invalid number: digits expected in the exponent"));
            while (m_pos != m_end && *m_pos >= '0' && *m_pos <= '9')
                ++m_pos;
        }
        const auto [end, ec] = std::from_chars(start, m_pos, out);
        if (ec == std::errc::result_out_of_range || !std::isfinite(out)) {
            m_pos = start;
            return fail(QStringLiteral("number out of range"));
        }
        if (ec != std::errc() || end != m_pos) {
            m_pos = start;
            return fail(QStringLiteral("invalid number"));
        }
        return true;
    }

    const char* m_pos;
    const char* m_end;
    const char* m_lineStart;
    int m_line = 1;
    int m_maxDepth;
    ParseError m_error;
};

} // namespace

ParseResult parse(const QByteArray& text, int maxDepth)
{
    return Parser(text, maxDepth).run();
}

} // namespace twinspect::json
