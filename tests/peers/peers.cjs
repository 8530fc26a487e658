// Differential tests against peer implementations (`cargo xtask peers`, docs/differential-tests.md).
//
// Both directions, field by field:
//   peer generates -> `hutong-qa identify --jsonl` must read what the peer wrote;
//   `hutong-qa gen --jsonl` -> peer parses must read what gen was asked to write.
// A disagreement is explained only by a row of tests/peers/exceptions.json that names the
// library, the field and the spec rule the peer breaks; every other disagreement fails.
//
// Usage: node peers.cjs --qa PATH/hutong-qa --modules DIR/node_modules --exceptions FILE --out FILE
//        [--extra FILE]   (cases from the Python peers, tests/peers/peers_py.py)
"use strict";

const { spawnSync } = require("node:child_process");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith("--")) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []),
);
for (const k of ["qa", "modules", "exceptions", "out"]) {
  if (!args[k]) throw new Error(`missing --${k}`);
  args[k] = path.resolve(args[k]);
}
const need = (name) => require(path.join(args.modules, name));
const pkgVersion = (name) =>
  JSON.parse(fs.readFileSync(path.join(args.modules, name, "package.json"), "utf8")).version;

// ---------------------------------------------------------------- inputs that vary

const NAMES = {
  ascii: "QA TEST SHOP",
  accented: "CAFÉ SÃO JOSÉ",
  cjk: "测试商店",
};
const CITIES = { ascii: "BANGKOK", accented: "GENÈVE", cjk: "北京" };

/** Amounts as decimal strings (never floats in comparisons): none, the smallest, a large one. */
const AMOUNTS = { none: null, min: "0.01", large: "99999.99" };

/** Canonical decimal: "10.50" -> "10.5", "1e-8" stays as written (not a decimal). */
function dec(v) {
  if (v === null || v === undefined || v === "") return null;
  let s = String(v);
  if (!/^\d+(\.\d+)?$/.test(s)) return s;
  if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  s = s.replace(/^0+(?=\d)/, "");
  return s;
}

// ---------------------------------------------------------------- cases

const cases = []; // {lib, dir, id, payload?, gen?, expect: {field: value}, parse?: fn}
const peerCase = (lib, id, build) => {
  try {
    const { payload, expect } = build();
    cases.push({ lib, dir: "peer->hutong", id, payload, expect });
  } catch (e) {
    cases.push({ lib, dir: "peer->hutong", id, harnessError: `peer threw: ${e.message}` });
  }
};
const genCase = (lib, id, request, read) =>
  cases.push({ lib, dir: "hutong->peer", id, request, read });

