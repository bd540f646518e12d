// Proves the relay test glue works, without the daemon: relay.mjs
// (@nostr-relay/core on `ws`) stores, serves, survives kill -9 with its
// sqlite file, does NIP-42 when asked; badrelay.mjs sends what its modes
// promise; buyer.mjs posts and fetches.  Every process started here is
// killed by its pid at the end, also on failure; every wait is bounded.
import { spawn } from 'node:child_process'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import WebSocket from 'ws'
import { finalizeEvent, verifyEvent, generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { matchFilter } from 'nostr-tools/filter'
import { ok, finish, tempdir } from './lib.mjs'
import { postJob, postJobs, fetchEvents, waitForEvent, signEvent } from './buyer.mjs'

const HERE = dirname(fileURLToPath(import.meta.url))
const dir = tempdir()
const procs = new Set()
const now = () => Math.floor(Date.now() / 1000)
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function killAll () {
  for (const p of procs) {
    try { process.kill(p.pid, 'SIGKILL') } catch {}
  }
  procs.clear()
}
process.on('exit', killAll)

// Starts `node SCRIPT ARGS`, resolves once it printed `ready PORT`.
function start (script, args, ms = 20000) {
  const t0 = Date.now()
  const proc = spawn(process.execPath, [join(HERE, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  procs.add(proc)
  const h = { proc, pid: proc.pid, stderr: '', stdout: [], exited: null }
  proc.stderr.on('data', (d) => { h.stderr += d })
  h.exit = new Promise((resolve) => proc.on('exit', (code, sig) => { procs.delete(proc); h.exited = { code, sig }; resolve(h.exited) }))
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${script}: no "ready" in ${ms} ms\n${h.stderr}`)), ms)
    proc.on('exit', () => { clearTimeout(t); reject(new Error(`${script} exited early\n${h.stderr}`)) })
    createInterface({ input: proc.stdout }).on('line', (l) => {
      h.stdout.push(l)
      const m = /^ready (\d+)$/.exec(l)
      if (m && !h.port) {
        clearTimeout(t)
        h.port = Number(m[1])
        h.url = `ws://127.0.0.1:${h.port}`
        h.startMs = Date.now() - t0
        resolve(h)
      }
    })
  })
}

async function stop (h, sig = 'SIGTERM', ms = 5000) {
  if (h.exited) return h.exited
  process.kill(h.pid, sig)
  let t
  const r = await Promise.race([h.exit, new Promise((resolve) => { t = setTimeout(() => resolve(null), ms) })])
  clearTimeout(t)
  if (r === null) { try { process.kill(h.pid, 'SIGKILL') } catch {} }
  return r
}

// A raw `ws` client that records every frame.
async function raw (url, ms = 5000) {
  const ws = new WebSocket(url)
  const c = { ws, text: [], binary: [], msgs: [], closed: false } // msgs: the texts that are JSON arrays
  ws.on('message', (data, isBinary) => {
    if (isBinary) { c.binary.push(data); return }
    const s = String(data)
    c.text.push(s)
    try { const m = JSON.parse(s); if (Array.isArray(m)) c.msgs.push(m) } catch {}
  })
  ws.on('close', () => { c.closed = true })
  ws.on('error', () => {})
  c.send = (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m))
  c.waitFor = async (pred, wms = 5000) => {
    const t0 = Date.now()
    while (Date.now() - t0 < wms) {
      const m = c.msgs.find((x) => Array.isArray(x) && pred(x))
      if (m) return m
      await sleep(10)
    }
    return null
  }
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`connect ${url}: timeout`)), ms)
    ws.on('open', () => { clearTimeout(t); resolve() })
    ws.on('error', (e) => { clearTimeout(t); reject(e) })
  })
  return c
}

