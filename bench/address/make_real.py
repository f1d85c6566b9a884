#!/usr/bin/env python3
"""Writes real.tsv: addresses written the way businesses, post offices, shops
and the 2025 units' head offices write them, with the unit each one means.

Standard library only; deterministic (fixed seed). This corpus is the one the
resolver's confidence is calibrated on (see docs/address.md): every row says
what a right answer is, and which rule of the resolver it exercises.

Usage: python3 make_real.py [--data DIR] [--out FILE] [--seed N] [--rows N]

Columns:
  id, input, era (legacy|2025), expect (commune|none|historical),
  province, district, commune   codes in that era ('' when not part of the
                                truth; for expect=none the levels the text
                                does name, for a check of what is certain),
  historical                    the historical commune code (expect=historical),
  rule                          what the row exercises (see RULES below),
  source                        the kind of text (tourism, post, shop, office, form)

expect=commune: a right answer resolves to that commune (in the row's era, or
  the same place in the other era: a legacy commune merged whole into the 2025
  commune answered). expect=none: the text names no single commune (a street
  named like a unit, a hamlet, a legacy district named like a 2025 commune):
  any confident commune is wrong. expect=historical: the text names a commune
  merged away before 2025-06-30: a right answer is unresolved and says so.
"""

import argparse
import csv
import os
import random
import unicodedata
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.environ.get("DANCU_ADMIN_DATA", "/work/shared/data/admin")
SEED = 20261127