// promptparse: PromptPay AnyID (every proxy type), bill payment, TrueMoney, BOT barcode,
// slip verify; its EMVCo parser reads every EMVCo code `gen` writes.
{
  const pp = need("promptparse");
  const targets = {
    MSISDN: ["0812345678", "promptpay_mobile", "0066812345678"],
    NATID: ["1234567890123", "promptpay_national_id", "1234567890123"],
    EWALLETID: ["004999000123456", "promptpay_ewallet_id", "004999000123456"],
    BANKACC: ["0041234567890", "promptpay_bank_account", "0041234567890"],
  };
  for (const [type, [target, field, id]] of Object.entries(targets)) {
    for (const [ak, amount] of Object.entries(AMOUNTS)) {
      peerCase("promptparse", `anyid/${type}/${ak}`, () => ({
        payload: pp.generate.anyId({ type, target, amount: amount ? Number(amount) : undefined }),
        expect: {
          valid: true,
          network: "promptpay",
          currency_alpha: "THB",
          amount: dec(amount),
          "details.promptpay_id": id,
          [`details.${field}`]: id,
        },
      }));
    }
  }
  for (const [ak, amount] of Object.entries(AMOUNTS)) {
    peerCase("promptparse", `bill/${ak}`, () => ({
      payload: pp.generate.billPayment({
        billerId: "010554610710901",
        amount: amount ? Number(amount) : undefined,
        ref1: "INV0001",
        ref2: "CUST42",
      }),
      expect: {
        valid: true,
        network: "promptpay_bill",
        amount: dec(amount),
        currency_alpha: "THB",
        "details.biller_id": "010554610710901",
        "details.ref1": "INV0001",
        "details.ref2": "CUST42",
      },
    }));
    for (const [mk, message] of Object.entries({ ascii: "thanks", thai: "ขอบคุณ", cjk: "谢谢" })) {
      peerCase("promptparse", `truemoney/${ak}/${mk}`, () => ({
        payload: pp.generate.trueMoney({
          mobileNo: "0812345678",
          amount: amount ? Number(amount) : undefined,
          message,
        }),
        expect: {
          valid: true,
          network: "truemoney",
          amount: dec(amount),
          currency_alpha: "THB",
          "details.ewallet_id": "140000812345678",
          note: message,
        },
      }));
    }
    peerCase("promptparse", `bot_barcode/${ak}`, () => ({
      payload: pp.generate.botBarcode({
        billerId: "099400016550100",
        ref1: "123456789012",
        ref2: "670429",
        amount: amount ? Number(amount) : null,
      }),
      expect: {
        valid: true,
        network: "th_bot_barcode",
        amount: dec(amount),
        "details.biller_id": "099400016550100",
        "details.ref1": "123456789012",
        "details.ref2": "670429",
      },
    }));
  }
  peerCase("promptparse", "slip_verify", () => ({
    payload: pp.generate.slipVerify({ sendingBank: "002", transRef: "0002123123121200011" }),
    expect: {
      network: "th_slip_verify",
      "details.sending_bank": "002",
      "details.trans_ref": "0002123123121200011",
    },
  }));
}

// promptpay-qr: PromptPay AnyID by phone, national ID, e-wallet.
{
  const gen = need("promptpay-qr");
  const ids = {
    phone: ["0812345678", "0066812345678"],
    national_id: ["1234567890123", "1234567890123"],
    ewallet: ["004999000123456", "004999000123456"],
  };
  for (const [kind, [input, id]] of Object.entries(ids)) {
    for (const [ak, amount] of Object.entries(AMOUNTS)) {
      peerCase("promptpay-qr", `${kind}/${ak}`, () => ({
        payload: gen(input, amount ? { amount: Number(amount) } : {}),
        expect: {
          valid: true,
          network: "promptpay",
          amount: dec(amount),
          currency_alpha: "THB",
          "details.promptpay_id": id,
        },
      }));
    }
  }
}

// pix-utils: static Pix with every key kind, names ASCII / accented / CJK; dynamic Pix.
const pixUtils = need("pix-utils");
{
  const keys = {
    email: "qa.test@example.com",
    phone: "+5511999998888",
    cpf: "12345678909",
    evp: "123e4567-e12b-12d1-a456-426655440000",
  };
  for (const [kk, pixKey] of Object.entries(keys)) {
    for (const [nk, name] of Object.entries(NAMES)) {
      for (const [ak, amount] of Object.entries(AMOUNTS)) {
        peerCase("pix-utils", `static/${kk}/${nk}/${ak}`, () => {
          const pix = pixUtils.createStaticPix({
            merchantName: name,
            merchantCity: CITIES[nk],
            pixKey,
            transactionAmount: amount ? Number(amount) : 0,
            txid: ak === "none" ? "***" : "QA12345",
            infoAdicional: nk === "ascii" ? "pedido 42" : undefined,
          });
          if (pixUtils.hasError(pix)) throw new Error(JSON.stringify(pix));
          const payload = pix.toBRCode();
          // The peer transliterates names; compare with what it wrote, read by its own parser.
          const own = pixUtils.parsePix(payload);
          return {
            payload,
            expect: {
              valid: true,
              network: "pix",
              static_or_dynamic: "static",
              currency_alpha: "BRL",
              amount: dec(amount),
              merchant_name: own.merchantName,
              merchant_city: own.merchantCity,
              "details.pix_key": pixKey,
              "details.txid": own.txid,
            },
          };
        });
      }
    }
  }
  peerCase("pix-utils", "dynamic", () => {
    const payload = pixUtils
      .createDynamicPix({
        merchantName: NAMES.ascii,
        merchantCity: "SAO PAULO",
        url: "pix.example.com/qr/v2/9d36b84fc70b478fb95c12729b90ca25",
      })
      .toBRCode();
    return {
      payload,
      expect: {
        valid: true,
        network: "pix",
        static_or_dynamic: "dynamic",
        merchant_name: NAMES.ascii,
        "details.url": "pix.example.com/qr/v2/9d36b84fc70b478fb95c12729b90ca25",
      },
    };
  });
}

