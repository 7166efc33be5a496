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


main()
sys.exit(failed)