# Streets named after people and events, found in most towns: many are also
# commune or ward names somewhere.
STREETS = [
    "Nguyễn Trãi", "Lê Lợi", "Quang Trung", "Trần Hưng Đạo", "Hai Bà Trưng", "Lê Hồng Phong",
    "Trần Phú", "Nguyễn Huệ", "Hoàng Văn Thụ", "Lý Thường Kiệt", "Phan Chu Trinh", "Nguyễn Du",
    "Hùng Vương", "Lê Lai", "Bạch Đằng", "Điện Biên Phủ", "Võ Thị Sáu", "Ngô Quyền",
    "Phan Đình Phùng", "Lê Duẩn", "Nguyễn Văn Cừ", "Tô Hiệu", "Hoàng Hoa Thám", "Trường Chinh",
    "Cách Mạng Tháng Tám", "30 Tháng 4", "Nguyễn Thị Minh Khai", "Lạc Long Quân", "Âu Cơ",
    "Thống Nhất", "Hòa Bình", "Độc Lập", "Lê Thánh Tông", "Phạm Văn Đồng", "Nguyễn Văn Linh",
    "Võ Nguyên Giáp", "Tôn Đức Thắng", "Lý Tự Trọng", "Nguyễn Đình Chiểu", "Trần Quốc Toản",
    "Lê Quý Đôn", "Chu Văn An", "Nguyễn Chí Thanh", "Kim Đồng", "Lê Văn Sỹ", "Hoàng Diệu",
    "Yết Kiêu", "Phan Bội Châu", "Đinh Tiên Hoàng", "Trần Nhân Tông", "Nguyễn Thái Học",
    "Quốc Lộ 1A", "Tỉnh Lộ 8", "Hàng Bè", "Hàng Bông", "Bà Triệu", "Minh Khai", "Tân Lập",
    "Đồng Khởi", "Cộng Hòa", "Xô Viết Nghệ Tĩnh", "Lam Sơn", "Hồng Bàng",
]
HAMLETS = [
    "Đông", "Trung", "Thượng", "Hạ", "Phú Lộc", "Tân Thành", "Bình An", "An Hòa", "Nà Pài",
    "Bản Chang", "Tân Lập", "Đoàn Kết", "Quyết Thắng", "Thắng Lợi", "Hòa Bình", "Phú Mỹ",
    "Long Hưng", "Bình Minh", "Yên Thịnh", "Kon Hring", "Ea Kmar", "Cốc Lào", "Phiêng Luông",
]
BUSINESSES = [
    ("Khách sạn", ["Hoàng Gia", "Mường Thanh", "Ánh Dương", "Sao Mai", "Biển Xanh"]),
    ("Homestay", ["Nhà Mây", "Bếp Củi", "Gió Núi", "Hoa Ban"]),
    ("Công ty TNHH", ["Du lịch Việt Xanh", "Lữ hành Đất Việt", "Vận tải Minh Phát"]),
    ("Cửa hàng", ["Tạp hóa Thu Hà", "Điện máy Hưng Thịnh", "Vật liệu Phát Đạt"]),
    ("Nhà nghỉ", ["Thanh Bình", "Hương Sen", "Phương Nam"]),
]
# Provinces as people abbreviate them (hand list; the resolver derives its own
# forms by rule, so these are written independently of it).
PROVINCE_SHORT = {
    "79": ["TP.HCM", "TP. HCM", "Tp Hồ Chí Minh", "HCM", "Sài Gòn", "TPHCM", "Ho Chi Minh City"],
    "01": ["HN", "Hà Nội", "TP. Hà Nội", "Ha Noi", "Hanoi"],
    "48": ["Đà Nẵng", "TP Đà Nẵng", "Da Nang", "Danang"],
    "31": ["Hải Phòng", "HP", "TP. Hải Phòng"],
    "92": ["Cần Thơ", "TP. Cần Thơ", "CT"],
    "77": ["BRVT", "BR-VT", "Bà Rịa - Vũng Tàu", "Bà Rịa Vũng Tàu"],
    "46": ["TT-Huế", "TT Huế", "Thừa Thiên Huế", "Huế"],
    "74": ["Bình Dương", "BD", "B.Dương"],
    "75": ["Đồng Nai", "ĐNai", "Đ.Nai"],
    "91": ["Kiên Giang", "KG"],
    "70": ["Bình Phước", "BP.", "BP"],
    "66": ["Đắk Lắk", "Daklak", "Đăk Lăk", "ĐắkLắk"],
    "67": ["Đắk Nông", "Daknong", "Đăk Nông"],
    "06": ["Bắc Kạn", "Bắc Cạn"],
    "51": ["Quảng Ngãi", "Q.Ngãi", "QNgãi"],
    "49": ["Quảng Nam", "Q.Nam"],
    "56": ["Khánh Hòa", "Khánh Hoà", "KH"],
    "68": ["Lâm Đồng", "LĐ"],
    "80": ["Long An", "LA"],
    "83": ["Bến Tre"],
    "89": ["An Giang", "AG"],
    "96": ["Cà Mau", "CM"],
    "38": ["Thanh Hóa", "Thanh Hoá", "TH"],
    "40": ["Nghệ An", "NA"],
    "22": ["Quảng Ninh", "Q.Ninh"],
}


def nfc(s):
    return unicodedata.normalize("NFC", s)


def fold(s):
    s = unicodedata.normalize("NFD", s.lower())
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("đ", "d").replace("-", " ").replace("'", "").replace("’", "")
    # numbers are names without their leading zeros ("Phường 09" = "Phường 9"),
    # and a final y after a consonant is an i (Sỹ = Sĩ)
    def word(w):
        if w.isdigit():
            return w.lstrip("0") or "0"
        if len(w) >= 2 and w.endswith("y") and (w[-2] not in "aeiouy" or w.endswith("quy")):
            return w[:-1] + "i"
        return w
    return " ".join(word(w) for w in s.split())


