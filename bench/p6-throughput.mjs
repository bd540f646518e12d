// P6: end-to-end throughput of trivial SandboxRun jobs (kind 5930,
// command `true`) on loopback, and the npm relay's own ceiling for the
// same traffic.
//
// daemon: the suite at capacity 4 (started as tests/jobs/jobslib.mjs
// bringUp does: npm relay, `provider init` with a passphrase file,
// [payments] mode = "free"); a nostr-tools buyer posts N requests
// signed beforehand (10 per buyer key, below the rate limit of 30 a
// minute) as fast as the relay takes them, keeping at most WINDOW jobs
// without their 6930 (the queue holds 128: a larger burst would be
// refused, not measured), and counts the 6930 results.
// relay: no daemon; a stand-in provider on its own connection answers
// every request with the events the daemon published per job in the
// daemon run (EVENTS_PER_JOB, pre-signed, the last a 6930), so that the
// relay carries the same events to the same subscriptions with nothing
// behind them.
// Both print one JSON line; jobs_per_s = N / (last 6930 - first post),
// with the CPU ms per job of the suite's process tree and of the relay.
// LOG=FILE (daemon): --verbose, the log kept in FILE stamped with ms
// since the first post, and the medians of the job phases in the line.
//
// usage: OA_BUILD_ROOT=build node bench/p6-throughput.mjs [N] [daemon|relay]
//        (WINDOW=100 EVENTS_PER_JOB=2 RELAY_DB=file|memory LOG=FILE;
//        OA_TEST_ISOLATION=local|container; TMPDIR for the files)
import { spawn } from 'node:child_process'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import {
  Daemon, OA, track, INTEROP, startRelay, makeFixture, installAgent, tempdir, sandboxJob,
  generateSecretKey, getPublicKey, finalizeEvent, sleep, stopProc, now, npm, ISOLATION
} from '../tests/jobs/jobslib.mjs'

const { Relay, useWebSocketImplementation } = await npm('nostr-tools/relay')
useWebSocketImplementation((await npm('ws')).default)

const N = Number(process.argv[2] || 200)
const MODE = process.argv[3] || 'daemon'
const WINDOW = Number(process.env.WINDOW || 100)
const PER_JOB = Number(process.env.EVENTS_PER_JOB || 2)
const PER_BUYER = 10
if (MODE !== 'daemon' && MODE !== 'relay') { console.error('mode: daemon or relay'); process.exit(2) }

const dir = tempdir()
const fx = makeFixture(dir)
// RELAY_DB=file (the job tests' relay: a sqlite file in WAL mode, one
// fsync per event) or memory (the relay's default)
const RELAY_DB = process.env.RELAY_DB || 'file'
const relay = RELAY_DB === 'memory' ? await memoryRelay() : await startRelay(dir, 'a')

function memoryRelay () {
  return new Promise((resolve, reject) => {
    const p = track(spawn(process.execPath, [join(INTEROP, 'relay.mjs'), '--port', '0'],
      { cwd: INTEROP, stdio: ['ignore', 'pipe', 'ignore'] }))
    createInterface({ input: p.stdout }).on('line', (l) => {
      const m = /^ready (\d+)$/.exec(l)
      if (m) resolve({ proc: p, port: Number(m[1]), url: `ws://127.0.0.1:${m[1]}` })
    })
    p.on('exit', (code) => reject(new Error(`relay exited ${code}`)))
  })
}
let d = null
let provider
let providerSk = null
// LOG=FILE: the daemon runs with --verbose and its log is written to
// FILE, stamped with the ms since the first post (for profiling)
const LOG = process.env.LOG || ''
let t0 = 0
class BenchDaemon extends Daemon {
  start () {
    if (!LOG) return super.start()
    const p = track(spawn(OA, ['provider', 'serve', '--foreground', '--verbose'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] }))
    let part = ''
    this.stamped = []
    p.stderr.on('data', (b) => {
      this.log += b
      const lines = (part + b).split('\n')
      part = lines.pop()
      const t = t0 ? Date.now() - t0 : -1
      for (const l of lines) this.stamped.push(`${t} ${l}`)
    })
    p.stdout.on('data', (b) => { this.log += b })
    this.proc = p
    return p
  }
}
if (MODE === 'daemon') {
  d = new BenchDaemon(dir, {
    relays: [relay.url], fixture: fx, agent: installAgent(dir), capacity: 4, jobTypes: ['SandboxRun']
  })
  d.start()
  const st = await d.waitReady(30000)
  if (!st) { console.error(d.tail()); process.exit(1) }
  provider = d.pubkey
} else {
  providerSk = generateSecretKey()
  provider = getPublicKey(providerSk)
}

