// Generates ../vectors.jsonl: reference token ids for o200k_base and
// cl100k_base, produced by the npm "tiktoken" package (the WASM build of
// OpenAI's Rust tokenizer). The texts are deterministic: handwritten samples
// plus combinations drawn with a fixed-seed PRNG, so re-running the script
// reproduces the file byte for byte.
//
//   npm install --prefix /tmp/tkgen tiktoken@1.0.22
//   NODE_PATH=/tmp/tkgen/node_modules node gen.cjs > ../vectors.jsonl
//
// Each line: {"text", "o200k_base", "cl100k_base", "o200k_base_ids",
// "cl100k_base_ids"}. Special-token strings such as "<|endoftext|>" are
// encoded as ordinary text (allowed and disallowed special sets both empty),
// which is how the API treats message content.

"use strict";

const { get_encoding } = require("tiktoken");

const handwritten = [
  "",
  " ",
  "a",
  "Hello, world!",
  "hello world",
  "Hello world",
  "HELLO WORLD",
  "tiktoken is great!",
  "The quick brown fox jumps over the lazy dog.",
  "I'm sure you'll love it; they've said we'd try, and it's done.",
  "I'M SURE YOU'LL LOVE IT; THEY'VE SAID WE'D TRY.",
  "It\u2019s a typographic apostrophe, isn\u2019t it?",
  "don't DON'T Don'T dOn't",
  "antidisestablishmentarianism",
  "Supercalifragilisticexpialidocious!!!",
  "e.g. i.e. etc. Mr. Smith vs. Mrs. Jones",
  "Line one\nLine two\n\nLine four\n",
  "Windows\r\nline\r\nendings\r\n",
  "tabs\tand\t\tmore\t\t\ttabs",
  "trailing spaces   ",
  "   leading spaces",
  "                                                                ",
  "\n\n\n\n\n\n\n\n",
  " \n \n \n\t\n\r\n  \t  \n",
  "word \u00a0 nbsp\u2003em-space\u3000ideographic space",
  "12345678901234567890",
  "3.14159265358979323846",
  "1,000,000 and 1.000.000 and 1 000 000",
  "Order #A-10293 shipped on 2024-08-06T12:34:56Z for $1,299.99 (USD).",
  "+1 (555) 010-9999, ext. 42",
  "0x7fffffff 0b1010 1e-9 -42 +17",
  "https://example.com/path/to/page?utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale#top",
  "http://localhost:8080/api/v1/users/42?expand=orders,addresses",
  "mailto:hello@example.com",
  "Visit www.reachkit.dev or email support@reachkit.dev today!",
  "<p>Hello <b>world</b></p>",
  "<div class=\"hero\"><h1>Spring Sale \u2014 50% off!</h1><a href=\"https://shop.example.com/sale?ref=email\">Shop now \u2192</a></div>",
  "<table><tr><td style=\"padding:0;color:#333\">{{ first_name }}</td></tr></table>",
  "<!-- preheader -->Don't miss out: free shipping ends at midnight!",
  "\ud83d\ude00",
  "\ud83d\udc4d\ud83c\udffd",
  "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66",
  "\ud83c\udff3\ufe0f\u200d\ud83c\udf08",
  "\ud83d\udc69\ud83c\udffe\u200d\ud83d\udcbb \ud83e\uddd1\u200d\ud83d\ude80 \ud83d\udc41\ufe0f\u200d\ud83d\udde8\ufe0f",
  "\ud83c\uddfa\ud83c\uddf8\ud83c\uddef\ud83c\uddf5\ud83c\udde9\ud83c\uddea",
  "\ud83d\ude80\ud83d\ude80\ud83d\ude80 Launch day! \ud83c\udf89\ud83c\udf89",
  "1\ufe0f\u20e3 2\ufe0f\u20e3 #\ufe0f\u20e3",
  "\u2764\ufe0f\u2764\ufe0f\u2764\ufe0f",
  "\u4f60\u597d\uff0c\u4e16\u754c\uff01",
  "\u6211\u4eec\u7684\u65b0\u4ea7\u54c1\u4eca\u5929\u6b63\u5f0f\u4e0a\u5e02\uff0c\u6b22\u8fce\u5927\u5bb6\u8d2d\u4e70\u3002",
  "\u6625\u5b63\u4fc3\u9500\uff1a\u5168\u573a\u4e94\u6298\uff0c\u4ec5\u9650\u4eca\u5929\uff01",
  "\u6b61\u8fce\u4f86\u5230\u6211\u5011\u7684\u7db2\u7ad9\uff0c\u9019\u662f\u7e41\u9ad4\u4e2d\u6587\u3002",
  "\u81fa\u7063\u7684\u6703\u54e1\u8acb\u9ede\u64ca\u9019\u88e1\u9818\u53d6\u512a\u60e0\u5238\u3002",
  "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
  "\u0939\u092e\u093e\u0930\u0940 \u0928\u0908 \u0938\u0947\u0935\u093e \u0905\u092c \u0909\u092a\u0932\u092c\u094d\u0927 \u0939\u0948\u0964 \u0906\u091c \u0939\u0940 \u0938\u093e\u0907\u0928 \u0905\u092a \u0915\u0930\u0947\u0902!",
  "\u3053\u3093\u306b\u3061\u306f\u4e16\u754c",
  "\u65b0\u88fd\u54c1\u306e\u304a\u77e5\u3089\u305b\uff1a\u30ab\u30bf\u30ab\u30ca\u3068\u3072\u3089\u304c\u306a\u3068\u6f22\u5b57\u3002",
  "\uff8a\uff9d\uff76\uff78\uff76\uff80\uff76\uff85 \u30ab\u30bf\u30ab\u30ca",
  "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
  "\u0639\u0631\u0636 \u062e\u0627\u0635: \u062e\u0635\u0645 \u0665\u0660\u066a \u0639\u0644\u0649 \u062c\u0645\u064a\u0639 \u0627\u0644\u0645\u0646\u062a\u062c\u0627\u062a!",
  "\u0627\u0644\u0633\u0651\u064e\u0644\u0627\u0645\u064f \u0639\u064e\u0644\u064e\u064a\u0652\u0643\u064f\u0645\u0652",
  "\uc548\ub155\ud558\uc138\uc694 \uc138\uacc4",
  "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440! \u042d\u0442\u043e \u0442\u0435\u0441\u0442.",
  "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
  "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
  "\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5 \u039a\u03cc\u03c3\u03bc\u03b5",
  "Cr\u00e8me br\u00fbl\u00e9e, na\u00efve caf\u00e9, Stra\u00dfe, \u00c5ngstr\u00f6m",
  "Cre\u0300me bru\u0302le\u0301e (combining marks)",
  "Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034da\u036b\u0357\u0364\u0365\u0369l\u0351g\u0342o",
  "\u00bd \u00be \u2155 \u2460 \u2461 \u2162 \u0663 \u096a",
  "\u2018quotes\u2019 \u201cdouble\u201d \u00abguillemets\u00bb \u300c\u62ec\u5f27\u300d",
  "func main() {\n\tfmt.Println(\"hello\")\n}\n",
  "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
  "const x = arr.map((v, i) => v * i).filter(Boolean);",
  "SELECT id, email FROM contacts WHERE list_id = 42 AND opted_in = TRUE ORDER BY created_at DESC LIMIT 100;",
  "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0}",
  "if (a && b || !c) { return a->b; } // comment /* block */",
  "#!/usr/bin/env bash\nset -euo pipefail\nfor f in *.go; do gofmt -l \"$f\"; done\n",
  "    indented code\n        more indented\n\t\ttabbed",
  "<|endoftext|>",
  "text before <|endoftext|> and after <|fim_prefix|><|fim_middle|><|fim_suffix|><|endofprompt|>",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
  "................................................................",
  "-----===== ***** ##### ///// \\\\\\\\\\ |||||",
  "\u200b\u200c\u200d\u2060\ufeff zero-width",
  "LIMITED TIME OFFER!!! Get 50% OFF your first order \u2014 use code SPRING50 at checkout. *Terms apply.",
  "Hi {{first_name}}, your cart is waiting \ud83d\uded2 \u2014 complete your purchase in the next 24h and save 15%!",
  "Unsubscribe | Manage preferences | View in browser",
  "Subject: \ud83d\udd25 Last chance: 3 days left to save big on everything you love",
  "CamelCaseIdentifierName snake_case_identifier kebab-case-identifier SCREAMING_SNAKE",
  "iPhone iPad macOS GmbH McDonald's O'Neil",
  "A1B2C3 a1b2c3 1a2b3c 123abc abc123",
  "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'VE 'M 'LL 'D",
  "x'sy 'ss 'tt  's  ''s",
  "x'\u017f HELLO'\u017fworld '\u017f don'\u017ft",
  "we're'll 're're 'LL'Ve 'dd",
  "\u01c5ungla \u01c8ubljana \u01cbOJ",
  "\u02b0\u02b1abc \u02b0ABC a\u02b0B \u3005\u3005",
  "\u0301abc \u0301\u0301 1\u0301 A\u0301B\u0301c \u0301X",
  "\u00b2\u00b3 \u2167 \u216b \uff11\uff12\uff13\uff14\uff15 \u0967\u0968\u0969\u096a",
  "\u000b\u000c \u0085 \u2028 \u2029 \u1680 \u205f mixed\u2028\nbreak",
  "\t\thello \n\nhello  \n hello a\r\n\r\n  b \u3000\u3000x",
  "foo/\nbar //\n\n// comment path/to/file/ !!!/\n/\n",
  "\u00c0\u00c9\u00ce\u00f5\u00fc \u0391\u0392\u0393\u03b1\u03b2\u03b3 \u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3 \u0130stanbul \u0131i",
  "HTTPServer XMLHttpRequest getHTTPResponseCode IOError",
  "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22\u0e40\u0e1b\u0e47\u0e19\u0e20\u0e32\u0e29\u0e32\u0e17\u0e35\u0e48\u0e44\u0e21\u0e48\u0e21\u0e35\u0e01\u0e32\u0e23\u0e40\u0e27\u0e49\u0e19\u0e27\u0e23\u0e23\u0e04\u0e23\u0e30\u0e2b\u0e27\u0e48\u0e32\u0e07\u0e04\u0e33\u0e41\u0e25\u0e30\u0e21\u0e35\u0e04\u0e33\u0e22\u0e32\u0e27\u0e46\u0e21\u0e32\u0e01\u0e21\u0e32\u0e22",
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg+/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/==",
];