def strip_accents(s):
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return nfc(s.replace("đ", "d").replace("Đ", "D"))


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Data:
    def __init__(self, d):
        self.lu = read(os.path.join(d, "legacy_units.csv"))
        self.nu = read(os.path.join(d, "new_units.csv"))
        self.ld = {r["district_code"]: r for r in read(os.path.join(d, "legacy_districts.csv"))}
        self.lp = {r["province_code"]: r for r in read(os.path.join(d, "legacy_provinces.csv"))}
        self.np = {r["province_code"]: r for r in read(os.path.join(d, "new_provinces.csv"))}
        self.hc = read(os.path.join(d, "historical_communes.csv"))
        self.o2n = defaultdict(list)
        self.n2o = defaultdict(list)
        for r in read(os.path.join(d, "old_to_new.csv")):
            if r["old_commune_code"]:
                self.o2n[r["old_commune_code"]].append(r["new_commune_code"])
                self.n2o[r["new_commune_code"]].append(r["old_commune_code"])
        self.lu_by = {r["commune_code"]: r for r in self.lu}
        # name keys for uniqueness
        self.l_in_prov = defaultdict(list)   # (prov, name) -> codes
        self.l_in_dist = defaultdict(list)   # (dist, name)
        self.l_pair = defaultdict(list)      # (district name, commune name) nationwide
        self.l_name = defaultdict(list)      # commune name nationwide
        for r in self.lu:
            k = fold(r["commune_name"])
            self.l_in_prov[(r["province_code"], k)].append(r["commune_code"])
            self.l_in_dist[(r["district_code"], k)].append(r["commune_code"])
            self.l_pair[(fold(r["district_name"]), k)].append(r["commune_code"])
            self.l_name[k].append(r["commune_code"])
        self.n_in_prov = defaultdict(list)
        self.n_name = defaultdict(list)
        for r in self.nu:
            k = fold(r["commune_name"])
            self.n_in_prov[(r["province_code"], k)].append(r["commune_code"])
            self.n_name[k].append(r["commune_code"])
        self.h_name = defaultdict(list)
        for r in self.hc:
            self.h_name[fold(r["commune_full_name"].split(" ", 1)[1] if not r["commune_full_name"].startswith("Thị trấn") else r["commune_full_name"][9:])].append(r)
        self.d_names = defaultdict(list)  # district name -> districts
        for r in self.ld.values():
            self.d_names[fold(r["name"])].append(r)
        self.successor = {}
        for r in read(os.path.join(d, "old_province_to_new.csv")):
            self.successor[r["old_province_code"]] = r["new_province_code"]

    def legacy_unique(self, r):
        """The commune's name is unique in its province (and so in its district),
        and no historical commune of the province had it."""
        k = fold(r["commune_name"])
        if len(self.l_in_prov[(r["province_code"], k)]) != 1:
            return False
        return not any(h["province_code"] == r["province_code"] for h in self.h_name.get(k, []))

    def new_unique(self, r):
        k = fold(r["commune_name"])
        if len(self.n_in_prov[(r["province_code"], k)]) != 1:
            return False
        # a legacy commune of the same name in a predecessor province reads the
        # text differently (mixed era); keep such rows out of the truth set
        olds = self.np[r["province_code"]]["merged_from_codes"].split(";")
        olds = [o.strip() for o in olds]
        for o in olds:
            for c in self.l_in_prov.get((o, k), []):
                if c not in self.n2o.get(r["commune_code"], []):
                    return False
        if any(self.successor.get(h["province_code"]) == r["province_code"] or h["province_code"] in olds
               for h in self.h_name.get(k, [])):
            return False
        # a legacy district of the same name in the province makes a bare name ambiguous
        for dd in self.d_names.get(k, []):
            if self.successor.get(dd["province_code"]) == r["province_code"]:
                return False
        return True


def pick(rng, xs):
    return xs[rng.randrange(len(xs))]


def ctype(rng, full_type, name, style):
    """A commune's type word as written."""
    numeric = name.split()[-1].isdigit()
    forms = {
        "Phường": ["Phường ", "P. ", "P.", "phường ", "F.", "p."],
        "Xã": ["Xã ", "xã ", "X. ", "X."],
        "Thị trấn": ["Thị trấn ", "TT. ", "TT ", "thị trấn ", "Tt. "],
        "Đặc khu": ["Đặc khu ", "đặc khu "],
    }[full_type]
    if style == "office":
        forms = [f for f in forms if not f[0].isupper() or f in ("Phường ", "Xã ", "Thị trấn ")]
        forms = [forms[-1] if len(forms) > 1 else forms[0]]
    if style == "bare" and not numeric:
        return ""
    return pick(rng, forms)


