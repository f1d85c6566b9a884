#!/usr/bin/env python3
"""Deterministic generator of the messy-address evaluation corpus.

Standard library only. Reads the reference CSVs (legacy and 2025 administrative
units) and writes corpus.tsv next to this file. The same data and the same seed
always give byte-identical output.

Usage: python3 make_corpus.py [--data DIR] [--out FILE] [--seed N]

Ground truth: every row is rendered from one known unit, so the expected codes
are that unit's codes. The `ambiguous` flag is not guessed: the generator keeps
the structured components it rendered (commune, optional district, optional
province, with the type word if one was written and whether diacritics survive)
and counts every unit of the same era that those components could denote, under
every reading of the component positions that the written type words allow.
More than one distinct commune => ambiguous=1.
"""

import argparse
import csv
import os
import random
import re
import sys
import unicodedata
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.environ.get("DANCU_ADMIN_DATA", "/work/shared/data/admin")
SEED = 20250701

# ---------------------------------------------------------------- text helpers

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
VOWELS = set("aeiouy")


def strip_diacritics(s):
    s = unicodedata.normalize("NFD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    return s.replace("đ", "d").replace("Đ", "D")


def _split_syllable(word):
    """NFD word -> list of [base, marks] clusters."""
    out = []
    for ch in unicodedata.normalize("NFD", word):
        if unicodedata.combining(ch) and out:
            out[-1][1] += ch
        else:
            out.append([ch, ""])
    return out


def flip_tone(word, to=None):
    """Move the tone mark inside an open oa/oe/uy syllable.

    to=None flips whichever placement is present; to="old" puts it on the first
    vowel (Hòa, Thủy), to="new" on the second (Hoà, Thuỷ). Other words unchanged.
    """
    cl = _split_syllable(word)
    bases = "".join(c[0] for c in cl).lower()
    m = re.fullmatch(r"([^aeiouy]*)(oa|oe|uy)", bases)
    if not m or m.group(1).endswith("q") or m.group(1) == "g":
        return word
    i, j = len(cl) - 2, len(cl) - 1
    # only plain vowels (no circumflex/breve/horn) qualify
    for k in (i, j):
        if any(mk not in TONE_MARKS for mk in cl[k][1]):
            return word
    t1 = "".join(mk for mk in cl[i][1] if mk in TONE_MARKS)
    t2 = "".join(mk for mk in cl[j][1] if mk in TONE_MARKS)
    if t1 and not t2 and to in (None, "new"):
        cl[i][1], cl[j][1] = "", t1
    elif t2 and not t1 and to in (None, "old"):
        cl[i][1], cl[j][1] = t2, ""
    else:
        return word
    return unicodedata.normalize("NFC", "".join(b + mk for b, mk in cl))


def map_words(s, fn):
    return re.sub(r"[^\s,.;'’\-/()]+", lambda m: fn(m.group(0)), s)


def has_flippable(s):
    return map_words(s, flip_tone) != s


def fold(s, deaccent=False):
    """Canonical comparison key of a name (what a careful reader treats as equal)."""
    s = unicodedata.normalize("NFC", s)
    s = s.replace("’", "'").replace("‘", "'").replace("ʼ", "'")
    s = s.lower()
    s = re.sub(r"\s*'\s*", "'", s)
    s = s.replace("-", " ")
    s = map_words(s, lambda w: flip_tone(w, to="old"))
    if deaccent:
        s = strip_diacritics(s)
    return re.sub(r"\s+", " ", s).strip()


# ---------------------------------------------------------------- data

class Unit:
    __slots__ = ("era", "pcode", "ptype", "pname", "dcode", "dtype", "dname",
                 "ccode", "ctype", "cname", "targets", "tprov", "ctype26", "ptype26")

    def __init__(self, **kw):
        for k in self.__slots__:
            setattr(self, k, kw.get(k))


def load(data_dir):
    def rows(name):
        with open(os.path.join(data_dir, name), encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    targets = defaultdict(list)
    tprov = {}
    for r in rows("old_to_new.csv"):
        if not r["old_commune_code"]:
            continue
        t = (0 if r["vietnamadminunits_default"] == "1" or r["n_new_targets"] == "1" else 1,
             r["new_commune_code"])
        targets[r["old_commune_code"]].append(t)
        tprov[r["old_commune_code"]] = r["new_province_code"]
    legacy = []
    for r in rows("legacy_units.csv"):
        dtype = r["district_type"]
        if dtype.startswith("Thành phố"):
            dtype = "Thành phố"
        ptype = "Tỉnh" if r["province_type"] == "Tỉnh" else "Thành phố"
        legacy.append(Unit(era="legacy", pcode=r["province_code"], ptype=ptype,
                           pname=r["province_name"], dcode=r["district_code"],
                           dtype=dtype, dname=r["district_name"],
                           ccode=r["commune_code"], ctype=r["commune_type"],
                           cname=r["commune_name"],
                           targets=";".join(c for _, c in sorted(targets[r["commune_code"]])),
                           tprov=tprov.get(r["commune_code"], "")))
    new = []
    for r in rows("new_units.csv"):
        ptype = "Tỉnh" if r["province_type"] == "Tỉnh" else "Thành phố"
        new.append(Unit(era="2025", pcode=r["province_code"], ptype=ptype,
                        pname=r["province_name"], ccode=r["commune_code"],
                        ctype=r["type"], cname=r["commune_name"],
                        ctype26=r["type_after_2026_04_30"],
                        ptype26="Tỉnh" if r["province_type_after_2026_04_30"] == "Tỉnh" else "Thành phố"))
    return legacy, new


# ---------------------------------------------------------------- ambiguity oracle

PROVINCE_ONLY_TYPES = {"Tỉnh"}
DISTRICT_ONLY_TYPES = {"Quận", "Huyện", "Thị xã"}


class Oracle:
    """Counts the units of an era that a set of written components can denote."""

    def __init__(self, units):
        self.by_commune = {False: defaultdict(list), True: defaultdict(list)}
        self.prov_by_name = {False: defaultdict(set), True: defaultdict(set)}
        for u in units:
            for de in (False, True):
                self.by_commune[de][fold(u.cname, de)].append(u)
                self.prov_by_name[de][fold(u.pname, de)].add((u.pcode, u.ptype))

    @staticmethod
    def _type_ok(written, actual):
        return written is None or written == actual

    def _prov_ok(self, u, comp, de):
        if comp.get("alias_of"):
            return fold(u.pname, de) == fold(comp["alias_of"], de)
        return (fold(u.pname, de) == fold(comp["name"], de)
                and self._type_ok(comp["type"], u.ptype))

    def _dist_ok(self, u, comp, de):
        if u.dname is None or comp.get("alias_of"):
            return False
        return (fold(u.dname, de) == fold(comp["name"], de)
                and self._type_ok(comp["type"], u.dtype))

    def matches(self, commune, rest, de):
        """commune: {"type","name"}; rest: 0-2 components after the commune."""
        cands = [u for u in self.by_commune[de].get(fold(commune["name"], de), [])
                 if self._type_ok(commune["type"], u.ctype)]
        found = set()
        readings = []
        if len(rest) == 0:
            readings.append((None, None))
        elif len(rest) == 2:
            readings.append((rest[0], rest[1]))
        else:
            c = rest[0]
            if c["type"] not in DISTRICT_ONLY_TYPES:
                readings.append((None, c))          # it is the province
            if c["type"] not in PROVINCE_ONLY_TYPES and not c.get("alias_of"):
                readings.append((c, None))          # it is the district
        for dist, prov in readings:
            for u in cands:
                if prov is not None and not self._prov_ok(u, prov, de):
                    continue
                if dist is not None and not self._dist_ok(u, dist, de):
                    continue
                found.add((u.ccode, u.cname))
        return found


# ---------------------------------------------------------------- rendering

ABBREV = {
    "Tỉnh": ["T.", "T. ", "tỉnh "],
    "Thành phố": ["TP.", "TP. ", "TP ", "Tp.", "Tp ", "tp.", "tp "],
    "Quận": ["Q.", "Q. ", "Q ", "q."],
    "Huyện": ["H.", "H. ", "huyện "],
    "Thị xã": ["TX.", "TX. ", "TX ", "Tx.", "tx "],
    "Phường": ["P.", "P. ", "P ", "p.", "F."],
    "Xã": ["X.", "X. ", "x."],
    "Thị trấn": ["TT.", "TT. ", "TT ", "tt."],
    "Đặc khu": ["Đặc khu ", "đặc khu "],
}

ALIASES = {
    # province code -> (era set, spellings); only spellings that name one province
    "79": ({"legacy", "2025"}, ["HCM", "TPHCM", "TP.HCM", "TP HCM", "Tp.HCM", "tp hcm",
                                "SG", "Sài Gòn", "TP. Hồ Chí Minh", "Hồ Chí Minh"]),
    "01": ({"legacy", "2025"}, ["HN", "Hà Nội", "TP. Hà Nội", "Tp Hà Nội", "HÀ NỘI"]),
    "77": ({"legacy"}, ["BR-VT", "BRVT", "Bà Rịa Vũng Tàu", "Bà Rịa-Vũng Tàu", "T. BR-VT"]),
    "46": ({"legacy"}, ["Thừa Thiên Huế", "TT Huế", "TT-Huế"]),
    "66": ({"legacy", "2025"}, ["Daklak", "ĐắkLắk", "Dak Lak"]),
    "67": ({"legacy"}, ["Daknong", "ĐắkNông"]),
}

STREETS = ["Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung",
           "Lý Thường Kiệt", "Hùng Vương", "Nguyễn Huệ", "Điện Biên Phủ", "Cách Mạng Tháng 8",
           "Phan Đình Phùng", "Ngô Quyền", "Lê Duẩn", "Võ Thị Sáu", "Nguyễn Văn Cừ",
           "Tô Hiến Thành", "Bạch Đằng", "Trường Chinh", "Hoàng Hoa Thám", "Kha Vạn Cân"]
VILLAGES = ["Nà Pài", "Bình Hòa", "Tân Lập", "Đông Thịnh", "Phú Lợi", "Bản Khoang",
            "Làng Mới", "Hạ Long", "Tân Tiến", "Thượng", "Trung Tâm", "Cầu Đất",
            "Phước Lộc", "Bình Thủy", "Khuổi Khoang", "Ea Tu", "Plei Ko", "Đồng Tâm"]


def detail_prefix(rng):
    k = rng.randrange(9)
    n = rng.randint(1, 350)
    if k == 0:
        return f"Số {n}, ngõ {rng.randint(1, 99)}, thôn {rng.choice(VILLAGES)}"
    if k == 1:
        return f"Tổ {rng.randint(1, 40)}, khu phố {rng.randint(1, 12)}"
    if k == 2:
        return f"Ấp {rng.choice(VILLAGES)}"
    if k == 3:
        return f"{n}/{rng.randint(1, 60)} {rng.choice(STREETS)}"
    if k == 4:
        return f"{n} đường {rng.choice(STREETS)}"
    if k == 5:
        return f"Thôn {rng.choice(VILLAGES)}"
    if k == 6:
        return f"Số nhà {n}, tổ dân phố {rng.randint(1, 25)}"
    if k == 7:
        return f"Kiệt {n}/{rng.randint(1, 30)} {rng.choice(STREETS)}"
    return f"Xóm {rng.randint(1, 15)}, bản {rng.choice(VILLAGES)}"


def render_comp(comp, style, rng):
    """comp: {"type","name"}; style: full|abbrev|none. Numbered names keep a type."""
    t, name = comp["type"], comp["name"]
    if comp.get("alias_of"):
        return name
    numbered = bool(re.fullmatch(r"\d+", name))
    if style == "none" and not numbered:
        return name
    if style == "abbrev" or (style == "none" and numbered):
        a = rng.choice(ABBREV[t]) if t in ABBREV else t + " "
        if t == "Phường" and a == "F." and not numbered:
            a = "P."
        return a + name
    return f"{t} {name}"


def insert_double_spaces(s, rng):
    out = []
    for ch in s:
        if ch == " " and rng.random() < 0.45:
            out.append(" " * rng.choice((2, 2, 3)))
        else:
            out.append(ch)
    s = "".join(out)
    if rng.random() < 0.3:
        s = "  " + s
    if rng.random() < 0.3:
        s = s + "  "
    return s


def stray_punct(parts, rng):
    """Join parts with noisy separators and stray punctuation."""
    seps = [", ", " ,", ",, ", "; ", " - ", ". ", ",", " , "]
    s = parts[0]
    for p in parts[1:]:
        s += rng.choice(seps) + p
    k = rng.randrange(4)
    if k == 0:
        s += "."
    elif k == 1:
        s = "- " + s
    elif k == 2:
        s = ", " + s + ","
    else:
        s = s + " ."
    return s


def apply_case(s, rng):
    k = rng.choice(("upper", "lower", "title"))
    return {"upper": s.upper(), "lower": s.lower(), "title": s.title()}[k]


# ---------------------------------------------------------------- forms

LEGACY_FORMS = [
    ("canonical", 200), ("detail", 200), ("abbrev", 220), ("no_comma", 160),
    ("case", 160), ("no_diacritics", 220), ("nfd", 100), ("tone_placement", 140),
    ("curly_apostrophe", 50), ("glued_numbered", 150), ("numbered", 100),
    ("province_alias", 160), ("omit_district", 220), ("omit_province", 160),
    ("no_type_words", 130), ("double_space", 90), ("stray_punct", 90), ("combo", 380),
    ("dup_name_omit_district", 120), ("dup_name_no_diacritics", 40),
]
NEW_FORMS = [
    ("canonical", 160), ("detail", 160), ("abbrev", 130), ("no_comma", 100),
    ("case", 100), ("no_diacritics", 160), ("nfd", 80), ("tone_placement", 90),
    ("curly_apostrophe", 14), ("numbered", 37), ("province_alias", 100),
    ("omit_province", 160), ("no_type_words", 100), ("double_space", 60),
    ("stray_punct", 60), ("combo", 260),
    ("dup_name_omit_province", 100), ("dup_name_no_diacritics", 20),
    ("renamed_2026", 30),
]
COMBO_MODS = ["detail", "abbrev", "no_comma", "case", "no_diacritics", "nfd",
              "tone_placement", "province_alias", "omit_district", "omit_province",
              "no_type_words", "double_space", "stray_punct"]


DUPS = {}


def find_dups(legacy, new):
    """Units whose name another unit shares in the scope a form leaves to the reader."""
    cnt = defaultdict(int)
    for u in legacy:
        cnt[("ld", u.pcode, u.ctype, fold(u.cname))] += 1
        cnt[("la", u.pcode, u.dcode, fold(u.cname, True))] += 1
    for u in new:
        cnt[("np", u.ctype, fold(u.cname))] += 1
        cnt[("na", u.pcode, fold(u.cname, True))] += 1
    DUPS["dup_name_omit_district"] = {u.ccode for u in legacy
                                      if cnt[("ld", u.pcode, u.ctype, fold(u.cname))] > 1}
    DUPS["dup_name_omit_province"] = {u.ccode for u in new
                                      if cnt[("np", u.ctype, fold(u.cname))] > 1}
    DUPS[("legacy", "dup_name_no_diacritics")] = {
        u.ccode for u in legacy if cnt[("la", u.pcode, u.dcode, fold(u.cname, True))] > 1}
    DUPS[("2025", "dup_name_no_diacritics")] = {
        u.ccode for u in new if cnt[("na", u.pcode, fold(u.cname, True))] > 1}


def eligible(u, form):
    if form == "renamed_2026":   # Đồng Nai: city from 2026-04-30, 10 xã became phường
        return u.era == "2025" and u.ptype26 != u.ptype and (u.ctype26 != u.ctype or int(u.ccode) % 7 == 0)
    if form in ("dup_name_omit_district", "dup_name_omit_province"):
        return u.ccode in DUPS[form]
    if form == "dup_name_no_diacritics":
        return u.ccode in DUPS[(u.era, form)]
    if form == "tone_placement":
        return has_flippable(u.cname) or has_flippable(u.dname or "") or has_flippable(u.pname)
    if form == "curly_apostrophe":
        return "'" in u.cname or "'" in (u.dname or "")
    if form == "glued_numbered":
        return bool(re.fullmatch(r"\d+", u.cname)) and u.ctype == "Phường" and u.dtype in ("Quận", "Thành phố", "Thị xã")
    if form == "numbered":
        return bool(re.search(r"\d", u.cname)) or bool(re.search(r"\d", u.dname or ""))
    if form == "province_alias":
        return u.pcode in ALIASES and u.era in ALIASES[u.pcode][0]
    return True


def build(u, mods, rng):
    """Render unit u with a set of modifications. Returns (text, commune, rest, deaccent)."""
    mods = set(mods)
    if "dup_name_omit_district" in mods:
        mods.add("omit_district")
    if "dup_name_omit_province" in mods:
        mods.add("omit_province")
    if "dup_name_no_diacritics" in mods:
        mods.add("no_diacritics")
    if "renamed_2026" in mods:
        mods.add(rng.choice(("canonical", "abbrev", "case", "no_diacritics", "detail")))
    commune = {"type": u.ctype, "name": u.cname}
    dist = {"type": u.dtype, "name": u.dname} if u.era == "legacy" else None
    prov = {"type": u.ptype, "name": u.pname}
    if "renamed_2026" in mods:
        # written with the types in force after 2026-04-30; the oracle ignores type words
        # here, because the 2025-07-01 list still carries the old ones
        commune = {"type": u.ctype26, "name": u.cname, "loose": True}
        prov = {"type": u.ptype26, "name": u.pname, "loose": True}
    if "province_alias" in mods:
        prov = {"type": None, "name": rng.choice(ALIASES[u.pcode][1]), "alias_of": u.pname,
                "alias_eras": ALIASES[u.pcode][0]}
    if "omit_district" in mods:
        dist = None
    if "omit_province" in mods:
        prov = None
    style = "full"
    if "abbrev" in mods:
        style = "abbrev"
    if "no_type_words" in mods:
        style = "none"
    comps = [c for c in (commune, dist, prov) if c is not None]
    if "glued_numbered" in mods:
        # P8Q10 / f4 q6 / P.8, Q.10 / F4, Q6, TPHCM ...
        pa = rng.choice(["P", "p", "F", "f", "P.", "P"])
        da = {"Quận": rng.choice(["Q", "q", "Q.", "Q"]), "Thành phố": rng.choice(["TP", "Tp.", "tp"]),
              "Thị xã": rng.choice(["TX", "tx."])}[u.dtype]
        sep = rng.choice(["", " ", ", ", " - "])
        num_c = u.cname if not rng.random() < 0.15 else u.cname.zfill(2)
        if re.fullmatch(r"\d+", u.dname):
            dname = u.dname
        else:  # "Q.Gò Vấp", "q Bình Thạnh", "TP Vũng Tàu"
            dname = ("" if da.endswith(".") and rng.random() < 0.5 else " ") + u.dname
            sep = sep or " "
        text = f"{pa}{num_c}{sep}{da}{dname}"
        rendered = [text]
        if rng.random() < 0.6:
            if u.pcode in ALIASES and u.era in ALIASES[u.pcode][0] and rng.random() < 0.7:
                prov = {"type": None, "name": rng.choice(ALIASES[u.pcode][1]), "alias_of": u.pname,
                        "alias_eras": ALIASES[u.pcode][0]}
            else:
                prov = {"type": None, "name": u.pname}
            rendered.append(prov["name"])
        else:
            prov = None
        commune_w = {"type": "Phường", "name": u.cname}
        dist_w = {"type": u.dtype, "name": u.dname}
        rest = [c for c in (dist_w, prov) if c is not None]
        text = ", ".join(rendered) if rng.random() < 0.7 else " ".join(rendered)
        if "detail" in mods:
            text = detail_prefix(rng) + ", " + text
        return text, commune_w, rest, False
    parts = [render_comp(c, style, rng) for c in comps]
    written = []
    for c, p in zip(comps, parts):
        wc = dict(c)
        if (style == "none" and not re.fullmatch(r"\d+", c["name"])) or c.get("loose"):
            wc["type"] = None
        written.append(wc)
    if "detail" in mods:
        parts.insert(0, detail_prefix(rng))
    if "stray_punct" in mods:
        text = stray_punct(parts, rng)
    elif "no_comma" in mods:
        text = " ".join(parts)
    else:
        text = ", ".join(parts)
    if "tone_placement" in mods:
        text = map_words(text, flip_tone)
    if "curly_apostrophe" in mods or ("'" in text and "combo" in mods and rng.random() < 0.5):
        text = text.replace("'", "’")
    deaccent = False
    if "no_diacritics" in mods:
        text = strip_diacritics(text)
        deaccent = True
    if "case" in mods:
        text = apply_case(text, rng)
    if "double_space" in mods:
        text = insert_double_spaces(text, rng)
    if "nfd" in mods:
        text = unicodedata.normalize("NFD", text)
    else:
        text = unicodedata.normalize("NFC", text)
    return text, written[0], written[1:], deaccent


def pick_combo(u, rng):
    while True:
        k = rng.choice((2, 2, 3))
        mods = rng.sample(COMBO_MODS, k)
        s = set(mods)
        if u.era == "2025" and "omit_district" in s:
            continue
        if "omit_district" in s and "omit_province" in s:
            continue
        if "province_alias" in s and ("omit_province" in s or not eligible(u, "province_alias")):
            continue
        if "abbrev" in s and "no_type_words" in s:
            continue
        if "no_diacritics" in s and "nfd" in s:
            continue
        if "tone_placement" in s and not eligible(u, "tone_placement"):
            continue
        # a detail prefix without commas and without type words cannot be segmented
        if "detail" in s and "no_type_words" in s and ("no_comma" in s or "stray_punct" in s):
            continue
        if "no_comma" in s and "stray_punct" in s:
            continue
        order = [m for m in COMBO_MODS if m in s]
        return order


def make(data_dir, seed):
    legacy, new = load(data_dir)
    rng = random.Random(seed)
    find_dups(legacy, new)
    oracles = {"legacy": Oracle(legacy), "2025": Oracle(new)}
    by_prov = {"legacy": defaultdict(list), "2025": defaultdict(list)}
    for u in legacy:
        by_prov["legacy"][u.pcode].append(u)
    for u in new:
        by_prov["2025"][u.pcode].append(u)
    prov_names = {
        "legacy": {u.pname: (u.pcode, u.ptype) for u in legacy},
        "2025": {u.pname: (u.pcode, u.ptype) for u in new},
    }
    rows = []
    for era, forms in (("legacy", LEGACY_FORMS), ("2025", NEW_FORMS)):
        other = "2025" if era == "legacy" else "legacy"
        for form, count in forms:
            pool_by_prov = {p: [u for u in us if eligible(u, form)] for p, us in by_prov[era].items()}
            provs = sorted(p for p, us in pool_by_prov.items() if us)
            queues = {p: [] for p in provs}
            order = provs[:]
            rng.shuffle(order)
            if form == "glued_numbered":   # "P8Q10" is a Saigon habit: weight HCM
                order = ["79"] * len(order) + order
            for i in range(count):
                p = order[i % len(order)]
                if not queues[p]:
                    queues[p] = pool_by_prov[p][:]
                    rng.shuffle(queues[p])
                u = queues[p].pop()
                mods = pick_combo(u, rng) if form == "combo" else [form]
                text, commune, rest, de = build(u, mods + (["combo"] if form == "combo" else []), rng)
                found = oracles[era].matches(commune, rest, de)
                assert (u.ccode, u.cname) in found, (text, u.ccode)
                ambiguous = 1 if len({c for c, _ in found}) > 1 else 0
                # can the same text also be read as naming a unit of the other era?
                if (other == "2025" and len(rest) == 2) or any(
                        c.get("alias_of") and other not in c["alias_eras"] for c in rest):
                    other_found = set()
                else:
                    other_found = oracles[other].matches(commune, rest, de)
                if not other_found:
                    other_era = ""
                elif other_found == {(u.ccode, u.cname)}:
                    other_era = "same"
                else:
                    other_era = "different"
                label = form if form != "combo" else "combo:" + "+".join(mods)
                rows.append({
                    "era": era, "input": text, "expected_province": u.pcode,
                    "expected_district": u.dcode or "", "expected_commune": u.ccode,
                    "form": label, "ambiguous": ambiguous,
                    "n_matches": len(found),
                    "other_era_reading": other_era,
                    "expected_current_province": u.tprov or "" if era == "legacy" else "",
                    "current_targets": u.targets or "" if era == "legacy" else "",
                })
    for k, r in enumerate(rows, 1):
        r["id"] = f"a{k:05d}"
        assert "\t" not in r["input"] and "\n" not in r["input"]
    return rows


COLUMNS = ["id", "input", "era", "expected_province", "expected_district", "expected_commune",
           "form", "ambiguous", "n_matches", "other_era_reading",
           "expected_current_province", "current_targets"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=os.path.join(HERE, "corpus.tsv"))
    ap.add_argument("--seed", type=int, default=SEED)
    a = ap.parse_args()
    rows = make(a.data, a.seed)
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(str(r[c]) for c in COLUMNS) + "\n")
    n_amb = sum(r["ambiguous"] for r in rows)
    print(f"wrote {len(rows)} rows ({n_amb} ambiguous) to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