const pools = {
  english: [
    "Our newest collection just dropped",
    "Thanks for being a loyal customer",
    "We noticed you left something in your cart",
    "Your order has shipped and is on its way",
    "Join thousands of happy subscribers",
    "Read the full story on our blog",
    "This week's top picks, hand-selected for you",
    "Reply to this email if you have any questions",
  ],
  chineseSimplified: [
    "\u611f\u8c22\u60a8\u7684\u8ba2\u9605",
    "\u9650\u65f6\u4f18\u60e0\uff0c\u5148\u5230\u5148\u5f97",
    "\u70b9\u51fb\u8fd9\u91cc\u67e5\u770b\u8be6\u60c5",
    "\u60a8\u7684\u8ba2\u5355\u5df2\u53d1\u8d27",
  ],
  chineseTraditional: [
    "\u611f\u8b1d\u60a8\u7684\u8a02\u95b1",
    "\u9650\u6642\u512a\u60e0\uff0c\u5148\u5230\u5148\u5f97",
    "\u9ede\u64ca\u9019\u88e1\u67e5\u770b\u8a73\u60c5",
    "\u60a8\u7684\u8a02\u55ae\u5df2\u767c\u8ca8",
  ],
  hindi: [
    "\u0906\u092a\u0915\u093e \u0927\u0928\u094d\u092f\u0935\u093e\u0926",
    "\u0938\u0940\u092e\u093f\u0924 \u0938\u092e\u092f \u0915\u093e \u0911\u092b\u0930",
    "\u092f\u0939\u093e\u0901 \u0915\u094d\u0932\u093f\u0915 \u0915\u0930\u0947\u0902",
    "\u0906\u092a\u0915\u093e \u0911\u0930\u094d\u0921\u0930 \u092d\u0947\u091c \u0926\u093f\u092f\u093e \u0917\u092f\u093e \u0939\u0948",
  ],
  japanese: [
    "\u3054\u8cfc\u8aad\u3042\u308a\u304c\u3068\u3046\u3054\u3056\u3044\u307e\u3059",
    "\u671f\u9593\u9650\u5b9a\u30bb\u30fc\u30eb\u958b\u50ac\u4e2d",
    "\u8a73\u3057\u304f\u306f\u3053\u3061\u3089\u3092\u30af\u30ea\u30c3\u30af",
    "\u3054\u6ce8\u6587\u306e\u5546\u54c1\u3092\u767a\u9001\u3057\u307e\u3057\u305f",
  ],
  arabic: [
    "\u0634\u0643\u0631\u0627\u064b \u0644\u0627\u0634\u062a\u0631\u0627\u0643\u0643",
    "\u0639\u0631\u0636 \u0644\u0641\u062a\u0631\u0629 \u0645\u062d\u062f\u0648\u062f\u0629",
    "\u0627\u0646\u0642\u0631 \u0647\u0646\u0627 \u0644\u0644\u0645\u0632\u064a\u062f",
    "\u062a\u0645 \u0634\u062d\u0646 \u0637\u0644\u0628\u0643",
  ],
  emoji: [
    "\ud83d\ude00", "\ud83c\udf89", "\ud83d\udd25", "\u2728", "\ud83d\udc4b\ud83c\udffb",
    "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67", "\ud83d\udc69\u200d\ud83d\udcbb",
    "\ud83c\udff3\ufe0f\u200d\u26a7\ufe0f", "\ud83e\udd1d\ud83c\udffc", "\ud83c\uddec\ud83c\udde7",
    "\u2764\ufe0f\u200d\ud83d\udd25", "\ud83d\udc3b\u200d\u2744\ufe0f",
  ],
  code: [
    "for i := 0; i < n; i++ {",
    "return nil, fmt.Errorf(\"tokens: %w\", err)",
    "console.log(`Hello ${name}`);",
    "x = [i**2 for i in range(10) if i % 2 == 0]",
    "<button onclick=\"track('cta')\">Buy</button>",
    "SELECT COUNT(*) FROM events;",
  ],
  url: [
    "https://example.com/?q=hello%20world",
    "https://shop.example.co.uk/products/sku-12345?variant=98765&utm_source=brevo",
    "http://127.0.0.1:4010/v1/chat/completions",
    "https://cdn.example.net/img/banner_1200x628@2x.png",
  ],
  html: [
    "<h2 style=\"font-family:Arial,sans-serif\">Big savings</h2>",
    "<a href=\"{{unsubscribe_url}}\">Unsubscribe</a>",
    "<img src=\"https://cdn.example.com/logo.png\" alt=\"Logo\" width=\"120\"/>",
    "<p>Only <strong>$19.99</strong>&nbsp;this week&hellip;</p>",
    "<br/><br/>&copy; 2025 Example Inc. All rights reserved.",
  ],
};