def dtype(rng, full_type, name, style):
    numeric = name.split()[-1].isdigit()
    forms = {
        "Quận": ["Quận ", "Q. ", "Q.", "quận "],
        "Huyện": ["Huyện ", "H. ", "huyện ", "H."],
        "Thị xã": ["Thị xã ", "TX. ", "TX ", "thị xã "],
        "Thành phố thuộc tỉnh": ["Thành phố ", "TP. ", "TP ", "Tp. ", "thành phố "],
        "Thành phố thuộc thành phố trực thuộc trung ương": ["Thành phố ", "TP. ", "TP "],
    }[full_type]
    if style == "bare" and not numeric:
        return ""
    return pick(rng, forms)


def province_text(rng, d, code, era, style):
    p = (d.lp if era == "legacy" else d.np)[code]
    name = p["name"]
    if style in ("short",) and code in PROVINCE_SHORT:
        forms = [f for f in PROVINCE_SHORT[code]]
        # the short forms are the legacy province's; a 2025 province of the
        # same code may be another one (80 is Tây Ninh from 2025)
        if era == "2025" and d.np[code]["name"] != d.lp.get(code, {}).get("name"):
            forms = [name]
        return pick(rng, forms)
    if p["type"].startswith("Tỉnh"):
        return pick(rng, ["Tỉnh ", "tỉnh ", "", "T. "]) + name
    return pick(rng, ["Thành phố ", "TP. ", "TP ", "", "thành phố "]) + name


def house(rng):
    n = rng.randint(1, 499)
    return pick(rng, [
        f"Số {n}", f"{n}", f"{n}/{rng.randint(1, 60)}", f"{n}{pick(rng, 'ABCD')}",
        f"Số nhà {n}", f"{n}/{rng.randint(1, 40)}/{rng.randint(1, 20)}", f"Kiot {rng.randint(1, 30)}",
        f"Lô {pick(rng, 'ABCDE')}{rng.randint(1, 20)}", f"Km {rng.randint(2, 90)}",
    ])


def street_detail(rng, street=None):
    s = street or pick(rng, STREETS)
    h = house(rng)
    return pick(rng, [
        f"{h} {s}", f"{h} đường {s}", f"{h} Đường {s}", f"{h}, đường {s}",
        f"Ngõ {rng.randint(1, 200)} {s}", f"Hẻm {rng.randint(1, 300)} {s}", f"{h} phố {s}",
        f"Kiệt {rng.randint(1, 150)}/{rng.randint(1, 30)} {s}", f"Ngách {rng.randint(1, 40)}/{rng.randint(1, 20)} {s}",
    ])


def hamlet_detail(rng, hamlet=None):
    h = hamlet or pick(rng, HAMLETS)
    n = rng.randint(1, 15)
    return pick(rng, [
        f"Thôn {h}", f"thôn {h}", f"Ấp {h}", f"ấp {n}", f"Xóm {n}", f"Bản {h}", f"Buôn {h}",
        f"Tổ {n}", f"Tổ dân phố {n}", f"Khu phố {n}", f"KP {n}", f"Khóm {n}", f"Khu {n}",
        f"Tổ {n}, khu phố {rng.randint(1, 9)}", f"Xóm {n}, thôn {h}",
    ])


def detail(rng, urban):
    r = rng.random()
    if r < 0.12:
        return ""
    if urban or r < 0.45:
        return street_detail(rng)
    return hamlet_detail(rng)


def prefix(rng, source):
    if source == "post":
        return pick(rng, ["Bưu cục ", "BC ", "Điểm BĐVHX ", "Bưu điện văn hóa xã "]) + \
            pick(rng, ["cấp 3 ", "", "trung tâm "]), True
    if source in ("tourism", "shop") and rng.random() < 0.3:
        kind, names = pick(rng, BUSINESSES)
        return f"{kind} {pick(rng, names)} - ", False
    return "", False


def join(parts, sep=", "):
    return sep.join(p for p in parts if p)