// the requests, signed before the clock starts
const since = now() - 5
const buyers = Array.from({ length: Math.ceil(N / PER_BUYER) }, () => generateSecretKey())
const reqs = []
for (let i = 0; i < N; i++) {
  const t = sandboxJob(fx, 'true', { provider })
  reqs.push(finalizeEvent({ ...t, created_at: now(), content: `p6 ${i}` }, buyers[Math.floor(i / PER_BUYER)]))
}
const index = new Map(reqs.map((e, i) => [e.id, i]))

// relay mode: the stand-in provider's answers, signed beforehand; the
// first PER_JOB - 1 are feedback, the last the result
let echo = null
if (MODE === 'relay') {
  const answers = reqs.map((r) => Array.from({ length: PER_JOB }, (_, k) => finalizeEvent({
    kind: k === PER_JOB - 1 ? 6930 : 7000,
    created_at: now(),
    tags: [['e', r.id], ['p', r.pubkey], ...(k === PER_JOB - 1 ? [['request', JSON.stringify(r)]] : [['status', 'processing', `step ${k}`]])],
    content: k === PER_JOB - 1 ? '{"exit_code":0,"stdout":"","stderr":""}' : ''
  }, providerSk)))
  echo = await Relay.connect(relay.url)
  echo.publishTimeout = 120000
  echo.subscribe([{ kinds: [5930], '#p': [provider], since }], {
    onevent: (e) => {
      const i = index.get(e.id)
      if (i !== undefined) for (const a of answers[i]) echo.publish(a).catch(() => {})
    }
  })
}

// From the stamped verbose log: the median ms of each sandbox phase
// (workerd's "NAME: exited E, signal S, MS ms"), of workerd's whole run
// phase (the order sent -> "run phase done"), of the supervisor's part
// after it ("run phase done" -> "result ... published") and of a job's
// whole life (the request in -> its result published).
function profile (lines) {
  const med = (a) => { a.sort((x, y) => x - y); return a.length ? a[Math.floor((a.length - 1) / 2)] : null }
  const box = {}
  const at = {}
  const mark = (job, k, t) => { at[job] = at[job] || {}; at[job][k] = at[job][k] ?? t }
  for (const l of lines) {
    const t = Number(l.slice(0, l.indexOf(' ')))
    let m
    if ((m = /workerd: (job_\w+): (\w+): exited \d+, signal \d+, (\d+) ms/.exec(l))) (box[m[2]] = box[m[2]] || []).push(Number(m[3]))
    else if ((m = /openagentsd: job (job_\w+): SandboxRun from \w+ accepted/.exec(l))) mark(m[1], 'in', t)
    else if ((m = /openagentsd: job (job_\w+): run phase sent to workerd/.exec(l))) mark(m[1], 'sent', t)
    else if ((m = /workerd: (job_\w+): run phase done/.exec(l))) mark(m[1], 'done', t)
    else if ((m = /openagentsd: job (job_\w+): result \w+ published/.exec(l))) mark(m[1], 'pub', t)
  }
  const span = (a, b) => med(Object.values(at).filter((x) => x[a] >= 0 && x[b] >= 0).map((x) => x[b] - x[a]))
  const o = {}
  for (const [k, v] of Object.entries(box)) o[`${k}_ms`] = med(v)
  return { ...o, workerd_ms: span('sent', 'done'), after_ms: span('done', 'pub'), queued_ms: span('in', 'sent'), job_ms: span('in', 'pub') }
}

