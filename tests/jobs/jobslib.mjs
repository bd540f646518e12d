// Shared by the job tests (tests/jobs/README): the fixture repository,
// the npm relay, the whole suite started in the foreground with a test
// config, a nostr-tools buyer that collects the provider's feedback and
// results, and the buyer's own checks of what it got (PROTOCOL.md §A.4,
// §A.5, §A.7, §A.9, §A.10, §E.3, §E.4).
import { spawn, execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { ok, finish as libFinish, tempdir, initProvider, OA, track } from '../interop/lib.mjs'
import { npm, cjs, nwcSdk, refilter, INTEROP } from './npm.mjs'
import { fetchEvents, publishEvent, signEvent } from '../interop/buyer.mjs'

export { ok, tempdir, track, OA, fetchEvents, publishEvent, signEvent }

export const HERE = dirname(fileURLToPath(import.meta.url))
export { INTEROP, npm }
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
export const now = () => Math.floor(Date.now() / 1000)

export const { generateSecretKey, getPublicKey, verifyEvent, finalizeEvent } = await npm('nostr-tools/pure')
export const nip04 = await npm('nostr-tools/nip04')
export const nip44 = await npm('nostr-tools/nip44')
const { Relay, useWebSocketImplementation } = await npm('nostr-tools/relay')
useWebSocketImplementation((await npm('ws')).default)

export const RESULT_KINDS = [6930, 6931, 6932, 6933, 6050]
export const FEEDBACK = 7000

// --- reporting ---------------------------------------------------------

let failures = 0
const daemons = []

export function check (cond, desc, extra) {
  if (!cond) failures++
  ok(cond, desc, extra)
  return !!cond
}

// Prints the daemon logs' tails when something failed, then "N passed,
// N failed" (lib.mjs) and exits.
export function finish () {
  if (failures > 0) {
    for (const d of daemons) {
      console.log(`# --- ${d.name}: last lines of the daemon log ---`)
      console.log(d.tail(60).split('\n').map((l) => `# ${l}`).join('\n'))
    }
  }
  libFinish()
}

// Cases of runCases() whose results are not printed yet.
let pending = []

function flush (cases, unfinished) {
  for (const c of cases) {
    for (const [cond, desc, x] of c.list) check(cond, desc, x)
    c.list = []
    if (unfinished && !c.done) check(false, `${c.name}: finished in time`)
  }
}

// The whole script gets ms; past it, what is left counts as a failure.
export function deadline (ms) {
  setTimeout(() => {
    flush(pending, true)
    check(false, `the test finished within ${ms / 1000} s`)
    finish()
  }, ms).unref()
}

// Cases that run at the same time; their results print in order.
export async function runCases (cases) {
  const mine = Object.entries(cases).map(([name, fn]) => ({ name, fn, list: [], done: false }))
  pending = mine
  await Promise.all(mine.map(async (c) => {
    const t = { ok: (cond, desc, extra) => { c.list.push([!!cond, `${c.name}: ${desc}`, extra]); return !!cond } }
    try {
      await c.fn(t)
    } catch (e) {
      c.list.push([false, `${c.name}: threw`, e && e.stack ? e.stack : String(e)])
    }
    c.done = true
  }))
  pending = []
  flush(mine, false)
}

// --- the fixture --------------------------------------------------------

// The fixture repository (fixture.sh) under DIR/repos/calc.
export function makeFixture (dir) {
  const path = join(dir, 'repos', 'calc')
  mkdirSync(join(dir, 'repos'), { recursive: true })
  const sha = execFileSync('sh', [join(HERE, 'fixture.sh'), path], { encoding: 'utf8', timeout: 30000 }).trim()
  return { path, url: `file://${path}`, sha, branch: 'feature/sum', tag: 'v1.0', root: join(dir, 'repos') }
}

// The agent, copied next to the test's files with its mode.
export function installAgent (dir) {
  mkdirSync(join(dir, 'bin'), { recursive: true })
  const p = join(dir, 'bin', 'agent.sh')
  copyFileSync(join(HERE, 'agent.sh'), p)
  chmodSync(p, 0o755)
  return p
}

const git = (cwd, args, input) => spawnSync('git', args, {
  cwd, input, encoding: 'utf8', timeout: 30000, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' }
})

// The buyer's own checkout of the fixture at ref.
export function checkout (fx, dest, ref = fx.sha) {
  const c = spawnSync('git', ['clone', '-q', fx.path, dest], { encoding: 'utf8', timeout: 30000 })
  if (c.status !== 0) throw new Error(`git clone: ${c.stderr}`)
  const r = git(dest, ['checkout', '-q', ref])
  if (r.status !== 0) throw new Error(`git checkout ${ref}: ${r.stderr}`)
  return dest
}

// The diff a CodeReview job reviews: the fix, plus a comment line that
// carries the agent marker (the agent reads the diff under review).
export function reviewDiff (fx, dir, marker) {
  const w = checkout(fx, join(dir, `review-${marker}`))
  const f = join(w, 'src', 'calc.sh')
  const text = readFileSync(f, 'utf8')
    .replace('[ "$i" -lt "$n" ]', '[ "$i" -le "$n" ]')
    .replace('sum() {\n', `sum() {\n\t# inclusive bound (oa-test-agent:${marker})\n`)
  writeFileSync(f, text)
  return git(w, ['diff']).stdout
}

// VERIFICATION.md for a PatchGen result, on the buyer's checkout at ref:
// git apply --check, git apply, the test command, the extra commands,
// then git checkout . to revert.
export function buyerVerify (fx, dir, patch, { ref = fx.sha, test = 'sh test.sh', verify = ['sh lint.sh'] } = {}) {
  const w = checkout(fx, join(dir, `buyer-${Math.random().toString(16).slice(2)}`), ref)
  const sh = (cmd) => spawnSync('sh', ['-c', cmd], { cwd: w, encoding: 'utf8', timeout: 60000 })
  const out = { applies: false, applied: false, test: null, verifications: [], before: sh(test).status }
  out.applies = git(w, ['apply', '--check', '-'], patch).status === 0
  if (out.applies) out.applied = git(w, ['apply', '-'], patch).status === 0
  if (out.applied) {
    const t = sh(test)
    out.test = t.status
    out.testOutput = t.stdout + t.stderr
    for (const v of verify) out.verifications.push({ command: v, exit: sh(v).status })
    out.files = readdirSync(w)
    out.reverted = git(w, ['checkout', '.']).status === 0
  }
  return out
}

// --- processes ----------------------------------------------------------

// pids of processes whose command line is exactly argv (the agents'
// sleeps carry unique numbers so that a test can find them).
export function procsWith (argv) {
  const want = argv.join('\0') + '\0'
  const pids = []
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue
    try {
      if (readFileSync(`/proc/${p}/cmdline`, 'latin1') !== want) continue
      // a zombie has finished all the same
      if (/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'latin1'))) continue
      pids.push(Number(p))
    } catch {}
  }
  return pids
}