def mess(rng, text):
    """Case and accent mess, as typed."""
    r = rng.random()
    if r < 0.06:
        return strip_accents(text)
    if r < 0.09:
        return text.upper()
    if r < 0.12:
        return text.lower()
    if r < 0.15:
        return unicodedata.normalize("NFD", text)
    return text


def spell(rng, name):
    """A misspelling of a unit name beyond diacritics: spacing, c/k, y/i, or
    one wrong letter. Returns (text, kind)."""
    words = name.split()
    choices = []
    if len(words) == 2 and not any(w.isdigit() for w in words):
        choices.append("join")
    low = name.lower()
    if "k" in fold(name).replace("kh", "") or "c" in fold(name).replace("ch", ""):
        choices.append("ck")
    if any(ch in low for ch in "yỳýỷỹỵ"):
        choices.append("yi")
    if len(fold(name).replace(" ", "")) >= 6:
        choices.append("letter")
    if not choices:
        return None, None
    kind = pick(rng, choices)
    if kind == "join":
        out = words[0] + words[1].lower()
    elif kind == "ck":
        out = []
        for i, ch in enumerate(name):
            nxt = name[i + 1] if i + 1 < len(name) else ""
            if ch in "kK" and nxt.lower() != "h":
                out.append("c" if ch == "k" else "C")
            elif ch in "cC" and nxt.lower() != "h" and (i + 1 == len(name) or not nxt.isalpha()):
                out.append("k" if ch == "c" else "K")
            else:
                out.append(ch)
        out = "".join(out)
        if out == name:
            return None, None
    elif kind == "yi":
        table = {"y": "i", "ỳ": "ì", "ý": "í", "ỷ": "ỉ", "ỹ": "ĩ", "ỵ": "ị"}
        out = "".join(table.get(ch, ch) for ch in name)
    else:
        letters = [i for i, ch in enumerate(name) if ch.isalpha() and i > 0]
        i = pick(rng, letters)
        op = rng.randrange(3)
        if op == 0:
            out = name[:i] + name[i + 1:]
        elif op == 1:
            out = name[:i] + name[i] + name[i:]
        else:
            out = name[:i] + pick(rng, "nmhtg") + name[i + 1:]
    return out, kind