// vietnam-qr-pay: VietQR by account and by card, VNPAY merchant codes.
const vqr = need("vietnam-qr-pay");
{
  const accounts = { account: ["970422", "0123456789"], long: ["970415", "113366668888"] };
  for (const [kk, [bankBin, bankNumber]] of Object.entries(accounts)) {
    for (const [ak, amount] of Object.entries({ none: null, one: "1", large: "50000000" })) {
      for (const [pk, purpose] of Object.entries({ none: undefined, ascii: "Chuyen tien" })) {
        peerCase("vietnam-qr-pay", `vietqr/${kk}/${ak}/${pk}`, () => {
          const q = vqr.QRPay.initVietQR({
            bankBin,
            bankNumber,
            amount: amount ?? undefined,
            purpose,
          });
          return {
            payload: q.build(),
            expect: {
              valid: true,
              network: "vietqr",
              currency_alpha: "VND",
              amount: dec(amount),
              "details.bank_bin": bankBin,
              "details.account": bankNumber,
              note: purpose ?? null,
            },
          };
        });
      }
    }
  }
  for (const [ak, amount] of Object.entries({ none: null, large: "21090000" })) {
    peerCase("vietnam-qr-pay", `vnpay/${ak}`, () => {
      const q = vqr.QRPay.initVNPayQR({
        merchantId: "0102154778",
        merchantName: "TUGIACOMPANY",
        store: "TU GIA COMPUTER",
        terminal: "TUGIACO1",
        amount: amount ?? undefined,
      });
      return {
        payload: q.build(),
        expect: {
          valid: true,
          network: "vnpay",
          amount: dec(amount),
          currency_alpha: "VND",
          merchant_name: "TUGIACOMPANY",
          "details.merchant_code": "0102154778",
        },
      };
    });
  }
}

// bakong-khqr: individual and merchant KHQR, KHR and USD.
{
  const { BakongKHQR, khqrData, IndividualInfo, MerchantInfo } = need("bakong-khqr");
  const khqr = new BakongKHQR();
  const currencies = { KHR: khqrData.currency.khr, USD: khqrData.currency.usd };
  for (const [ck, currency] of Object.entries(currencies)) {
    for (const [ak, amount] of Object.entries({ none: null, min: ck === "USD" ? "0.01" : "100", large: ck === "USD" ? "9999.99" : "5000000" })) {
      for (const [nk, name] of Object.entries({ ascii: "QA Test Shop", accented: "Café Genève" })) {
        const optional = amount
          ? { currency, amount: Number(amount), expirationTimestamp: Date.now() + 10 * 60 * 1000 }
          : { currency };
        peerCase("bakong-khqr", `individual/${ck}/${ak}/${nk}`, () => {
          const r = khqr.generateIndividual(
            // (account, name, city, optional) in this version; its README shows an older order.
            new IndividualInfo("qa_test@devb", name, "Phnom Penh", optional),
          );
          if (!r.data) throw new Error(JSON.stringify(r.status));
          return {
            payload: r.data.qr,
            expect: {
              valid: true,
              network: "khqr",
              currency_alpha: ck,
              amount: dec(amount),
              merchant_name: name,
              merchant_city: "Phnom Penh",
              "details.bakong_account_id": "qa_test@devb",
            },
          };
        });
        peerCase("bakong-khqr", `merchant/${ck}/${ak}/${nk}`, () => {
          const r = khqr.generateMerchant(
            new MerchantInfo("qa_shop@devb", name, "Siem Reap", "1243546472", "DEVBKKHPXXX", optional),
          );
          if (!r.data) throw new Error(JSON.stringify(r.status));
          return {
            payload: r.data.qr,
            expect: {
              valid: true,
              network: "khqr",
              currency_alpha: ck,
              amount: dec(amount),
              merchant_name: name,
              merchant_city: "Siem Reap",
              "details.bakong_account_id": "qa_shop@devb",
            },
          };
        });
      }
    }
  }
}