export function alive (pid) {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'latin1'))
  } catch { return false }
}

// cond may be async
export async function until (cond, ms, step = 100) {
  const end = Date.now() + ms
  for (;;) {
    const v = await cond()
    if (v) return v
    if (Date.now() >= end) return null
    await sleep(step)
  }
}

// --- the npm relay ------------------------------------------------------

// script: tests/interop/relay.mjs, or relay9.mjs here (the same engine,
// keeping NIP-09 deletions, which the cancellation test needs)
export function startRelay (dir, name, { port = 0, script = join(INTEROP, 'relay.mjs') } = {}) {
  return new Promise((resolve, reject) => {
    const p = track(spawn(process.execPath, [script, '--port', String(port), '--db', join(dir, `${name}.db`)],
      { cwd: INTEROP, stdio: ['ignore', 'pipe', 'pipe'] }))
    p.stderr.on('data', () => {})
    const t = setTimeout(() => reject(new Error(`relay ${name}: not ready in time`)), 20000)
    createInterface({ input: p.stdout }).on('line', (l) => {
      const m = /^ready (\d+)$/.exec(l)
      if (m) { clearTimeout(t); resolve({ proc: p, port: Number(m[1]), url: `ws://127.0.0.1:${m[1]}`, name }) }
    })
    p.on('exit', (code) => { clearTimeout(t); reject(new Error(`relay ${name} exited ${code}`)) })
  })
}

export async function stopProc (proc, signal = 'SIGTERM', ms = 8000) {
  if (proc.exitCode !== null || proc.signalCode !== null) return
  const gone = new Promise((resolve) => proc.once('exit', resolve))
  proc.kill(signal)
  await Promise.race([gone, sleep(ms)])
}

// --- the provider -------------------------------------------------------

// The isolation the tests ask for; OA_TEST_ISOLATION=local for debugging
// the pipeline without the container.
export const ISOLATION = process.env.OA_TEST_ISOLATION || 'container'
const MOCK = process.env.OA_JOBS_MOCK === '1'

export class Daemon {
  // opts: relays (urls), fixture, agent (path), capacity, jobTypes,
  // limits {time_secs, memory_mb, pids, ...}, env (extra), name,
  // extraConfig (TOML lines appended to the config, e.g. more sections)
  constructor (dir, opts) {
    this.dir = dir
    this.opts = opts
    this.name = opts.name || 'openagentsd'
    this.home = join(dir, 'home')
    this.log = ''
    this.proc = null
    this.id = initProvider(dir)
    this.pubkey = this.id.pubkey
    this.env = {
      ...process.env,
      OPENAGENTS_HOME: this.home,
      OPENAGENTS_PASSPHRASE_FILE: this.id.passfile,
      ...(opts.env || {})
    }
    this.cfg = join(this.home, 'provider', 'config.toml')
    this.writeConfig()
    daemons.push(this)
  }