const separators = [" ", "  ", "\n", "\n\n", "\t", "\r\n", ", ", ". ", " - ", "", "   \n", " \u00a0", "\u3002", "|"];

// mulberry32: tiny deterministic PRNG.
function prng(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(20240806);
const pick = (arr) => arr[Math.floor(rand() * arr.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

function number() {
  switch (int(0, 5)) {
    case 0: return String(int(0, 9));
    case 1: return String(int(0, 999999999));
    case 2: return (rand() * 10000).toFixed(int(0, 4));
    case 3: return "$" + int(1, 9999) + "." + String(int(0, 99)).padStart(2, "0");
    case 4: return String(int(1, 12)).padStart(2, "0") + "/" + String(int(1, 28)).padStart(2, "0") + "/20" + int(10, 30);
    default: return int(1, 99) + "%";
  }
}

function whitespaceRun() {
  const chars = [" ", "\t", "\n", "\r\n", "\u00a0", "\u3000"];
  let s = "";
  const n = int(2, 40);
  for (let i = 0; i < n; i++) s += pick(chars);
  return s;
}

function casing(s) {
  switch (int(0, 3)) {
    case 0: return s.toUpperCase();
    case 1: return s.toLowerCase();
    default: return s;
  }
}

const generated = [];
const poolNames = Object.keys(pools);

// One sample per pool entry with random numbers and casing around it.
for (const name of poolNames) {
  for (const frag of pools[name]) {
    generated.push(casing(frag) + pick(separators) + number());
  }
}

// Mixed combinations of 2..8 fragments from any pools.
while (generated.length < 260) {
  const parts = [];
  const n = int(2, 8);
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.1) parts.push(number());
    else if (r < 0.15) parts.push(whitespaceRun());
    else parts.push(casing(pick(pools[pick(poolNames)])));
  }
  let s = parts[0];
  for (let i = 1; i < parts.length; i++) s += pick(separators) + parts[i];
  generated.push(s);
}

// Repetition and length stress: long runs of one script or of spaces.
for (const name of poolNames) {
  const frag = pick(pools[name]);
  generated.push(frag.repeat(int(5, 20)));
}
generated.push(" ".repeat(1000));
generated.push("\n".repeat(300) + "x");
generated.push("9".repeat(500));
generated.push("ab".repeat(400));
generated.push("\u4e2d".repeat(300));
generated.push("\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66".repeat(50));

const texts = handwritten.concat(generated);
const o200k = get_encoding("o200k_base");
const cl100k = get_encoding("cl100k_base");
const out = [];
for (const text of texts) {
  const a = Array.from(o200k.encode(text, [], []));
  const b = Array.from(cl100k.encode(text, [], []));
  out.push(JSON.stringify({
    text,
    o200k_base: a.length,
    cl100k_base: b.length,
    o200k_base_ids: a,
    cl100k_base_ids: b,
  }));
}
o200k.free();
cl100k.free();
process.stdout.write(out.join("\n") + "\n");
