#!/usr/bin/env python3
"""tests/headless_check.py TMP SHARED - checks the files tests/test_headless.sh wrote into TMP.

Only Python's standard library is used (numpy and jsonschema may be missing on CI): .npy files
are parsed by hand (magic, header dict, little-endian data), .npz through zipfile (which checks
every member's CRC32). Prints PASS:/FAIL:/SKIP: lines; exits 1 when anything failed."""
import json
import math
import os
import re
import sys

TMP, SHARED = sys.argv[1], sys.argv[2]
failed = 0


def ok(name, cond, why=""):
    global failed
    if cond:
        print("PASS: headless: " + name)
    else:
        failed = 1
        print("FAIL: headless: %s: %s" % (name, str(why)[:300]))
    return cond


def load(name):
    """The JSON a run printed, or None (with a FAIL) when it did not succeed."""
    rc = open(os.path.join(TMP, name + ".rc")).read().strip()
    err = open(os.path.join(TMP, name + ".err"), "rb").read().decode("utf-8", "replace")
    if not ok(name + ": exit 0, nothing on stderr", rc == "0" and not err, "exit %s: %s" % (rc, err)):
        return None
    try:
        return json.loads(open(os.path.join(TMP, name), "rb").read().decode("utf-8"))
    except Exception as e:  # not JSON, or not UTF-8
        ok(name + ": valid JSON in UTF-8", False, e)
        return None


def token_objects(v):
    """Every token object anywhere in a report: a dict with an id and a text."""
    if isinstance(v, dict):
        if "id" in v and "text" in v:
            yield v
        for x in v.values():
            yield from token_objects(x)
    elif isinstance(v, list):
        for x in v:
            yield from token_objects(x)


def logprob_close(lp, p):
    # logprob = ln prob: both are printed from doubles that round-trip (cJSON's %.17g), so
    # ln(prob) recomputed here differs by double rounding only; 1e-6 relative (the issue's
    # bound), with a 1e-12 floor for logprob near 0 (prob near 1), where relative error is
    # dominated by prob's last bit (1e-16).
    return p > 0 and abs(math.log(p) - lp) <= 1e-6 * max(abs(lp), 1e-6)


def check_bytes(name, rep):
    toks = list(token_objects(rep))
    bad = [t for t in toks if not (isinstance(t.get("bytes"), list) and all(isinstance(x, int) and 0 <= x <= 255 for x in t["bytes"]))]
    ok(name + ": every token object has bytes (0..255)", toks and not bad, bad[:1])
    wrong = []
    for t in toks:
        raw = bytes(t["bytes"])
        if t.get("control"):
            continue
        try:
            want = raw.decode("utf-8")
            if t["text"] != want and raw:
                wrong.append(t)
        except UnicodeDecodeError:   # a partial character: U+FFFD, never a \xNN label
            if "\ufffd" not in t["text"] or "\\x" in t["text"]:
                wrong.append(t)
    ok(name + ": text is the bytes as UTF-8, U+FFFD for a partial character", not wrong, wrong[:1])


def check_generated(name, rep, tau, n_gen, k):
    pr = rep["prompts"][0]
    g = pr.get("generated")
    if not ok(name + ": generated.tokens has one object per id", g and len(g["tokens"]) == len(g["ids"]) == n_gen and
              [t["id"] for t in g["tokens"]] == g["ids"], g and {x: g[x] for x in ("ids",)}):
        return None
    T = pr["T"]
    need = ["position", "id", "text", "bytes", "prob", "logprob", "loss", "rank", "sampler_prob", "expected"]
    if tau not in (0, 1):
        need += ["prob_at_temperature", "logprob_at_temperature"]
    miss = [(i, f) for i, t in enumerate(g["tokens"]) for f in need if f not in t]
    ok(name + ": every generated token has " + ", ".join(need), not miss, miss[:3])
    ok(name + ": positions follow the prompt", [t["position"] for t in g["tokens"]] == list(range(T, T + n_gen)))
    ok(name + ": logprob = ln prob within 1e-6 (prompt and generated tokens)",
       all(logprob_close(t["logprob"], t["prob"]) for t in pr["tokens"][1:] + g["tokens"]) and
       all(logprob_close(t["logprob_at_temperature"], t["prob_at_temperature"]) for t in g["tokens"] if tau not in (0, 1)))
    ok(name + ": %d alternatives each, best first, the token's rank among them" % k,
       all(len(t["expected"]) == k and all(a["prob"] >= b["prob"] for a, b in zip(t["expected"], t["expected"][1:])) and
           (t["rank"] > k or t["expected"][t["rank"] - 1]["id"] == t["id"]) for t in g["tokens"]))
    # before and after the temperature, from the alternatives' logits alone: ln(p_a/p_b) is
    # (logit_a - logit_b) at temperature 1 and that over tau after it; 1e-4 absolute on
    # log-ratios of a few nats, for logits printed from floats (7 digits)
    if tau not in (0, 1):
        bad = []
        for t in g["tokens"]:
            a, b = t["expected"][0], t["expected"][1]
            d = a["logit"] - b["logit"]
            if abs(math.log(a["prob"] / b["prob"]) - d) > 1e-4 or abs(math.log(a["prob_at_temperature"] / b["prob_at_temperature"]) - d / tau) > 1e-4:
                bad.append(t["position"])
        ok(name + ": prob is before the temperature, prob_at_temperature after it", not bad, bad)
    return g