  writeConfig () {
    const o = this.opts
    const list = (a) => `[${a.map((s) => JSON.stringify(s)).join(', ')}]`
    const limits = { time_secs: 60, memory_mb: 512, pids: 128, ...(o.limits || {}) }
    const text = [
      '# written by tests/jobs/jobslib.mjs',
      '[identity]', `pubkey = ${JSON.stringify(this.id.npub)}`, '',
      '[worker]',
      `capacity = ${o.capacity || 4}`,
      `job_types = ${list(o.jobTypes || ['PatchGen', 'CodeReview', 'SandboxRun'])}`,
      `isolation = ${JSON.stringify(o.isolation || ISOLATION)}`,
      `allow_local_repos = ${list([o.fixture.root])}`, '',
      '[pricing.PatchGen]', 'base = 3000', 'per_file = 100', 'max = 20000', '',
      '[pricing.CodeReview]', 'base = 2000', 'per_file = 50', 'max = 15000', '',
      '[pricing.SandboxRun]', 'base = 200', 'max = 20000', '',
      '[relays]', `urls = ${list(o.relays)}`, '',
      '[agent]', 'backend = "command"', `command = ${JSON.stringify(o.agent)}`, '',
      '[payments]', `mode = ${JSON.stringify(o.payments || 'free')}`, '',
      '[limits]', ...Object.entries(limits).map(([k, v]) => `${k} = ${v}`), '',
      ...(o.extraConfig ? [...o.extraConfig, ''] : [])
    ].join('\n')
    writeFileSync(this.cfg, text)
  }

  start () {
    this.startedAt = now()
    // OA_JOBS_MOCK=1: the stand-in of mockprovider.mjs, for checking the
    // tests themselves (it is not the daemon and proves nothing of it)
    const p = MOCK
      ? spawn(process.execPath, [join(HERE, 'mockprovider.mjs')], { env: { ...this.env, OA_MOCK_MNEMONIC: this.id.mnemonic }, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(OA, ['provider', 'serve', '--foreground'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] })
    track(p)
    p.stdout.on('data', (d) => { this.log += d })
    p.stderr.on('data', (d) => { this.log += d })
    this.proc = p
    return p
  }

  status (relays = false) {
    if (MOCK) {
      try { return this.running() ? JSON.parse(readFileSync(join(this.home, 'provider', 'mock-status.json'), 'utf8')) : null } catch { return null }
    }
    try {
      const args = ['provider', 'status', '--json']
      if (relays) args.push('--relays')
      return JSON.parse(execFileSync(OA, args, { env: this.env, encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'ignore'] }))
    } catch { return null }
  }

  // `provider jobs --json`: [{id, request_id, type, status, earned_sats, ...}]
  jobs () {
    const j = MOCK ? this.mockFile('mock-jobs.json') : this.ctlJson(['jobs', '--json'])
    return Array.isArray(j) ? j : (j?.jobs || [])
  }

  // `provider earnings --json --period P`: {jobs, earned_sats, by_type: [{type, jobs, earned_sats}]}
  earnings (period = 'all') {
    if (!MOCK) return this.ctlJson(['earnings', '--json', '--period', period])
    const rows = this.jobs().filter((r) => r.earned_sats > 0)
    const by = {}
    for (const r of rows) {
      by[r.type] = by[r.type] || { type: r.type, jobs: 0, earned_sats: 0 }
      by[r.type].jobs++
      by[r.type].earned_sats += r.earned_sats
    }
    return { jobs: rows.length, earned_sats: rows.reduce((n, r) => n + r.earned_sats, 0), by_type: Object.values(by) }
  }

  ctlJson (args) {
    try {
      return JSON.parse(execFileSync(OA, ['provider', ...args], { env: this.env, encoding: 'utf8', timeout: 10000, stdio: ['ignore', 'pipe', 'pipe'] }))
    } catch { return null }
  }

  mockFile (name) {
    try { return JSON.parse(readFileSync(join(this.home, 'provider', name), 'utf8')) } catch { return null }
  }

  running () { return this.proc && this.proc.exitCode === null && this.proc.signalCode === null }

  // online, and every relay of the config open
  async waitReady (ms = 30000) {
    return until(() => {
      if (!this.running()) return null
      const st = this.status(true)
      if (!st || st.status !== 'online') return null
      const rs = st.relays || []
      return rs.length === this.opts.relays.length && rs.every((r) => r.state === 'open') ? st : null
    }, ms, 200)
  }

  helperPid (name) {
    const h = this.status()?.helpers?.find((x) => x.name === name)
    return h && h.pid > 0 ? h.pid : null
  }

