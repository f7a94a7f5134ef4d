// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QByteArray>
#include <QString>

#include <vector>

namespace twinspect::json {

struct Member;

/// A parsed JSON value that remembers where it stood in the text, so that errors found later
/// (a bad number, a dangling id) can name the line and column. QJsonDocument forgets positions.
struct Value
{
    enum class Type { Null, Bool, Number, String, Array, Object };

    Type type = Type::Null;
    int line = 0;
    int column = 0;
    bool boolean = false;
    double number = 0.0;
    QString string;
    std::vector<Value> array;
    std::vector<Member> object;

    bool isNull() const { return type == Type::Null; }
    bool isBool() const { return type == Type::Bool; }
    bool isNumber() const { return type == Type::Number; }
    bool isString() const { return type == Type::String; }
    bool isArray() const { return type == Type::Array; }
    bool isObject() const { return type == Type::Object; }

    /// The member value with this key, or nullptr (objects only).
    const Value* find(QStringView key) const;
};

struct Member
{
    QString key;
    Value value;
};

/// Human name of a type for messages ("a number", "an object").
QString typeName(Value::Type type);

struct ParseError
{
    int line = 0;
    int column = 0;
    QString message;
};

struct ParseResult
{
    Value root;
    bool ok = false;
    ParseError error;
};

/// Strict RFC 8259 parser with positions. Rejects trailing commas, comments, NaN, duplicate keys
/// in one object, and nesting deeper than maxDepth (so hostile input cannot exhaust the stack).
ParseResult parse(const QByteArray& text, int maxDepth = 96);

} // namespace twinspect::json