def main():
    version = open(os.path.join(TMP, "version.txt")).read().split("\n")[0].split(" ")[1]
    ref = json.load(open(os.path.join(SHARED, "models/stories260K/reference.json")))["prompts"][0]

    rep = load("s_greedy.json")
    if rep:
        ok("version and sampler head the JSON", list(rep)[:2] == ["version", "sampler"] and rep["version"] == version, list(rep)[:3])
        ok("greedy sampler object", rep["sampler"] == {"mode": "greedy", "temperature": 0, "top_p": 1, "top_k": 0, "seed": 1}, rep["sampler"])
        g = check_generated("stories260K greedy", rep, 0, 8, 5)
        if g:
            # reference.json's greedy continuation (PyTorch, independent of this program)
            ok("stories260K greedy: the reference's continuation, rank 1, sampler_prob 1",
               g["ids"] == ref["greedy_ids"][5:13] and all(t["rank"] == 1 and t["sampler_prob"] == 1 for t in g["tokens"]), g["ids"])
        pt = rep["prompts"][0]["tokens"]
        # the reference's teacher-forced probabilities (float32 PyTorch: 1e-5 relative)
        ok("stories260K: prompt token probs match reference.json",
           all(abs(t["prob"] - r["prob"]) <= 1e-5 * r["prob"] for t, r in zip(pt[1:], ref["next_token_probs"])))
        ok("stories260K: BOS is a control token with no bytes", pt[0]["text"] == "<s>" and pt[0]["bytes"] == [] and pt[0].get("control") is True, pt[0])
        # SentencePiece's dummy-prefix space is the first token's first byte
        ok("stories260K: prompt bytes concatenate to the prompt's UTF-8 (after the dummy-prefix space)",
           bytes(b for t in pt for b in t["bytes"]) == b" " + rep["prompts"][0]["text"].encode())
        check_bytes("stories260K greedy", rep)
        ok("stories260K: truncated_from is null when nothing was cut", rep["prompts"][0]["truncated_from"] is None)

    rep = load("s_temp.json")
    if rep:
        ok("sampled sampler object", rep["sampler"] == {"mode": "sample", "temperature": 0.8, "top_p": 1, "top_k": 0, "seed": 3}, rep["sampler"])
        g = check_generated("stories260K tau 0.8", rep, 0.8, 6, 5)
        # no cut: the sampler's probability is the tempered one (the draw uses float expf: 1e-5)
        if g:
            ok("stories260K tau 0.8: sampler_prob = prob_at_temperature without top-k/top-p",
               all(abs(t["sampler_prob"] - t["prob_at_temperature"]) <= 1e-5 * t["prob_at_temperature"] for t in g["tokens"]))

    rep = load("s_cut.json")
    if rep:
        ok("top-k/top-p sampler object", rep["sampler"] == {"mode": "sample", "temperature": 1, "top_p": 0.9, "top_k": 3, "seed": 9}, rep["sampler"])
        g = check_generated("stories260K top-k 3 top-p 0.9", rep, 1, 4, 3)
        if g:
            # the draw's list was cut: every drawn token is in the top 3, and its sampler
            # probability is at least its model probability (renormalised over fewer tokens)
            ok("stories260K top-k 3: drawn tokens rank <= 3, sampler_prob >= prob",
               all(t["rank"] <= 3 and t["sampler_prob"] >= t["prob"] * (1 - 1e-5) for t in g["tokens"]))

    rep = load("g_greedy.json")
    if rep:
        g = check_generated("gpt2-test-d64 greedy", rep, 0, 4, 5)
        if g:
            ok("gpt2-test-d64 greedy: each token is the argmax", all(t["rank"] == 1 and t["expected"][0]["id"] == t["id"] for t in g["tokens"]))
        pt = rep["prompts"][0]["tokens"]
        d64 = json.load(open(os.path.join(SHARED, "models/gpt2-test-d64/reference.json")))["prompts"][0]
        ok("gpt2-test-d64: ids as reference.json", [t["id"] for t in pt] == d64["ids"])

    rep = load("g_temp.json")
    if rep:
        check_generated("gpt2-test-d64 tau 0.7", rep, 0.7, 6, 4)
        pt = rep["prompts"][0]["tokens"]
        ok("gpt2-test-d64: prompt bytes concatenate to the prompt's UTF-8",
           bytes(b for t in pt for b in t["bytes"]) == "Hi 😀 café ☃".encode(), [t["bytes"] for t in pt])
        ok("gpt2-test-d64: the emoji is split across tokens (so the U+FFFD case is exercised)",
           any("\ufffd" in t["text"] for t in pt), [t["text"] for t in pt])
        check_bytes("gpt2-test-d64 tau 0.7 (with the logit lens)", rep)

    rep = load("s_k1000.json")
    if rep:
        ok("--top-k 1000 on V=512: top_k says 512, 512 came back", rep["top_k"] == 512 and len(rep["prompts"][0]["next"]) == 512,
           (rep["top_k"], len(rep["prompts"][0]["next"])))

    long_text = open(os.path.join(TMP, "long.txt")).read()
    for name, bos in (("s_trunc.json", True), ("g_trunc.json", False)):
        rep = load(name)
        if not rep:
            continue
        pr = rep["prompts"][0]
        ctx = rep["model"]["context"]
        ok(name + ": T is the context, truncated_from the whole prompt's count", pr["T"] == ctx and pr["truncated_from"] > ctx,
           (pr["T"], pr["truncated_from"]))
        if bos:
            ok(name + ": BOS kept first", pr["tokens"][0]["id"] == 1 and pr["tokens"][0]["control"])
        kept = bytes(b for t in pr["tokens"] for b in t["bytes"]).decode("utf-8", "replace")
        ok(name + ": text is the kept tokens' text, the end of the prompt",
           long_text.endswith(pr["text"].lstrip(" ")) and kept.strip(" ") == pr["text"].strip(" ") and len(pr["text"]) < len(long_text),
           pr["text"][:80])

    for name, flag in (("r_topp", "--top-p"), ("r_stopk", "--sample-top-k")):
        rc = open(os.path.join(TMP, name + ".rc")).read().strip()
        err = open(os.path.join(TMP, name + ".err")).read()
        ok(flag + " without --temperature is refused with what to do",
           rc == "2" and err.count("\n") == 1 and flag in err and "--temperature" in err and not os.path.getsize(os.path.join(TMP, name)),
           "exit %s: %s" % (rc, err))

    lines = open(os.path.join(TMP, "lines.txt"), "rb").read().split(b"\n")[:-1]
    for name, model in (("s_lines.jsonl", "stories260K"), ("g_lines.jsonl", "gpt2-test-d64")):
        rc = open(os.path.join(TMP, name + ".rc")).read().strip()
        err = open(os.path.join(TMP, name + ".err")).read()
        ok(name + ": exit 1 with one line naming the failed count", rc == "1" and err.count("\n") == 1 and "1 of 100" in err, "exit %s: %s" % (rc, err))
        try:
            objs = [json.loads(x) for x in open(os.path.join(TMP, name), "rb").read().decode("utf-8").split("\n")[:-1]]
        except Exception as e:
            ok(name + ": one JSON object per line", False, e)
            continue
        ok(name + ": 100 objects, line 1..100 in order", [o["line"] for o in objs] == list(range(1, 101)))
        good = [o for o in objs if "error" not in o]
        bad = [o for o in objs if "error" in o]
        ok(name + ": only line 50 failed, with its error on its own line", [o["line"] for o in bad] == [50] and "UTF-8" in bad[0]["error"], bad[:2])
        ok(name + ": each line is its own prompt's report", all(o["B"] == 1 and o["model"]["name"] == model and
           o["prompts"][0]["text"].encode() == lines[o["line"] - 1] for o in good))
        # Model_open's counter, printed on every line: 1 everywhere means one load for all 100
        ok(name + ": one model load for all 100 lines (model_loads is 1 on every line)", all(o["model_loads"] == 1 for o in good),
           sorted(set(o.get("model_loads") for o in good)))
    rc = open(os.path.join(TMP, "r_jsonl_p.rc")).read().strip()
    ok("--jsonl with --prompt TEXT is refused", rc == "2" and "--prompt-file" in open(os.path.join(TMP, "r_jsonl_p.err")).read())

    check_saves()
    check_schema()