  helperPids () {
    return (this.status()?.helpers || []).map((h) => h.pid).filter((p) => p > 0)
  }

  async stop () {
    if (!this.running()) return
    await stopProc(this.proc, 'SIGTERM', 10000)
    if (this.running()) await stopProc(this.proc, 'SIGKILL', 3000)
  }

  mentions (re) { return re.test(this.log) }

  tail (n = 40) { return this.log.split('\n').slice(-n).join('\n') }
}

// --- the buyer ------------------------------------------------------------

// Everything the provider publishes, from every relay, once each: one
// live subscription per relay for the feedback and result kinds.  The
// npm relay's live subscriptions ignore #e, so events are attributed to
// requests here, by their e tag.
export class Collector {
  constructor () {
    this.byId = new Map()
    this.order = []
    this.seen = new Map()	// id -> Set of relay urls
    this.waiters = new Set()
    this.relays = []
  }

  async connect (urls, since = now() - 5) {
    for (const url of urls) {
      const r = await Relay.connect(url)
      r.subscribe([{ kinds: [FEEDBACK, ...RESULT_KINDS, 5], since }], {
        onevent: (e) => this.add(e, url)
      })
      this.relays.push(r)
    }
  }

  add (e, url) {
    if (!this.seen.has(e.id)) this.seen.set(e.id, new Set())
    this.seen.get(e.id).add(url)
    if (this.byId.has(e.id)) return
    this.byId.set(e.id, e)
    e.arrival = this.order.length
    e.receivedAt = Date.now()
    this.order.push(e)
    for (const w of [...this.waiters]) w()
  }

  // events that answer request id (e tag)
  of (id) { return this.order.filter((e) => e.kind !== 5 && e.tags.some((t) => t[0] === 'e' && t[1] === id)) }
  results (id) { return this.of(id).filter((e) => RESULT_KINDS.includes(e.kind)) }
  feedback (id) { return this.of(id).filter((e) => e.kind === FEEDBACK) }

  // the first event for request id that pred accepts, or null after ms
  waitFor (id, pred, ms) {
    return new Promise((resolve) => {
      const look = () => this.of(id).find(pred)
      const hit = look()
      if (hit) return resolve(hit)
      const w = () => {
        const h = look()
        if (h) { done(); resolve(h) }
      }
      const done = () => { clearTimeout(t); this.waiters.delete(w) }
      const t = setTimeout(() => { done(); resolve(null) }, ms)
      this.waiters.add(w)
    })
  }

  // a result, or a 7000 error: the job is over either way
  async waitEnd (id, ms = 90000) {
    const e = await this.waitFor(id, (x) => RESULT_KINDS.includes(x.kind) || (x.kind === FEEDBACK && statusOf(x) === 'error'), ms)
    // an error feedback may still be followed by its failed result (§E.3)
    if (e && e.kind === FEEDBACK) await this.waitFor(id, (x) => RESULT_KINDS.includes(x.kind), 3000)
    return e
  }

  close () { for (const r of this.relays) { try { r.close() } catch {} } }
}

// Posts one signed request to every url; resolves with the event.
export async function post (urls, sk, template) {
  const ev = signEvent(sk, template)
  for (const url of urls) await publishEvent(url, ev, { sk })
  return ev
}

// --- requests ---------------------------------------------------------------

export const DISALLOWED = 'docs/**,.env,.env.*,deploy/**,**/*.pem'

// A PatchGen request (PROTOCOL.md §A.4) for the fixture, run by the
// agent behaviour `agent`.
export function patchJob (fx, agent, { provider, params = {}, issue = '', omit = [] } = {}) {
  const p = {
    repo_ref: fx.sha,
    target_branch: 'main',
    allowed_paths: 'src/**',
    disallowed_paths: DISALLOWED,
    test_command: 'sh test.sh',
    verification_commands: 'sh lint.sh',
    time_limit_secs: '60',
    max_cost_sats: '10000',
    ...params
  }
  const tags = [
    ['i', `sum() is off by one [oa-test-agent:${agent}] ${issue}`.trim(), 'text'],
    ['i', 'calc.sh sum N prints the sum of 1..N-1 instead of 1..N.', 'text'],
    ['i', fx.url, 'url']
  ]
  for (const [k, v] of Object.entries(p)) if (v !== null) tags.push(['param', k, v])
  tags.push(['output', 'patch'])
  if (provider) tags.push(['p', provider])
  return { kind: 5932, tags: tags.filter((t) => !omit.includes(t[0] === 'param' ? t[1] : t[0] + ':' + t[2])), content: '' }
}

export function reviewJob (diff, { provider, params = {} } = {}) {
  const tags = [['i', diff, 'text']]
  for (const [k, v] of Object.entries({ focus: 'logic,testing', depth: 'quick', max_cost_sats: '8000', ...params })) tags.push(['param', k, v])
  tags.push(['output', 'structured_review'])
  if (provider) tags.push(['p', provider])
  return { kind: 5933, tags, content: '' }
}

