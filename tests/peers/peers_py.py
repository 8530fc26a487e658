"""Python peers of the differential tests (docs/differential-tests.md): segno's EPC (SEPA) QR
data and qrbill's Swiss QR-bill data. Writes the cases as JSON for tests/peers/peers.cjs, which
runs them through `hutong-qa identify` with the npm peers' cases.

Usage: python peers_py.py OUT.json
"""

import json
import sys
from importlib.metadata import version

import qrbill
import segno.helpers

NAMES = {"ascii": "QA Test Shop", "accented": "Café Müller Genève", "cjk": "测试商店"}
AMOUNTS = {"min": "0.01", "one": "1", "large": "999999999.99"}
# EPC069-12 line 3: 1 = UTF-8, 2 = ISO 8859-1 ... A scanner turns the bytes into text by it.
EPC_CODINGS = {"1": "utf-8", "2": "latin-1"}


def dec(s):
    if s is None:
        return None
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def epc_cases():
    out = []
    iban = "DE33100205000001194700"
    for nk, name in NAMES.items():
        for ak, amount in AMOUNTS.items():
            for kind, extra in {
                "text": {"text": "Rechnung 42"},
                "reference": {"reference": "RF18539007547034", "bic": "COBADEFFXXX"},
            }.items():
                case = {"lib": "segno", "dir": "peer->hutong", "id": f"epc/{nk}/{ak}/{kind}"}
                try:
                    data = segno.helpers._make_epc_qr_data(  # the data behind make_epc_qr
                        name=name, iban=iban, amount=amount, **extra
                    )
                    text = data.decode(EPC_CODINGS[data.split(b"\n")[2].decode()])
                except Exception as e:  # a peer that refuses its own input is a harness failure
                    case["harnessError"] = f"peer threw: {e}"
                    out.append(case)
                    continue
                case["payload"] = text
                case["expect"] = {
                    "valid": True,
                    "network": "epc_sct",
                    "currency_alpha": "EUR",
                    "amount": dec(amount),
                    "merchant_name": name,
                    "details.iban": iban,
                    "note": extra.get("text"),
                    "details.bic": extra.get("bic", ""),
                    "details.remittance_structured": extra.get("reference", ""),
                }
                out.append(case)
    return out


def qrbill_cases():
    out = []
    refs = {
        "qrr": ("CH4431999123000889012", "210000000003139471430009017", "QRR"),
        "scor": ("CH5800791123000889012", "RF18539007547034", "SCOR"),
        "non": ("CH5800791123000889012", None, "NON"),
    }
    for rk, (account, ref, ref_type) in refs.items():
        for nk, name in {"ascii": "Robert Schneider AG", "accented": "Café Müller Genève"}.items():
            for ak, amount in {"none": None, "min": "0.01", "large": "999999999.99"}.items():
                for currency in ["CHF", "EUR"]:
                    case = {"lib": "qrbill", "dir": "peer->hutong", "id": f"{rk}/{nk}/{ak}/{currency}"}
                    try:
                        bill = qrbill.QRBill(
                            account=account,
                            creditor={
                                "name": name,
                                "street": "Musterstrasse",
                                "house_num": "7",
                                "pcode": "8000",
                                "city": "Zürich",
                                "country": "CH",
                            },
                            amount=amount,
                            currency=currency,
                            reference_number=ref,
                            additional_information="Rechnung 42",
                        )
                        payload = bill.qr_data()
                    except Exception as e:
                        case["harnessError"] = f"peer threw: {e}"
                        out.append(case)
                        continue
                    case["payload"] = payload
                    case["expect"] = {
                        "valid": True,
                        "network": "swiss_qr_bill",
                        "currency_alpha": currency,
                        "amount": dec(amount),
                        "merchant_name": name,
                        "merchant_city": "Zürich",
                        "note": "Rechnung 42",
                        "details.account": account,
                        "details.reference_type": ref_type,
                        "details.reference": ref or "",
                    }
                    out.append(case)
    return out


def main():
    report = {
        "versions": {"segno": version("segno"), "qrbill": version("qrbill")},
        "runtime": f"python {sys.version.split()[0]}",
        "cases": epc_cases() + qrbill_cases(),
    }
    with open(sys.argv[1], "w", encoding="utf-8") as f:
        json.dump(report, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