// bip21: addresses of every kind, amounts, labels and messages in three scripts.
const bip21 = need("bip21");
{
  const addrs = {
    p2pkh: "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH",
    p2sh: "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    p2wpkh: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
  };
  for (const [kk, address] of Object.entries(addrs)) {
    for (const [ak, amount] of Object.entries({ none: null, sat: "0.00000001", min: "0.01", large: "20999999.9769" })) {
      for (const [nk, label] of Object.entries(NAMES)) {
        peerCase("bip21", `${kk}/${ak}/${nk}`, () => {
          const options = { label, message: `msg ${nk} ${label}` };
          if (amount) options.amount = Number(amount);
          const payload = bip21.encode(address, options);
          const own = bip21.decode(payload);
          return {
            payload,
            expect: {
              valid: true,
              network: "bip21",
              currency_alpha: "BTC",
              amount: amount ? dec(amount) : null,
              merchant_name: own.options.label,
              note: own.options.message,
              "details.address": address,
            },
          };
        });
      }
    }
  }
}

// bolt11: signed invoices with a payment hash and secret, amounts, descriptions.
const bolt11 = need("bolt11");
{
  // A throwaway key made here, never a real node's.
  const key = crypto.createHash("sha256").update("hutong differential tests").digest("hex");
  const hash = (s) => crypto.createHash("sha256").update(s).digest("hex");
  const amounts = { none: null, msat: "1", sat: "1000", large: "2100000000000" };
  for (const [ak, msat] of Object.entries(amounts)) {
    for (const [dk, description] of Object.entries({ ascii: "coffee", accented: "café crème", cjk: "咖啡" })) {
      for (const withSecret of [true, false]) {
        peerCase("bolt11", `${ak}/${dk}/${withSecret ? "secret" : "no_secret"}`, () => {
          const tags = [
            { tagName: "payment_hash", data: hash(`hash ${ak} ${dk}`) },
            { tagName: "description", data: description },
            { tagName: "expire_time", data: 3600 },
          ];
          if (withSecret) {
            tags.push({ tagName: "payment_secret", data: hash(`secret ${ak} ${dk}`) });
            // var_onion_optin (8) and payment_secret (14) required, as BOLT #9 asks today.
            tags.push({
              tagName: "feature_bits",
              data: {
                word_length: 4,
                var_onion_optin: { required: true, supported: true },
                payment_secret: { required: true, supported: true },
              },
            });
          }
          const req = { network: { bech32: "bc", pubKeyHash: 0, scriptHash: 5, validWitnessVersions: [0, 1] }, timestamp: 1700000000, tags };
          if (msat) req.millisatoshis = msat;
          const payload = bolt11.sign(bolt11.encode(req, false), key).paymentRequest;
          const own = bolt11.decode(payload);
          return {
            payload,
            expect: {
              valid: true,
              network: "lightning_bolt11",
              "details.amount_msat": own.millisatoshis ?? null,
              "details.payment_hash": hash(`hash ${ak} ${dk}`),
              "details.payment_secret": withSecret ? hash(`secret ${ak} ${dk}`) : null,
              "details.description": description,
              note: description,
            },
          };
        });
      }
    }
  }
}