export function sandboxJob (fx, command, { provider, ref = fx.tag, params = {} } = {}) {
  const tags = [['i', fx.url, 'url'], ['param', 'repo_ref', ref], ['param', 'command', command]]
  for (const [k, v] of Object.entries({ timeout_secs: '60', memory_mb: '256', max_cost_sats: '1000', ...params })) tags.push(['param', k, v])
  tags.push(['output', 'execution_result'])
  if (provider) tags.push(['p', provider])
  return { kind: 5930, tags, content: '' }
}

// The encrypted form of a request (NIP-90, PROTOCOL.md §C.10, §E.4): its
// i and param tags, as a JSON array, encrypted to the provider with
// scheme 4 (NIP-04) or 44 (NIP-44); only p and encrypted stay outside.
export function encryptJob (template, sk, provider, scheme) {
  const inner = template.tags.filter((t) => t[0] === 'i' || t[0] === 'param' || t[0] === 'output')
  const text = JSON.stringify(inner)
  const content = scheme === 44
    ? nip44.encrypt(text, nip44.getConversationKey(sk, provider))
    : nip04.encrypt(sk, provider, text)
  return { kind: template.kind, tags: [['p', provider], ['encrypted']], content }
}

export function decryptFrom (content, sk, provider, scheme) {
  return scheme === 44
    ? nip44.decrypt(content, nip44.getConversationKey(sk, provider))
    : nip04.decrypt(sk, provider, content)
}

// Which scheme a payload looks like (§E.4): NIP-04 carries "?iv=".
export function schemeOf (content) {
  if (/\?iv=/.test(content)) return 4
  try {
    if (Buffer.from(content, 'base64')[0] === 2) return 44
  } catch {}
  return 0
}

// --- reading events ---------------------------------------------------------

export const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex')
export const tagOf = (ev, name) => ev?.tags.find((t) => t[0] === name)
export const tagsOf = (ev, name) => (ev?.tags || []).filter((t) => t[0] === name)
export const resultOf = (ev, key) => ev?.tags.find((t) => t[0] === 'result' && t[1] === key)?.[2]
export const usageOf = (ev, key) => ev?.tags.find((t) => t[0] === 'usage' && t[1] === key)?.[2]
export const statusOf = (ev) => tagOf(ev, 'status')?.[1]

// E-codes an event carries: ["error", code, msg] and, on a 7000,
// ["status", "error", "E00x: msg"].
export function codesOf (ev) {
  const codes = []
  for (const t of tagsOf(ev, 'error')) if (/^E\d{3}$/.test(t[1] || '')) codes.push(t[1])
  const s = tagOf(ev, 'status')
  if (s && s[1] === 'error') {
    const m = /\b(E\d{3})\b/.exec(s[2] || '')
    if (m) codes.push(m[1])
    const x = tagOf(ev, 'status_extra')
    const m2 = x && /\b(E\d{3})\b/.exec(x[1] || '')
    if (m2) codes.push(m2[1])
  }
  return codes
}

// Everything the provider said about a request: codes and texts.
export function verdictOf (col, id) {
  const evs = col.of(id)
  const codes = new Set()
  let text = ''
  for (const e of evs) {
    for (const c of codesOf(e)) codes.add(c)
    for (const t of e.tags) if (t[0] === 'error' || t[0] === 'status' || t[0] === 'status_extra') text += t.slice(1).join(' ') + '\n'
  }
  const results = evs.filter((e) => RESULT_KINDS.includes(e.kind))
  return {
    codes: [...codes],
    text,
    results,
    successes: results.filter((e) => statusOf(e) === 'success'),
    feedback: evs.filter((e) => e.kind === FEEDBACK)
  }
}

// Files, added and deleted lines of a unified diff.
export function diffStats (diff) {
  const files = new Set()
  let additions = 0; let deletions = 0
  for (const l of diff.split('\n')) {
    let m
    if ((m = /^\+\+\+ (?:b\/)?(.*)$/.exec(l)) && m[1] !== '/dev/null') files.add(m[1])
    else if ((m = /^--- (?:a\/)?(.*)$/.exec(l)) && m[1] !== '/dev/null') files.add(m[1])
    else if (l.startsWith('+') && !l.startsWith('+++')) additions++
    else if (l.startsWith('-') && !l.startsWith('---')) deletions++
  }
  return { files: [...files], additions, deletions }
}

// The lines a patch adds to one file (how the escape agents report).
export function addedLines (diff, file) {
  const out = []
  let inFile = false
  for (const l of diff.split('\n')) {
    if (l.startsWith('diff --git ')) inFile = l.endsWith(` b/${file}`)
    else if (l.startsWith('+++ ')) inFile = l === `+++ b/${file}`
    else if (inFile && l.startsWith('+')) out.push(l.slice(1))
  }
  return out
}

