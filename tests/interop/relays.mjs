// relayd against the real relay from npm (spec/TESTING.md), two of them
// on 127.0.0.1 plus a relay that requires NIP-42 AUTH and misbehaving
// ones: jobs posted by a nostr-tools buyer arrive exactly once, a relay
// killed and restarted loses nothing and repeats nothing, bad relays are
// counted and dropped while the others keep serving.
import { spawn, execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure'
import { ok, finish, tempdir, initProvider, OA, track } from './lib.mjs'
import { postJob, publishEvent } from './buyer.mjs'

const dir = tempdir()
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// A node script that prints "ready PORT" once it listens.
function startPeer (script, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    track(p)
    p.stderr.on('data', () => {})
    const t = setTimeout(() => reject(new Error(`${script}: not ready in time`)), 20000)
    createInterface({ input: p.stdout }).on('line', (l) => {
      const m = /^ready (\d+)$/.exec(l)
      if (m) { clearTimeout(t); resolve({ proc: p, port: Number(m[1]) }) }
    })
    p.on('exit', (code) => { clearTimeout(t); reject(new Error(`${script} exited ${code}`)) })
  })
}

async function stopPeer (peer, signal = 'SIGTERM') {
  if (peer.proc.exitCode !== null || peer.proc.signalCode !== null) return
  const gone = new Promise((resolve) => peer.proc.once('exit', resolve))
  peer.proc.kill(signal)
  await Promise.race([gone, sleep(5000)])
}

const provider = initProvider(dir)
const home = join(dir, 'home')
const env = { ...process.env, OPENAGENTS_HOME: home, OPENAGENTS_PASSPHRASE_FILE: provider.passfile }
const cfg = join(home, 'provider', 'config.toml')

function setRelays (urls) {
  const text = readFileSync(cfg, 'utf8').replace(/^urls = .*$/m, `urls = [${urls.map((u) => JSON.stringify(u)).join(', ')}]`)
  writeFileSync(cfg, text)
}

function status () {
  try {
    return JSON.parse(execFileSync(OA, ['provider', 'status', '--relays', '--json'], { env, encoding: 'utf8', timeout: 10000 }))
  } catch { return null }
}

async function waitFor (what, cond, ms = 15000) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const v = cond()
    if (v) return v
    await sleep(100)
  }
  ok(false, `in time: ${what}`)
  return null
}

const relayOf = (st, port) => st?.relays?.find((r) => r.url.endsWith(`:${port}`))

let log = ''
const A = await startPeer('relay.mjs', ['--port', '0', '--db', join(dir, 'a.db')])
const B = await startPeer('relay.mjs', ['--port', '0', '--db', join(dir, 'b.db')])
const urlA = `ws://127.0.0.1:${A.port}`
const urlB = `ws://127.0.0.1:${B.port}`
setRelays([urlA, urlB])

