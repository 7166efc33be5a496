#!/usr/bin/env node
// make_bpe_pre_tokens.js - writes tests/data/bpe_pre_tokens.json: token ids of GPT-2's vocabulary
// (../shared/models/gpt2-tokenizer, the same ranks as tiktoken's "gpt2" encoding) under the
// pre-tokenizers of llama.cpp's GGUF BPE: "qwen2", "smollm", "llama-bpe", computed by an
// implementation independent of ours: the npm package tiktoken (Rust regex + Rust BPE, run as
// WebAssembly), given the pre-tokenizer's pattern. tests/test_tokenizer.c checks
// Tokenizer_from_bpe against these ids.
//
// Run it with the package installed OUTSIDE the repository:
//   mkdir -p /tmp/tiktok && (cd /tmp/tiktok && npm init -y && npm install tiktoken@1.0.22)
//   node tests/data/make_bpe_pre_tokens.js /tmp/tiktok > tests/data/bpe_pre_tokens.json
//
// The patterns are the ones llama.cpp applies (../shared/README.md): qwen2 and llama-bpe are one
// regex each (as tokenizer.json has them, with (?i:...)); smollm is two: every \p{N} alone first,
// then GPT-2's regex on each piece; the second stage here is tiktoken's own gpt2 encoding run on
// each piece the first stage gives (this script does only the first split, with a JavaScript
// /\p{N}/u regex). tiktoken, like llama.cpp's llama-bpe (ignore_merges), takes a piece that is
// itself a token as that token; for qwen2 and smollm llama.cpp always runs the merges, which on
// GPT-2's vocabulary gives the same ids (tiktoken's gpt2 encoding is GPT-2's encoder.py).
'use strict';
const path = require('path');
const tkdir = process.argv[2] || '/tmp/tiktok';
const { createRequire } = require('module');
const reqTk = createRequire(path.join(path.resolve(tkdir), 'package.json'));
const { Tiktoken } = reqTk('tiktoken/lite');
const gpt2 = reqTk('tiktoken/encoders/gpt2.json');

const QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const tk_gpt2 = new Tiktoken(gpt2.bpe_ranks, gpt2.special_tokens, gpt2.pat_str);
const tk_qwen2 = new Tiktoken(gpt2.bpe_ranks, gpt2.special_tokens, QWEN2);
const tk_llama3 = new Tiktoken(gpt2.bpe_ranks, gpt2.special_tokens, LLAMA3);

function smollm(text) {
    const out = [];
    let kept = 0;
    for (const m of text.matchAll(/\p{N}/gu)) {
        if (m.index > kept) out.push(...tk_gpt2.encode_ordinary(text.slice(kept, m.index)));
        out.push(...tk_gpt2.encode_ordinary(m[0]));
        kept = m.index + m[0].length;
    }
    if (kept < text.length) out.push(...tk_gpt2.encode_ordinary(text.slice(kept)));
    return out;
}

const cases = [
  "In 2024, 3 cats and 12 dogs met: it's a 'party'!",
  "Hello world! This is fun",
  "IT'S THEY'RE we'VE I'M you'LL he'D 'S's",
  "don't stop, can't won't shan't y'all",
  "line one\nline two\n\n  indented\r\nwindows\r\n",
  "trailing spaces   ",
  "   leading spaces",
  "a  \n  b\n \n c",
  "tab\tsep\t\tx \t y",
  "12345678901 and 1,000,000.50 and 3.14159",
  "x=1+2; y = f(3)*4 // comment\n",
  "H\u00e9llo w\u00f6rld caf\u00e9 na\u00efve",
  "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8123",
  "emoji \ud83d\ude00\ud83d\udc4d\ud83c\udffd ok",
  "?!... ---- ###\n\n\n",
  "\u0663\u0664\u0665 arabic digits \u00b2\u00bd",
  "\u216b roman numeral",
  "a\u00a0b\u2003c",
  " \n \n",
  "$100 for 2 items (50%) #1",
  "<|endoftext|> is text here",
  "    def f(x):\n        return x**2\n",
  "A1B2C3 a1 1a 11aa",
];

const out = [];
for (const text of cases) {
    out.push({ text,
               qwen2: Array.from(tk_qwen2.encode_ordinary(text)),
               smollm: smollm(text),
               'llama-bpe': Array.from(tk_llama3.encode_ordinary(text)) });
}
process.stdout.write('{"source":"tiktoken@1.0.22 (npm) with GPT-2\'s ranks and the pre-tokenizer patterns; node ' +
    process.version + '; written by tests/data/make_bpe_pre_tokens.js","cases":[\n' +
    out.map(c => JSON.stringify(c)).join(',\n') + '\n]}\n');
tk_gpt2.free(); tk_qwen2.free(); tk_llama3.free();