class Gen:
    def __init__(self, d, rng):
        self.d = d
        self.rng = rng
        self.rows = []
        self.legacy = [r for r in d.lu if d.legacy_unique(r)]
        self.new = [r for r in d.nu if d.new_unique(r)]

    def add(self, text, era, expect, rule, source, province="", district="", commune="", hist=""):
        text = " ".join(text.split()) if self.rng.random() < 0.9 else text
        self.rows.append((text, era, expect, province, district, commune, hist, rule, source))

    # ---------------------------------------------------------- legacy-era text
    def legacy_row(self, rule):
        rng, d = self.rng, self.d
        r = pick(rng, self.legacy)
        urban = r["commune_type"] == "Phường"
        source = pick(rng, ["tourism", "post", "shop", "form"])
        pre, named = prefix(rng, source)
        c, dn, pn = r["commune_name"], r["district_name"], r["province_code"]
        style = "bare" if rule == "bare_types" else ""
        det = detail(rng, urban)
        if named:
            det = join([c, det], " - ")
        ct = ctype(rng, r["commune_type"], c, style)
        dt = dtype(rng, r["district_type"], dn, style)
        pt = province_text(rng, d, pn, "legacy", "short" if rule == "province_short" else "")
        truth = dict(province=pn, district=r["district_code"], commune=r["commune_code"])
        if rule == "reversed":
            # a text written province first has no business name before it
            pre = ""
            det = detail(rng, urban)
            text = join([pt, dt + dn, ct + c, det])
        elif rule == "no_province":
            if len(d.l_pair[(fold(dn), fold(c))]) != 1:
                return
            text = join([det, ct + c, dt + dn])
        elif rule == "province_twice":
            full = d.lp[pn]["full_name"]
            text = join([det, ct + c, dt + dn, d.lp[pn]["name"], full])
        elif rule == "cut_province":
            name = d.lp[pn]["name"]
            cut = name.split()[0]
            text = join([det, ct + c, dt + dn, pick(rng, ["tỉnh ", "Tỉnh ", "T. ", ""]) + cut])
        elif rule == "trailing_noise":
            text = join([det, ct + c, dt + dn, pt]) + pick(rng, [
                f" - ĐT: 0{rng.randint(200, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)}",
                f", SĐT 09{rng.randint(10000000, 99999999)}", " (gần chợ)", " (đối diện UBND)"])
        elif rule == "dashes":
            text = join([det, ct + c, dt + dn, pt], " - ")
        elif rule == "glued":
            glue = {"Phường": "Phường", "Xã": "Xã", "Thị trấn": "TT"}[r["commune_type"]]
            dglue = {"Quận": "Quận", "Huyện": "Huyện", "Thị xã": "TX", "Thành phố thuộc tỉnh": "TP"}.get(r["district_type"], "")
            if c.split()[-1].isdigit():
                return
            text = join([det, glue + c, (dglue or dt) + dn, "Tỉnh" + d.lp[pn]["name"] if d.lp[pn]["type"] == "Tỉnh" else pt])
        elif rule == "spelling":
            bad, kind = spell(rng, c)
            # a misspelling that is another unit's name is that unit's name
            if not bad or d.l_in_prov.get((pn, fold(bad))) or any(
                    fold(x["commune_name"]) == fold(bad) for x in d.lu):
                return
            rule = f"spelling_{kind}"
            text = join([det, (ct or "Xã ") + bad, dt + dn, pt])
        elif rule == "english":
            en_c = r["commune_name_en"]
            en_d = d.ld[r["district_code"]]["name_en"]
            en_p = d.lp[pn]["name_en"]
            ck = {"Phường": "Ward", "Xã": "Commune", "Thị trấn": "Town"}[r["commune_type"]]
            dk = {"Quận": "District", "Huyện": "District", "Thị xã": "Town"}.get(r["district_type"], "City")
            if c.split()[-1].isdigit():
                text = join([strip_accents(det), f"{ck} {c.split()[-1]}", f"{dk} {en_d}" if dn.split()[-1].isdigit() else f"{en_d} {dk}", en_p + pick(rng, ["", " Province", " City"])])
            else:
                text = join([strip_accents(det), f"{en_c} {ck}", f"{dk} {en_d}" if dn.split()[-1].isdigit() else f"{en_d} {dk}", en_p])
        elif rule == "street_like_unit":
            # the street is named like another commune of the district
            others = [x for x in d.lu if x["district_code"] == r["district_code"] and x["commune_code"] != r["commune_code"] and not x["commune_name"][-1].isdigit()]
            if not others:
                return
            s = pick(rng, others)["commune_name"]
            text = join([street_detail(rng, s), (ct or "Phường ") + c, dt + dn, pt])
        else:
            text = join([det, ct + c, dt + dn, pt])
        self.add(pre + mess(rng, text), "legacy", "commune", rule, source, **truth)

    # ---------------------------------------------------------- 2025-era text
    def new_row(self, rule):
        rng, d = self.rng, self.d
        r = pick(rng, self.new)
        source = pick(rng, ["office", "shop", "tourism", "post"])
        c, pn = r["commune_name"], r["province_code"]
        urban = r["type"] == "Phường"
        det = detail(rng, urban)
        style = "office" if source == "office" else ""
        ct = ctype(rng, r["type"], c, "bare" if rule == "bare_types" else style)
        pt = province_text(rng, d, pn, "2025", "short" if rule == "province_short" else "")
        if source == "office" and rule == "plain":
            det = pick(rng, [f"Số {rng.randint(1, 300)}, đường {pick(rng, STREETS)}", hamlet_detail(rng), f"{house(rng)} {pick(rng, STREETS)}"])
            pt = d.np[pn]["full_name"].lower().replace("thành phố", "thành phố") if rng.random() < 0.5 else d.np[pn]["full_name"]
        truth = dict(province=pn, commune=r["commune_code"])
        if rule == "note_former":
            olds = d.n2o.get(r["commune_code"], [])
            if not olds:
                return
            o = d.lu_by[pick(rng, olds)]
            note = pick(rng, [
                f"({o['commune_full_name']}, {o['district_full_name']} cũ)",
                f"({o['commune_type'].lower()} {o['commune_name']}, {o['district_full_name'].lower()} cũ)",
                f"(trụ sở {o['commune_full_name']} cũ, {o['district_full_name']})",
                f"(cũ: {o['commune_full_name']}, {o['district_full_name']})",
            ])
            text = join([det, ct + c, pt]) + " " + note
            rule = "note_former"
        elif rule == "no_province":
            if len(d.n_name[fold(c)]) != 1 or len(d.l_name.get(fold(c), [])) > 0:
                return
            text = join([det, (ct or "Xã ") + c])
        elif rule == "reversed":
            text = join([pt, ct + c, det])
        elif rule == "province_twice":
            text = join([det, ct + c, d.np[pn]["name"], d.np[pn]["full_name"]])
        elif rule == "spelling":
            bad, kind = spell(rng, c)
            if not bad or d.n_name.get(fold(bad)) or d.l_name.get(fold(bad)):
                return
            rule = f"spelling_{kind}"
            text = join([det, (ct or "Xã ") + bad, pt])
        elif rule == "english":
            ck = {"Phường": "Ward", "Xã": "Commune", "Đặc khu": "Special Zone"}[r["type"]]
            if r["type"] == "Đặc khu":
                return
            text = join([strip_accents(det), f"{r['commune_name_en']} {ck}", d.np[pn]["name_en"] + pick(rng, ["", " City", " Province"])])
        elif rule == "glued":
            glue = {"Phường": "Phường", "Xã": "Xã", "Đặc khu": "Đặc khu"}[r["type"]]
            if c.split()[-1].isdigit():
                return
            text = join([det, glue + c, pt])
        elif rule == "cut_province":
            cut = d.np[pn]["name"].split()[0]
            text = join([det, ct + c, pick(rng, ["tỉnh ", "Tỉnh ", ""]) + cut])
        else:
            text = join([det, ct + c, pt])
        self.add(mess(rng, text), "2025", "commune", rule, source, **truth)

    # ---------------------------------------------------------- texts naming no commune
    def street_only(self):
        """A street named like a commune of the province, and nothing else."""
        rng, d = self.rng, self.d
        r = pick(rng, d.lu)
        name = r["commune_name"]
        if name.split()[-1].isdigit():
            return
        era = pick(rng, ["legacy", "2025"])
        pn = r["province_code"] if era == "legacy" else d.successor[r["province_code"]]
        pt = province_text(rng, d, pn, era, "short" if rng.random() < 0.3 else "")
        h = house(rng)
        form = rng.randrange(4)
        if form == 0:
            text = join([f"{h} {name}", pt])
        elif form == 1:
            text = join([f"{h} đường {name}", pt])
        elif form == 2 and era == "legacy":
            text = join([f"{h} {name}", d.ld[r["district_code"]]["full_name"], pt])
        else:
            text = join([f"Số {rng.randint(1, 99)} phố {name}", pt])
        self.add(mess(rng, text), era, "none", "street_is_not_a_unit", pick(rng, ["shop", "tourism"]), province=pn)

    def hamlet_only(self):
        rng, d = self.rng, self.d
        r = pick(rng, d.lu)
        name = r["commune_name"]
        if name.split()[-1].isdigit():
            return
        dist = d.ld[r["district_code"]]
        marker = pick(rng, ["Thôn", "thôn", "Ấp", "Xóm", "Bản", "Buôn", "Khu phố", "Tổ dân phố", "Làng"])
        pt = province_text(rng, d, r["province_code"], "legacy", "")
        text = join([f"{marker} {name}", dist["full_name"], pt])
        self.add(mess(rng, text), "legacy", "none", "hamlet_is_not_a_unit", "post", province=r["province_code"], district=r["district_code"])

    def district_clash(self):
        """Unmatched words, then a bare legacy district name that is also a
        2025 commune of the same province."""
        rng, d = self.rng, self.d
        clashes = []
        with_communes = {r["district_code"] for r in d.lu}
        for code, dist in d.ld.items():
            if code not in with_communes:
                continue  # an island district is its đặc khu: no clash
            np_ = d.successor[dist["province_code"]]
            if d.n_in_prov.get((np_, fold(dist["name"]))) and not dist["name"][-1].isdigit():
                clashes.append(dist)
        dist = pick(rng, clashes)
        lead = pick(rng, [street_detail(rng), hamlet_detail(rng), "Khu tập thể Z" + str(rng.randint(1, 9)), f"Chợ {pick(rng, HAMLETS)}"])
        pt = province_text(rng, d, dist["province_code"], "legacy", "")
        self.add(mess(rng, join([lead, dist["name"], pt])), "legacy", "none", "district_not_commune", "tourism",
                 province=dist["province_code"], district=dist["district_code"])

    def historical(self):
        rng, d = self.rng, self.d
        h = pick(rng, d.hc)
        if h["district_code"] not in d.ld:
            return
        name = h["commune_full_name"]
        kind, bare = ("Thị trấn", name[9:]) if name.startswith("Thị trấn") else name.split(" ", 1)
        bare = " ".join(bare.split())
        k = fold(bare)
        if d.l_in_dist.get((h["district_code"], k)):
            return  # the name is still listed there (re-coded)
        dist = d.ld[h["district_code"]]
        if bare.split()[-1].isdigit():
            bare = str(int(bare.split()[-1])) if len(bare.split()) == 1 else bare
        ct = ctype(rng, kind, bare, "")
        dt = dtype(rng, dist["type"], dist["name"], "")
        pt = province_text(rng, d, dist["province_code"], "legacy", "short" if rng.random() < 0.3 else "")
        det = detail(rng, kind == "Phường")
        text = join([det, ct + bare, dt + dist["name"], pt])
        self.add(mess(rng, text), "legacy", "historical", "historical_commune", pick(rng, ["tourism", "post", "shop"]),
                 province=dist["province_code"], district=h["district_code"], hist=h["commune_code"])