// The NIP-01 fields alone: nostr-tools caches a verdict on the object
// under a symbol, which a copy would carry along.
export const bare = (e) => ({ id: e.id, pubkey: e.pubkey, created_at: e.created_at, kind: e.kind, tags: e.tags, content: e.content, sig: e.sig })

// The checks every result and feedback event of a request must pass:
// signed by the provider, ["e", req], ["p", buyer]; results also carry
// ["request", the request JSON] and a status.  Returns [cond, desc, extra].
export function envelopeChecks (ev, req, provider) {
  const out = []
  out.push([verifyEvent(bare(ev)), `kind ${ev.kind}: id and signature verify (nostr-tools verifyEvent)`])
  out.push([ev.pubkey === provider, `kind ${ev.kind}: signed by the provider's key`, `${ev.pubkey} != ${provider}`])
  out.push([tagOf(ev, 'e')?.[1] === req.id, `kind ${ev.kind}: ["e", request id]`])
  out.push([tagsOf(ev, 'p').some((t) => t[1] === req.pubkey), `kind ${ev.kind}: ["p", buyer]`, JSON.stringify(ev.tags)])
  if (RESULT_KINDS.includes(ev.kind)) {
    out.push([ev.kind === req.kind + 1000, `result kind ${ev.kind} = request kind + 1000`])
    let rq = null
    try { rq = JSON.parse(tagOf(ev, 'request')?.[1]) } catch {}
    out.push([rq && rq.id === req.id && rq.sig === req.sig, `kind ${ev.kind}: ["request", the request event JSON]`, tagOf(ev, 'request')?.[1]?.slice(0, 200)])
    out.push([['success', 'partial_success', 'failed', 'timeout'].includes(statusOf(ev)), `kind ${ev.kind}: a status tag`, statusOf(ev)])
  }
  return out
}

// A successful PatchGen result (§A.4, §E.3, VERIFICATION.md), given its
// content as the buyer reads it (decrypted if need be).  ctx: req,
// provider, fixture, dir, diff (the content), ref, expect {files:[...]}.
export function patchSuccessChecks (res, ctx) {
  const out = envelopeChecks(res, ctx.req, ctx.provider)
  const diff = ctx.diff ?? res.content
  const st = diffStats(diff)
  out.push([statusOf(res) === 'success', 'status success', JSON.stringify(res.tags)])
  out.push([diff.length > 0 && /^(diff --git|--- )/m.test(diff), 'content is a unified diff', diff.slice(0, 300)])
  out.push([resultOf(res, 'patch_sha256') === sha256(ctx.hashOver ?? diff), 'patch_sha256 = sha256(content)', `${resultOf(res, 'patch_sha256')} vs ${sha256(diff)}`])
  out.push([resultOf(res, 'applies_cleanly') === 'true', 'applies_cleanly true'])
  out.push([resultOf(res, 'test_exit_code') === '0', 'test_exit_code 0'])
  out.push([resultOf(res, 'files_changed') === String(st.files.length), `files_changed ${st.files.length}`, resultOf(res, 'files_changed')])
  out.push([resultOf(res, 'additions') === String(st.additions), `additions ${st.additions}`, resultOf(res, 'additions')])
  out.push([resultOf(res, 'deletions') === String(st.deletions), `deletions ${st.deletions}`, resultOf(res, 'deletions')])
  out.push([(resultOf(res, 'trajectory_id') || '').length > 0, 'a trajectory_id'])
  const v = tagsOf(res, 'result').filter((t) => t[1] === 'verification')
  out.push([v.length >= 1 && v.every((t) => t[3] === '0'), 'a verification result per extra command, exit 0', JSON.stringify(v)])
  out.push([usageOf(res, 'input_tokens') === '1200' && usageOf(res, 'output_tokens') === '340', "the agent's usage line is in the usage tags", JSON.stringify(tagsOf(res, 'usage'))])
  if (ctx.expect?.files) {
    out.push([JSON.stringify(st.files.sort()) === JSON.stringify([...ctx.expect.files].sort()), `the patch touches ${ctx.expect.files.join(', ')}`, st.files.join(', ')])
  }
  out.push([!/FAKE_SECRET|BEGIN PRIVATE KEY/.test(diff), 'no secret bytes in the patch'])
  const b = buyerVerify(ctx.fixture, ctx.dir, diff, { ref: ctx.ref })
  out.push([b.before !== 0, "the buyer's checkout fails sh test.sh before the patch"])
  out.push([b.applies, 'buyer: git apply --check passes'])
  out.push([b.applied, 'buyer: git apply passes'])
  out.push([b.test === 0, 'buyer: sh test.sh exits 0 after the patch', b.testOutput])
  out.push([b.verifications.length > 0 && b.verifications.every((x) => x.exit === 0), 'buyer: sh lint.sh exits 0', JSON.stringify(b.verifications)])
  out.push([b.reverted, 'buyer: git checkout . reverts'])
  return out
}