const daemon = spawn(OA, ['provider', 'serve', '--foreground'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
track(daemon)
daemon.stderr.on('data', (d) => { log += d })
const countOf = (id) => (log.match(new RegExp(`job request ${id} `, 'g')) || []).length

ok(await waitFor('both relays open', () => {
  const st = status()
  return relayOf(st, A.port)?.state === 'open' && relayOf(st, B.port)?.state === 'open'
}), 'relayd connects to both relays', log)

// 1. the same jobs on both relays arrive once each
const buyer = generateSecretKey()
const jobs = []
for (let i = 0; i < 5; i++) {
  const tags = [['i', 'https://github.com/example/repo', 'url'], ['param', 'n', String(i)]]
  if (i === 4) tags.push(['p', provider.pubkey])
  const ev = await postJob(urlA, buyer, { kind: 5932, tags, content: `job ${i}` })
  await publishEvent(urlB, ev, { sk: buyer })
  jobs.push(ev)
}
const note = await postJob(urlA, buyer, { kind: 1, tags: [], content: 'not a job' })
await waitFor('five jobs logged', () => jobs.every((e) => countOf(e.id) >= 1))
await sleep(500)
ok(jobs.every((e) => countOf(e.id) === 1), 'five jobs posted to two relays each arrive exactly once',
  jobs.map((e) => `${e.id} ${countOf(e.id)}`).join('\n'))
ok(!log.includes(note.id), 'a kind-1 note is not delivered')
// NIP-47 answers go to the wallet connection's key on the wallet's relays
// (tests/jobs/jobs-pay.mjs), never to the identity on the job relays
const walletReply = await postJob(urlA, buyer, { kind: 23195, tags: [['p', provider.pubkey], ['e', note.id]], content: 'x' })
const dispute = await postJob(urlA, buyer, { kind: 39300, tags: [['e', note.id, '', 'dispute'], ['trigger', 'hash_mismatch']], content: '{}' })
// a dispute without a p tag is delivered (it counts in events_in below)
// and matched against the ledger: it names no job of ours, so it is
// not logged (jobs-pay disputes a real result)
await waitFor('the dispute counted', () => { const s = status(); return relayOf(s, A.port).events_in + relayOf(s, B.port).events_in >= 6 })
ok(!log.includes(walletReply.id), 'a NIP-47 answer on a job relay is not subscribed to')
let st = status()
const a = relayOf(st, A.port); const b = relayOf(st, B.port)
ok(a.events_in + b.events_in === 6 && a.duplicates + b.duplicates === 5,
  'status --relays counts 6 events in and 5 duplicates', JSON.stringify([a, b]))

// 2. kill -9 a relay, restart it, post while relayd reconnects
await stopPeer(A, 'SIGKILL')
await waitFor('relay A seen down', () => relayOf(status(), A.port)?.state !== 'open')
const A2 = await startPeer('relay.mjs', ['--port', String(A.port), '--db', join(dir, 'a.db')])
const late = []
for (let i = 0; i < 3; i++) late.push(await postJob(urlA, buyer, { kind: 5930, tags: [['param', 'late', String(i)]], content: `late ${i}` }))
await waitFor('late jobs logged', () => late.every((e) => countOf(e.id) >= 1))
await sleep(1000)
ok(late.every((e) => countOf(e.id) === 1), 'jobs posted around a relay restart arrive, once each')
ok(jobs.every((e) => countOf(e.id) === 1), 'and the earlier ones are not delivered again')
st = status()
ok(relayOf(st, A.port).reconnects >= 1 && relayOf(st, A.port).state === 'open', 'status shows the reconnect', JSON.stringify(relayOf(st, A.port)))

// 3. misbehaving relays: counted, dropped, the others keep serving
const G = await startPeer('badrelay.mjs', ['--port', '0', '--mode', 'garbage'])
const S = await startPeer('badrelay.mjs', ['--port', '0', '--mode', 'badsig'])
const F = await startPeer('badrelay.mjs', ['--port', '0', '--mode', 'flood'])
const urlG = `ws://127.0.0.1:${G.port}`; const urlS = `ws://127.0.0.1:${S.port}`; const urlF = `ws://127.0.0.1:${F.port}`
setRelays([urlA, urlB, urlG, urlS, urlF])
execFileSync(OA, ['provider', 'reload'], { env, timeout: 10000 })
await waitFor('bad relays rejected', () => {
  const s = status()
  return relayOf(s, G.port)?.rejects > 0 && relayOf(s, S.port)?.rejects > 0
})
await waitFor('the flood is throttled', () => relayOf(status(), F.port)?.state === 'throttled', 45000)
st = status()
ok(relayOf(st, G.port).rejects > 0, 'malformed frames and JSON are counted as rejects', JSON.stringify(relayOf(st, G.port)))
ok(relayOf(st, S.port).rejects >= 3, 'bad signatures, bad ids and unmatched events are rejected', JSON.stringify(relayOf(st, S.port)))
ok(relayOf(st, S.port).events_in >= 1, 'while the one good event from that relay gets through')
ok(relayOf(st, F.port).state === 'throttled', 'a flooding relay is dropped and left alone', JSON.stringify(relayOf(st, F.port)))
const after = await postJob(urlB, buyer, { kind: 5933, tags: [['param', 'after', 'bad']], content: 'after' })
await waitFor('job after bad relays', () => countOf(after.id) === 1)
ok(countOf(after.id) === 1, 'the good relays keep serving')
ok(relayOf(status(), A.port).state === 'open' && relayOf(status(), B.port).state === 'open', 'and stay open')

// 4. a relay that requires NIP-42 AUTH
const C = await startPeer('relay.mjs', ['--port', '0', '--db', join(dir, 'c.db'), '--auth'])
const urlC = `ws://127.0.0.1:${C.port}`
setRelays([urlA, urlB, urlC])
execFileSync(OA, ['provider', 'reload'], { env, timeout: 10000 })
await waitFor('AUTH done', () => relayOf(status(), C.port)?.auth === 'done')
ok(relayOf(status(), C.port)?.auth === 'done', 'relayd authenticates to a relay that requires AUTH (kind 22242 signed by walletd)')
const authJob = await postJob(urlC, buyer, { kind: 5932, tags: [['param', 'auth', 'yes']], content: 'behind auth' })
await waitFor('job from the AUTH relay', () => countOf(authJob.id) === 1)
ok(countOf(authJob.id) === 1, 'and receives jobs from it')
ok(status()?.relays?.length === 3, 'removed relays are gone from status after the reload')

// text form
const text = execFileSync(OA, ['provider', 'status', '--relays'], { env, encoding: 'utf8', timeout: 10000 })
ok(/RELAY\s+STATE/.test(text) && text.includes(urlC), 'status --relays prints a table', text)
ok(/RELAY\s+STATE\s+ROLES/.test(text) && new RegExp(`${urlC}\\s+open\\s+jobs\\s`).test(text), 'with the roles of each relay', text)
ok(status()?.relays?.every((r) => r.roles === 'jobs'), 'the configured relays are jobs relays (the supervisor gives no roles yet)')

daemon.kill('SIGTERM')
await new Promise((resolve) => { daemon.once('exit', resolve); setTimeout(resolve, 8000) })
ok(daemon.exitCode === 0, 'the daemon stops cleanly', log.slice(-2000))
for (const p of [A2, B, G, S, F, C]) await stopPeer(p)
finish()
