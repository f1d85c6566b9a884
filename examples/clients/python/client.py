"""A one-stop system's intake form filled from `dancu serve`, in Python with
the standard library only (urllib).

    DANCU_URL=http://127.0.0.1:8080 DANCU_KEY=... \
    DANCU_SUBJECT_ID=... DANCU_SUBJECT_NAME=... DANCU_SUBJECT_DOB=dd/mm/yyyy \
    python3 client.py

It checks the ID the officer typed, resolves the address the citizen wrote,
looks the citizen up (with the officer's name on the audit record), asks the
audit trail whether that lookup was recorded, and prints what the form
would fill in. Every call sends the client key as a Bearer token; a problem
answer (application/problem+json) is printed with its stable code.
"""

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = os.environ.get("DANCU_URL", "http://127.0.0.1:8080").rstrip("/")
KEY = os.environ["DANCU_KEY"]


class Problem(Exception):
    """An answer of the service that is not a success."""

    def __init__(self, status, body):
        self.status = status
        self.code = body.get("code")
        self.request_id = body.get("request_id")
        super().__init__(f"HTTP {status} {self.code}: {body.get('detail') or body.get('title')}")


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + KEY)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        raise Problem(err.code, json.load(err)) from None


def unit_line(address):
    """Tỉnh / Huyện / Xã of one address of the record, as the form shows it."""
    if not address:
        return "(không có)"
    parts = [address.get(level) for level in ("commune", "district", "province")]
    return ", ".join(p["name"] for p in parts if p)


def main():
    subject_id = os.environ["DANCU_SUBJECT_ID"]
    name = os.environ["DANCU_SUBJECT_NAME"]
    birth_date = os.environ["DANCU_SUBJECT_DOB"]

    # 1. The ID as the officer typed it (spaces allowed): kind and province.
    _, inspected = call("POST", "/v1/identity/inspect", {"inputs": [subject_id]})
    id_report = inspected["results"][0]
    if not id_report["valid"]:
        sys.exit(f"the ID is not valid: {id_report['error']['code']}")
    print(f"Loại giấy tờ: {id_report['kind']}, nơi đăng ký: {id_report['registration']['province']}")

    # 2. An address the citizen wrote by hand, in both eras.
    _, resolved = call("POST", "/v1/addresses/resolve",
                       {"inputs": ["Xã Ea H'Leo, Huyện Ea H'Leo, Đắk Lắk"]})
    addr = resolved["results"][0]
    if addr["resolved"]:
        legacy, current = addr["legacy"], addr["current"]
        print("Địa chỉ (trước 2025): " + ", ".join(
            legacy[k]["name"] for k in ("commune", "district", "province") if legacy.get(k)))
        print(f"Địa chỉ (từ 2025): {current['commune']['name']}, {current['province']['name']}")

    # 3. The lookup, with the officer on the audit record.
    status, answer = call("POST", "/v1/citizens/lookup", {
        "gateway": "provincial_json",
        "id": subject_id,
        "name": name,
        "birth_date": birth_date,
        "procedure": "1.001776",
        "purpose": "Tiếp nhận hồ sơ đăng ký thường trú",
        "officer": {"id": "canbo.motcua", "unit": "000.00.21.H06"},
    })
    if answer["outcome"] != "found":
        sys.exit(f"not found in the population database (outcome {answer['outcome']})")
    record = answer["record"]
    print(f"Họ và tên: {record['name']['full']}")
    print(f"Ngày sinh: {record['birth_date']}")
    print(f"Số CCCD: {record['personal_id']}")
    print(f"Thường trú: {unit_line(record['addresses'].get('permanent'))}")
    print(f"Nơi ở hiện tại: {unit_line(record['addresses'].get('current'))}")

    # 4. "Who looked me up": the lookup above is in the audit trail.
    path = "/v1/audit/subjects/" + urllib.parse.quote(subject_id) + "?limit=100"
    _, audit = call("GET", path)
    ours = [r for r in audit["records"] if r.get("request_id") == answer["request_id"]]
    print("Tra cứu đã ghi nhật ký: " + ("có" if ours else "không"))


if __name__ == "__main__":
    try:
        main()
    except Problem as p:
        sys.exit(str(p))