def read_npy(data, name):
    """(shape, values as a flat list) of .npy bytes, parsed by hand (no numpy): the magic,
    version 1.0, the header dict, then little-endian <f4 or <i4 in C order."""
    import ast
    import struct
    if data[:6] != b"\x93NUMPY" or data[6:8] != b"\x01\x00":
        raise ValueError(name + ": not a version 1.0 .npy file")
    hl = struct.unpack("<H", data[8:10])[0]
    if (10 + hl) % 64:
        raise ValueError(name + ": header not padded to 64 bytes")
    head = ast.literal_eval(data[10:10 + hl].decode("latin1"))
    if head["fortran_order"] or head["descr"] not in ("<f4", "<i4"):
        raise ValueError(name + ": unexpected header %r" % head)
    shape = tuple(head["shape"])
    n = 1
    for d in shape:
        n *= d
    body = data[10 + hl:]
    if len(body) != 4 * n:
        raise ValueError(name + ": %d data bytes for shape %r" % (len(body), shape))
    return shape, list(struct.unpack("<%d%s" % (n, "f" if head["descr"] == "<f4" else "i"), body))


def at(shape, flat, *idx):
    o = 0
    for d, i in zip(shape, idx):
        o = o * d + i
    return flat[o]


def dump_values(text):
    """--dump's lines: {station number: [4 values]} from 'x[0,pos,:4] = [...]' under each
    station, and the LM head's top-3 logits."""
    vals, cur, top3 = {}, None, None
    for line in text.split("\n"):
        m = re.match(r"^\s*(\d(?:\.\d+(?:\.[a-z])?)?) ", line)
        if m:
            cur = m.group(1)
        m = re.search(r"\w+\[0,(\d+),:4\] = \[([^\]]*)\]", line)
        if m and cur:
            vals[cur] = (int(m.group(1)), [float(x) for x in m.group(2).replace(", ...", "").split(", ")])
        m = re.search(r"logits\[0,(\d+),:\] top 3 = (.*)$", line)
        if m:
            top3 = (int(m.group(1)), [float(x.rsplit(" ", 1)[1]) for x in m.group(2).split(", ")])
    return vals, top3


