#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Build the Twinspect demo plant (demo-boiler.plant.json) from the HAI boiler topology.

Usage: make_demo_boiler.py [phy_boiler.json] [demo-boiler.plant.json]

The source graph (HAI dataset, NSR / icsdataset, CC BY-SA 4.0; see ATTRIBUTION.md) gives the
equipment, HAI tag names and connections but no coordinates; layout, geometry and equipment
metadata are ours. Deterministic, so the committed JSON can be regenerated and diffed.
"""
import json
import math
import re
import sys
import zlib
from collections import Counter
from pathlib import Path

SRC_DEFAULT = "/work/shared/testdata/hai-metadata/graph-boiler/phy_boiler.json"
OUT_DEFAULT = Path(__file__).with_name("demo-boiler.plant.json")

# The source's "type"/"device" fields are one tuple repeated on every node and do not line up
# with node order, so the asset type comes from the ISA-style id prefix instead.
TYPE_BY_PREFIX = {
    "TK": "tank", "PP": "pump", "SOL": "valve", "PCV": "valve", "FCV": "valve", "LCV": "valve",
    "HEX": "heat-exchanger", "COND": "condenser", "HT": "heater", "LSL": "switch", "LSH": "switch",
    "TIT": "sensor", "TWIT": "sensor", "PIT": "sensor", "PWIT": "sensor", "FT": "sensor", "LIT": "sensor",
}
CONTROL_VALVES = {"PCV", "FCV", "LCV"}


def prefix(node_id):
    return re.match(r"[A-Z]+", node_id).group(0)


def box(w, h, d): return {"primitive": "box", "size": [w, h, d]}
def cyl(r, h): return {"primitive": "cylinder", "radius": r, "height": h}
def sphere(r): return {"primitive": "sphere", "radius": r}


DEFAULT_GEOMETRY = {"pump": box(0.7, 0.8, 1.2), "valve": sphere(0.28),
                    "sensor": cyl(0.1, 0.5), "switch": cyl(0.08, 0.4)}
GEOMETRY = {
    "TK01": cyl(1.6, 4.0), "TK04": cyl(1.1, 3.0), "TK03": cyl(1.2, 2.8), "TK02": cyl(1.4, 3.2),
    # Shell-and-tube exchanger: the shell body plus the tube-side channel head bolted to its west
    # end, on a common horizontal axis, so the two HAI nodes read as one machine.
    "HEX01S": cyl(0.55, 3.2), "HEX01T": cyl(0.42, 0.8),
    "COND01": box(3.0, 2.2, 0.8),  # air-cooled condenser: a tall, thin radiator-like bank
    "HT01": box(1.0, 1.8, 1.4),
    "PP04": box(1.2, 0.8, 0.7),  # lies east-west, in line with its suction pipe
    "SOL01": sphere(0.25), "SOL02": sphere(0.25), "SOL03": sphere(0.25), "SOL04": sphere(0.25),
}
HORIZONTAL = {"HEX01S", "HEX01T"}  # cylinders turned 90 degrees about Z so their axis is X

# Areas sit in a row along X either side of a pipe-rack corridor at z = 0: storage (south),
# heat exchange (north), heating loop (south). Roughly 12-14 m of rack between areas.
AREAS = [
    ("area-water", "Water supply & storage", [
        ("unit-tk01", "TK01 storage", ["TK01", "LSL01", "LSH01", "TWIT03", "SOL01", "SOL03"]),
        ("unit-tk04", "TK04 buffer tank", ["TK04", "LSL04", "LSH04", "TWIT05"]),
        ("unit-cooling", "TK01 cooling loop", ["PP04", "COND01"]),
        # PCV02 recirculates the transfer pumps' discharge to TK01, so it belongs with them.
        ("unit-transfer", "Transfer pumps", ["PP01A", "PP01B", "PCV02"]),
    ]),
    ("area-hex", "Heat exchange & return", [
        ("unit-hex01", "HEX01 heat exchanger", ["HEX01S", "HEX01T", "TIT01"]),
        ("unit-tk03-inlet", "TK03 inlet control", ["PCV01", "PIT01", "FT01", "LCV01"]),
        ("unit-tk03", "TK03 return tank", ["TK03", "LIT01", "LSH03", "TWIT04", "FCV03", "FT03"]),
    ]),
    ("area-heating", "Heating loop", [
        ("unit-tk02", "TK02 heating tank", ["TK02", "HT01", "TIT02", "LSL02", "LSH02", "PWIT03", "SOL02", "SOL04"]),
        ("unit-circulation", "Heating circulation", ["PP02", "FCV01", "PIT02", "FT02", "FCV02"]),
    ]),
]

# Plan position (x, z) of everything not in MOUNTS below; y is given or else follows from the
# geometry so the asset stands on the ground. Valves with a line on both sides sit at that line's height, as real inline valves do.
PLACE = {
    "TK01": (-23.5, -7.0), "TK04": (-28.5, -7.0), "SOL01": (-24.5, -10.2), "SOL03": (-22.5, -10.2),
    "PP04": (-20.0, -8.2), "COND01": (-19.0, -11.5),
    "PP01A": (-24.5, -3.6), "PP01B": (-22.5, -3.6), "PCV02": (-20.8, -3.6, 0.9),
    "HEX01S": (-1.0, 4.0), "HEX01T": (-3.05, 4.0, 0.55), "PCV01": (-3.05, 6.0, 0.7), "LCV01": (1.0, 6.0, 0.7),
    "TK03": (5.0, 6.0), "FCV03": (5.0, 2.6, 0.6),
    "TK02": (22.0, -7.0), "HT01": (24.4, -7.0), "SOL02": (21.0, -10.0), "SOL04": (23.0, -10.0),
    "PP02": (21.0, -3.6), "FCV01": (19.0, -3.6, 0.75), "FCV02": (23.0, -3.6, 0.9),
    # On top of the channel head, off-centre so the tube-side nozzles below it stay clear.
    "TIT01": (-3.3, 4.0, 0.55 + 0.42 + 0.26),
}
# Instruments mounted beside a round host: (host, bearing in degrees from +X towards +Z, centre
# height). Bearings are picked to miss the pipes leaving the host; level switches stack vertically.
MOUNTS = {
    "LSL01": ("TK01", 25, 0.6), "LSH01": ("TK01", 25, 3.4), "TWIT03": ("TK01", 155, 2.0),
    "LSL04": ("TK04", 90, 0.6), "LSH04": ("TK04", 90, 2.5), "TWIT05": ("TK04", 180, 1.5),
    "PIT01": ("PCV01", 90, 0.25), "FT01": ("PCV01", 180, 0.25),
    "LIT01": ("TK03", 0, 1.4), "LSH03": ("TK03", 45, 2.4), "TWIT04": ("TK03", 135, 1.2),
    "FT03": ("FCV03", 0, 0.25),
    "TIT02": ("TK02", 180, 1.8), "LSL02": ("TK02", 155, 0.6), "LSH02": ("TK02", 155, 2.8),
    "PWIT03": ("TK02", 205, 0.9),
    "PIT02": ("FCV01", 180, 0.25), "FT02": ("FCV01", 270, 0.25),
}

# One pipe per hydraulic (dynamics 1) pair, written in the process flow direction.
# (from, to, route, rack height, diameter[, from offset (dx, dz)[, to offset]])
# route "xz" runs along X first, "zx" along Z first, a number is the z of a rack lane to use.
# Offsets move the first/last waypoint inside the equipment so pipes leave it at separate nozzles.
PIPES = [
    ("TK01", "PP01A", "xz", 0.6, 0.12), ("TK01", "PP01B", "xz", 0.6, 0.12),
    ("PP01A", "PCV02", -2.2, 0.75, 0.1, (-0.15, 0.4)), ("PP01B", "PCV02", -2.5, 0.6, 0.1, (-0.15, 0.4)),
    ("PCV02", "TK01", "zx", 0.9, 0.1),
    ("TK01", "PP04", "zx", 0.7, 0.1), ("PP04", "COND01", "zx", 0.7, 0.1), ("COND01", "TK01", "xz", 1.0, 0.1),
    ("TK01", "SOL03", "xz", 0.6, 0.08), ("SOL01", "TK01", "zx", 0.6, 0.08),
    ("TK01", "TK04", "xz", 0.8, 0.12),
    ("PP01A", "HEX01T", -0.45, 1.05, 0.12, (0.15, 0.4), (0.25, -0.2)),
    ("PP01B", "HEX01T", -0.15, 0.9, 0.12, (0.15, 0.4), (0.05, -0.2)),
    ("HEX01T", "PCV01", "zx", 0.7, 0.12), ("PCV01", "LCV01", "xz", 0.7, 0.12),
    ("LCV01", "TK03", "xz", 0.7, 0.12), ("TK03", "FCV03", "zx", 0.6, 0.12),
    ("FCV03", "TK01", 0.15, 0.6, 0.12),
    ("FCV01", "HEX01S", 0.45, 0.75, 0.1, (0, 0), (-0.8, 0)),
    ("HEX01S", "TK02", 0.75, 1.2, 0.1, (0.8, 0)),
    ("TK02", "PP02", "xz", 0.6, 0.12), ("PP02", "FCV01", "xz", 0.75, 0.1), ("PP02", "FCV02", "xz", 0.9, 0.1),
    ("FCV02", "TK02", "zx", 0.9, 0.1), ("TK02", "SOL04", "xz", 0.6, 0.08), ("SOL02", "TK02", "zx", 0.6, 0.08),
]

# Invented equipment data, only so the inspector has something realistic to show.
MAKERS = {"tank": "Nordvessel Fabrication", "pump": "Aquadyne Pumps", "valve": "Kestrel Valves",
          "sensor": "Metrion Instruments", "switch": "Metrion Instruments", "heater": "Calora Thermal",
          "heat-exchanger": "Thermaplate", "condenser": "Aircool Systems"}
INSTALL_DATES = {"area-water": "2019-03-01", "area-hex": "2019-05-15", "area-heating": "2019-08-20"}


def clean_name(desc):
    # Tidy the source's spelling for display; the verbatim text stays in metadata.
    for bad, good in (("transmiter", "transmitter"), ("Tk03", "TK03"), ("TK3", "TK03"),
                      ("flowrate", "flow rate"), (" Level ", " level "), (" Tank", " tank")):
        desc = desc.replace(bad, good)
    return desc[:1].upper() + desc[1:]


# Measurement tags by instrument prefix: (role, description, unit, range). Switches are booleans.
MEASUREMENTS = {
    "LSL": ("state", "Low level alarm", None, None), "LSH": ("state", "High level alarm", None, None),
    "LIT": ("level", "Tank level", "mm", (0, 1000)), "FT": ("flow", "Flow rate", "l/min", (0, 200)),
    "TIT": ("temperature", "Temperature", "degC", (0, 100)),
    "TWIT": ("temperature", "Water temperature", "degC", (0, 100)),
    "PIT": ("pressure", "Pressure", "bar", (0, 10)), "PWIT": ("pressure", "Water pressure", "bar", (0, 10)),
}
# Actuator tags by HAI suffix: D demand, AO analogue output, R run feedback, Z position feedback.
SUFFIXES = {
    "AO": ("command", "Analogue speed demand", "%", (0, 100)),
    "R": ("state", "Running feedback", None, None),
    "Z": ("position", "Valve position feedback", "%", (0, 100)),
}
ON_OFF_COMMANDS = {"PP": "Run command", "SOL": "Open command", "HT": "Heater on command"}

# Alarms (docs/plant-format.md, "Alarms"), matched to twinspect-sim's fault cycle (docs/cli.md):
# DM-TWIT-03 overshoots to 95.5-100 % of its 0-100 degC range, then drops to 93 %, below hi minus
# the deadband; pump PP01A trips (DM-PP01A-R false) and DM-FT01 falls to about 0 l/min. HiHi is
# above the overshoot's usual band so only a real excursion reaches it. Normal operation (levels
# 30-80 %, flows 45-70 %, temperatures 35-65 %) stays clear of every limit.
ALARMS = {
    "DM-TWIT-03": {"hihi": {"limit": 98, "priority": "urgent"}, "hi": {"limit": 95, "priority": "high"},
                   "deadband": 1.0, "onDelayMs": 2000, "offDelayMs": 5000},
    "DM-LIT01": {"hi": {"limit": 900, "priority": "high"}, "lo": {"limit": 200, "priority": "medium"},
                 "deadband": 10, "onDelayMs": 5000, "offDelayMs": 5000},
    "DM-FT01": {"lo": {"limit": 40, "priority": "high"}, "deadband": 5, "onDelayMs": 2000, "offDelayMs": 2000},
    "DM-LSH01": {"state": True, "priority": "high"},    # high-level switch tripped
    "DM-PP01A-R": {"state": False, "priority": "high"},  # transfer pump stopped
}


def tag_binding(tag, kind):
    suffix = tag.rsplit("-", 1)[-1]
    if suffix == "D" and kind in ("LSL", "LSH"):
        spec = ("state", "Switch state", None, None)
    elif suffix == "D":  # modulating valves take a 0-100 % demand, the rest are switched on/off
        spec = (("command", "Valve position demand", "%", (0, 100)) if kind in CONTROL_VALVES
                else ("command", ON_OFF_COMMANDS[kind], None, None))
    else:
        spec = SUFFIXES.get(suffix) or MEASUREMENTS[kind]
    role, description, unit, rng = spec
    binding = {"id": tag, "role": role}
    if unit:
        binding["unit"] = unit
    if rng:  # booleans get no range
        binding["range"] = list(rng)
    binding["description"] = description
    if tag in ALARMS:
        binding["alarms"] = ALARMS[tag]
    return binding


def half_height(asset_id, geo):
    if asset_id in HORIZONTAL or geo["primitive"] == "sphere":
        return geo["radius"]
    return geo["height"] / 2 if geo["primitive"] == "cylinder" else geo["size"][1] / 2


def overlaps(a, b):
    """True if two assets intersect; upright cylinders and spheres are circles in plan, not boxes,
    so instruments hugging a tank wall are not reported."""
    def shape(asset):
        (x, y, z), geo = asset["transform"]["position"], asset["geometry"]
        hh = half_height(asset["id"], geo)
        if geo["primitive"] == "box" or asset["id"] in HORIZONTAL:
            hw, hd = ((geo["height"] / 2, geo["radius"]) if asset["id"] in HORIZONTAL
                      else (geo["size"][0] / 2, geo["size"][2] / 2))
            return ("rect", x - hw, x + hw, z - hd, z + hd), (y - hh, y + hh)
        return ("circle", x, z, geo["radius"]), (y - hh, y + hh)

    (pa, ya), (pb, yb) = shape(a), shape(b)
    if ya[1] <= yb[0] or yb[1] <= ya[0]:
        return False
    if pa[0] == pb[0] == "rect":
        return pa[1] < pb[2] and pb[1] < pa[2] and pa[3] < pb[4] and pb[3] < pa[4]
    if pa[0] == pb[0] == "circle":
        return math.hypot(pa[1] - pb[1], pa[2] - pb[2]) < pa[3] + pb[3]
    (_, cx, cz, r), (_, x0, x1, z0, z1) = (pa, pb) if pa[0] == "circle" else (pb, pa)
    return math.hypot(max(x0 - cx, 0, cx - x1), max(z0 - cz, 0, cz - z1)) < r


def route(a, b, style, h, off_a=(0, 0), off_b=(0, 0)):
    """Orthogonal waypoints between asset centres a and b (the renderer adds the centres)."""
    sx, sz, ex, ez = a[0] + off_a[0], a[2] + off_a[1], b[0] + off_b[0], b[2] + off_b[1]
    if style == "xz":
        plan = [(sx, sz), (ex, sz), (ex, ez)]
    elif style == "zx":
        plan = [(sx, sz), (sx, ez), (ex, ez)]
    else:
        plan = [(sx, sz), (sx, style), (ex, style), (ex, ez)]
    # An offset nozzle is reached by a level run inside the asset first, so every segment,
    # including the ones to the centres, stays axis-aligned.
    pts = [tuple(a), (sx, a[1], a[2]), (sx, a[1], sz)] + [(x, h, z) for x, z in plan]
    pts += [(ex, b[1], ez), (ex, b[1], b[2]), tuple(b)]
    out = []
    for p in pts:  # drop repeats and merge straight runs so every waypoint is a real bend
        p = tuple(round(v, 3) for v in p)
        if out and p == out[-1]:
            continue
        if len(out) >= 2:
            d1 = [q - r for q, r in zip(out[-1], out[-2])]
            d2 = [q - r for q, r in zip(p, out[-1])]
            if any(d1[i] * d2[i] > 0 for i in range(3)):  # segments are axis-aligned: same axis, same way
                out[-1] = p
                continue
        out.append(p)
    return [list(p) for p in out[1:-1]]


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else SRC_DEFAULT)
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT_DEFAULT
    graph = json.loads(src.read_text(encoding="utf-8"))
    nodes = {n["id"]: n for n in graph["nodes"]}
    links = {(l["source"], l["target"]): l["dynamics"] for l in graph["links"]}

    laid_out = [i for _, _, units in AREAS for _, _, ids in units for i in ids]
    if sorted(laid_out) != sorted(nodes):
        sys.exit(f"layout and source disagree: {sorted(set(laid_out) ^ set(nodes))}")

    # An instrument's host is the non-instrument it is attached to (dynamics 2) or thermally
    # coupled with (dynamics 3); that decides where it is mounted.
    instruments = {i for i in nodes if TYPE_BY_PREFIX[prefix(i)] in ("sensor", "switch")}
    host = {}
    for (s, t), dyn in links.items():
        if dyn in (2, 3) and (s in instruments) != (t in instruments):
            inst, equip = (s, t) if s in instruments else (t, s)
            host[inst] = equip
    for inst, (h, _, _) in MOUNTS.items():
        assert host.get(inst) == h, f"{inst} is mounted on {h} but the source attaches it to {host.get(inst)}"

    # Several instruments share a generic description; naming them by their host tells them apart.
    dup = Counter(clean_name(n["desc"]).lower() for n in nodes.values())

    assets = {}
    order = [(area_id, i) for area_id, _, units in AREAS for _, _, ids in units for i in ids]
    for area_id, i in sorted(order, key=lambda e: e[1] in MOUNTS):  # hosts before what hangs on them
        node, kind = nodes[i], prefix(i)
        atype = TYPE_BY_PREFIX[kind]
        geo = GEOMETRY.get(i, DEFAULT_GEOMETRY.get(atype))
        if i in MOUNTS:
            hid, bearing, y = MOUNTS[i]
            hx, _, hz = assets[hid]["transform"]["position"]
            reach = assets[hid]["geometry"]["radius"] + 0.05 + geo["radius"]
            pos = [hx + reach * math.cos(math.radians(bearing)), y,
                   hz + reach * math.sin(math.radians(bearing))]
        else:
            p = PLACE[i]
            pos = [p[0], p[2] if len(p) > 2 else half_height(i, geo), p[1]]
        name = clean_name(node["desc"])
        if dup[name.lower()] > 1:
            name += f" on {host[i]}"
        tags = [x.strip() for x in (node["in_tags"] + "," + node["out_tags"]).split(",") if x.strip()]
        meta = {"hai_id": i, "description": node["desc"], **({"mountedOn": host[i]} if i in host else {}),
                "manufacturer": MAKERS[atype] + " (fictional)",
                "serial": f"{kind}-{zlib.crc32(i.encode()) % 1000000:06d}",
                "installDate": INSTALL_DATES[area_id],
                "documents": [{"title": f"Datasheet {i}", "url": f"https://example.invalid/docs/{i}.pdf"}]}
        assets[i] = {"id": i, "name": name, "type": atype,
                     "transform": {"position": [round(v, 3) for v in pos],
                                   "rotation": [0, 0, 90] if i in HORIZONTAL else [0, 0, 0]},
                     "geometry": geo, **({"tags": [tag_binding(t, kind) for t in tags]} if tags else {}),
                     "metadata": meta}

    clashes = [(a, b) for a in assets for b in assets if a < b and overlaps(assets[a], assets[b])]
    if clashes:
        sys.exit(f"overlapping assets: {clashes}")

    hydraulic = {frozenset(p) for p, dyn in links.items() if dyn == 1}
    routed = {frozenset(p[:2]) for p in PIPES}
    if routed != hydraulic or len(PIPES) != len(hydraulic):
        sys.exit(f"pipe table and source disagree: {sorted(map(sorted, routed ^ hydraulic))}")
    pipes = []
    for frm, to, style, h, dia, *offsets in PIPES:
        assert (frm, to) in links, f"{frm} -> {to} is not a source link direction"
        both = (to, frm) in links
        pipes.append({"id": f"PIPE-{frm}-{to}", "name": f"{frm} → {to}", "from": frm, "to": to, "diameter": dia,
                      "path": route(assets[frm]["transform"]["position"], assets[to]["transform"]["position"],
                                    style, h, *offsets),
                      "metadata": {"hai_link": "both directions" if both else f"{frm} → {to} only"}})

    plant = {
        "format": "twinspect-plant", "version": 2,  # 2: tag alarms
        "site": {
            "id": "hai-boiler", "name": "HAI boiler process (demo)",
            "description": ("Demo plant built from the boiler process topology of the HAI ICS security dataset: "
                            "equipment, connections and tag names follow graph/boiler/phy_boiler.json. "
                            "Layout, geometry, manufacturers, serial numbers and documents are invented."),
            "metadata": {"source": "HAI dataset (NSR / icsdataset), graph/boiler/phy_boiler.json",
                         "licence": "CC BY-SA 4.0",
                         "upstream": "https://github.com/icsdataset/hai",
                         "upstreamCommit": "2a814cebc9a66b06c9e5cd545e2d72e65d383737"},
            "areas": [{"id": aid, "name": aname,
                       "units": [{"id": uid, "name": uname, "assets": [assets[i] for i in ids]}
                                 for uid, uname, ids in units]}
                      for aid, aname, units in AREAS],
        },
        "pipes": pipes,
    }
    text = json.dumps(plant, indent=2, ensure_ascii=False)
    # Keep number arrays (positions, sizes, waypoints) on one line so the file stays readable.
    text = re.sub(r"\[\s*(-?[\d.]+(?:,\s*-?[\d.]+)*)\s*\]",
                  lambda m: "[" + re.sub(r",\s*", ", ", m.group(1)) + "]", text)
    # Alarm limits too: {"limit": 95, "priority": "high"} on one line.
    text = re.sub(r"\{\s*(\"limit\": [-\d.]+),\s*(\"priority\": \"\w+\")\s*\}", r"{\1, \2}", text)
    out.write_text(text + "\n", encoding="utf-8")
    bound = [t["id"] for a in assets.values() for t in a.get("tags", [])]
    if set(ALARMS) - set(bound):
        sys.exit(f"alarms for tags the plant does not bind: {sorted(set(ALARMS) - set(bound))}")
    print(f"wrote {out}: {len(assets)} assets, {len(pipes)} pipes, {len(bound)} tags, "
          f"{sum('alarms' in t for a in assets.values() for t in a.get('tags', []))} with alarms")


if __name__ == "__main__":
    main()