// A failure with an E-code: no success result, the code among those the
// provider gave.  Returns [cond, desc, extra].
export function failureChecks (col, req, provider, codes, what) {
  const v = verdictOf(col, req.id)
  const out = []
  const want = Array.isArray(codes) ? codes : [codes]
  out.push([v.codes.some((c) => want.includes(c)), `${what}: error ${want.join(' or ')}`, `codes [${v.codes}] ${v.text}`])
  out.push([v.successes.length === 0, `${what}: no success result`])
  out.push([v.results.length <= 1, `${what}: at most one result`, v.results.map((e) => e.id).join(' ')])
  for (const e of [...v.results, ...v.feedback.filter((f) => statusOf(f) === 'error')]) {
    for (const c of envelopeChecks(e, req, provider)) out.push([c[0], `${what}: ${c[1]}`, c[2]])
  }
  for (const r of v.results) {
    out.push([statusOf(r) === 'failed' || statusOf(r) === 'timeout', `${what}: the result's status is failed or timeout`, statusOf(r)])
    out.push([tagsOf(r, 'error').some((t) => want.includes(t[1])), `${what}: the result carries ["error", ${want[0]}, ...]`, JSON.stringify(tagsOf(r, 'error'))])
  }
  return out
}

// After a fault: exactly one result, a success (the unfinished phase
// rerun) or a clean failure with an E-code (E007 expected).
export function oneResultChecks (col, req, what) {
  const rs = col.results(req.id)
  const out = [[rs.length === 1, `${what}: exactly one result`, rs.map((e) => `${e.id} ${statusOf(e)}`).join('\n')]]
  const r = rs[0]
  if (r) {
    const fine = statusOf(r) === 'success' || (statusOf(r) === 'failed' && codesOf(r).length > 0)
    out.push([fine, `${what}: success after a rerun, or a clean failure with an E-code (${statusOf(r)} ${codesOf(r)})`, JSON.stringify(r.tags)])
  }
  return out
}

// --- the wallet ----------------------------------------------------------------

// wallet.mjs (its header says what it does) on the relay urls, as the
// test's own peer: resolves once it is ready with its ready line's
// fields (provider_uri, buyer_uri, wallet_pubkey, node_pubkey, ...),
// ask(command) (its JSON answer, or null after ms), log, stop().
export class Wallet {
  static start (urls, { name = 'wallet' } = {}) {
    return new Wallet(urls, name).ready
  }