def check_saves():
    import zipfile
    d = os.path.join(TMP, "npy")
    print("SKIP: headless: numpy.load: numpy is not installed; .npy files are parsed by hand" if not have_numpy() else
          "PASS: headless: numpy is installed; .npy files are also read with numpy.load")
    rc = open(os.path.join(TMP, "s_save.txt.rc")).read().strip()
    if not ok("--save alone: exit 0, one 'saved' line per file", rc == "0" and open(os.path.join(TMP, "s_save.txt")).read().count("saved ") == 7,
              open(os.path.join(TMP, "s_save.txt.err")).read()):
        return
    arrs = {}
    for n in ("embed", "hid", "attn", "logits", "ids", "k", "mask"):
        try:
            arrs[n] = read_npy(open(os.path.join(d, n + ".npy"), "rb").read(), n)
        except Exception as e:
            ok(n + ".npy parses as NumPy 1.0", False, e)
            return
    ok(".npy shapes are the walk's: (B,T,D) (B,T,F) (B,h,T,T) (B,T,V) (B,T) (B,KV,T,d)",
       [arrs[n][0] for n in ("embed", "hid", "attn", "logits", "ids", "k", "mask")] ==
       [(1, 5, 64), (1, 5, 172), (1, 8, 5, 5), (1, 5, 512), (1, 5), (1, 4, 5, 8), (1, 8, 5, 5)], [arrs[n][0] for n in arrs])
    vals, top3 = dump_values(open(os.path.join(TMP, "s_dump.txt")).read())
    # --dump prints 4 decimals: agreement within 5e-5 (half its last digit) plus float rounding
    for st, n in (("1", "embed"), ("3.1.j", "hid")):
        pos, want = vals.get(st, (None, []))
        got = [at(arrs[n][0], arrs[n][1], 0, pos, i) for i in range(4)] if pos is not None else []
        ok("%s.npy = --dump's x[0,%s,:4] at %s" % (n, pos, st), want and all(abs(a - b) <= 5.01e-5 for a, b in zip(got, want)), (got, want))
    if top3:
        row = [at(arrs["logits"][0], arrs["logits"][1], 0, top3[0], i) for i in range(512)]
        got = sorted(row, reverse=True)[:3]
        # the dump prints 3 decimals
        ok("logits.npy's top 3 at the last position = --dump's", all(abs(a - b) <= 5.01e-4 for a, b in zip(got, top3[1])), (got, top3))
    rep = load("s_greedy.json")
    if rep:
        ok("ids.npy = the JSON's token ids", arrs["ids"][1] == [t["id"] for t in rep["prompts"][0]["tokens"]][:5])
    shape, a = arrs["attn"]
    rows_ok = all(abs(sum(at(shape, a, 0, h, i, j) for j in range(5)) - 1) < 1e-5 and all(at(shape, a, 0, h, i, j) == 0 for j in range(i + 1, 5))
                  for h in range(8) for i in range(5))
    ok("attn.npy (3.2.f): every row sums to 1, nothing above the diagonal", rows_ok)
    shape, mk = arrs["mask"]
    ok("mask.npy (3.1.e): -inf above the diagonal, finite scores on and below",
       all((at(shape, mk, 0, h, i, j) == -math.inf) == (j > i) for h in range(8) for i in range(5) for j in range(5)))

    for name, npz, model in (("s_save.json", "s_all.npz", "stories260K"), ("g_save.json", "g_all.npz", "gpt2-test-d64")):
        rep = load(name)
        if not rep:
            continue
        try:
            z = zipfile.ZipFile(os.path.join(d, npz))
            bad = z.testzip()   # reads every member and checks its CRC-32
            members = {i.filename: i for i in z.infolist()}
        except Exception as e:
            ok(npz + ": a valid ZIP", False, e)
            continue
        ok(npz + ": a ZIP whose members' CRC-32 all check, stored uncompressed", bad is None and all(i.compress_type == 0 for i in members.values()), bad)
        saved = rep.get("saved", [{}])[0].get("arrays", [])
        ok(npz + ": the JSON's saved list names every member", sorted(a["name"] + ".npy" for a in saved) == sorted(members), (len(saved), len(members)))
        L = rep["model"]["L"]
        steps = "abcdefghijk" if model == "stories260K" else "abdefghijk"   # GPT-2 has no rotary step 3.l.c
        want = {"0", "1", "2", "4", "5", "6"} | {"3.%d" % (l + 1) for l in range(L)} | {"3.%d.%s" % (l + 1, s) for l in range(L) for s in steps}
        have = {m[:-4].rsplit(".", 1)[0] if re.search(r"\.[a-k]\.[a-zA-Z]+\.npy$", m) else m[:-4] for m in members}
        ok(npz + ": every station the walk can jump to but 7 (" + str(len(want)) + ")", have == want, sorted(want ^ have))
        shapes_ok = True
        for a in saved:
            shp, _ = read_npy(z.read(a["name"] + ".npy"), a["name"])
            shapes_ok &= list(shp) == a["shape"]
        ok(npz + ": each member's shape is the one the JSON reports", shapes_ok)
        if model == "gpt2-test-d64":
            ref = json.load(open(os.path.join(SHARED, "models/gpt2-test-d64/reference.json")))["prompts"][0]
            shp, a = read_npy(z.read("3.1.f.npy"), "3.1.f")
            T = len(ref["ids"])
            # PyTorch's float32 attention probabilities: 1e-5 absolute on numbers in [0, 1]
            ok("g_all.npz 3.1.f [0,0] = reference.json's attention_layer0_head0",
               all(abs(at(shp, a, 0, 0, i, j) - ref["attention_layer0_head0"][i][j]) <= 1e-5 for i in range(T) for j in range(T)))
            shp, a = read_npy(z.read("3.1.npy"), "3.1")
            want8 = ref["hidden_after_block0_row0_first8"]
            # values of a few units, float32 sums over D=64: 1e-4 relative to the largest
            scale = max(abs(x) for x in want8)
            ok("g_all.npz 3.1 [0,0,:8] = reference.json's hidden_after_block0_row0_first8",
               all(abs(at(shp, a, 0, 0, i) - want8[i]) <= 1e-4 * scale for i in range(8)), [at(shp, a, 0, 0, i) for i in range(8)])
        else:
            # B=2, "Lily" is shorter: its padded positions are zeros (ids -1)
            shp, a = read_npy(z.read("0.npy"), "0")
            T2 = len(rep["prompts"][1]["tokens"])
            ok("s_all.npz: the shorter prompt's padding is -1 in the ids and 0 in the tensors",
               all(at(shp, a, 1, t) == -1 for t in range(T2, shp[1])) and
               all(v == 0 for v in read_npy(z.read("1.npy"), "1")[1][(shp[1] + T2) * 64:]))
        if have_numpy():
            import numpy as np
            got = np.load(os.path.join(d, npz))
            ok(npz + ": numpy.load reads it", got["3.1.f"].shape == tuple(next(a["shape"] for a in saved if a["name"] == "3.1.f")))

    for name, want in (("r_link", "symbolic link"), ("r_nodir", "folder exist"), ("r_station", "3.9.f"), ("r_next", "--save 7"),
                       ("r_allnpy", "--npz"), ("r_nofile", "--npy FILE")):
        rc = open(os.path.join(TMP, name + ".rc")).read().strip()
        err = open(os.path.join(TMP, name + ".err")).read()
        ok("refused with one line: " + name, rc in ("1", "2") and err.count("\n") == 1 and want in err and not os.path.getsize(os.path.join(TMP, name)),
           "exit %s: %s" % (rc, err))
    ok("the planted link's target is untouched, no stray files left", open(os.path.join(d, "target.txt")).read() == "keep\n" and
       os.path.islink(os.path.join(d, "link.npy")) and not [f for f in os.listdir(d) if ".tmp." in f], os.listdir(d))