// @chewhx/paynowqr: PayNow to a UEN, amounts, editable or not, reference, company.
{
  const PaynowQR = need("@chewhx/paynowqr").default;
  for (const [ak, amount] of Object.entries({ none: null, min: "0.01", large: "99999.99" })) {
    for (const editable of [false, true]) {
      peerCase("@chewhx/paynowqr", `uen/${ak}/${editable ? "editable" : "fixed"}`, () => {
        const opts = { uen: "201403121W", editable, expiry: "20991231", refNumber: "TQINV-10001", company: "ACME Pte Ltd." };
        if (amount) opts.amount = Number(amount);
        return {
          payload: new PaynowQR(opts).output(),
          expect: {
            valid: true,
            network: "paynow",
            currency_alpha: "SGD",
            amount: dec(amount),
            "details.proxy_value": "201403121W",
            // Without an amount the payer must type one: the peer then writes "editable" itself.
            "details.amount_editable": editable || !amount ? "1" : "0",
            "details.expiry": "20991231",
            "details.reference": "TQINV-10001",
          },
        };
      });
    }
  }
}

// swissqrbill: QR-bill with QR reference, creditor reference, no reference; CHF and EUR.
{
  const { generateQRData } = require(path.join(args.modules, "swissqrbill/lib/cjs/shared/qr-code.cjs"));
  const creditor = (name, city) => ({
    account: "CH4431999123000889012",
    name,
    address: "Musterstrasse",
    buildingNumber: 7,
    zip: 8000,
    city,
    country: "CH",
  });
  const refs = {
    qrr: ["CH4431999123000889012", "210000000003139471430009017", "QRR"],
    scor: ["CH5800791123000889012", "RF18539007547034", "SCOR"],
    non: ["CH5800791123000889012", undefined, "NON"],
  };
  for (const [rk, [account, reference, type]] of Object.entries(refs)) {
    for (const [nk, name] of Object.entries({ ascii: "Robert Schneider AG", accented: "Café Müller Genève" })) {
      for (const [ak, amount] of Object.entries({ none: null, min: "0.01", large: "999999999.99" })) {
        for (const currency of ["CHF", "EUR"]) {
          peerCase("swissqrbill", `${rk}/${nk}/${ak}/${currency}`, () => {
            const data = { currency, creditor: { ...creditor(name, "Zürich"), account }, message: "Rechnung 42" };
            if (amount) data.amount = Number(amount);
            if (reference) data.reference = reference;
            return {
              payload: generateQRData(data),
              expect: {
                valid: true,
                network: "swiss_qr_bill",
                currency_alpha: currency,
                amount: dec(amount),
                merchant_name: name,
                merchant_city: "Zürich",
                note: "Rechnung 42",
                "details.account": account,
                "details.reference_type": type,
                "details.reference": reference ?? "",
              },
            };
          });
        }
      }
    }
  }
}

// Cases made by the Python peers (tests/peers/peers_py.py), when given.
const extraVersions = {};
let extraRuntime = null;
if (args.extra) {
  const extra = JSON.parse(fs.readFileSync(path.resolve(args.extra), "utf8"));
  Object.assign(extraVersions, extra.versions);
  extraRuntime = extra.runtime;
  cases.push(...extra.cases);
}

// ------------------------------------------------ hutong gen -> peers parse