// CPU ms used so far by pid and its live descendants, with what they
// reaped (utime + stime + cutime + cstime of /proc/PID/stat)
function cpuMs (root) {
  const kids = new Map()
  const times = new Map()
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'latin1')
      const a = f.slice(f.lastIndexOf(')') + 2).split(' ')
      const pp = Number(a[1])
      if (!kids.has(pp)) kids.set(pp, [])
      kids.get(pp).push(Number(p))
      times.set(Number(p), Number(a[11]) + Number(a[12]) + Number(a[13]) + Number(a[14]))
    } catch {}
  }
  let ticks = 0
  const walk = (p) => { ticks += times.get(p) || 0; for (const c of kids.get(p) || []) walk(c) }
  walk(root)
  return ticks * 10	// USER_HZ is 100 on Linux
}
const cpuOf = () => ({ suite: d ? cpuMs(d.proc.pid) : 0, relay: cpuMs(relay.proc.pid) })

const buyer = await Relay.connect(relay.url)
buyer.publishTimeout = 120000
const done = new Array(N).fill(0)
let results = 0
let errors = 0
let feedback = 0
let last = 0
let wake = null
buyer.subscribe([{ kinds: [6930, 7000], since }], {
  onevent: (e) => {
    const t = e.tags.find((x) => x[0] === 'e')
    const i = t ? index.get(t[1]) : undefined
    if (i === undefined) return
    if (e.kind === 7000) {
      feedback++
      if (e.tags.some((x) => x[0] === 'status' && x[1] === 'error')) errors++
      return
    }
    if (done[i]++) return
    results++
    last = Date.now()
    if (wake) wake()
  }
})
await sleep(500)	// both subscriptions standing

const cpu0 = cpuOf()
t0 = Date.now()
const end = t0 + 180000
let posted = 0
let refused = 0
let lastAck = 0
const acks = []
for (let i = 0; i < N; i++) {
  while (posted - results >= WINDOW && Date.now() < end) await new Promise((resolve) => { wake = resolve; setTimeout(resolve, 1000) })
  posted++
  acks.push(buyer.publish(reqs[i]).then(() => { lastAck = Date.now() }, () => { refused++ }))
}
await Promise.all(acks)
while (results + errors < N && Date.now() < end) await sleep(20)
const cpu1 = cpuOf()
await sleep(300)	// feedback still on its way
const out = {
  mode: MODE,
  relay_db: RELAY_DB,
  isolation: MODE === 'daemon' ? ISOLATION : null,
  n: N,
  window: WINDOW,
  results,
  errors,
  refused,
  events_per_job: +((results + feedback) / Math.max(1, results)).toFixed(2),
  post_s: +((lastAck - t0) / 1000).toFixed(3),
  total_s: +((last - t0) / 1000).toFixed(3),
  suite_cpu_ms_per_job: d ? Math.round((cpu1.suite - cpu0.suite) / N) : null,
  relay_cpu_ms_per_job: Math.round((cpu1.relay - cpu0.relay) / N),
  loadavg: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  jobs_per_s: results === N ? +(N / ((last - t0) / 1000)).toFixed(1) : 0
}
if (d && LOG) out.profile = profile(d.stamped)
console.log(JSON.stringify(out))
buyer.close()
if (echo) echo.close()
if (d) await d.stop()
if (d && LOG) writeFileSync(LOG, d.stamped.join('\n') + '\n')
await stopProc(relay.proc)
process.exit(results === N ? 0 : 1)