RULES = {
    # legacy-era: (rule, share)
    "legacy": [("plain", 10), ("bare_types", 5), ("province_short", 5), ("no_province", 3),
               ("reversed", 2), ("province_twice", 2), ("cut_province", 2), ("trailing_noise", 3),
               ("dashes", 3), ("glued", 2), ("spelling", 4), ("english", 2), ("street_like_unit", 4)],
    "2025": [("plain", 10), ("bare_types", 4), ("province_short", 4), ("no_province", 2),
             ("reversed", 2), ("province_twice", 2), ("note_former", 4), ("spelling", 4),
             ("english", 2), ("glued", 2), ("cut_province", 2)],
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--out", default=os.path.join(HERE, "real.tsv"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--rows", type=int, default=4000)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    g = Gen(Data(a.data), rng)
    weights = {era: [w for _, w in rules] for era, rules in RULES.items()}
    while len(g.rows) < a.rows:
        x = rng.random()
        if x < 0.45:
            rule = rng.choices([r for r, _ in RULES["legacy"]], weights["legacy"])[0]
            g.legacy_row(rule)
        elif x < 0.80:
            rule = rng.choices([r for r, _ in RULES["2025"]], weights["2025"])[0]
            g.new_row(rule)
        elif x < 0.87:
            g.street_only()
        elif x < 0.91:
            g.hamlet_only()
        elif x < 0.94:
            g.district_clash()
        else:
            g.historical()
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        f.write("id\tinput\tera\texpect\tprovince\tdistrict\tcommune\thistorical\trule\tsource\n")
        for i, row in enumerate(g.rows, 1):
            text = row[0].replace("\t", " ").replace("\n", " ")
            f.write("\t".join([f"r{i:05d}", text, *row[1:]]) + "\n")


if __name__ == "__main__":
    main()