const GEN_NAMES = { ascii: ["QA TEST SHOP", "BANGKOK"], accented: ["CAFE SAO JOSE", "SAO PAULO"], cjk: ["测试商店", "北京"] };
{
  const pp = need("promptparse");
  // promptparse reads every EMVCo code gen writes; strict = CRC checked first.
  for (const network of ["emvco_mpm", "pix", "promptpay", "paynow", "vietqr", "qris"]) {
    for (const [ak, amount] of Object.entries({ none: null, min: network === "vietqr" ? "1" : "0.01", large: network === "vietqr" ? "50000000" : "99999.99" })) {
      for (const [nk, [name, city]] of Object.entries(GEN_NAMES)) {
        genCase("promptparse", `${network}/${ak}/${nk}`, { network, amount, seed: 7, merchant_name: name, merchant_city: city }, (payload) => {
          // Strict first (CRC checked), then lenient so the fields are still compared.
          const strict = pp.parse(payload, true, true);
          const qr = strict ?? pp.parse(payload, false, true);
          if (!qr) return { _parsed: false };
          return {
            _parsed: true,
            crc: strict ? "valid" : "refused",
            amount: dec(qr.getTagValue("54") ?? null),
            merchant_name: qr.getTagValue("59") ?? null,
            merchant_city: qr.getTagValue("60") ?? null,
            // The payee's id as the peer reads the template, against what identify reported.
            ...(network === "promptpay" ? { "details.promptpay_id": qr.getTagValue("29", "01") ?? null } : {}),
            ...(network === "pix" ? { "details.pix_key": qr.getTagValue("26", "01") ?? null } : {}),
            ...(network === "paynow" ? { "details.proxy_value": qr.getTagValue("26", "02") ?? null } : {}),
          };
        });
      }
    }
  }
  for (const [ak, amount] of Object.entries({ none: null, min: "0.01", large: "99999.99" })) {
    genCase("pix-utils", `pix/${ak}`, { network: "pix", amount, seed: 11, merchant_name: "QA TEST SHOP", merchant_city: "SAO PAULO" }, (payload) => {
      const p = pixUtils.parsePix(payload);
      if (pixUtils.hasError(p)) return { _parsed: false, _error: p.message };
      return {
        _parsed: true,
        amount: dec(p.transactionAmount ? p.transactionAmount.toFixed(2) : null),
        merchant_name: p.merchantName,
        merchant_city: p.merchantCity,
        "details.pix_key": p.pixKey ?? null,
      };
    });
    // VND has no minor unit.
    const vnd = { none: null, min: "1", large: "50000000" }[ak];
    genCase("vietnam-qr-pay", `vietqr/${ak}`, { network: "vietqr", amount: vnd, seed: 13, merchant_name: "QA TEST SHOP", merchant_city: "HANOI" }, (payload) => {
      const q = new vqr.QRPay(payload);
      return {
        _parsed: q.isValid,
        amount: dec(q.amount ?? null),
        merchant_name: q.merchant?.name ?? null,
        "details.bank_bin": q.consumer?.bankBin ?? null,
        "details.account": q.consumer?.bankNumber ?? null,
      };
    });
    genCase("bip21", `bip21/${ak}`, { network: "bip21", amount, seed: 17 }, (payload) => {
      const d = bip21.decode(payload);
      return {
        _parsed: true,
        amount: d.options.amount === undefined ? null : dec(String(d.options.amount)),
        "details.address": d.address,
      };
    });
  }
}

// ---------------------------------------------------------------- run hutong

