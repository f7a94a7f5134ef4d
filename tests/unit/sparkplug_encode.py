#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An encoder and decoder of Sparkplug B payloads that shares no code with Twinspect's decoder:
python3-protobuf with a module protoc generated (--python_out) from the same sparkplug_b.proto.

  sparkplug_encode.py --module-dir DIR encode  < JSON   -> JSON list of base64 payloads
  sparkplug_encode.py --module-dir DIR decode  < JSON list of base64 -> JSON list of payloads

A payload description (one object, or a list of them):
  {"timestamp": 1000, "seq": 0, "uuid": "...",
   "metrics": [{"name": "T", "alias": 1, "timestamp": 999, "datatype": "Float", "value": 1.5,
                "is_null": false, "is_historical": false,
                "properties": {"Quality": 192},            # or {"Quality": {"type": "Int64", "value": 500}}
                "long_value": 5}]}            # a raw field, set as given (bytes_value in hex); overrides "value"
"datatype" (also spelt "dataType", as in the spec's examples) is a DataType name or number; it picks
the value field the way Tahu's encoders do: signed 8-32 bit ints as 32-bit two's complement in
int_value, 64-bit ints and DateTime in long_value.
"""
import argparse
import base64
import json
import sys

RAW_FIELDS = ("int_value", "long_value", "float_value", "double_value", "boolean_value", "string_value")


def datatype_number(pb, value):
    if isinstance(value, int):
        return value
    return pb.DataType.Value(value)


def set_value(pb, metric, datatype, value):
    name = pb.DataType.Name(datatype) if datatype in pb.DataType.values() else "Unknown"
    if name in ("Int8", "Int16", "Int32"):
        metric.int_value = value & 0xFFFFFFFF
    elif name in ("UInt8", "UInt16", "UInt32"):
        metric.int_value = value
    elif name in ("Int64", "UInt64", "DateTime"):
        metric.long_value = value & 0xFFFFFFFFFFFFFFFF
    elif name == "Float":
        metric.float_value = value
    elif name == "Double":
        metric.double_value = value
    elif name == "Boolean":
        metric.boolean_value = value
    elif name in ("String", "Text", "UUID"):
        metric.string_value = value
    elif name in ("Bytes", "File") or name.endswith("Array"):  # Sparkplug 3.0 packs arrays into bytes
        metric.bytes_value = bytes.fromhex(value)
    elif name == "DataSet":
        metric.dataset_value.num_of_columns = 1
        metric.dataset_value.columns.append("column")
        metric.dataset_value.types.append(pb.Int32)
        metric.dataset_value.rows.add().elements.add().int_value = value
    elif name == "Template":
        metric.template_value.version = str(value)
    else:
        raise ValueError(f"no value field for datatype {datatype}")


def set_properties(pb, metric, properties):
    for key, spec in properties.items():
        if not isinstance(spec, dict):
            spec = {"type": "Int32", "value": spec}
        metric.properties.keys.append(key)
        prop = metric.properties.values.add()
        prop.type = datatype_number(pb, spec.get("type", "Int32"))
        if spec.get("is_null"):
            prop.is_null = True
        elif pb.DataType.Name(prop.type) in ("Int64", "UInt64"):
            prop.long_value = spec["value"]
        elif pb.DataType.Name(prop.type) == "String":
            prop.string_value = spec["value"]
        else:
            prop.int_value = spec["value"]


def encode_one(pb, spec):
    payload = pb.Payload()
    for key in ("timestamp", "seq", "uuid"):
        if key in spec:
            setattr(payload, key, spec[key])
    for m in spec.get("metrics", []):
        metric = payload.metrics.add()
        for key in ("name", "alias", "timestamp", "is_null", "is_historical", "is_transient"):
            if key in m:
                setattr(metric, key, m[key])
        datatype = m.get("datatype", m.get("dataType"))
        if datatype is not None:
            metric.datatype = datatype_number(pb, datatype)
        raw = [field for field in RAW_FIELDS + ("bytes_value",) if field in m]
        for field in raw:
            setattr(metric, field, bytes.fromhex(m[field]) if field == "bytes_value" else m[field])
        if "value" in m and not raw:
            set_value(pb, metric, metric.datatype, m["value"])
        if "properties" in m:
            set_properties(pb, metric, m["properties"])
    return payload.SerializeToString()


def decode_one(pb, data):
    payload = pb.Payload()
    payload.ParseFromString(data)
    out = {"metrics": []}
    for key in ("timestamp", "seq", "uuid"):
        if payload.HasField(key):
            out[key] = getattr(payload, key)
    for metric in payload.metrics:
        m = {}
        for key in ("name", "alias", "timestamp", "datatype", "is_null"):
            if metric.HasField(key):
                m[key] = getattr(metric, key)
        if metric.HasField("datatype") and metric.datatype in pb.DataType.values():
            m["datatype_name"] = pb.DataType.Name(metric.datatype)
        field = metric.WhichOneof("value")
        if field in RAW_FIELDS:
            m["value_field"] = field
            m["value"] = getattr(metric, field)
        out["metrics"].append(m)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--module-dir", required=True, help="where protoc wrote sparkplug_b_pb2.py")
    parser.add_argument("mode", choices=("encode", "decode"))
    args = parser.parse_args()
    sys.path.insert(0, args.module_dir)
    import sparkplug_b_pb2 as pb  # noqa: E402 (generated at build time)

    request = json.load(sys.stdin)
    if args.mode == "encode":
        specs = request if isinstance(request, list) else [request]
        result = [base64.b64encode(encode_one(pb, spec)).decode("ascii") for spec in specs]
    else:
        result = [decode_one(pb, base64.b64decode(item)) for item in request]
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
