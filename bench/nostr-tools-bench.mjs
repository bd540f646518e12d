// The nostr-tools side of bench/sign-verify.sh.  usage:
//   node nostr-tools-bench.mjs corpus FILE N   write N signed events
//   node nostr-tools-bench.mjs verify FILE     JSON.parse + verifyEvent
//   node nostr-tools-bench.mjs sign N          finalizeEvent
// nostr-tools comes from tests/interop (its package-lock.json pins it).
import { createRequire } from 'node:module'
import { readFileSync, writeFileSync } from 'node:fs'

const require = createRequire(new URL('../tests/interop/package.json', import.meta.url))
const { finalizeEvent, verifyEvent, generateSecretKey } = require('nostr-tools/pure')
const [cmd, arg, n] = process.argv.slice(2)

function template (i) {
  return {
    kind: 5932,
    created_at: 1735600000 + i,
    tags: [['i', 'https://github.com/example/repo', 'url'], ['param', 'ref', 'main'],
      ['bid', '5000'], ['p', 'd41b22899549e1f3d335a31002cfd382174006e166d3e658e3a5eecdb6463573']],
    content: `job ${i}: fix the failing test in src/parser.c`
  }
}

if (cmd === 'corpus') {
  const sk = generateSecretKey()
  const lines = []
  for (let i = 0; i < Number(n); i++) lines.push(JSON.stringify(finalizeEvent(template(i), sk)))
  writeFileSync(arg, lines.join('\n') + '\n')
} else if (cmd === 'verify') {
  const lines = readFileSync(arg, 'utf8').split('\n').filter((l) => l.length > 0)
  const t0 = process.hrtime.bigint()
  let bad = 0
  for (const l of lines) if (!verifyEvent(JSON.parse(l))) bad++
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  console.log(JSON.stringify({ events: lines.length, invalid: bad, seconds: s, per_second: Math.round(lines.length / s) }))
} else if (cmd === 'sign') {
  const sk = generateSecretKey()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < Number(arg); i++) finalizeEvent({ ...template(i), kind: 7000 }, sk)
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  console.log(JSON.stringify({ signatures: Number(arg), seconds: s, per_second: Math.round(Number(arg) / s) }))
} else {
  console.error('usage: nostr-tools-bench.mjs corpus FILE N | verify FILE | sign N')
  process.exit(2)
}