# ---- docs/shapewalk.schema.json ----
# A small validator for the keywords the schema uses, so the check runs where the jsonschema
# module is missing; where it is installed, jsonschema validates as well. A keyword this
# validator does not know is a FAIL, so the schema cannot grow rules that go unchecked here.
CHECKED = {"$ref", "type", "required", "properties", "additionalProperties", "items", "enum", "const", "minimum", "maximum", "oneOf"}
ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description"}
TYPES = {"object": dict, "array": list, "string": str, "null": type(None), "boolean": bool}


def keywords(schema, path="#"):
    """Every (path, keyword) in the schema that is neither checked nor an annotation."""
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k in ("properties", "$defs"):
                for name, sub in v.items():
                    yield from keywords(sub, path + "/" + k + "/" + name)
            elif k not in CHECKED | ANNOTATIONS:
                yield (path, k)
            elif k in ("items", "additionalProperties"):
                yield from keywords(v, path + "/" + k)
            elif k == "oneOf":
                for i, sub in enumerate(v):
                    yield from keywords(sub, "%s/oneOf/%d" % (path, i))


def is_type(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


def validate(v, schema, root, path="$"):
    """The first error as a string, or None."""
    if "$ref" in schema:
        node = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        err = validate(v, node, root, path)
        if err:
            return err
    if "type" in schema:
        ts = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(is_type(v, t) for t in ts):
            return "%s: %r is not %s" % (path, v, "/".join(ts))
    if "enum" in schema and v not in schema["enum"]:
        return "%s: %r not in %r" % (path, v, schema["enum"])
    if "const" in schema and v != schema["const"]:
        return "%s: %r is not %r" % (path, v, schema["const"])
    if is_type(v, "number"):
        if "minimum" in schema and v < schema["minimum"]:
            return "%s: %r < %r" % (path, v, schema["minimum"])
        if "maximum" in schema and v > schema["maximum"]:
            return "%s: %r > %r" % (path, v, schema["maximum"])
    if isinstance(v, dict):
        for k in schema.get("required", []):
            if k not in v:
                return "%s: no %s" % (path, k)
        props = schema.get("properties", {})
        for k, x in v.items():
            if k in props:
                err = validate(x, props[k], root, path + "." + k)
                if err:
                    return err
            elif schema.get("additionalProperties") is False:
                return "%s: unexpected %s" % (path, k)
    if isinstance(v, list) and "items" in schema:
        for i, x in enumerate(v):
            err = validate(x, schema["items"], root, "%s[%d]" % (path, i))
            if err:
                return err
    if "oneOf" in schema:
        errs = [validate(v, sub, root, path) for sub in schema["oneOf"]]
        if sum(e is None for e in errs) != 1:
            return "%s: matches %d of oneOf (%s)" % (path, sum(e is None for e in errs), "; ".join(e for e in errs if e)[:200])
    return None


def check_schema():
    schema = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "shapewalk.schema.json")))
    unknown = list(keywords(schema))
    ok("schema: uses only keywords this check validates", not unknown, unknown[:5])
    docs = []
    for name in ("s_greedy.json", "s_temp.json", "s_cut.json", "g_greedy.json", "g_temp.json", "s_k1000.json", "s_trunc.json",
                 "g_trunc.json", "s_save.json", "g_save.json"):
        try:
            docs.append((name, json.load(open(os.path.join(TMP, name)))))
        except Exception:
            pass
    for name in ("s_lines.jsonl", "g_lines.jsonl"):
        for i, line in enumerate(open(os.path.join(TMP, name), encoding="utf-8")):
            docs.append(("%s line %d" % (name, i + 1), json.loads(line)))
    ok("schema: %d outputs to validate (every JSON run above and every --jsonl line)" % len(docs), len(docs) >= 210, len(docs))
    bad = [(n, validate(d, schema, schema)) for n, d in docs]
    bad = [b for b in bad if b[1]]
    ok("schema: every output validates (the check in tests/headless_check.py)", not bad, bad[:2])
    # the schema says something: outputs with a field removed or mistyped must fail
    g = json.loads(json.dumps(docs[1][1]))
    del g["prompts"][0]["generated"]["tokens"][0]["logprob"]
    t = json.loads(json.dumps(docs[0][1]))
    t["prompts"][0]["tokens"][1]["bytes"] = [300]
    u = json.loads(json.dumps(docs[0][1]))
    del u["sampler"]
    ok("schema: a missing logprob, a byte of 300 and a missing sampler are each refused",
       all(validate(x, schema, schema) for x in (g, t, u)))
    # the README's headless section and the man page name every field the schema describes
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    readme = open(os.path.join(here, "README.md"), encoding="utf-8").read()
    sec = readme[readme.index("## Without a terminal"):readme.index("All options: `./shapewalk --help`")]
    man = open(os.path.join(here, "shapewalk.1"), encoding="utf-8").read().replace("\\-", "-")
    fields = set()
    for d in ("report", "sampler", "token", "alternative", "prompt_token", "generated_token", "prompt", "saved_file", "line_error"):
        fields |= set(schema["$defs"][d].get("properties", {}))
    fields |= set(schema["$defs"]["prompt"]["properties"]["generated"]["properties"])
    ok("README's headless section names every schema field in backticks", all("`%s`" % f in sec for f in fields),
       [f for f in sorted(fields) if "`%s`" % f not in sec])
    ok("shapewalk.1 names every schema field", all(re.search(r"\b%s\b" % f, man) for f in fields),
       [f for f in sorted(fields) if not re.search(r"\b%s\b" % f, man)])
    ok("README shows an example of each: generated tokens, bytes, --truncate, --jsonl, --save/.npz, the schema",
       all(x in sec for x in ('"generated": {', '"bytes": [240]', '"truncated_from": 832', "--jsonl --prompt-file", "saved 3.2.f (1,8,5,5)",
                              "walk.npz", "docs/shapewalk.schema.json", '"sampler_prob"')))
    try:
        import jsonschema
    except ImportError:
        print("SKIP: headless: schema: the jsonschema module is not installed; validated by the check above only")
        return
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    bad = [(n, e.message) for n, d in docs for e in v.iter_errors(d)]
    ok("schema: jsonschema (Draft 2020-12) validates every output too", not bad, bad[:2])
    ok("schema: jsonschema refuses the three broken outputs", all(not v.is_valid(x) for x in (g, t, u)))


def have_numpy():
    try:
        import numpy  # noqa: F401
        return True
    except ImportError:
        return False


main()
sys.exit(failed)