  constructor (urls, name) {
    this.name = name
    this.log = ''
    this.waiters = []
    const args = [join(HERE, 'wallet.mjs')]
    for (const u of [].concat(urls)) args.push('--relay', u)
    const p = track(spawn(process.execPath, args, { cwd: INTEROP, stdio: ['pipe', 'pipe', 'pipe'] }))
    this.proc = p
    p.stderr.on('data', (d) => { this.log += d })
    daemons.push(this)
    this.ready = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${name}: not ready in 30 s\n${this.log}`)), 30000)
      let up = false
      createInterface({ input: p.stdout }).on('line', (l) => {
        let m
        try { m = JSON.parse(l) } catch { return }
        if (!up) {
          up = true
          clearTimeout(t)
          Object.assign(this, m)
          return resolve(this)
        }
        // answers come in order; a waiter that timed out still takes its own
        const w = this.waiters.shift()
        if (w) w(m)
      })
      p.on('exit', (code) => {
        clearTimeout(t)
        if (!up) reject(new Error(`${name} exited ${code}\n${this.log}`))
        for (const w of this.waiters.splice(0)) w(null)
      })
    })
  }

  ask (command, ms = 10000) {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve(null)
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(null), ms)
      this.waiters.push((m) => { clearTimeout(t); resolve(m) })
      this.proc.stdin.write(command + '\n')
    })
  }

  tail (n = 40) { return this.log.split('\n').slice(-n).join('\n') }

  async stop () {
    this.proc.stdin.end()
    await stopProc(this.proc)
  }
}

// An NWCClient of @getalby/sdk for uri, made to re-check its filters
// (npm.mjs refilter: the npm relay does not apply #e to live ones).
export async function nwcClient (uri) {
  const { NWCClient } = await nwcSdk()
  const c = new NWCClient({ nostrWalletConnectUrl: uri })
  await refilter(c.pool)
  return c
}

// What a buyer checks of an invoice (PROTOCOL.md §A.12, §E.5, Part D),
// decoded by both npm decoders: regtest, amount msats, a payment hash
// and a payment secret, at least minExpiry seconds of life left, and
// signed by the node key payee (when given).  Returns { checks:
// [[cond, desc, extra]...], hash, expiry, timestamp }.
export function invoiceChecks (inv, { msats, payee, minExpiry = 60, what = 'the invoice' } = {}) {
  const bolt11 = cjs('bolt11')
  const light = cjs('light-bolt11-decoder')
  const checks = []
  let b = null; let l = null
  try { b = bolt11.decode(inv) } catch (e) { checks.push([false, `${what}: bolt11 decodes it`, e.message]) }
  try { l = light.decode(inv) } catch (e) { checks.push([false, `${what}: light-bolt11-decoder decodes it`, e.message]) }
  if (!b || !l) return { checks, hash: null }
  const btag = (n) => b.tags.find((t) => t.tagName === n)?.data
  const lsec = (n) => l.sections.find((x) => x.name === n)?.value
  const hash = btag('payment_hash')
  const expiry = btag('expire_time') ?? 3600
  checks.push([/^lnbcrt/.test(inv) && b.network?.bech32 === 'bcrt' && lsec('coin_network')?.bech32 === 'bcrt', `${what}: network regtest (lnbcrt)`, inv.slice(0, 20)])
  checks.push([b.millisatoshis === String(msats) && lsec('amount') === String(msats), `${what}: ${msats} msats by both decoders`, `${b.millisatoshis} / ${lsec('amount')}`])
  checks.push([/^[0-9a-f]{64}$/.test(hash || '') && lsec('payment_hash') === hash, `${what}: a payment hash, the same by both decoders`, `${hash} / ${lsec('payment_hash')}`])
  checks.push([/^[0-9a-f]{64}$/.test(btag('payment_secret') || ''), `${what}: a payment secret`])
  checks.push([expiry >= minExpiry && l.expiry === expiry, `${what}: expiry ${expiry} s >= ${minExpiry}, the same by both decoders`, `${expiry} / ${l.expiry}`])
  checks.push([b.timestamp + expiry > now(), `${what}: not expired yet`, `${b.timestamp} + ${expiry}`])
  if (payee) checks.push([b.payeeNodeKey === payee, `${what}: the signature recovers the wallet's node key`, `${b.payeeNodeKey} != ${payee}`])
  return { checks, hash, expiry, timestamp: b.timestamp }
}

// --- one script's world ----------------------------------------------------

// A temp dir, the fixture, nrelays npm relays (relayScript: another
// relay glue, as for startRelay), the suite with a test
// config (opts as for Daemon) started and ready, and a collector on
// every relay.  Ends the script when the suite does not come up.
//
// walletUri: a nostr+walletconnect:// URI, or a function (relays, dir)
// giving one (startWallet on those relays), stored in wallet.enc with
// `openagents provider wallet connect -` after init, before serve.
export async function bringUp ({ nrelays = 1, relayScript, walletUri, ...opts } = {}) {
  const dir = tempdir()
  const fx = makeFixture(dir)
  const relays = []
  for (let i = 0; i < nrelays; i++) relays.push(await startRelay(dir, String.fromCharCode(97 + i), { script: relayScript }))
  const d = new Daemon(dir, { relays: relays.map((r) => r.url), fixture: fx, agent: installAgent(dir), ...opts })
  if (walletUri) {
    const uri = typeof walletUri === 'function' ? await walletUri(relays, dir) : walletUri
    // the stand-in has no wallet.enc: it reads the URI from a file
    if (MOCK) writeFileSync(join(d.home, 'provider', 'mock-wallet-uri'), uri)
    const c = MOCK ? { status: 0 } : spawnSync(OA, ['provider', 'wallet', 'connect', '-'], { env: d.env, input: uri + '\n', encoding: 'utf8', timeout: 30000 })
    if (!check(c.status === 0, 'openagents provider wallet connect - takes the NWC URI', `exit ${c.status} ${c.error || ''}\n${c.stdout}${c.stderr}`)) finish()
  }
  d.start()
  const st = await d.waitReady(30000)
  check(st, `the suite is online with ${nrelays} relay${nrelays > 1 ? 's' : ''} open`, d.tail())
  if (!st) finish()
  check(st.isolation === (opts.isolation || ISOLATION), `isolation is ${st.isolation}`)
  const col = new Collector()
  await col.connect(relays.map((r) => r.url))
  return { dir, fx, relays, d, col, pk: d.pubkey, st }
}

// The last word of a script: the suite still serves a job (template
// from make(pk)) whose result pred accepts, then stops cleanly.
export async function wrapUp ({ d, col, relays }, what, make, pred) {
  const req = await post([relays[relays.length - 1].url], generateSecretKey(), make(d.pubkey))
  const res = await col.waitFor(req.id, (e) => RESULT_KINDS.includes(e.kind), 90000)
  check(res && pred(res), what, d.tail())
  check(d.running(), 'the daemon is still running')
  col.close()
  await d.stop()
  check(d.proc.exitCode === 0, 'the daemon stops cleanly', d.tail())
  for (const r of relays) await stopProc(r.proc)
  finish()
}
