// A misbehaving relay for the resilience tests, on 127.0.0.1 with `ws`.
//
//   node badrelay.mjs --port P --mode MODE [--kind K] [--p HEX] [--pool N] [--rate N]
//
// Prints exactly one line `ready PORT` to stdout once listening (port 0
// picks one); everything else goes to stderr.  On SIGTERM/SIGINT it writes
// one summary line `badrelay[PID] summary mode=... k=v ...` to stderr and
// exits 0.  MODE:
//
//  garbage  after each REQ: malformed JSON texts, JSON
//           texts that are not arrays, EVENT/EOSE/OK/CLOSED messages with
//           the wrong arity or types, an unknown message type; then one
//           valid event matching the REQ's first filter (signed by
//           nostr-tools), EOSE, and two binary frames; keeps the
//           connection open.
//  badsig   after each REQ, before EOSE and again 200 ms after it: a wrong
//           signature, a wrong id, a created_at in the year ~5138 (validly
//           signed), a created_at of -1 (wrong id/sig then, as it must be),
//           a validly signed event that does not match the filter, and one
//           valid matching event.  Keeps the connection open.
//  flood    after a REQ sends valid events (kind --kind, default 5932, with
//           a `p` tag if --p is given; --pool N distinct events signed in
//           advance with nostr-tools on nostr-wasm, default 4000, then
//           cycled) at --rate events/s (default 5000) until the client
//           disconnects or stops reading (send buffer over 8 MiB: paused).
//  silent   accepts connections and never sends anything, not even a
//           pong to a ping.
//
// "Matching" builds the event from the filter: first of `kinds` (else
// --kind), the first `#p`/`#e` value as a tag, created_at inside
// since/until.  An `authors` or `ids` filter cannot be matched (no key).
import { createServer } from 'node:http'
import { WebSocketServer } from 'ws'
import { finalizeEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'

const MODES = ['garbage', 'badsig', 'flood', 'silent']

function usage (msg) {
  if (msg) process.stderr.write(`badrelay.mjs: ${msg}\n`)
  process.stderr.write(`usage: node badrelay.mjs --port P --mode ${MODES.join('|')} [--kind K] [--p HEX] [--pool N] [--rate N]\n`)
  process.exit(2)
}

const opts = { port: null, mode: null, kind: 5932, p: null, pool: 4000, rate: 5000 }
{
  const a = process.argv.slice(2)
  for (let i = 0; i < a.length; i++) {
    const need = () => { if (i + 1 >= a.length) usage(`${a[i]} needs a value`); return a[++i] }
    switch (a[i]) {
      case '--port': opts.port = Number(need()); break
      case '--mode': opts.mode = need(); break
      case '--kind': opts.kind = Number(need()); break
      case '--p': opts.p = need(); break
      case '--pool': opts.pool = Number(need()); break
      case '--rate': opts.rate = Number(need()); break
      default: usage(`unknown argument ${a[i]}`)
    }
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) usage('--port P is required (0 picks one)')
  if (!MODES.includes(opts.mode)) usage('--mode is required')
  if (opts.p !== null && !/^[0-9a-f]{64}$/.test(opts.p)) usage('--p must be 64 lowercase hex')
  if (!Number.isInteger(opts.pool) || opts.pool < 1) usage('--pool must be a positive integer')
  if (!(opts.rate > 0)) usage('--rate must be positive')
}

const tag = `badrelay[${process.pid}]`
const log = (...args) => process.stderr.write(`${tag} ${args.map(String).join(' ')}\n`)

const sk = generateSecretKey()
const pk = getPublicKey(sk)
const now = () => Math.floor(Date.now() / 1000)
let serial = 0

// Counters for the summary line.
const stats = { connections: 0, reqs: 0, received: 0, sent: 0 }
const count = (k, n = 1) => { stats[k] = (stats[k] || 0) + n }

function send (ws, data, what) {
  if (ws.readyState !== ws.OPEN) return
  ws.send(data, { binary: Buffer.isBuffer(data) })
  count('sent')
  count(what)
}

function createdAtFor (f) {
  let t = now()
  if (Number.isInteger(f.since) && t < f.since) t = f.since
  if (Number.isInteger(f.until) && t > f.until) t = f.until
  return t
}

function matchingEvent (f, note) {
  const kind = Array.isArray(f.kinds) && f.kinds.length > 0 ? f.kinds[0] : opts.kind
  const tags = []
  if (Array.isArray(f['#p']) && f['#p'].length > 0) tags.push(['p', f['#p'][0]])
  else if (opts.p) tags.push(['p', opts.p])
  if (Array.isArray(f['#e']) && f['#e'].length > 0) tags.push(['e', f['#e'][0]])
  tags.push(['i', `badrelay ${note} ${++serial}`, 'text'])
  return finalizeEvent({ kind, created_at: createdAtFor(f), tags, content: `${note} ${serial}` }, sk)
}

// A validly signed event that the filter does not match.
function nonMatchingEvent (f) {
  const e = matchingEvent(f, 'nonmatching')
  const t = { kind: e.kind, created_at: e.created_at, tags: e.tags, content: e.content }
  if (Array.isArray(f.kinds) && f.kinds.length > 0) {
    let k = 1
    while (f.kinds.includes(k)) k++
    t.kind = k
  } else if (Array.isArray(f['#p']) && f['#p'].length > 0) {
    t.tags = t.tags.map((x) => x[0] === 'p' ? ['p', 'ab'.repeat(32)] : x)
  } else if (Array.isArray(f['#e']) && f['#e'].length > 0) {
    t.tags = t.tags.map((x) => x[0] === 'e' ? ['e', 'cd'.repeat(32)] : x)
  } else if (Number.isInteger(f.since)) {
    t.created_at = f.since - 1000
  }
  return finalizeEvent(t, sk)
}

const flip = (hex) => (hex[0] === '0' ? '1' : '0') + hex.slice(1)

function garbage (ws, subId, f) {
  for (const t of ['["EVENT", "' + subId + '", {', '[[[', '{"unterminated": "', '', ' ', '\u0000', 'EOSE', '["EOSE" "x"]', '[1,]']) {
    send(ws, t, 'malformed_json')
  }
  for (const t of ['{"EVENT": "x"}', '42', '"EOSE"', 'null', 'true', '{}']) send(ws, t, 'not_array')
  for (const m of [['EVENT'], ['EVENT', subId], ['EVENT', subId, matchingEvent(f, 'extra-arity'), 'extra'],
    ['EVENT', subId, 'not an object'], ['EVENT', 42, {}], ['EVENT', subId, null],
    ['EOSE'], ['EOSE', 7], ['OK'], ['OK', 'zz', 'yes', 5], ['CLOSED'], ['NOTICE'], ['AUTH'], []]) {
    send(ws, JSON.stringify(m), 'wrong_arity')
  }
  send(ws, JSON.stringify(['WHATEVER', subId, {}]), 'unknown_type')
  send(ws, JSON.stringify(['EVENT', subId, matchingEvent(f, 'garbage-survivor')]), 'valid')
  send(ws, JSON.stringify(['EOSE', subId]), 'eose')
  // last, as a binary frame ends a conforming client's connection
  send(ws, Buffer.from([0x00, 0xff, 0x5b, 0x22, 0x45]), 'binary')
  send(ws, Buffer.from(JSON.stringify(['EVENT', subId, matchingEvent(f, 'in-a-binary-frame')])), 'binary')
}

function badsig (ws, subId, f, phase) {
  const good = matchingEvent(f, `good-${phase}`)
  const wrongSig = matchingEvent(f, `wrongsig-${phase}`)
  wrongSig.sig = flip(wrongSig.sig)
  const wrongId = matchingEvent(f, `wrongid-${phase}`)
  wrongId.content += ' (changed after signing)'
  const future = finalizeEvent({ ...templateOf(matchingEvent(f, `future-${phase}`)), created_at: 99999999999 }, sk)
  const negative = matchingEvent(f, `negative-${phase}`)
  negative.created_at = -1
  const nonMatching = nonMatchingEvent(f)
  for (const [e, what] of [[wrongSig, 'bad_sig'], [wrongId, 'bad_id'], [future, 'absurd_created_at'],
    [negative, 'absurd_created_at'], [nonMatching, 'nonmatching'], [good, 'valid']]) {
    send(ws, JSON.stringify(['EVENT', subId, e]), what)
  }
}

const templateOf = (e) => ({ kind: e.kind, created_at: e.created_at, tags: e.tags, content: e.content })

// flood: sign the pool before `ready`, with nostr-wasm (about 5x faster).
let pool = [] // event JSON texts, spliced into EVENT messages
if (opts.mode === 'flood') {
  const t0 = Date.now()
  const wasm = await import('nostr-tools/wasm')
  const { initNostrWasm } = await import('nostr-wasm')
  wasm.setNostrWasm(await initNostrWasm())
  const base = now()
  for (let i = 0; i < opts.pool; i++) {
    const tags = [['i', `flood ${i}`, 'text']]
    if (opts.p) tags.unshift(['p', opts.p])
    pool.push(JSON.stringify(wasm.finalizeEvent({ kind: opts.kind, created_at: base, tags, content: `flood ${i}` }, sk)))
  }
  log(`signed ${opts.pool} flood events in ${Date.now() - t0} ms`)
}

function flood (ws, subId) {
  if (ws.flooding) return
  ws.flooding = true
  const perTick = Math.max(1, Math.round(opts.rate / 100))
  let i = 0
  const prefix = `["EVENT",${JSON.stringify(subId)},`
  const timer = setInterval(() => {
    if (ws.readyState !== ws.OPEN) { clearInterval(timer); return }
    if (ws.bufferedAmount > 8 * 1024 * 1024) { count('paused_ticks'); return }
    for (let k = 0; k < perTick; k++) {
      ws.send(prefix + pool[i % pool.length] + ']')
      i++
    }
    count('sent', perTick)
    count('flood_events', perTick)
  }, 10)
  ws.on('close', () => clearInterval(timer))
}

const http = createServer((req, res) => { res.writeHead(426); res.end() })
const wss = new WebSocketServer({ server: http, autoPong: opts.mode !== 'silent' })

wss.on('connection', (ws, req) => {
  count('connections')
  const peer = `${req.socket.remoteAddress}:${req.socket.remotePort}`
  log('connect', peer, 'mode', opts.mode)
  ws.on('close', () => log('disconnect', peer))
  ws.on('error', (e) => log('socket error', peer, e.message))
  ws.on('message', (data) => {
    count('received')
    if (opts.mode === 'silent') return
    let m
    try { m = JSON.parse(String(data)) } catch { return }
    if (!Array.isArray(m) || m[0] !== 'REQ' || typeof m[1] !== 'string') return
    count('reqs')
    const subId = m[1]
    const f = (m[2] && typeof m[2] === 'object') ? m[2] : {}
    if (opts.mode === 'garbage') garbage(ws, subId, f)
    else if (opts.mode === 'badsig') {
      badsig(ws, subId, f, 'stored')
      send(ws, JSON.stringify(['EOSE', subId]), 'eose')
      setTimeout(() => badsig(ws, subId, f, 'live'), 200)
    } else if (opts.mode === 'flood') flood(ws, subId)
  })
})

http.on('error', (e) => { log('listen failed:', e.message); process.exit(1) })
http.listen(opts.port, '127.0.0.1', () => {
  const port = http.address().port
  process.stdout.write(`ready ${port}\n`)
  log(`listening on ws://127.0.0.1:${port} mode=${opts.mode} pubkey=${pk}`)
})

function stop (sig) {
  const parts = Object.entries(stats).map(([k, v]) => `${k}=${v}`).join(' ')
  log(`summary mode=${opts.mode} ${parts} signal=${sig}`)
  for (const ws of wss.clients) ws.terminate()
  http.close()
  process.exit(0)
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