function runQa(subcommand, lines) {
  const r = spawnSync(args.qa, [subcommand, "--jsonl"], {
    input: lines.join("\n") + "\n",
    encoding: "utf8",
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`hutong-qa ${subcommand} --jsonl failed: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

const peerCases = cases.filter((c) => c.dir === "peer->hutong" && !c.harnessError);
const identified = runQa("identify", peerCases.map((c) => JSON.stringify(c.payload)));
if (identified.length !== peerCases.length) throw new Error("identify answered a different number of lines");
peerCases.forEach((c, i) => (c.hutong = identified[i]));

const genCases = cases.filter((c) => c.dir === "hutong->peer");
const generated = runQa("gen", genCases.map((c) => JSON.stringify(c.request)));
if (generated.length !== genCases.length) throw new Error("gen answered a different number of lines");
genCases.forEach((c, i) => (c.gen = generated[i]));

// ---------------------------------------------------------------- compare

function field(obj, dotted) {
  if (dotted.startsWith("details.")) return obj.details?.[dotted.slice(8)] ?? null;
  return obj[dotted] ?? null;
}

const norm = (k, v) => (v === null || v === undefined ? null : k === "amount" ? dec(v) : String(v));

for (const c of cases) {
  c.disagreements = [];
  if (c.harnessError) continue;
  if (c.dir === "peer->hutong") {
    for (const [k, want] of Object.entries(c.expect)) {
      const got = norm(k, field(c.hutong, k));
      const exp = norm(k, want);
      if (got !== exp) c.disagreements.push({ field: k, peer: exp, hutong: got, hutong_error: c.hutong.error ?? null });
    }
  } else {
    if (c.gen.error) {
      c.harnessError = `gen refused the request: ${c.gen.error}`;
      continue;
    }
    let read;
    try {
      read = c.read(c.gen.payload);
    } catch (e) {
      read = { _parsed: false, _error: e.message };
    }
    if (!read._parsed) {
      c.disagreements.push({ field: "_parsed", peer: read._error ?? "refused", hutong: "valid" });
      continue;
    }
    const asked = {
      amount: c.request.amount ?? null,
      merchant_name: c.request.merchant_name,
      merchant_city: c.request.merchant_city,
      crc: "valid", // gen writes a correct CRC, or identify (run by gen) would refuse it
    };
    for (const [k, got] of Object.entries(read)) {
      if (k.startsWith("_")) continue;
      const want = k.startsWith("details.") ? field(c.gen.identified, k) : asked[k];
      if (norm(k, got) !== norm(k, want)) c.disagreements.push({ field: k, peer: norm(k, got), hutong: norm(k, want) });
    }
  }
}

// ---------------------------------------------------------------- exceptions

const exceptions = JSON.parse(fs.readFileSync(args.exceptions, "utf8")).exceptions;
const used = new Set();
// `field: "*"` explains every field of a case that Hutong refuses with an error matching
// `hutong_error` (a regex): the peer wrote something the spec forbids, so nothing else is read.
const explain = (c, d) =>
  exceptions.find((x) => {
    const hit =
      x.library === c.lib &&
      x.direction === c.dir &&
      (x.field === d.field || (x.field === "*" && c.hutong?.valid === false)) &&
      new RegExp(x.case).test(c.id) &&
      (x.hutong_error === undefined || new RegExp(x.hutong_error).test(c.hutong?.error ?? "")) &&
      (x.peer === undefined || x.peer === d.peer) &&
      (x.hutong === undefined || x.hutong === d.hutong);
    if (hit) used.add(x.id);
    return hit;
  });

const libs = {};
const unexplained = [];
for (const c of cases) {
  const row = (libs[c.lib] ??= {
    library: c.lib,
    version: extraVersions[c.lib] ?? pkgVersion(c.lib),
    payloads: 0,
    agreed: 0,
    explained: 0,
    failures: 0,
  });
  row.payloads += 1;
  if (c.harnessError) {
    row.failures += 1;
    unexplained.push({ lib: c.lib, dir: c.dir, case: c.id, error: c.harnessError });
    continue;
  }
  if (c.disagreements.length === 0) {
    row.agreed += 1;
    continue;
  }
  const open = c.disagreements.filter((d) => {
    const x = explain(c, d);
    if (x) d.exception = x.id;
    return !x;
  });
  if (open.length === 0) row.explained += 1;
  else {
    row.failures += 1;
    unexplained.push({ lib: c.lib, dir: c.dir, case: c.id, payload: c.payload ?? c.gen?.payload, disagreements: open });
  }
}

const report = {
  runtime: [`node ${process.version}`, extraRuntime].filter(Boolean).join(", "),
  libraries: Object.values(libs),
  unexplained,
  unused_exceptions: exceptions.filter((x) => !used.has(x.id)).map((x) => x.id),
  explained: cases
    .filter((c) => c.disagreements?.some((d) => d.exception))
    .map((c) => ({ lib: c.lib, case: c.id, disagreements: c.disagreements })),
};
fs.writeFileSync(args.out, JSON.stringify(report, null, 2));
