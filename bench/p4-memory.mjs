// P4: resident memory of the five processes of the suite (openagentsd
// and relayd, workerd, verifyd, walletd, found by the pids of
// `openagents provider status --json`), idle and with 100 jobs queued.
// The suite is started as tests/jobs/jobslib.mjs bringUp does: the npm
// relay, `provider init` with a passphrase file, a test config with
// [payments] mode = "free", here at capacity 1.  Idle: online, the
// relay open, nothing received.  Queued: QUEUED + 1 SandboxRun requests
// whose command is a long sleep, so that one runs and QUEUED wait for
// the slot; 10 requests per buyer key, below the rate limit of 30 a
// minute.  For each process and state it prints one line
//
//	STATE NAME RSS_KIB PSS_KIB USS_KIB
//
// (VmRSS of /proc/PID/status; Pss and Private_Clean + Private_Dirty of
// /proc/PID/smaps_rollup, or -1 when that cannot be read), and per
// state a line `STATE union KIB -1 -1`: the page frames resident in any
// of the five, each counted once (from /proc/PID/pagemap, as root).
// With SMAPS=1 it also prints, per process and state, the largest
// mappings by Pss (`# smaps ...` lines).
//
// usage: OA_BUILD_ROOT=build node bench/p4-memory.mjs [QUEUED]
import { closeSync, openSync, readFileSync, readSync } from 'node:fs'
import {
  Daemon, startRelay, makeFixture, installAgent, tempdir, sandboxJob,
  generateSecretKey, finalizeEvent, until, sleep, stopProc, now, npm
} from '../tests/jobs/jobslib.mjs'

const { Relay, useWebSocketImplementation } = await npm('nostr-tools/relay')
useWebSocketImplementation((await npm('ws')).default)

const QUEUED = Number(process.argv[2] || 100)
const PER_BUYER = 10

function kib (path, key) {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(path, 'utf8'))
    return m ? Number(m[1]) : -1
  } catch { return -1 }
}

// The mappings of pid with the most Pss, summed by file (or [heap],
// [anon] ...), largest first.
function topMappings (pid, n = 8) {
  let text
  try { text = readFileSync(`/proc/${pid}/smaps`, 'utf8') } catch { return [] }
  const by = new Map()
  let name = null
  for (const l of text.split('\n')) {
    const h = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(l)
    if (h) { name = h[1] || '[anon]'; continue }
    const m = /^(Pss|Rss):\s+(\d+) kB/.exec(l)
    if (m && name) {
      const e = by.get(name) || { Pss: 0, Rss: 0 }
      e[m[1]] += Number(m[2])
      by.set(name, e)
    }
  }
  return [...by.entries()].sort((a, b) => b[1].Pss - a[1].Pss).slice(0, n)
}

// The page frames resident in pid's memory (bits 0-54 of each present
// entry of /proc/PID/pagemap; root sees them), added to frames: the
// five processes' union counts a page they share once.
function frames (pid, set) {
  let fd
  try { fd = openSync(`/proc/${pid}/pagemap`, 'r') } catch { return false }
  const buf = Buffer.alloc(8 * 4096)
  for (const l of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(l)
    if (!m || l.endsWith('[vsyscall]')) continue
    const lo = parseInt(m[1], 16) / 4096
    const hi = parseInt(m[2], 16) / 4096
    for (let pg = lo; pg < hi; pg += 4096) {
      const n = Math.min(4096, hi - pg)
      const got = readSync(fd, buf, 0, 8 * n, pg * 8)
      for (let i = 0; i + 8 <= got; i += 8) {
        const e = buf.readBigUInt64LE(i)
        if (e >> 63n) {
          const pfn = e & ((1n << 55n) - 1n)
          if (pfn === 0n) { closeSync(fd); return false }	// not root: no frame numbers
          set.add(pfn)
        }
      }
    }
  }
  closeSync(fd)
  return true
}

function measure (d, state) {
  const st = d.status()
  if (!st) throw new Error('provider status --json failed')
  const procs = [{ name: 'openagentsd', pid: st.pid }, ...st.helpers.map((h) => ({ name: h.name, pid: h.pid }))]
  const union = new Set()
  let all = true
  for (const p of procs) {
    all = frames(p.pid, union) && all
    const roll = `/proc/${p.pid}/smaps_rollup`
    const pc = kib(roll, 'Private_Clean')
    const pd = kib(roll, 'Private_Dirty')
    const uss = pc < 0 || pd < 0 ? -1 : pc + pd
    console.log(`${state} ${p.name} ${kib(`/proc/${p.pid}/status`, 'VmRSS')} ${kib(roll, 'Pss')} ${uss}`)
    if (process.env.SMAPS === '1') {
      for (const [file, v] of topMappings(p.pid)) console.log(`# smaps ${state} ${p.name} pss ${v.Pss} rss ${v.Rss} ${file}`)
    }
  }
  // a row of its own: the resident pages of the five, each counted once
  console.log(`${state} union ${all ? union.size * 4 : -1} -1 -1`)
  return st
}

const dir = tempdir()
const fx = makeFixture(dir)
const relay = await startRelay(dir, 'a')
const d = new Daemon(dir, {
  relays: [relay.url], fixture: fx, agent: installAgent(dir), capacity: 1, jobTypes: ['SandboxRun'],
  limits: { time_secs: 600 }
})
d.start()
const up = await d.waitReady(30000)
if (!up) { console.error(d.tail()); process.exit(1) }
console.log(`# isolation ${up.isolation}`)
// let the start-up's allocations and the relay's first EOSE settle
await sleep(3000)
measure(d, 'idle')

const r = await Relay.connect(relay.url)
const buyers = Array.from({ length: Math.ceil((QUEUED + 1) / PER_BUYER) }, () => generateSecretKey())
for (let i = 0; i <= QUEUED; i++) {
  // a unique sleep, so that the one running job is ours
  const t = sandboxJob(fx, `sleep 599.${i}`, { provider: d.pubkey, params: { timeout_secs: '600' } })
  await r.publish(finalizeEvent({ ...t, created_at: now(), content: `p4 ${i}` }, buyers[Math.floor(i / PER_BUYER)]))
}
const st = await until(() => {
  const s = d.status()
  return s && s.busy === 1 && s.queued === QUEUED ? s : null
}, 60000, 250)
if (!st) {
  const s = d.status()
  console.error(`not queued in time: busy ${s?.busy} queued ${s?.queued}\n${d.tail()}`)
  process.exit(1)
}
await sleep(2000)
measure(d, 'queued')
r.close()
await d.stop()
await stopProc(relay.proc)
process.exit(0)