async function main () {
  const buyer = generateSecretKey()
  const provider = getPublicKey(generateSecretKey())
  const db = join(dir, 'relay.db')

  // 1. plain relay: post, fetch, duplicate, live subscription
  let r = await start('relay.mjs', ['--port', '0', '--db', db])
  ok(r.port > 0 && r.stdout.length === 1, `relay.mjs ready on port ${r.port} in ${r.startMs} ms`, r.stdout.join('\n'))
  const port = r.port
  const job = await postJob(r.url, buyer, { kind: 5932, tags: [['i', 'hello', 'text'], ['p', provider]], content: '' })
  ok(verifyEvent(job), 'buyer.postJob: the relay said OK to a nostr-tools job request')
  let got = await fetchEvents(r.url, { kinds: [5932], '#p': [provider] }, 5000)
  ok(got.length === 1 && got[0].id === job.id, 'buyer.fetchEvents: the job comes back by #p', JSON.stringify(got))
  {
    const c = await raw(r.url)
    c.send(['EVENT', job])
    const okm = await c.waitFor((m) => m[0] === 'OK' && m[1] === job.id)
    ok(okm && okm[2] === true && /^duplicate:/.test(okm[3]), 'the same event again: OK true "duplicate: ..."', JSON.stringify(okm))
    // (an altered copy of a stored event keeps its id and so gets
    // "duplicate:" — the core looks the id up before checking it)
    const bad = { ...signEvent(buyer, { kind: 5932, tags: [], content: 'fresh' }), content: 'changed' }
    c.send(['EVENT', bad])
    const badm = await c.waitFor((m) => m[0] === 'OK' && m[1] === bad.id)
    ok(badm && badm[2] === false && /^invalid:/.test(badm[3]), 'an event with a wrong id: OK false "invalid: ..."', JSON.stringify(badm))
    const badsig = signEvent(buyer, { kind: 5932, tags: [], content: 'sig' })
    badsig.sig = (badsig.sig[0] === '0' ? '1' : '0') + badsig.sig.slice(1)
    c.send(['EVENT', badsig])
    const sigm = await c.waitFor((m) => m[0] === 'OK' && m[1] === badsig.id)
    ok(sigm && sigm[2] === false && /^invalid:/.test(sigm[3]), 'an event with a wrong signature: OK false "invalid: ..."', JSON.stringify(sigm))
    c.send('not json')
    const notice = await c.waitFor((m) => m[0] === 'NOTICE')
    ok(notice !== null, 'malformed text gets a NOTICE', JSON.stringify(c.msgs))
    c.ws.close()
  }
  {
    const live = waitForEvent(r.url, { kinds: [5933] }, (e) => e.content === 'live one', 5000)
    await sleep(200)
    const { results } = await postJobs([r.url], buyer, { kind: 5933, tags: [], content: 'live one' })
    const e = await live
    ok(results[0].ok && e.content === 'live one', 'a live subscription receives a new event')
  }
  {
    // Known property of the engine (spec/TESTING.md): live subscriptions
    // ignore #p, so the daemon must re-check.  Asserted so that a change is seen.
    const c = await raw(r.url)
    c.send(['REQ', 'p', { kinds: [5934], '#p': [provider] }])
    await c.waitFor((m) => m[0] === 'EOSE')
    const other = signEvent(buyer, { kind: 5934, tags: [['p', 'ab'.repeat(32)]], content: 'for someone else' })
    c.send(['EVENT', other])
    const leaked = await c.waitFor((m) => m[0] === 'EVENT' && m[1] === 'p' && m[2].id === other.id, 1500)
    ok(leaked !== null, 'known: the core\'s live subscriptions ignore #p (so the daemon re-checks filters)')
    c.ws.close()
  }

  // 2. kill -9 and restart on the same port and database
  await stop(r, 'SIGKILL')
  r = await start('relay.mjs', ['--port', String(port), '--db', db])
  ok(r.port === port, `restarted on the same port ${port} after kill -9 (${r.startMs} ms)`)
  got = await fetchEvents(r.url, { ids: [job.id] }, 5000)
  ok(got.length === 1 && got[0].id === job.id && verifyEvent(got[0]), 'the event survived kill -9 in the sqlite file')
  const term = await stop(r, 'SIGTERM')
  ok(term && term.code === 0 && /SIGTERM: stopped; connections=\d+/.test(r.stderr), 'SIGTERM: clean exit 0 with a summary line', JSON.stringify(term) + '\n' + r.stderr.slice(-400))

  // 3. --auth: NIP-42 required
  r = await start('relay.mjs', ['--port', '0', '--db', join(dir, 'auth.db'), '--auth'])
  {
    const c = await raw(r.url)
    const ch = await c.waitFor((m) => m[0] === 'AUTH')
    ok(ch && typeof ch[1] === 'string' && ch[1].length > 0, 'auth relay sends ["AUTH", challenge] on connect', JSON.stringify(c.msgs))
    c.send(['REQ', 's1', { kinds: [5932] }])
    const closed = await c.waitFor((m) => m[0] === 'CLOSED' && m[1] === 's1')
    ok(closed && /^auth-required:/.test(closed[2]), 'REQ before AUTH: CLOSED "auth-required: ..."', JSON.stringify(closed))
    const ev = signEvent(buyer, { kind: 5932, tags: [['p', provider]], content: 'x' })
    c.send(['EVENT', ev])
    const refused = await c.waitFor((m) => m[0] === 'OK' && m[1] === ev.id)
    ok(refused && refused[2] === false && /^auth-required:/.test(refused[3]), 'EVENT before AUTH: OK false "auth-required: ..."', JSON.stringify(refused))
    const wrong = finalizeEvent({ kind: 22242, created_at: now(), tags: [['relay', r.url], ['challenge', 'not-it']], content: '' }, buyer)
    c.send(['AUTH', wrong])
    const wrongOk = await c.waitFor((m) => m[0] === 'OK' && m[1] === wrong.id)
    ok(wrongOk && wrongOk[2] === false, 'AUTH with a wrong challenge: OK false', JSON.stringify(wrongOk))
    const stale = finalizeEvent({ kind: 22242, created_at: now() - 3600, tags: [['relay', r.url], ['challenge', ch[1]]], content: '' }, buyer)
    c.send(['AUTH', stale])
    const staleOk = await c.waitFor((m) => m[0] === 'OK' && m[1] === stale.id)
    ok(staleOk && staleOk[2] === false, 'AUTH an hour old: OK false', JSON.stringify(staleOk))
    c.send(['REQ', 's1b', { kinds: [5932] }])
    const still = await c.waitFor((m) => m[0] === 'CLOSED' && m[1] === 's1b')
    ok(still && /^auth-required:/.test(still[2]), 'still refused after the bad AUTHs')
    const good = finalizeEvent({ kind: 22242, created_at: now(), tags: [['relay', r.url], ['challenge', ch[1]]], content: '' }, buyer)
    c.send(['AUTH', good])
    const goodOk = await c.waitFor((m) => m[0] === 'OK' && m[1] === good.id)
    ok(goodOk && goodOk[2] === true, 'AUTH with a nostr-tools kind-22242 event: OK true', JSON.stringify(goodOk))
    c.send(['EVENT', ev])
    const accepted = await c.waitFor((m) => m[0] === 'OK' && m[1] === ev.id && m[2] === true)
    ok(accepted !== null, 'EVENT after AUTH: OK true')
    c.send(['REQ', 's2', { kinds: [5932] }])
    const eose = await c.waitFor((m) => m[0] === 'EOSE' && m[1] === 's2')
    const evm = c.msgs.find((m) => m[0] === 'EVENT' && m[1] === 's2' && m[2].id === ev.id)
    ok(eose !== null && evm !== undefined, 'REQ after AUTH: the event, then EOSE')
    c.ws.close()
    const viaTools = await postJob(r.url, generateSecretKey(), { kind: 5932, tags: [], content: 'tools auth' })
    const back = await fetchEvents(r.url, { ids: [viaTools.id] }, 5000, { sk: buyer })
    ok(back.length === 1, 'buyer.mjs (nostr-tools onauth) posts and fetches on the auth relay')
    let refusedFetch = null
    try { await fetchEvents(r.url, { kinds: [5932] }, 3000) } catch (e) { refusedFetch = e.message }
    ok(refusedFetch && /auth-required/.test(refusedFetch), 'buyer.fetchEvents without a key is refused', refusedFetch)
  }
  await stop(r)

  // 4. badrelay garbage
  let b = await start('badrelay.mjs', ['--port', '0', '--mode', 'garbage'])
  {
    const c = await raw(b.url)
    const f = { kinds: [5932], '#p': [provider] }
    c.send(['REQ', 'g', f])
    await c.waitFor((m) => m[0] === 'EOSE' && m[1] === 'g')
    // the binary frames come after the EOSE: give them a moment on a busy machine
    for (let i = 0; i < 40 && c.binary.length < 2; i++) await sleep(50)
    const nonArray = c.text.filter((s) => { try { return !Array.isArray(JSON.parse(s)) } catch { return false } })
    const malformed = c.text.filter((s) => { try { JSON.parse(s); return false } catch { return true } })
    const arity = c.msgs.filter((m) => Array.isArray(m) && ((m[0] === 'EVENT' && m.length !== 3) || (m[0] === 'EOSE' && m.length !== 2)))
    const valid = c.msgs.filter((m) => m[0] === 'EVENT' && m.length === 3 && m[2] && typeof m[2] === 'object' && verifyEvent(m[2]) && matchFilter(f, m[2]))
    ok(c.binary.length >= 1, `garbage: ${c.binary.length} binary frames`)
    ok(malformed.length >= 3, `garbage: ${malformed.length} malformed JSON texts`)
    ok(nonArray.length >= 3, `garbage: ${nonArray.length} JSON texts that are not arrays`)
    ok(arity.length >= 3, `garbage: ${arity.length} EVENT/EOSE messages with the wrong arity`)
    ok(valid.length === 1, 'garbage: then one valid event matching the filter, and EOSE')
    await sleep(300)
    ok(!c.closed, 'garbage: the connection stays open')
    c.ws.close()
  }
  await stop(b)
  ok(/summary mode=garbage .*malformed_json=\d+/.test(b.stderr), 'garbage: a summary line on SIGTERM', b.stderr.slice(-400))

  // 5. badrelay badsig
  b = await start('badrelay.mjs', ['--port', '0', '--mode', 'badsig'])
  {
    const c = await raw(b.url)
    const f = { kinds: [5932], '#p': [provider], since: now() - 60 }
    c.send(['REQ', 'b', f])
    await c.waitFor((m) => m[0] === 'EOSE')
    const stored = c.msgs.slice(0, c.msgs.findIndex((m) => m[0] === 'EOSE')).filter((m) => m[0] === 'EVENT').map((m) => m[2])
    const ver = stored.filter((e) => verifyEvent({ ...e }))
    const matching = ver.filter((e) => matchFilter(f, e) && e.created_at <= now() + 600 && e.created_at >= 0)
    ok(stored.length === 6, `badsig: ${stored.length} events before EOSE`)
    ok(stored.length - ver.length >= 3, `badsig: ${stored.length - ver.length} fail nostr-tools verifyEvent (bad sig, bad id, negative created_at)`)
    ok(stored.some((e) => e.created_at > now() + 86400 * 365 && verifyEvent({ ...e })), 'badsig: one validly signed with an absurd created_at')
    ok(ver.some((e) => !matchFilter(f, e)), 'badsig: one validly signed that does not match the filter')
    ok(matching.length === 1 && /^good-stored/.test(matching[0].content), 'badsig: exactly one good matching event', JSON.stringify(matching))
    const live = await c.waitFor((m) => m[0] === 'EVENT' && /^good-live/.test(m[2].content), 3000)
    ok(live && verifyEvent(live[2]), 'badsig: the same mix again after EOSE, with a good live event')
    c.ws.close()
  }
  await stop(b)
  ok(/summary mode=badsig .*bad_sig=2 .*valid=2/.test(b.stderr), 'badsig: the summary counts what was sent', b.stderr.slice(-400))

  // 6. badrelay flood and silent (short)
  b = await start('badrelay.mjs', ['--port', '0', '--mode', 'flood', '--pool', '300', '--p', provider])
  {
    const c = await raw(b.url)
    c.send(['REQ', 'f', { kinds: [5932] }])
    await sleep(1000)
    const n = c.msgs.length
    const sample = c.msgs.slice(0, 50).filter((m) => m[0] === 'EVENT' && verifyEvent(m[2]) && m[2].tags.some((t) => t[0] === 'p' && t[1] === provider))
    ok(n >= 1000, `flood: ${n} events in the first second`)
    ok(sample.length === Math.min(50, n), 'flood: the events are validly signed, with the p tag')
    c.ws.close()
  }
  await sleep(100)
  await stop(b)
  ok(/summary mode=flood .*flood_events=\d+/.test(b.stderr), 'flood: the summary counts what was sent', b.stderr.slice(-300))

  b = await start('badrelay.mjs', ['--port', '0', '--mode', 'silent'])
  {
    const c = await raw(b.url)
    let pong = false
    c.ws.on('pong', () => { pong = true })
    c.send(['REQ', 's', {}])
    c.ws.ping()
    await sleep(500)
    ok(c.text.length === 0 && c.binary.length === 0 && !pong && !c.closed, 'silent: no answer, no pong, connection kept')
    c.ws.close()
  }
  await stop(b)
}

const guard = setTimeout(() => { ok(false, 'relay-selftest finished within 120 s'); killAll(); finish() }, 120000)
try {
  await main()
} catch (e) {
  ok(false, 'relay-selftest ran to the end', e.stack || e)
}
clearTimeout(guard)
killAll()
finish()
